package sales

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// InvoiceInput is a new invoice or credit note.
type InvoiceInput struct {
	HeaderInput
	Type domain.InvoiceType
	// DueDate defaults to the date plus the customer's payment terms.
	DueDate time.Time
	// SourceInvoiceID is, on a credit note, the invoice it corrects.
	SourceInvoiceID int64
}

// InvoicePatch changes a draft invoice; nil fields are kept.
type InvoicePatch struct {
	HeaderPatch
	DueDate *time.Time
}

// CreateInvoice creates a draft invoice with its lines.
func (s *Service) CreateInvoice(ctx context.Context, in InvoiceInput, by int64) (*domain.Invoice, error) {
	v := &domain.ValidationError{}
	h, cust, err := s.newHeader(ctx, v, in.HeaderInput, by)
	if err != nil {
		return nil, err
	}
	inv := &domain.Invoice{Document: h, Type: in.Type, DueDate: domain.DateOnly(in.DueDate), SourceInvoiceID: in.SourceInvoiceID}
	if in.DueDate.IsZero() {
		inv.DueDate = dueDate(cust, inv.Date)
	}
	if in.SourceInvoiceID != 0 {
		if err := s.checkCreditSource(ctx, v, inv); err != nil {
			return nil, err
		}
	}
	if err := v.Merge(inv.CheckNew()); err != nil {
		return nil, err
	}
	err = s.tx.Do(ctx, func(ctx context.Context) error {
		return s.insertInvoice(ctx, inv, "created", "")
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

func (s *Service) checkCreditSource(ctx context.Context, v *domain.ValidationError, inv *domain.Invoice) error {
	if inv.Type != domain.InvoiceCreditNote {
		v.Add("source_invoice_id", "not_allowed", "only a credit note has a source invoice")
		return nil
	}
	src, err := s.repo.Invoice(ctx, inv.SourceInvoiceID, false)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		v.Add("source_invoice_id", "not_found", "invoice %d does not exist", inv.SourceInvoiceID)
	case err != nil:
		return err
	case src.Type != domain.InvoiceStandard || src.Status == domain.InvoiceDraft:
		v.Add("source_invoice_id", "not_creditable", "invoice %s is not a validated standard invoice", src.DisplayRef())
	case src.CustomerID != inv.CustomerID:
		v.Add("source_invoice_id", "other_customer", "invoice %s belongs to another customer", src.DisplayRef())
	}
	return nil
}

func dueDate(cust *domain.ThirdParty, on time.Time) time.Time {
	if cust == nil {
		return on
	}
	due, err := cust.PaymentTerms.DueDate(on)
	if err != nil {
		return on
	}
	return due
}

// insertInvoice stores a new draft and records its creation.
func (s *Service) insertInvoice(ctx context.Context, inv *domain.Invoice, action, note string) error {
	inv.Status = domain.InvoiceDraft
	inv.Recompute()
	if err := s.repo.CreateInvoice(ctx, inv); err != nil {
		return err
	}
	return s.record(ctx, domain.Event(inv, action, "", inv.CreatedBy, note, inv.CreatedAt))
}

// Invoice returns an invoice with its lines.
func (s *Service) Invoice(ctx context.Context, id int64) (*domain.Invoice, error) {
	return s.repo.Invoice(ctx, id, false)
}

// Invoices lists invoices without their lines.
func (s *Service) Invoices(ctx context.Context, f Filter) (domain.Page[domain.Invoice], error) {
	return s.repo.Invoices(ctx, f)
}

// UpdateInvoice changes a draft's header.
func (s *Service) UpdateInvoice(ctx context.Context, id, version int64, p InvoicePatch, by int64) (*domain.Invoice, error) {
	var inv *domain.Invoice
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		var err error
		if inv, err = s.repo.Invoice(ctx, id, true); err != nil {
			return err
		}
		if err := checkVersion(inv, version); err != nil {
			return err
		}
		if err := inv.CheckEditable(); err != nil {
			return err
		}
		v := &domain.ValidationError{}
		if err := s.applyHeader(ctx, v, &inv.Document, p.HeaderPatch); err != nil {
			return err
		}
		if p.DueDate != nil {
			inv.DueDate = domain.DateOnly(*p.DueDate)
		}
		if err := v.Merge(inv.CheckNew()); err != nil {
			return err
		}
		return s.repo.SaveInvoice(ctx, inv)
	})
	return inv, err
}

