package sales

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
)

// CreditStore keeps customer credits.
type CreditStore interface {
	// Create stores a new credit and sets its id.
	Create(ctx context.Context, c *domain.CustomerCredit) error
	// Lock loads a credit after locking its row FOR UPDATE.
	Lock(ctx context.Context, id int64) (*domain.CustomerCredit, error)
	// Save writes the use of a credit.
	Save(ctx context.Context, c *domain.CustomerCredit) error
	// List lists a customer's credits, oldest first.
	List(ctx context.Context, customerID int64, status domain.CreditStatus) ([]domain.CustomerCredit, error)
}

// Credits is the customer credits use case: a credit note nothing was
// refunded on becomes a credit of its customer, used on another invoice.
type Credits struct {
	base
	invoices InvoiceStore
	store    CreditStore
}

// NewCredits returns the customer credits use case.
func NewCredits(c Common, invoices InvoiceStore, store CreditStore) *Credits {
	return &Credits{base: newBase(c), invoices: invoices, store: store}
}

// MarkAvailable turns a validated credit note nothing was refunded on
// into an available credit of its customer (Dolibarr's
// markAsCreditAvailable) and closes the credit note as paid, in one
// transaction that locks the credit note's row first.
func (s *Credits) MarkAvailable(ctx context.Context, id, by int64) (*domain.CustomerCredit, error) {
	var credit *domain.CustomerCredit
	_, err := document.Run[*domain.Invoice](ctx, s.eng, s.invoices, document.Change[*domain.Invoice]{
		ID: id, By: by, Action: "credit_available",
		Apply: func(ctx context.Context, cn *domain.Invoice, now time.Time) (string, error) {
			var err error
			if credit, err = cn.MarkCreditAvailable(by, now); err != nil {
				return "", err
			}
			if err := s.store.Create(ctx, credit); err != nil {
				return "", err
			}
			return fmt.Sprintf("credit %d: %s", credit.ID, credit.AmountInclTax), nil
		},
	})
	if err != nil {
		return nil, err
	}
	return credit, nil
}

// Use deducts an available credit, whole, from what is left to pay on a
// standard invoice of the same customer (Dolibarr's usecreditnote). One
// transaction locks the invoice row, then the credit row, so of two
// invoices racing for one credit the second waits and then finds it used;
// the invoice becomes paid in that transaction when nothing is left.
// Events are recorded on the invoice and on the credit note.
func (s *Credits) Use(ctx context.Context, invoiceID, creditID, by int64) (*domain.Invoice, error) {
	if creditID <= 0 {
		v := &domain.ValidationError{}
		v.Add("credit_id", "required", "is required (a positive id)")
		return nil, v
	}
	return document.Run[*domain.Invoice](ctx, s.eng, s.invoices, document.Change[*domain.Invoice]{
		ID: invoiceID, By: by, Action: "credit_used",
		Apply: func(ctx context.Context, inv *domain.Invoice, now time.Time) (string, error) {
			credit, err := s.store.Lock(ctx, creditID)
			if errors.Is(err, domain.ErrNotFound) {
				v := &domain.ValidationError{}
				v.Add("credit_id", "not_found", "credit %d does not exist", creditID)
				return "", v
			}
			if err != nil {
				return "", err
			}
			if err := inv.UseCredit(credit, now); err != nil {
				return "", err
			}
			if err := s.store.Save(ctx, credit); err != nil {
				return "", err
			}
			// The credit note is closed already; its log tells where its
			// credit went.
			paid := domain.InvoicePaid.String()
			err = s.eng.Record(ctx, domain.DocEvent{Kind: domain.KindInvoice, DocumentID: credit.SourceInvoiceID, Action: "credit_used",
				From: paid, To: paid, UserID: by, Note: fmt.Sprintf("credit %d used on %s", credit.ID, inv.DisplayRef()), At: now})
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("credit %d from %s: %s", credit.ID, credit.SourceRef, credit.AmountInclTax), nil
		},
	})
}

// List lists a customer's credits, oldest first; ErrNotFound when the third
// party does not exist.
func (s *Credits) List(ctx context.Context, customerID int64, status domain.CreditStatus) ([]domain.CustomerCredit, error) {
	if _, err := s.customers.GetThirdParty(ctx, customerID); err != nil {
		return nil, err
	}
	return s.store.List(ctx, customerID, status)
}
