package sales

import (
	"context"
	"errors"
	"fmt"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// MarkCreditAvailable turns a validated credit note nothing was refunded on
// into an available credit of its customer (Dolibarr's
// markAsCreditAvailable) and closes the credit note as paid, in one
// transaction that locks the credit note's row first.
func (s *Service) MarkCreditAvailable(ctx context.Context, id, by int64) (*domain.CustomerCredit, error) {
	var credit *domain.CustomerCredit
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		cn, err := s.repo.Invoice(ctx, id, true)
		if err != nil {
			return err
		}
		from := cn.StatusName()
		now := s.clock()
		if credit, err = cn.MarkCreditAvailable(by, now); err != nil {
			return err
		}
		if err := s.repo.SaveInvoice(ctx, cn); err != nil {
			return err
		}
		if err := s.repo.CreateCredit(ctx, credit); err != nil {
			return err
		}
		note := fmt.Sprintf("credit %d: %s", credit.ID, credit.AmountInclTax)
		return s.record(ctx, domain.Event(cn, "credit_available", from, by, note, now))
	})
	if err != nil {
		return nil, err
	}
	return credit, nil
}

// UseCredit deducts an available credit, whole, from what is left to pay
// on a standard invoice of the same customer (Dolibarr's usecreditnote).
// One transaction locks the invoice row, then the credit row, so of two
// invoices racing for one credit the second waits and then finds it used;
// the invoice becomes paid in that transaction when nothing is left.
// Events are recorded on the invoice and on the credit note.
func (s *Service) UseCredit(ctx context.Context, invoiceID, creditID, by int64) (*domain.Invoice, error) {
	if creditID <= 0 {
		v := &domain.ValidationError{}
		v.Add("credit_id", "required", "is required (a positive id)")
		return nil, v
	}
	var inv *domain.Invoice
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		var err error
		if inv, err = s.repo.Invoice(ctx, invoiceID, true); err != nil {
			return err
		}
		credit, err := s.repo.Credit(ctx, creditID, true)
		if errors.Is(err, domain.ErrNotFound) {
			v := &domain.ValidationError{}
			v.Add("credit_id", "not_found", "credit %d does not exist", creditID)
			return v
		}
		if err != nil {
			return err
		}
		from := inv.StatusName()
		now := s.clock()
		if err := inv.UseCredit(credit, now); err != nil {
			return err
		}
		if err := s.repo.SaveCredit(ctx, credit); err != nil {
			return err
		}
		if err := s.repo.SaveInvoice(ctx, inv); err != nil {
			return err
		}
		note := fmt.Sprintf("credit %d from %s: %s", credit.ID, credit.SourceRef, credit.AmountInclTax)
		if err := s.record(ctx, domain.Event(inv, "credit_used", from, by, note, now)); err != nil {
			return err
		}
		// The credit note is closed already; its log tells where its
		// credit went.
		paid := domain.InvoicePaid.String()
		return s.record(ctx, domain.DocEvent{Kind: domain.KindInvoice, DocumentID: credit.SourceInvoiceID, Action: "credit_used",
			From: paid, To: paid, UserID: by, Note: fmt.Sprintf("credit %d used on %s", credit.ID, inv.DisplayRef()), At: now})
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// Credits lists a customer's credits, oldest first; ErrNotFound when the
// third party does not exist.
func (s *Service) Credits(ctx context.Context, customerID int64, status domain.CreditStatus) ([]domain.CustomerCredit, error) {
	if _, err := s.catalog.GetThirdParty(ctx, customerID); err != nil {
		return nil, err
	}
	return s.repo.Credits(ctx, customerID, status)
}
