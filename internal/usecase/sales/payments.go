package sales

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// PaymentStore keeps payments and their allocations.
type PaymentStore interface {
	// Create stores p and its allocations and sets its id.
	Create(ctx context.Context, p *domain.Payment) error
	// Get loads a payment with its allocations.
	Get(ctx context.Context, id int64) (*domain.Payment, error)
	// List lists payments matching f with their allocations.
	List(ctx context.Context, f PaymentFilter) (domain.Page[domain.Payment], error)
	// OfInvoice lists the payments made on one invoice, oldest first, each
	// with only that invoice's allocation.
	OfInvoice(ctx context.Context, invoiceID int64) ([]domain.Payment, error)
	// Delete deletes a payment and its allocations.
	Delete(ctx context.Context, id int64) error
}

// Bank posts payments to bank accounts inside the payment's transaction
// (internal/usecase/bank.Accounts).
type Bank interface {
	// ResolveAccount returns the account a payment naming id (0: none)
	// posts to, or 0 when the installation has no bank account.
	ResolveAccount(ctx context.Context, id int64) (int64, error)
	// LockOpen locks an account and refuses a closed one; the payment
	// calls it before inserting the rows that refer to the account.
	LockOpen(ctx context.Context, id int64) error
	// Post locks the line's account and writes the line.
	Post(ctx context.Context, line domain.BankLine) (*domain.BankLine, error)
	// Unpost deletes the lines (origin, originID) wrote; a reconciled
	// line refuses.
	Unpost(ctx context.Context, origin string, originID int64) error
}

// Methods reads the payment-method dictionary.
type Methods interface {
	GetMethod(ctx context.Context, code string) (*domain.PaymentMethodEntry, error)
}

// PaymentFilter selects payments; zero fields do not filter.
type PaymentFilter struct {
	domain.ListParams
	CustomerID int64
	From, To   time.Time
}

// PaymentSorts are the fields payment lists can be sorted on.
var PaymentSorts = []string{"id", "date", "amount"}

// PaymentInput is a payment spread over invoices of one customer.
type PaymentInput struct {
	// CustomerID, when given, must own every invoice.
	CustomerID int64
	Date       time.Time // zero: today
	Method     domain.PaymentMethod
	Reference  string
	Issuer     string
	IssuerBank string
	Note       string
	// BankAccountID is the account to post to; 0: the default (see
	// Bank.ResolveAccount).
	BankAccountID int64
	Allocations   []domain.Allocation
	// AllowOverpayment accepts an amount above an invoice's remainder.
	AllowOverpayment bool
}

// Payments is the customer payments use case.
type Payments struct {
	base
	invoices InvoiceStore
	store    PaymentStore
	bank     Bank
	methods  Methods
}

// NewPayments returns the payments use case.
func NewPayments(c Common, invoices InvoiceStore, store PaymentStore, bank Bank, methods Methods) *Payments {
	return &Payments{base: newBase(c), invoices: invoices, store: store, bank: bank, methods: methods}
}

// checkMethod checks p's method against the dictionary: it must exist, be
// active, and, when it needs one, p must carry a reference.
func (s *Payments) checkMethod(ctx context.Context, p *domain.Payment) error {
	m, err := s.methods.GetMethod(ctx, string(p.Method))
	return p.CheckMethod(m, err)
}

