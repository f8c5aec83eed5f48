package sales

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
)

// InvoiceStore keeps invoices and credit notes.
type InvoiceStore interface {
	document.Store[*domain.Invoice]
	// List lists invoices matching f, without their lines.
	List(ctx context.Context, f Filter) (domain.Page[domain.Invoice], error)
	// LockMany locks the invoices ids FOR UPDATE in id order and returns
	// them without their lines; missing ids are simply absent.
	LockMany(ctx context.Context, ids []int64) ([]*domain.Invoice, error)
}

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

// Invoices is the invoices and credit notes use case. Deleting a draft
// made from an order or a proposal lets its source be billed again, so it
// also writes those.
type Invoices struct {
	document.LineEditor[*domain.Invoice]
	base
	store     InvoiceStore
	orders    OrderStore
	proposals ProposalStore
}

// NewInvoices returns the invoices use case.
func NewInvoices(c Common, store InvoiceStore, orders OrderStore, proposals ProposalStore) *Invoices {
	return &Invoices{LineEditor: document.NewLineEditor[*domain.Invoice](c.Engine, store), base: newBase(c),
		store: store, orders: orders, proposals: proposals}
}

// Create creates a draft invoice with its lines.
func (s *Invoices) Create(ctx context.Context, in InvoiceInput, by int64) (*domain.Invoice, error) {
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
	if err := insertInvoice(ctx, s.eng, s.store, inv, ""); err != nil {
		return nil, err
	}
	return inv, nil
}

