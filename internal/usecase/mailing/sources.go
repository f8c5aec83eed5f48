package mailing

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Proposals sends the proposals read reads: template "proposal", the date
// shown is the end of validity.
func Proposals(read func(ctx context.Context, id int64) (*domain.Proposal, error)) Source {
	return kindSource[*domain.Proposal]{read: read, template: func(p *domain.Proposal) (string, time.Time) {
		return "proposal", p.ValidUntil
	}}
}

// Orders sends the orders read reads: template "order", the date shown is
// the delivery date.
func Orders(read func(ctx context.Context, id int64) (*domain.Order, error)) Source {
	return kindSource[*domain.Order]{read: read, template: func(o *domain.Order) (string, time.Time) {
		return "order", o.DeliveryDate
	}}
}

// PurchaseOrders sends the purchase orders read reads to their supplier:
// template "purchase_order", the date shown is the delivery date.
func PurchaseOrders(read func(ctx context.Context, id int64) (*domain.PurchaseOrder, error)) Source {
	return kindSource[*domain.PurchaseOrder]{read: read, template: func(o *domain.PurchaseOrder) (string, time.Time) {
		return "purchase_order", o.DeliveryDate
	}}
}

// Invoices sends the invoices read reads: template "invoice" with the due
// date, or "credit_note", which has none.
func Invoices(read func(ctx context.Context, id int64) (*domain.Invoice, error)) Source {
	return kindSource[*domain.Invoice]{read: read, template: func(inv *domain.Invoice) (string, time.Time) {
		if inv.Type == domain.InvoiceCreditNote {
			return "credit_note", time.Time{}
		}
		return "invoice", inv.DueDate
	}}
}

// kindSource is the Source of one kind D.
type kindSource[D domain.CommercialDocument] struct {
	read     func(ctx context.Context, id int64) (D, error)
	template func(d D) (string, time.Time)
}

// Document reads document id, keeping a nil pointer out of the interface.
func (k kindSource[D]) Document(ctx context.Context, id int64) (domain.CommercialDocument, error) {
	d, err := k.read(ctx, id)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// Template words a document of kind D; any other document gets its kind's
// name and no date.
func (k kindSource[D]) Template(doc domain.CommercialDocument) (string, time.Time) {
	d, ok := doc.(D)
	if !ok {
		return string(doc.Kind()), time.Time{}
	}
	return k.template(d)
}
