// Package purchasing runs the buy side on the document engine
// (internal/usecase/document), mirroring internal/usecase/sales: supplier
// prices and the best-price lookup purchase lines default from, purchase
// orders (with a second approval above a configured amount), receptions
// that move stock in and update the weighted average cost, supplier
// invoices and supplier payments. Each aggregate is its own use case on a
// small storage port; lines, totals, numbering, events, transitions and
// stock moves are the engine's.
//
// Lock order, beyond the engine's (document row, product rows, stock rows,
// counter row last): a reception's validation locks the reception, then its
// purchase order (which serialises every reception of one order, so two
// never exceed an ordered quantity), then the stock. Billing locks the
// receptions or the order billed, in id order, before inserting the
// invoice.
package purchasing

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
)

// Suppliers looks up the third parties buy-side documents are made with.
type Suppliers interface {
	GetThirdParty(ctx context.Context, id int64) (*domain.ThirdParty, error)
}

// Warehouses looks up the warehouses receptions put goods into.
type Warehouses interface {
	GetWarehouse(ctx context.Context, id int64) (*domain.Warehouse, error)
}

// StockTrigger says which buy-side step puts goods into stock
// (DOLIBARR_STOCK_INCREASE_ON).
type StockTrigger string

// Stock triggers.
const (
	StockOnReception       StockTrigger = "reception"
	StockOnSupplierInvoice StockTrigger = "supplier_invoice"
)

// ParseStockTrigger reads a trigger name.
func ParseStockTrigger(s string) (StockTrigger, bool) {
	switch t := StockTrigger(s); t {
	case StockOnReception, StockOnSupplierInvoice:
		return t, true
	}
	return "", false
}

// Config is the purchasing policy.
type Config struct {
	StockTrigger StockTrigger
	// ApprovalAbove, when set, is the total excl. tax above which a
	// validated purchase order waits for a second approval; nil: never.
	ApprovalAbove *domain.Decimal
	// AllowOverReception accepts receiving more than was ordered.
	AllowOverReception bool
	OrderMask          domain.Mask
	ReceptionMask      domain.Mask
	InvoiceMask        domain.Mask
	CreditNoteMask     domain.Mask
	Rounding           domain.RoundingMode
}

// DefaultConfig is the configuration with Dolibarr's defaults.
func DefaultConfig() Config {
	return Config{
		StockTrigger:   StockOnReception,
		OrderMask:      domain.MustMask("CF{yy}{mm}-{0000}"),
		ReceptionMask:  domain.MustMask("RCP{yy}{mm}-{0000}"),
		InvoiceMask:    domain.MustMask("SI{yy}{mm}-{0000}"),
		CreditNoteMask: domain.MustMask("SA{yy}{mm}-{0000}"),
		Rounding:       domain.RoundPerLine,
	}
}

// Numbering counter scopes (numbering_counters.scope).
const (
	ScopeOrder      = "purchase.order"
	ScopeReception  = "purchase.reception"
	ScopeInvoice    = "purchase.invoice"
	ScopeCreditNote = "purchase.credit_note"
)

// Filter selects documents of a list, as the sales lists do (CustomerID
// is the supplier).
type Filter = sales.Filter

// Common is what every purchasing use case shares: the engine (built with
// PurchasePrices), the suppliers and the policy.
type Common struct {
	Engine    *document.Engine
	Suppliers Suppliers
	Config    Config
}

type base struct {
	eng       *document.Engine
	suppliers Suppliers
	cfg       Config
}

func newBase(c Common) base { return base{eng: c.Engine, suppliers: c.Suppliers, cfg: c.Config} }

// HeaderInput is the common part of a new buy-side document.
type HeaderInput struct {
	SupplierID int64
	Date       time.Time // zero: today
	// RefSupplier is the supplier's reference of the document (kept in
	// the document's RefCustomer, its third party's reference).
	RefSupplier string
	NotePublic  string
	NotePrivate string
	Lines       []document.LineInput
}

// HeaderPatch changes a draft's common fields; nil fields are kept.
type HeaderPatch struct {
	SupplierID  *int64
	Date        *time.Time
	RefSupplier *string
	NotePublic  *string
	NotePrivate *string
}

func (b base) newHeader(ctx context.Context, v *domain.ValidationError, in HeaderInput, by int64) (domain.Document, *domain.ThirdParty, error) {
	d := domain.Document{
		CustomerID: in.SupplierID, Date: domain.DateOnly(in.Date), RefCustomer: in.RefSupplier,
		NotePublic: in.NotePublic, NotePrivate: in.NotePrivate, Rounding: b.cfg.Rounding, CreatedBy: by,
	}
	if in.Date.IsZero() {
		d.Date = domain.DateOnly(b.eng.Now())
	}
	sup, err := b.checkSupplier(ctx, v, "supplier_id", in.SupplierID)
	if err != nil {
		return d, nil, err
	}
	lines, err := b.eng.BuildLines(ctx, v, in.SupplierID, in.Lines)
	if err != nil {
		return d, nil, err
	}
	d.Lines = lines
	return d, sup, nil
}

// checkSupplier records a field problem unless id is an active supplier.
func (b base) checkSupplier(ctx context.Context, v *domain.ValidationError, field string, id int64) (*domain.ThirdParty, error) {
	if id <= 0 {
		v.Add(field, "required", "is required (a positive id)")
		return nil, nil
	}
	t, err := b.suppliers.GetThirdParty(ctx, id)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		v.Add(field, "not_found", "third party %d does not exist", id)
		return nil, nil
	case err != nil:
		return nil, err
	case !t.Supplier:
		v.Add(field, "not_supplier", "third party %s is not a supplier", t.Name)
	case !t.Active:
		v.Add(field, "inactive", "third party %s is inactive", t.Name)
	}
	return t, nil
}

func (b base) applyHeader(ctx context.Context, v *domain.ValidationError, d *domain.Document, p HeaderPatch) error {
	if p.SupplierID != nil && *p.SupplierID != d.CustomerID {
		if _, err := b.checkSupplier(ctx, v, "supplier_id", *p.SupplierID); err != nil {
			return err
		}
		d.CustomerID = *p.SupplierID
	}
	if p.Date != nil {
		d.Date = domain.DateOnly(*p.Date)
	}
	setIf(&d.RefCustomer, p.RefSupplier)
	setIf(&d.NotePublic, p.NotePublic)
	setIf(&d.NotePrivate, p.NotePrivate)
	return nil
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func checkNoteInput(note string) error {
	v := &domain.ValidationError{}
	if utf8.RuneCountInString(note) > domain.MaxNoteLen {
		v.Add("note", "too_long", "must be at most %d characters", domain.MaxNoteLen)
	}
	return v.Err()
}

// netPrice is a line's unit price after its discount: what one unit cost,
// carried into the weighted average cost.
func netPrice(l *domain.Line) domain.Decimal {
	if l.DiscountPercent.IsZero() {
		return l.UnitPrice
	}
	return l.UnitPrice.Mul(domain.DecimalFromInt(100).Sub(l.DiscountPercent)).Div(domain.DecimalFromInt(100), domain.ScaleUnit)
}
