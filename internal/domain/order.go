package domain

import "time"

// OrderStatus is Dolibarr's sales order status.
type OrderStatus int

// Order statuses.
const (
	OrderCanceled  OrderStatus = -1
	OrderDraft     OrderStatus = 0
	OrderValidated OrderStatus = 1
	// OrderShipping: shipment in process (Dolibarr's STATUS_SHIPMENTONPROCESS).
	OrderShipping OrderStatus = 2
	// OrderClosed: delivered, billed or not.
	OrderClosed OrderStatus = 3
)

// ParseOrderStatus reads the API name of a status.
func ParseOrderStatus(s string) (OrderStatus, bool) {
	for _, st := range []OrderStatus{OrderCanceled, OrderDraft, OrderValidated, OrderShipping, OrderClosed} {
		if st.String() == s {
			return st, true
		}
	}
	return 0, false
}

func (s OrderStatus) String() string {
	switch s {
	case OrderCanceled:
		return "canceled"
	case OrderValidated:
		return "validated"
	case OrderShipping:
		return "shipping"
	case OrderClosed:
		return "closed"
	default:
		return "draft"
	}
}

// Order is a customer's sales order.
type Order struct {
	Document
	Status       OrderStatus
	DeliveryDate time.Time // zero when none was agreed
	ProposalID   int64     // the proposal it was created from, if any
	// Billed is set once an invoice was created from the order.
	Billed bool
}

// Kind returns KindOrder.
func (o *Order) Kind() DocKind { return KindOrder }

// StatusName returns the API name of the status.
func (o *Order) StatusName() string { return o.Status.String() }

// Sendable refuses drafts and canceled orders.
func (o *Order) Sendable() bool { return o.Status != OrderDraft && o.Status != OrderCanceled }

// CheckEditable allows changes to drafts only.
func (o *Order) CheckEditable() error {
	if o.Status != OrderDraft {
		return notDraft(o, "edit")
	}
	return nil
}

// NeedsRef reports whether validation must draw a new reference.
func (o *Order) NeedsRef() bool { return o.Ref == "" }

// CanValidate returns the error Validate would give, changing nothing.
func (o *Order) CanValidate() error {
	if o.Status != OrderDraft {
		return notDraft(o, "validate")
	}
	if len(o.Lines) == 0 {
		return illegal(o, "validate", "empty", "it has no lines")
	}
	return nil
}

// Validate turns a draft with lines into a validated order; its reference
// is drawn afterwards in the same transaction.
func (o *Order) Validate(by int64, at time.Time) error {
	if err := o.CanValidate(); err != nil {
		return err
	}
	o.Status, o.ValidatedBy, o.ValidatedAt = OrderValidated, by, at
	return nil
}

// BackToDraft reopens a validated order for editing.
func (o *Order) BackToDraft() error {
	if o.Status != OrderValidated {
		return illegal(o, "reopen", "not_validated", "it is %s; only a validated order goes back to draft", o.Status)
	}
	if o.Billed {
		return illegal(o, "reopen", "billed", "it was billed")
	}
	o.Status = OrderDraft
	return nil
}

// Ship records that shipping has started.
func (o *Order) Ship() error {
	if o.Status != OrderValidated {
		return illegal(o, "ship", "not_validated", "it is %s; only a validated order can be shipped", o.Status)
	}
	o.Status = OrderShipping
	return nil
}

// Close records the order as delivered.
func (o *Order) Close() error {
	if o.Status != OrderValidated && o.Status != OrderShipping {
		return illegal(o, "close", "not_open", "it is %s; only a validated or shipping order can be closed", o.Status)
	}
	o.Status = OrderClosed
	return nil
}

// Cancel cancels a draft or validated order.
func (o *Order) Cancel() error {
	if o.Status != OrderDraft && o.Status != OrderValidated {
		return illegal(o, "cancel", "not_cancelable", "it is %s; only a draft or validated order can be canceled", o.Status)
	}
	if o.Billed {
		return illegal(o, "cancel", "billed", "it was billed")
	}
	o.Status = OrderCanceled
	return nil
}

// CheckBillable returns nil when an invoice may be created from the order.
func (o *Order) CheckBillable() error {
	switch {
	case o.Status == OrderDraft || o.Status == OrderCanceled:
		return illegal(o, "bill", "not_validated", "it is %s; only a validated order can be billed", o.Status)
	case o.Billed:
		return illegal(o, "bill", "billed", "it was already billed")
	}
	return nil
}

// Unbill clears the billed flag when the draft invoice made from the order
// is deleted, so the order can be invoiced again.
func (o *Order) Unbill() { o.Billed = false }

// CheckNew checks a new order's fields.
func (o *Order) CheckNew() error {
	err := o.CheckHeader()
	v := validationOf(err)
	if !o.DeliveryDate.IsZero() && o.DeliveryDate.Before(o.Date) {
		v.Add("delivery_date", "before_date", "must not be before the order date")
	}
	return v.Err()
}
