package purchasing

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// PaymentStore keeps supplier payments and their allocations (the
// allocations' InvoiceID names supplier invoices, the payment's CustomerID
// the supplier).
type PaymentStore interface {
	Create(ctx context.Context, p *domain.Payment) error
	Get(ctx context.Context, id int64) (*domain.Payment, error)
	List(ctx context.Context, f PaymentFilter) (domain.Page[domain.Payment], error)
}

// PaymentFilter selects supplier payments; zero fields do not filter.
type PaymentFilter struct {
	domain.ListParams
	SupplierID int64
	From, To   time.Time
}

// PaymentSorts are the fields payment lists can be sorted on.
var PaymentSorts = []string{"id", "date", "amount"}

// PaymentInput is a payment to one supplier spread over its invoices.
type PaymentInput struct {
	SupplierID       int64
	Date             time.Time
	Method           domain.PaymentMethod
	Reference        string
	Note             string
	Allocations      []domain.Allocation
	AllowOverpayment bool
}

// Payments is the supplier payments use case: the customer payments'
// rules on supplier invoices.
type Payments struct {
	base
	invoices InvoiceStore
	store    PaymentStore
}

// NewPayments returns the supplier payments use case.
func NewPayments(c Common, invoices InvoiceStore, store PaymentStore) *Payments {
	return &Payments{base: newBase(c), invoices: invoices, store: store}
}

// Pay records a payment and allocates it to its invoices in one
// transaction that locks the invoices (id order); an invoice whose
// remainder reaches zero becomes paid in that transaction.
func (s *Payments) Pay(ctx context.Context, in PaymentInput, by int64) (*domain.Payment, error) {
	p := &domain.Payment{CustomerID: in.SupplierID, Date: domain.DateOnly(in.Date), Method: in.Method,
		Reference: in.Reference, Note: in.Note, Allocations: slices.Clone(in.Allocations), CreatedBy: by}
	if in.Date.IsZero() {
		p.Date = domain.DateOnly(s.eng.Now())
	}
	if err := p.Check(); err != nil {
		return nil, err
	}
	ids := make([]int64, len(p.Allocations))
	for i, a := range p.Allocations {
		ids[i] = a.InvoiceID
	}
	slices.Sort(ids)
	err := s.eng.Do(ctx, func(ctx context.Context) error {
		// A retried attempt starts from the input again.
		p.CustomerID = in.SupplierID
		invs, err := s.invoices.LockMany(ctx, ids)
		if err != nil {
			return err
		}
		byID := make(map[int64]*domain.SupplierInvoice, len(invs))
		for _, inv := range invs {
			byID[inv.ID] = inv
		}
		v := &domain.ValidationError{}
		for i, a := range p.Allocations {
			inv, ok := byID[a.InvoiceID]
			field := fmt.Sprintf("allocations[%d].invoice_id", i)
			switch {
			case !ok:
				v.Add(field, "not_found", "supplier invoice %d does not exist", a.InvoiceID)
			case p.CustomerID == 0:
				p.CustomerID = inv.CustomerID
			}
			if ok && inv.CustomerID != p.CustomerID {
				v.Add(field, "other_supplier", "supplier invoice %s belongs to another supplier than the payment", inv.DisplayRef())
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		now := s.eng.Now()
		p.CreatedAt = now
		from := map[int64]string{}
		for i, a := range p.Allocations {
			inv := byID[a.InvoiceID]
			from[inv.ID] = inv.StatusName()
			if err := inv.ApplyPayment(a.Amount, in.AllowOverpayment); err != nil {
				return domain.AsKind(err, inv.Kind())
			}
			p.Allocations[i].InvoiceRef = inv.DisplayRef()
		}
		if err := s.store.Create(ctx, p); err != nil {
			return err
		}
		for _, a := range p.Allocations {
			inv := byID[a.InvoiceID]
			inv.UpdatedAt = now
			if err := s.invoices.Save(ctx, inv); err != nil {
				return err
			}
			action := "payment"
			if inv.StatusName() != from[inv.ID] {
				action = "paid"
			}
			note := fmt.Sprintf("supplier payment %d: %s", p.ID, a.Amount)
			if err := s.eng.Record(ctx, domain.Event(inv, action, from[inv.ID], by, note, now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Get returns a payment with its allocations.
func (s *Payments) Get(ctx context.Context, id int64) (*domain.Payment, error) {
	return s.store.Get(ctx, id)
}

// List lists payments with their allocations.
func (s *Payments) List(ctx context.Context, f PaymentFilter) (domain.Page[domain.Payment], error) {
	return s.store.List(ctx, f)
}
