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

// Bank posts supplier payments to bank accounts inside the payment's
// transaction (internal/usecase/bank.Accounts), as customer payments do.
type Bank interface {
	// ResolveAccount returns the account a payment naming id (0: none)
	// posts to, or 0 when the installation has no bank account.
	ResolveAccount(ctx context.Context, id int64) (int64, error)
	// LockOpen locks an account and refuses a closed one.
	LockOpen(ctx context.Context, id int64) error
	// Post locks the line's account and writes the line.
	Post(ctx context.Context, line domain.BankLine) (*domain.BankLine, error)
}

// Methods reads the payment-method dictionary.
type Methods interface {
	GetMethod(ctx context.Context, code string) (*domain.PaymentMethodEntry, error)
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
	Issuer           string
	IssuerBank       string
	Note             string
	BankAccountID    int64 // 0: the default (Bank.ResolveAccount)
	Allocations      []domain.Allocation
	AllowOverpayment bool
}

// Payments is the supplier payments use case: the customer payments'
// rules on supplier invoices.
type Payments struct {
	base
	invoices InvoiceStore
	store    PaymentStore
	bank     Bank
	methods  Methods
}

// NewPayments returns the supplier payments use case.
func NewPayments(c Common, invoices InvoiceStore, store PaymentStore, bank Bank, methods Methods) *Payments {
	return &Payments{base: newBase(c), invoices: invoices, store: store, bank: bank, methods: methods}
}

// checkMethod checks p's method against the dictionary, as customer
// payments do: it must exist, be active, and carry a reference when it
// needs one.
func (s *Payments) checkMethod(ctx context.Context, p *domain.Payment) error {
	m, err := s.methods.GetMethod(ctx, string(p.Method))
	return p.CheckMethod(m, err)
}

// Pay records a payment and allocates it to its invoices in one
// transaction that locks the invoices (id order); an invoice whose
// remainder reaches zero becomes paid in that transaction.
func (s *Payments) Pay(ctx context.Context, in PaymentInput, by int64) (*domain.Payment, error) {
	p := &domain.Payment{CustomerID: in.SupplierID, Date: domain.DateOnly(in.Date), Method: in.Method,
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
		// The account row is the lock taken after the invoices', as for
		// customer payments, so the two never wait on each other in a cycle.
		if p.BankAccountID != 0 {
			if err := s.bank.LockOpen(ctx, p.BankAccountID); err != nil {
				return err
			}
		}
		if err := s.store.Create(ctx, p); err != nil {
			return err
		}
		if p.BankAccountID != 0 {
			// Money paid out: a negative line.
			if _, err := s.bank.Post(ctx, domain.BankLine{AccountID: p.BankAccountID, Date: p.Date, Amount: p.Amount.Neg(),
				Label: "Supplier payment", Reference: p.Reference, Origin: domain.LineSupplierPayment, OriginID: p.ID,
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
