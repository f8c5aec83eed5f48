package domain

import (
	"errors"
	"fmt"
	"time"
)

// The buy side's document kinds.
const (
	KindPurchaseOrder   DocKind = "purchase_order"
	KindReception       DocKind = "reception"
	KindSupplierInvoice DocKind = "supplier_invoice"
)

// SupplierPrice is what a supplier charges for a product from a minimum
// quantity (Dolibarr's llx_product_fournisseur_price).
type SupplierPrice struct {
	ID           int64
	ProductID    int64
	SupplierID   int64
	SupplierRef  string // the supplier's own reference of the product
	UnitPrice    Decimal
	MinQuantity  Decimal
	VATRate      Decimal
	LeadTimeDays int
	Active       bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Check reports every broken invariant of the price.
func (p *SupplierPrice) Check() error {
	v := &ValidationError{}
	if p.SupplierID <= 0 {
		v.Add("supplier_id", "required", "is required (a positive id)")
	}
	checkText(v, "supplier_ref", p.SupplierRef, MaxSupplierRefLen, false)
	switch {
	case p.UnitPrice.IsNegative():
		v.Add("unit_price", "negative", "must not be negative")
	case p.UnitPrice.Scale() > ScaleStored:
		v.Add("unit_price", "too_precise", "must have at most %d digits after the point", ScaleStored)
	case p.UnitPrice.IntegerDigits() > 12:
		v.Add("unit_price", "out_of_range", "must be less than 1000000000000")
	}
	switch {
	case !p.MinQuantity.IsPositive():
		v.Add("min_quantity", "not_positive", "must be greater than zero")
	case p.MinQuantity.Scale() > ScaleQty:
		v.Add("min_quantity", "too_precise", "must have at most %d digits after the point", ScaleQty)
	case p.MinQuantity.IntegerDigits() > 9:
		v.Add("min_quantity", "out_of_range", "must be less than 1000000000")
	}
	checkRate(v, "vat_rate", p.VATRate)
	if p.LeadTimeDays < 0 || p.LeadTimeDays > 3650 {
		v.Add("lead_time_days", "out_of_range", "must be between 0 and 3650")
	}
	return v.Err()
}

// BestSupplierPrice returns the lowest active price of prices that applies
// to quantity (its minimum quantity at most quantity), the largest minimum
// quantity first among equal prices; nil when none applies.
func BestSupplierPrice(prices []SupplierPrice, quantity Decimal) *SupplierPrice {
	var best *SupplierPrice
	for i := range prices {
		p := &prices[i]
		if !p.Active || p.MinQuantity.GreaterThan(quantity) {
			continue
		}
		if best == nil || p.UnitPrice.LessThan(best.UnitPrice) ||
			(p.UnitPrice.Equal(best.UnitPrice) && p.MinQuantity.GreaterThan(best.MinQuantity)) {
			best = p
		}
	}
	return best
}

// PurchaseOrderStatus is a supplier order's status; the values are
// Dolibarr's (CommandeFournisseur::STATUS_*), closed added.
type PurchaseOrderStatus int

// Purchase order statuses.
const (
	PurchaseDraft          PurchaseOrderStatus = 0
	PurchaseValidated      PurchaseOrderStatus = 1 // waits for its second approval
	PurchaseApproved       PurchaseOrderStatus = 2
	PurchaseOrdered        PurchaseOrderStatus = 3 // sent to the supplier
	PurchasePartlyReceived PurchaseOrderStatus = 4
	PurchaseReceived       PurchaseOrderStatus = 5
	PurchaseCanceled       PurchaseOrderStatus = 6
	// PurchaseClosed: no more goods expected (closed while partly
	// received, or after full reception).
	PurchaseClosed PurchaseOrderStatus = 8
)

var purchaseStatuses = []PurchaseOrderStatus{PurchaseDraft, PurchaseValidated, PurchaseApproved, PurchaseOrdered,
	PurchasePartlyReceived, PurchaseReceived, PurchaseCanceled, PurchaseClosed}

// PurchaseOrderStatuses lists every status.
func PurchaseOrderStatuses() []PurchaseOrderStatus { return purchaseStatuses }

// ParsePurchaseOrderStatus reads the API name of a status.
func ParsePurchaseOrderStatus(s string) (PurchaseOrderStatus, bool) {
	for _, st := range purchaseStatuses {
		if st.String() == s {
			return st, true
		}
	}
	return 0, false
}

func (s PurchaseOrderStatus) String() string {
	switch s {
	case PurchaseValidated:
		return "validated"
	case PurchaseApproved:
		return "approved"
	case PurchaseOrdered:
		return "ordered"
	case PurchasePartlyReceived:
		return "partly_received"
	case PurchaseReceived:
		return "received"
	case PurchaseCanceled:
		return "canceled"
	case PurchaseClosed:
		return "closed"
	default:
		return "draft"
	}
}

// PurchaseOrder is an order to a supplier. Its Document's CustomerID is
// the supplier (the document's third party).
type PurchaseOrder struct {
	Document
	Status       PurchaseOrderStatus
	DeliveryDate time.Time // zero when none was agreed
	ApprovedBy   int64
	ApprovedAt   time.Time
	OrderedAt    time.Time
	// Billed is set once a supplier invoice was created from the order.
	Billed bool
}

// Kind returns KindPurchaseOrder.
func (o *PurchaseOrder) Kind() DocKind { return KindPurchaseOrder }

// StatusName returns the API name of the status.
func (o *PurchaseOrder) StatusName() string { return o.Status.String() }

// Sendable refuses drafts, orders waiting for approval and canceled ones.
func (o *PurchaseOrder) Sendable() bool {
	return o.Status != PurchaseDraft && o.Status != PurchaseValidated && o.Status != PurchaseCanceled
}

// CheckEditable allows changes to drafts only.
func (o *PurchaseOrder) CheckEditable() error {
	if o.Status != PurchaseDraft {
		return notDraft(o, "edit")
	}
	return nil
}

// CheckNew checks a new order's fields.
func (o *PurchaseOrder) CheckNew() error {
	err := o.CheckHeader()
	v := validationOf(err)
	if len(v.Fields) > 0 {
		renameCustomer(v)
	}
	if !o.DeliveryDate.IsZero() && o.DeliveryDate.Before(o.Date) {
		v.Add("delivery_date", "before_date", "must not be before the order date")
	}
	return v.Err()
}

// renameCustomer names the third party of a buy-side document, and its
// reference of the document, by the supplier's role, as the API does.
func renameCustomer(v *ValidationError) {
	for i := range v.Fields {
		switch v.Fields[i].Field {
		case "customer_id":
			v.Fields[i].Field = "supplier_id"
		case "ref_customer":
			v.Fields[i].Field = "ref_supplier"
		}
	}
}

// CanValidate returns the error Validate would give, changing nothing.
func (o *PurchaseOrder) CanValidate() error {
	if o.Status != PurchaseDraft {
		return notDraft(o, "validate")
	}
	if len(o.Lines) == 0 {
		return illegal(o, "validate", "empty", "it has no lines")
	}
	return nil
}

// Validate validates a draft. An order that needs a second approval waits
// in validated; any other is approved at once by its validator, as
// Dolibarr does without SUPPLIER_ORDER_3_STEPS / double approval.
func (o *PurchaseOrder) Validate(by int64, at time.Time, needsApproval bool) error {
	if err := o.CanValidate(); err != nil {
		return err
	}
	o.Status, o.ValidatedBy, o.ValidatedAt = PurchaseValidated, by, at
	if !needsApproval {
		o.Status, o.ApprovedBy, o.ApprovedAt = PurchaseApproved, by, at
	}
	return nil
}

// Approve gives a validated order its second approval. The approver must
// not be the order's creator (four eyes).
func (o *PurchaseOrder) Approve(by int64, at time.Time) error {
	if o.Status != PurchaseValidated {
		return illegal(o, "approve", "not_validated", "it is %s; only a validated order waits for approval", o.Status)
	}
	if by == o.CreatedBy {
		return illegal(o, "approve", "self_approval", "its creator cannot give it its second approval")
	}
	o.Status, o.ApprovedBy, o.ApprovedAt = PurchaseApproved, by, at
	return nil
}

// MarkOrdered records the order as sent to the supplier.
func (o *PurchaseOrder) MarkOrdered(at time.Time) error {
	if o.Status != PurchaseApproved {
		return illegal(o, "order", "not_approved", "it is %s; only an approved order can be ordered", o.Status)
	}
	o.Status, o.OrderedAt = PurchaseOrdered, at
	return nil
}

// CheckReceivable returns nil when goods of the order may be received.
func (o *PurchaseOrder) CheckReceivable() error {
	if o.Status != PurchaseOrdered && o.Status != PurchasePartlyReceived {
		return illegal(o, "receive", "not_ordered", "it is %s; only an ordered or partly received order can be received", o.Status)
	}
	return nil
}

// SetReceived moves an ordered order to partly received or received,
// from whether every line is now received in full.
func (o *PurchaseOrder) SetReceived(complete bool) {
	o.Status = PurchasePartlyReceived
	if complete {
		o.Status = PurchaseReceived
	}
}

// Cancel cancels an order nothing was received of.
func (o *PurchaseOrder) Cancel() error {
	switch o.Status {
	case PurchaseDraft, PurchaseValidated, PurchaseApproved, PurchaseOrdered:
	default:
		return illegal(o, "cancel", "not_cancelable", "it is %s; only an order nothing was received of can be canceled", o.Status)
	}
	if o.Billed {
		return illegal(o, "cancel", "billed", "it was billed")
	}
	o.Status = PurchaseCanceled
	return nil
}

// Close records that no more goods are expected.
func (o *PurchaseOrder) Close() error {
	switch o.Status {
	case PurchaseOrdered, PurchasePartlyReceived, PurchaseReceived:
	default:
		return illegal(o, "close", "not_open", "it is %s; only an ordered or received order can be closed", o.Status)
	}
	o.Status = PurchaseClosed
	return nil
}

// CheckBillable returns nil when a supplier invoice may be made from the
// order.
func (o *PurchaseOrder) CheckBillable() error {
	switch {
	case o.Status == PurchaseDraft || o.Status == PurchaseValidated || o.Status == PurchaseCanceled:
		return illegal(o, "bill", "not_approved", "it is %s; only an approved order can be billed", o.Status)
	case o.Billed:
		return illegal(o, "bill", "billed", "it was already billed")
	}
	return nil
}

// ReceptionStatus is a reception's status.
type ReceptionStatus int

// Reception statuses (Dolibarr's Reception::STATUS_*).
const (
	ReceptionDraft     ReceptionStatus = 0
	ReceptionValidated ReceptionStatus = 1
)

// ParseReceptionStatus reads the API name of a status.
func ParseReceptionStatus(s string) (ReceptionStatus, bool) {
	for _, st := range []ReceptionStatus{ReceptionDraft, ReceptionValidated} {
		if st.String() == s {
			return st, true
		}
	}
	return 0, false
}

func (s ReceptionStatus) String() string {
	if s == ReceptionValidated {
		return "validated"
	}
	return "draft"
}

// ReceptionLine is one product received of one order line, into one
// warehouse, at the order line's net unit price.
type ReceptionLine struct {
	ID          int64
	OrderLineID int64
	ProductID   int64
	WarehouseID int64
	Quantity    Decimal
	// UnitPrice is the order line's price net of its discount, which the
	// stock receipt carries into the weighted average cost.
	UnitPrice Decimal
}

// MaxReceptionLines bounds the lines of one reception.
const MaxReceptionLines = MaxLines

// Reception is one delivery of a purchase order. Its Document carries the
// header (ref, supplier as CustomerID, date, notes, audit); its goods are
// in Received, not in Document.Lines.
type Reception struct {
	Document
	Status   ReceptionStatus
	OrderID  int64
	Received []ReceptionLine
	// InvoiceID is the supplier invoice made from the reception, 0 while
	// none; deleting that draft invoice clears it (ON DELETE SET NULL).
	InvoiceID int64
}

// Kind returns KindReception.
func (r *Reception) Kind() DocKind { return KindReception }

// StatusName returns the API name of the status.
func (r *Reception) StatusName() string { return r.Status.String() }

// Sendable reports false: receptions are not sent.
func (r *Reception) Sendable() bool { return false }

// CheckEditable allows changes to drafts only.
func (r *Reception) CheckEditable() error {
	if r.Status != ReceptionDraft {
		return notDraft(r, "edit")
	}
	return nil
}

// CheckNew checks a new reception's header and lines.
func (r *Reception) CheckNew() error {
	v := &ValidationError{}
	if r.OrderID <= 0 {
		v.Add("order_id", "required", "is required (a positive id)")
	}
	if r.Date.IsZero() {
		v.Add("date", "required", "is required")
	}
	checkText(v, "note_public", r.NotePublic, MaxNoteLen, false)
	checkText(v, "note_private", r.NotePrivate, MaxNoteLen, false)
	switch {
	case len(r.Received) == 0:
		v.Add("lines", "required", "a reception receives at least one line")
	case len(r.Received) > MaxReceptionLines:
		v.Add("lines", "too_many", "a reception holds at most %d lines", MaxReceptionLines)
	}
	for i, l := range r.Received {
		p := fmt.Sprintf("lines[%d].", i)
		if l.OrderLineID <= 0 {
			v.Add(p+"order_line_id", "required", "is required (a positive id)")
		}
		if l.WarehouseID <= 0 {
			v.Add(p+"warehouse_id", "required", "is required (a positive id)")
		}
		switch {
		case !l.Quantity.IsPositive():
			v.Add(p+"quantity", "not_positive", "must be greater than zero")
		case l.Quantity.Scale() > ScaleQty:
			v.Add(p+"quantity", "too_precise", "must have at most %d digits after the point", ScaleQty)
		case l.Quantity.IntegerDigits() > 9:
			v.Add(p+"quantity", "out_of_range", "must be less than 1000000000")
		}
	}
	return v.Err()
}

// Validate validates a draft reception.
func (r *Reception) Validate(by int64, at time.Time) error {
	if r.Status != ReceptionDraft {
		return notDraft(r, "validate")
	}
	r.Status, r.ValidatedBy, r.ValidatedAt = ReceptionValidated, by, at
	return nil
}

// CheckBillable returns nil when a supplier invoice may be made from the
// reception.
func (r *Reception) CheckBillable() error {
	switch {
	case r.Status != ReceptionValidated:
		return illegal(r, "bill", "not_validated", "it is %s; only a validated reception can be billed", r.Status)
	case r.InvoiceID != 0:
		return illegal(r, "bill", "billed", "it was already billed")
	}
	return nil
}

// OverReception is returned when a reception would take an order line
// past its ordered quantity. It unwraps to ErrConflict.
type OverReception struct {
	OrderID     int64
	OrderLineID int64
	Ordered     Decimal
	Received    Decimal // already received by validated receptions
	Requested   Decimal
}

func (e *OverReception) Error() string {
	return fmt.Sprintf("order line %d: %s ordered, %s already received, %s more would exceed the ordered quantity",
		e.OrderLineID, e.Ordered, e.Received, e.Requested)
}

// Unwrap makes OverReception match ErrConflict.
func (e *OverReception) Unwrap() error { return ErrConflict }

// ErrorCode returns the stable code.
func (e *OverReception) ErrorCode() string { return "over_reception" }

// Details names the line and the quantities.
func (e *OverReception) Details() map[string]any {
	return map[string]any{"order_id": e.OrderID, "order_line_id": e.OrderLineID, "ordered": e.Ordered,
		"received": e.Received, "requested": e.Requested}
}

// SupplierInvoice is an invoice (or credit note) received from a supplier.
// It follows the customer invoice's life (draft, validated, paid,
// abandoned) with the supplier as the document's third party
// (CustomerID) and the supplier's own number, required and unique per
// supplier.
type SupplierInvoice struct {
	Invoice
	SupplierRef string
	// PurchaseOrderID is the order it was created from, if any.
	PurchaseOrderID int64
}

// Kind returns KindSupplierInvoice.
func (i *SupplierInvoice) Kind() DocKind { return KindSupplierInvoice }

// Header returns the common fields.
func (i *SupplierInvoice) Header() *Document { return &i.Document }

// CheckEditable allows changes to drafts only.
func (i *SupplierInvoice) CheckEditable() error { return AsKind(i.Invoice.CheckEditable(), i.Kind()) }

// CheckNew checks a new supplier invoice's fields.
func (i *SupplierInvoice) CheckNew() error {
	err := i.Invoice.CheckNew()
	v := validationOf(err)
	renameCustomer(v)
	checkText(v, "supplier_ref", i.SupplierRef, MaxSupplierRefLen, true)
	return v.Err()
}

// AsKind gives an illegal transition of an entity embedded in a buy-side
// document (a SupplierInvoice's Invoice) the buy-side kind, so its code is
// supplier_invoice_not_draft rather than invoice_not_draft.
func AsKind(err error, kind DocKind) error {
	var it *IllegalTransition
	if errors.As(err, &it) {
		c := *it
		c.Kind = kind
		return &c
	}
	return err
}