func (s *Invoices) checkCreditSource(ctx context.Context, v *domain.ValidationError, inv *domain.Invoice) error {
	if inv.Type != domain.InvoiceCreditNote {
		v.Add("source_invoice_id", "not_allowed", "only a credit note has a source invoice")
		return nil
	}
	src, err := s.store.Get(ctx, inv.SourceInvoiceID)
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

// insertInvoice stores a new draft and records its creation.
func insertInvoice(ctx context.Context, eng *document.Engine, store InvoiceStore, inv *domain.Invoice, note string) error {
	inv.Status = domain.InvoiceDraft
	return document.Insert[*domain.Invoice](ctx, eng, store, inv, note)
}

// Get returns an invoice with its lines.
func (s *Invoices) Get(ctx context.Context, id int64) (*domain.Invoice, error) {
	return s.store.Get(ctx, id)
}

// List lists invoices without their lines.
func (s *Invoices) List(ctx context.Context, f Filter) (domain.Page[domain.Invoice], error) {
	return s.store.List(ctx, f)
}

// Events returns an invoice's event log, oldest first.
func (s *Invoices) Events(ctx context.Context, id int64) ([]domain.DocEvent, error) {
	return document.History[*domain.Invoice](ctx, s.eng, s.store, id)
}

func (s *Invoices) run(ctx context.Context, id, version, by int64, action string,
	apply func(ctx context.Context, inv *domain.Invoice, now time.Time) (string, error)) (*domain.Invoice, error) {
	return document.Run[*domain.Invoice](ctx, s.eng, s.store,
		document.Change[*domain.Invoice]{ID: id, Version: version, By: by, Action: action, Apply: apply})
}

// Update changes a draft's header.
func (s *Invoices) Update(ctx context.Context, id, version int64, p InvoicePatch) (*domain.Invoice, error) {
	return s.run(ctx, id, version, 0, "", func(ctx context.Context, inv *domain.Invoice, _ time.Time) (string, error) {
		if err := inv.CheckEditable(); err != nil {
			return "", err
		}
		v := &domain.ValidationError{}
		if err := s.applyHeader(ctx, v, &inv.Document, p.HeaderPatch); err != nil {
			return "", err
		}
		if p.DueDate != nil {
			inv.DueDate = domain.DateOnly(*p.DueDate)
		}
		return "", v.Merge(inv.CheckNew())
	})
}

// Delete deletes a draft invoice that was never numbered, and lets the
// order or proposal it was made from be invoiced again.
func (s *Invoices) Delete(ctx context.Context, id, by int64) error {
	return document.Remove[*domain.Invoice](ctx, s.eng, s.store, id, by, checkDeletable, s.unbillSource(by))
}

func checkDeletable(inv *domain.Invoice) error {
	if inv.Status != domain.InvoiceDraft {
		return inv.CheckEditable()
	}
	if !inv.NeedsRef() {
		// A numbered invoice stays: deleting it would leave a gap in
		// the legal sequence. Cancel it instead.
		return &domain.IllegalTransition{Kind: domain.KindInvoice, ID: inv.ID, Ref: inv.Ref, Status: inv.StatusName(),
			Action: "delete", Reason: "numbered", Message: "it already has a definitive number; cancel it instead"}
	}
	return nil
}

// billSource marks the order inv was made from billed, and the signed
// proposal that order came from, when inv is validated: the order is
// locked after the invoice, then the proposal (the order of unbillSource).
func (s *Invoices) billSource(ctx context.Context, inv *domain.Invoice, by int64, now time.Time) error {
	if inv.OrderID == 0 || inv.Type == domain.InvoiceCreditNote {
		return nil
	}
	o, err := s.orders.Lock(ctx, inv.OrderID)
	if errors.Is(err, domain.ErrNotFound) || (err == nil && o.Billed) {
		return nil
	}
	if err != nil {
		return err
	}
	note := fmt.Sprintf("invoice %d validated", inv.ID)
	from := o.StatusName()
	o.Billed, o.UpdatedAt = true, now
	if err := s.orders.Save(ctx, o); err != nil {
		return err
	}
	if err := s.eng.Record(ctx, domain.Event(o, "billed", from, by, note, now)); err != nil {
		return err
	}
	if o.ProposalID == 0 {
		return nil
	}
	p, err := s.proposals.Lock(ctx, o.ProposalID)
	if errors.Is(err, domain.ErrNotFound) || (err == nil && p.Status != domain.ProposalSigned) {
		return nil
	}
	if err != nil {
		return err
	}
	from = p.StatusName()
	if err := p.MarkBilled(); err != nil {
		return err
	}
	p.UpdatedAt = now
	if err := s.proposals.Save(ctx, p); err != nil {
		return err
	}
	return s.eng.Record(ctx, domain.Event(p, "billed", from, by, note, now))
}

// unbillSource lets the order or proposal a deleted draft invoice was made
// from be invoiced again: the source is locked after the invoice.
func (s *Invoices) unbillSource(by int64) func(ctx context.Context, inv *domain.Invoice, now time.Time) error {
	return func(ctx context.Context, inv *domain.Invoice, now time.Time) error {
		note := "invoice " + inv.DisplayRef() + " deleted"
		switch {
		case inv.OrderID != 0:
			o, err := s.orders.Lock(ctx, inv.OrderID)
			if err != nil || !o.Billed {
				return err
			}
			o.Unbill()
			o.UpdatedAt = now
			if err := s.orders.Save(ctx, o); err != nil {
				return err
			}
			return s.eng.Record(ctx, domain.Event(o, "unbilled", o.StatusName(), by, note, now))
		case inv.ProposalID != 0:
			p, err := s.proposals.Lock(ctx, inv.ProposalID)
			if err != nil || p.Status != domain.ProposalBilled {
				return err
			}
			from := p.StatusName()
			p.Unbill()
			p.UpdatedAt = now
			if err := s.proposals.Save(ctx, p); err != nil {
				return err
			}
			return s.eng.Record(ctx, domain.Event(p, "unbilled", from, by, note, now))
		}
		return nil
	}
}

// Validate validates a draft: it moves the stock (when the policy says so)
// out of warehouse, or back in for a credit note, then draws the
// definitive reference, all in one transaction. A refused debit leaves the
// invoice in draft with no number consumed and no movement written.
func (s *Invoices) Validate(ctx context.Context, id, warehouse, by int64) (*domain.Invoice, error) {
	return document.Run[*domain.Invoice](ctx, s.eng, s.store, document.Change[*domain.Invoice]{
		ID: id, By: by, Action: "validated",
		Apply: func(ctx context.Context, inv *domain.Invoice, now time.Time) (string, error) {
			// The state rules first: nothing moves for a refused validation.
			if err := inv.CanValidate(); err != nil {
				return "", err
			}
			if s.cfg.StockTrigger == StockOnInvoice && document.HasGoods(&inv.Document) {
				wh, err := s.stockWarehouse(ctx, inv, warehouse)
				if err != nil {
					return "", err
				}
				eff := document.StockEffect{Warehouse: wh, Direction: document.Direction(inv.StockSign()), By: by, At: now,
					Label: fmt.Sprintf("Validation of invoice %s", inv.DisplayRef())}
				if err := s.eng.MoveStock(ctx, inv, eff); err != nil {
					return "", err
				}
				inv.WarehouseID = wh
			}
			if err := inv.Validate(by, now); err != nil {
				return "", err
			}
			return "", s.billSource(ctx, inv, by, now)
		},
		Series: s.series,
	})
}

// stockWarehouse is the warehouse a validation moves inv's goods in or
// out of: the one asked for; for a credit note without one, the warehouse
// its invoice took them from. A source invoice that no longer exists
// leaves the warehouse to the caller (422); any other failure to read it
// is reported.
func (s *Invoices) stockWarehouse(ctx context.Context, inv *domain.Invoice, warehouse int64) (int64, error) {
	if warehouse == 0 && inv.Type == domain.InvoiceCreditNote && inv.SourceInvoiceID != 0 {
		src, err := s.store.Get(ctx, inv.SourceInvoiceID)
		switch {
		case err == nil:
			warehouse = src.WarehouseID
		case !errors.Is(err, domain.ErrNotFound):
			return 0, err
		}
	}
	return s.eng.Warehouse(ctx, warehouse)
}

// series is the numbering of inv: credit notes have their own.
func (s *Invoices) series(inv *domain.Invoice) document.Series {
	if inv.Type == domain.InvoiceCreditNote {
		return document.Series{Scope: ScopeCreditNote, Mask: s.cfg.CreditNoteMask}
	}
	return document.Series{Scope: ScopeInvoice, Mask: s.cfg.InvoiceMask}
}

// Reopen takes a validated invoice without payments back to draft,
// putting back the stock its validation moved. It keeps its reference.
func (s *Invoices) Reopen(ctx context.Context, id, by int64) (*domain.Invoice, error) {
	return s.run(ctx, id, 0, by, "reopened", func(ctx context.Context, inv *domain.Invoice, now time.Time) (string, error) {
		if err := inv.BackToDraft(); err != nil {
			return "", err
		}
		if inv.WarehouseID != 0 {
			eff := document.StockEffect{Warehouse: inv.WarehouseID, Direction: document.Direction(inv.StockSign()).Reverse(),
				By: by, At: now, Label: fmt.Sprintf("Invoice %s back to draft", inv.DisplayRef())}
			if err := s.eng.MoveStock(ctx, inv, eff); err != nil {
				return "", err
			}
			inv.WarehouseID = 0
		}
		return "", nil
	})
}

// Cancel closes a validated invoice that will not be paid in full
// (Dolibarr's "abandoned" or "closed, discount"). Stock is not moved: the
// goods were delivered.
func (s *Invoices) Cancel(ctx context.Context, id int64, code domain.CloseCode, note string, by int64) (*domain.Invoice, error) {
	return s.run(ctx, id, 0, by, "canceled", func(_ context.Context, inv *domain.Invoice, _ time.Time) (string, error) {
		return string(code) + trimNote(note), inv.Abandon(code, note)
	})
}

// Clone creates a draft copy of an invoice dated today.
func (s *Invoices) Clone(ctx context.Context, id, by int64) (*domain.Invoice, error) {
	src, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	inv := &domain.Invoice{Type: src.Type, SourceInvoiceID: src.SourceInvoiceID}
	inv.Document = document.Copy(&src.Document, s.eng.Now(), by)
	inv.DueDate = inv.Date.Add(src.DueDate.Sub(src.Date))
	if err := insertInvoice(ctx, s.eng, s.store, inv, "clone of "+src.DisplayRef()); err != nil {
		return nil, err
	}
	return inv, nil
}

// CreditNote creates a draft credit note cancelling a validated invoice in
// full; edit its lines to credit part of it.
func (s *Invoices) CreditNote(ctx context.Context, id, by int64) (*domain.Invoice, error) {
	var cn *domain.Invoice
	err := s.eng.Do(ctx, func(ctx context.Context) error {
		src, err := s.store.Get(ctx, id)
		if err != nil {
			return err
		}
		if cn, err = domain.CreditNoteFor(src, domain.DateOnly(s.eng.Now()), by); err != nil {
			return err
		}
		return insertInvoice(ctx, s.eng, s.store, cn, "credit note for "+src.DisplayRef())
	})
	if err != nil {
		return nil, err
	}
	return cn, nil
}