func (s *Service) applyHeader(ctx context.Context, v *domain.ValidationError, d *domain.Document, p HeaderPatch) error {
	if p.CustomerID != nil && *p.CustomerID != d.CustomerID {
		if _, err := s.checkCustomer(ctx, v, "customer_id", *p.CustomerID); err != nil {
			return err
		}
		d.CustomerID = *p.CustomerID
	}
	if p.Date != nil {
		d.Date = domain.DateOnly(*p.Date)
	}
	setIf(&d.RefCustomer, p.RefCustomer)
	setIf(&d.NotePublic, p.NotePublic)
	setIf(&d.NotePrivate, p.NotePrivate)
	return nil
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// DeleteInvoice deletes a draft invoice.
func (s *Service) DeleteInvoice(ctx context.Context, id int64, by int64) error {
	return s.tx.Do(ctx, func(ctx context.Context) error {
		inv, err := s.repo.Invoice(ctx, id, true)
		if err != nil {
			return err
		}
		if inv.Status != domain.InvoiceDraft {
			return inv.CheckEditable()
		}
		if !inv.NeedsRef() {
			// A numbered invoice stays: deleting it would leave a gap in
			// the legal sequence. Cancel it instead.
			return &domain.IllegalTransition{Kind: domain.KindInvoice, ID: inv.ID, Ref: inv.Ref, Status: inv.StatusName(),
				Action: "delete", Reason: "numbered", Message: "it already has a definitive number; cancel it instead"}
		}
		if err := s.repo.DeleteInvoice(ctx, id); err != nil {
			return err
		}
		if err := s.record(ctx, domain.Event(inv, "deleted", inv.StatusName(), by, "", s.clock())); err != nil {
			return err
		}
		return s.unbillSource(ctx, inv, by)
	})
}

// unbillSource lets the order or proposal a deleted draft invoice was made
// from be invoiced again.
func (s *Service) unbillSource(ctx context.Context, inv *domain.Invoice, by int64) error {
	note := "invoice " + inv.DisplayRef() + " deleted"
	switch {
	case inv.OrderID != 0:
		o, err := s.repo.Order(ctx, inv.OrderID, true)
		if err != nil || !o.Billed {
			return err
		}
		o.Unbill()
		if err := s.repo.SaveOrder(ctx, o); err != nil {
			return err
		}
		return s.record(ctx, domain.Event(o, "unbilled", o.StatusName(), by, note, s.clock()))
	case inv.ProposalID != 0:
		p, err := s.repo.Proposal(ctx, inv.ProposalID, true)
		if err != nil || p.Status != domain.ProposalBilled {
			return err
		}
		from := p.StatusName()
		p.Unbill()
		if err := s.repo.SaveProposal(ctx, p); err != nil {
			return err
		}
		return s.record(ctx, domain.Event(p, "unbilled", from, by, note, s.clock()))
	}
	return nil
}

// ValidateInvoice validates a draft: it moves the stock (when the policy
// says so) out of warehouse, or back in for a credit note, then draws the
// definitive reference, all in one transaction. A refused debit leaves the
// invoice in draft with no number consumed and no movement written.
func (s *Service) ValidateInvoice(ctx context.Context, id, warehouse, by int64) (*domain.Invoice, error) {
	var inv *domain.Invoice
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		var err error
		if inv, err = s.repo.Invoice(ctx, id, true); err != nil {
			return err
		}
		// The state rules first: nothing moves for a refused validation.
		if err := inv.CanValidate(); err != nil {
			return err
		}
		from := inv.StatusName()
		if s.cfg.StockTrigger == StockOnInvoice && hasGoods(&inv.Document) {
			if warehouse == 0 && inv.Type == domain.InvoiceCreditNote && inv.SourceInvoiceID != 0 {
				// A credit note puts goods back where its invoice took them.
				// A source invoice that no longer exists leaves the warehouse
				// to the caller (422 below); any other failure is reported.
				src, err := s.repo.Invoice(ctx, inv.SourceInvoiceID, false)
				switch {
				case err == nil:
					warehouse = src.WarehouseID
				case !errors.Is(err, domain.ErrNotFound):
					return err
				}
			}
			if err := requireWarehouse(warehouse); err != nil {
				return err
			}
			label := fmt.Sprintf("Validation of invoice %s", inv.DisplayRef())
			if err := s.moveStock(ctx, inv, warehouse, inv.StockSign(), label, by); err != nil {
				return err
			}
			inv.WarehouseID = warehouse
		}
		// The number last: see drawRef.
		now := s.clock()
		if err := inv.Validate(by, now); err != nil {
			return err
		}
		if err := s.record(ctx, domain.Event(inv, "validated", from, by, "", now)); err != nil {
			return err
		}
		scope, mask := ScopeInvoice, s.cfg.InvoiceMask
		if inv.Type == domain.InvoiceCreditNote {
			scope, mask = ScopeCreditNote, s.cfg.CreditNoteMask
		}
		if err := s.drawRef(ctx, inv, scope, mask); err != nil {
			return err
		}
		return s.repo.SaveInvoice(ctx, inv)
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// ReopenInvoice takes a validated invoice without payments back to draft,
// putting back the stock its validation moved. It keeps its reference.
func (s *Service) ReopenInvoice(ctx context.Context, id, by int64) (*domain.Invoice, error) {
	var inv *domain.Invoice
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		var err error
		if inv, err = s.repo.Invoice(ctx, id, true); err != nil {
			return err
		}
		from := inv.StatusName()
		if err := inv.BackToDraft(); err != nil {
			return err
		}
		if inv.WarehouseID != 0 {
			label := fmt.Sprintf("Invoice %s back to draft", inv.DisplayRef())
			if err := s.moveStock(ctx, inv, inv.WarehouseID, -inv.StockSign(), label, by); err != nil {
				return err
			}
			inv.WarehouseID = 0
		}
		if err := s.repo.SaveInvoice(ctx, inv); err != nil {
			return err
		}
		return s.record(ctx, domain.Event(inv, "reopened", from, by, "", s.clock()))
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// CancelInvoice closes a validated invoice that will not be paid in full
// (Dolibarr's "abandoned" or "closed, discount"). Stock is not moved: the
// goods were delivered.
func (s *Service) CancelInvoice(ctx context.Context, id int64, code domain.CloseCode, note string, by int64) (*domain.Invoice, error) {
	var inv *domain.Invoice
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		var err error
		if inv, err = s.repo.Invoice(ctx, id, true); err != nil {
			return err
		}
		from := inv.StatusName()
		if err := inv.Abandon(code, note); err != nil {
			return err
		}
		if err := s.repo.SaveInvoice(ctx, inv); err != nil {
			return err
		}
		return s.record(ctx, domain.Event(inv, "canceled", from, by, string(code)+trimNote(note), s.clock()))
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

func trimNote(note string) string {
	if note == "" {
		return ""
	}
	return ": " + note
}

// CloneInvoice creates a draft copy of an invoice dated today.
func (s *Service) CloneInvoice(ctx context.Context, id, by int64) (*domain.Invoice, error) {
	src, err := s.repo.Invoice(ctx, id, false)
	if err != nil {
		return nil, err
	}
	inv := &domain.Invoice{Type: src.Type, SourceInvoiceID: src.SourceInvoiceID}
	inv.Document = cloneHeader(&src.Document, s.clock(), by)
	inv.DueDate = inv.Date.Add(src.DueDate.Sub(src.Date))
	err = s.tx.Do(ctx, func(ctx context.Context) error {
		return s.insertInvoice(ctx, inv, "created", "clone of "+src.DisplayRef())
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

func cloneHeader(src *domain.Document, now time.Time, by int64) domain.Document {
	return domain.Document{
		CustomerID: src.CustomerID, Date: domain.DateOnly(now), RefCustomer: src.RefCustomer, NotePublic: src.NotePublic,
		NotePrivate: src.NotePrivate, Rounding: src.Rounding, Lines: domain.CopyLines(src.Lines), CreatedBy: by,
	}
}

// CreditInvoice creates a draft credit note cancelling a validated invoice
// in full; edit its lines to credit part of it.
func (s *Service) CreditInvoice(ctx context.Context, id, by int64) (*domain.Invoice, error) {
	var cn *domain.Invoice
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		src, err := s.repo.Invoice(ctx, id, false)
		if err != nil {
			return err
		}
		if cn, err = domain.CreditNoteFor(src, domain.DateOnly(s.clock()), by); err != nil {
			return err
		}
		return s.insertInvoice(ctx, cn, "created", "credit note for "+src.DisplayRef())
	})
	if err != nil {
		return nil, err
	}
	return cn, nil
}

// InvoicePayments lists the payments made on an invoice.
func (s *Service) InvoicePayments(ctx context.Context, id int64) ([]domain.Payment, error) {
	if _, err := s.repo.Invoice(ctx, id, false); err != nil {
		return nil, err
	}
	return s.repo.InvoicePayments(ctx, id)
}
