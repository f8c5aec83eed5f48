package sales

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
)

// Conversions makes a document from another: an order from a signed
// proposal, an invoice from a validated order or a signed proposal. Each
// conversion locks its source first, then creates the new draft, in one
// transaction.
type Conversions struct {
	base
	proposals ProposalStore
	orders    OrderStore
	invoices  InvoiceStore
}

// NewConversions returns the conversions use case.
func NewConversions(c Common, proposals ProposalStore, orders OrderStore, invoices InvoiceStore) *Conversions {
	return &Conversions{base: newBase(c), proposals: proposals, orders: orders, invoices: invoices}
}

// OrderFromProposal creates a draft order from a signed proposal; the
// proposal itself is not changed.
func (s *Conversions) OrderFromProposal(ctx context.Context, proposalID, by int64) (*domain.Order, error) {
	var o *domain.Order
	err := s.eng.Do(ctx, func(ctx context.Context) error {
		p, err := s.proposals.Lock(ctx, proposalID)
		if err != nil {
			return err
		}
		if err := p.CheckConvertible(); err != nil {
			return err
		}
		o = &domain.Order{Document: document.Copy(&p.Document, s.eng.Now(), by), ProposalID: p.ID}
		return insertOrder(ctx, s.eng, s.orders, o, "from proposal "+p.DisplayRef())
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// InvoiceFromOrder creates a draft invoice from a validated order. The
// order becomes billed when that invoice is validated (Invoices.Validate),
// not now: a draft may still be deleted or never issued.
func (s *Conversions) InvoiceFromOrder(ctx context.Context, orderID, by int64) (*domain.Invoice, error) {
	var inv *domain.Invoice
	_, err := document.Run[*domain.Order](ctx, s.eng, s.orders, document.Change[*domain.Order]{
		ID: orderID, By: by, Action: "invoice_drafted",
		Apply: func(ctx context.Context, o *domain.Order, now time.Time) (string, error) {
			if err := o.CheckBillable(); err != nil {
				return "", err
			}
			var err error
			if inv, err = s.newInvoice(ctx, &o.Document, now, by); err != nil {
				return "", err
			}
			inv.OrderID, inv.ProposalID = o.ID, o.ProposalID
			if err := insertInvoice(ctx, s.eng, s.invoices, inv, "from order "+o.DisplayRef()); err != nil {
				return "", err
			}
			return "invoice " + inv.DisplayRef(), nil
		},
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// InvoiceFromProposal creates a draft invoice from a signed proposal and
// classifies the proposal billed.
func (s *Conversions) InvoiceFromProposal(ctx context.Context, proposalID, by int64) (*domain.Invoice, error) {
	var inv *domain.Invoice
	_, err := document.Run[*domain.Proposal](ctx, s.eng, s.proposals, document.Change[*domain.Proposal]{
		ID: proposalID, By: by, Action: "billed",
		Apply: func(ctx context.Context, p *domain.Proposal, now time.Time) (string, error) {
			if err := p.MarkBilled(); err != nil {
				return "", err
			}
			var err error
			if inv, err = s.newInvoice(ctx, &p.Document, now, by); err != nil {
				return "", err
			}
			inv.ProposalID = p.ID
			if err := insertInvoice(ctx, s.eng, s.invoices, inv, "from proposal "+p.DisplayRef()); err != nil {
				return "", err
			}
			return "invoice " + inv.DisplayRef(), nil
		},
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// newInvoice is the draft invoice of a conversion from src (an order or a
// proposal), due on its customer's terms.
func (s *Conversions) newInvoice(ctx context.Context, src *domain.Document, now time.Time, by int64) (*domain.Invoice, error) {
	cust, err := s.customers.GetThirdParty(ctx, src.CustomerID)
	if err != nil {
		return nil, err
	}
	inv := &domain.Invoice{Document: document.Copy(src, now, by)}
	inv.DueDate = dueDate(cust, inv.Date)
	return inv, nil
}