// Pay records a payment and allocates it to its invoices in one
// transaction that locks the invoices (id order); an invoice whose
// remainder reaches zero becomes paid in that same transaction.
func (s *Payments) Pay(ctx context.Context, in PaymentInput, by int64) (*domain.Payment, error) {
	p := &domain.Payment{CustomerID: in.CustomerID, Date: domain.DateOnly(in.Date), Method: in.Method,
		Reference: in.Reference, Issuer: in.Issuer, IssuerBank: in.IssuerBank, Note: in.Note,
		Allocations: slices.Clone(in.Allocations), CreatedBy: by}
	if in.Date.IsZero() {
		p.Date = domain.DateOnly(s.eng.Now())
	}
	if err := p.Check(); err != nil {
		return nil, err
	}
	if err := s.checkMethod(ctx, p); err != nil {
		return nil, err
	}
	account, err := s.bank.ResolveAccount(ctx, in.BankAccountID)
	if err != nil {
		return nil, err
	}
	p.BankAccountID = account
	ids := make([]int64, len(p.Allocations))
	for i, a := range p.Allocations {
		ids[i] = a.InvoiceID
	}
	slices.Sort(ids)
	err = s.eng.Do(ctx, func(ctx context.Context) error {
		invs, err := s.invoices.LockMany(ctx, ids)
		if err != nil {
			return err
		}
		byID := make(map[int64]*domain.Invoice, len(invs))
		for _, inv := range invs {
			byID[inv.ID] = inv
		}
		v := &domain.ValidationError{}
		for i, a := range p.Allocations {
			inv, ok := byID[a.InvoiceID]
			field := fmt.Sprintf("allocations[%d].invoice_id", i)
			switch {
			case !ok:
				v.Add(field, "not_found", "invoice %d does not exist", a.InvoiceID)
			case p.CustomerID == 0:
				p.CustomerID = inv.CustomerID
			}
			if ok && inv.CustomerID != p.CustomerID {
				v.Add(field, "other_customer", "invoice %s belongs to another customer than the payment", inv.DisplayRef())
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
				return err
			}
			p.Allocations[i].InvoiceRef = inv.DisplayRef()
		}
		// The account row is the lock taken after the invoices'.
		if p.BankAccountID != 0 {
			if err := s.bank.LockOpen(ctx, p.BankAccountID); err != nil {
				return err
			}
		}
		if err := s.store.Create(ctx, p); err != nil {
			return err
		}
		if p.BankAccountID != 0 {
			if _, err := s.bank.Post(ctx, domain.BankLine{AccountID: p.BankAccountID, Date: p.Date, Amount: p.Amount,
				Label: "Customer payment", Reference: p.Reference, Origin: domain.LineCustomerPayment, OriginID: p.ID,
				CreatedBy: by, CreatedAt: now}); err != nil {
				return err
			}
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
			note := fmt.Sprintf("payment %d: %s", p.ID, a.Amount)
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

// Delete corrects a payment recorded by mistake: in one transaction that
// locks its invoices (id order), its bank line goes (refused, 409
// bank_line_reconciled, once reconciled), every invoice it paid gets the
// amount back and returns to validated (unpaid or partially paid) if it
// was paid by it, each records a payment_deleted event, and the payment
// and its allocations are deleted.
func (s *Payments) Delete(ctx context.Context, id int64, by int64) error {
	p, err := s.store.Get(ctx, id)
	if err != nil {
		return err
	}
	ids := make([]int64, len(p.Allocations))
	for i, a := range p.Allocations {
		ids[i] = a.InvoiceID
	}
	slices.Sort(ids)
	return s.eng.Do(ctx, func(ctx context.Context) error {
		invs, err := s.invoices.LockMany(ctx, ids)
		if err != nil {
			return err
		}
		// Read again under the invoices' locks: a concurrent deletion of
		// the same payment has committed or waits behind us.
		p, err := s.store.Get(ctx, id)
		if err != nil {
			return err
		}
		if err := s.bank.Unpost(ctx, domain.LineCustomerPayment, p.ID); err != nil {
			return err
		}
		byID := make(map[int64]*domain.Invoice, len(invs))
		for _, inv := range invs {
			byID[inv.ID] = inv
		}
		now := s.eng.Now()
		for _, a := range p.Allocations {
			inv, ok := byID[a.InvoiceID]
			if !ok {
				return domain.E(domain.ErrNotFound, "not_found", "invoice %d not found", a.InvoiceID)
			}
			from := inv.StatusName()
			if err := inv.RevertPayment(a.Amount); err != nil {
				return err
			}
			inv.UpdatedAt = now
			if err := s.invoices.Save(ctx, inv); err != nil {
				return err
			}
			note := fmt.Sprintf("payment %d deleted: %s", p.ID, a.Amount)
			if err := s.eng.Record(ctx, domain.Event(inv, "payment_deleted", from, by, note, now)); err != nil {
				return err
			}
		}
		return s.store.Delete(ctx, p.ID)
	})
}

// PayInvoice pays one invoice; a nil amount pays its whole remainder.
func (s *Payments) PayInvoice(ctx context.Context, id int64, amount *domain.Decimal, in PaymentInput, by int64) (*domain.Payment, error) {
	inv, err := s.invoices.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if amount == nil {
		if err := inv.CheckPayable(); err != nil {
			return nil, err
		}
		// Re-checked under lock by Pay: a concurrent payment makes this
		// an overpayment, refused, rather than a double payment.
		rem := inv.Remaining()
		amount = &rem
	}
	in.Allocations = []domain.Allocation{{InvoiceID: id, Amount: *amount}}
	return s.Pay(ctx, in, by)
}

// Get returns a payment with its allocations.
func (s *Payments) Get(ctx context.Context, id int64) (*domain.Payment, error) {
	return s.store.Get(ctx, id)
}

// List lists payments with their allocations.
func (s *Payments) List(ctx context.Context, f PaymentFilter) (domain.Page[domain.Payment], error) {
	return s.store.List(ctx, f)
}

// OfInvoice lists the payments made on an invoice; a missing invoice is a
// domain.ErrNotFound error.
func (s *Payments) OfInvoice(ctx context.Context, invoiceID int64) ([]domain.Payment, error) {
	if _, err := s.invoices.Get(ctx, invoiceID); err != nil {
		return nil, err
	}
	return s.store.OfInvoice(ctx, invoiceID)
}
