// Package sales runs the sales documents on the document engine
// (internal/usecase/document): commercial proposals, orders and invoices
// (standard and credit notes), the conversions between them, payments
// spread over invoices, and customer credits. Each aggregate is its own use
// case with its own small storage port (Proposals, Orders, Invoices,
// Conversions, Payments, Credits); what they share (lines, totals,
// numbering, events, transitions, stock effects, the clock) is the
// engine's.
//
// Every change of a document happens in one transaction that first locks
// the document row. Validation then locks the stock rows it debits (product
// id, then warehouse id order) and, last, the numbering counter row, so the
// busiest lock is held for the shortest time; a refused debit or any other
// error rolls everything back and no number is consumed.
package sales

import (
	"context"
	"errors"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
)

// Customers looks up the third parties documents are made for.
type Customers interface {
	GetThirdParty(ctx context.Context, id int64) (*domain.ThirdParty, error)
}

// StockTrigger says which validation moves stock
// (DOLIBARR_STOCK_DECREASE_ON).
type StockTrigger string

// Stock triggers.
const (
	StockOnInvoice StockTrigger = "invoice_validation"
	StockOnOrder   StockTrigger = "order_validation"
	StockNever     StockTrigger = "none"
)

// ParseStockTrigger reads a trigger name.
func ParseStockTrigger(s string) (StockTrigger, bool) {
	switch t := StockTrigger(s); t {
	case StockOnInvoice, StockOnOrder, StockNever:
		return t, true
	}
	return "", false
}

// Config is the sales policy.
type Config struct {
	StockTrigger   StockTrigger
	ProposalMask   domain.Mask
	OrderMask      domain.Mask
	InvoiceMask    domain.Mask
	CreditNoteMask domain.Mask
	Rounding       domain.RoundingMode
	// ProposalValidityDays is the default validity of a proposal.
	ProposalValidityDays int
}

// DefaultConfig is the configuration with Dolibarr's defaults.
func DefaultConfig() Config {
	return Config{
		StockTrigger:         StockOnInvoice,
		ProposalMask:         domain.MustMask("PR{yy}{mm}-{0000}"),
		OrderMask:            domain.MustMask("CO{yy}{mm}-{0000}"),
		InvoiceMask:          domain.MustMask("FA{yy}{mm}-{0000}"),
		CreditNoteMask:       domain.MustMask("AV{yy}{mm}-{0000}"),
		Rounding:             domain.RoundPerLine,
		ProposalValidityDays: domain.DefaultProposalValidityDays,
	}
}

// Numbering counter scopes (numbering_counters.scope).
const (
	ScopeProposal   = "sales.proposal"
	ScopeOrder      = "sales.order"
	ScopeInvoice    = "sales.invoice"
	ScopeCreditNote = "sales.credit_note"
)

// Common is what every sales use case shares: the engine (built with
// SellingPrices), the customers and the policy.
type Common struct {
	Engine    *document.Engine
	Customers Customers
	Config    Config
}

// base is Common inside a use case, with the steps several aggregates take.
type base struct {
	eng       *document.Engine
	customers Customers
	cfg       Config
}

func newBase(c Common) base { return base{eng: c.Engine, customers: c.Customers, cfg: c.Config} }

// Filter selects documents of a list; zero fields do not filter.
type Filter struct {
	domain.ListParams
	// Status is the status number of the listed kind; nil for any.
	Status     *int
	CustomerID int64
	From, To   time.Time // document date in [From, To]
	// InvoiceType filters invoices by type; nil for any.
	InvoiceType *domain.InvoiceType
}

// DocumentSorts are the fields document lists can be sorted on.
var DocumentSorts = []string{"id", "ref", "date", "total_incl_tax", "status"}

// HeaderInput is the common part of a new document.
type HeaderInput struct {
	CustomerID  int64
	Date        time.Time // zero: today
	RefCustomer string
	NotePublic  string
	NotePrivate string
	Lines       []document.LineInput
}

// HeaderPatch changes a draft's common fields; nil fields are kept.
type HeaderPatch struct {
	CustomerID  *int64
	Date        *time.Time
	RefCustomer *string
	NotePublic  *string
	NotePrivate *string
}

// SellingPrices is the sales price source of the engine: a line naming a
// product takes its label, type, selling price and VAT rate; a product
// that is not on sale is refused.
type SellingPrices struct{ Catalog document.Catalog }

var _ document.Prices = SellingPrices{}

// Prices reads the products of qs in one query.
func (s SellingPrices) Prices(ctx context.Context, _ int64, qs []document.PriceQuery) ([]document.Price, error) {
	ids := make([]int64, 0, len(qs))
	for _, q := range qs {
		if !slices.Contains(ids, q.ProductID) {
			ids = append(ids, q.ProductID)
		}
	}
	products, err := s.Catalog.Products(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]document.Price, len(qs))
	for i, q := range qs {
		p := products[q.ProductID]
		switch {
		case p == nil:
		case !p.OnSale:
			out[i] = document.Price{Found: true, Refusal: "not_on_sale", Reason: "product " + p.Ref + " is not on sale"}
		default:
			out[i] = document.Price{Found: true, Type: p.Type, Description: p.Label, UnitPrice: p.Price, VATRate: p.VATRate}
		}
	}
	return out, nil
}

// newHeader builds the common part of a new document, checking the
// customer. The caller adds kind-specific checks to v.
func (b base) newHeader(ctx context.Context, v *domain.ValidationError, in HeaderInput, by int64) (domain.Document, *domain.ThirdParty, error) {
	d := domain.Document{
		CustomerID: in.CustomerID, Date: domain.DateOnly(in.Date), RefCustomer: in.RefCustomer,
		NotePublic: in.NotePublic, NotePrivate: in.NotePrivate, Rounding: b.cfg.Rounding, CreatedBy: by,
	}
	if in.Date.IsZero() {
		d.Date = domain.DateOnly(b.eng.Now())
	}
	cust, err := b.checkCustomer(ctx, v, "customer_id", in.CustomerID)
	if err != nil {
		return d, nil, err
	}
	lines, err := b.eng.BuildLines(ctx, v, in.CustomerID, in.Lines)
	if err != nil {
		return d, nil, err
	}
	d.Lines = lines
	return d, cust, nil
}

// checkCustomer records a field problem unless id is an active customer or
// prospect.
func (b base) checkCustomer(ctx context.Context, v *domain.ValidationError, field string, id int64) (*domain.ThirdParty, error) {
	if id <= 0 {
		v.Add(field, "required", "is required (a positive id)")
		return nil, nil
	}
	t, err := b.customers.GetThirdParty(ctx, id)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		v.Add(field, "not_found", "third party %d does not exist", id)
		return nil, nil
	case err != nil:
		return nil, err
	case !t.Customer && !t.Prospect:
		v.Add(field, "not_customer", "third party %s is neither a customer nor a prospect", t.Name)
	case !t.Active:
		v.Add(field, "inactive", "third party %s is inactive", t.Name)
	}
	return t, nil
}

// applyHeader applies p to a draft's common fields, checking a new
// customer.
func (b base) applyHeader(ctx context.Context, v *domain.ValidationError, d *domain.Document, p HeaderPatch) error {
	if p.CustomerID != nil && *p.CustomerID != d.CustomerID {
		if _, err := b.checkCustomer(ctx, v, "customer_id", *p.CustomerID); err != nil {
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

func checkNoteInput(note string) error {
	v := &domain.ValidationError{}
	if utf8.RuneCountInString(note) > domain.MaxNoteLen {
		v.Add("note", "too_long", "must be at most %d characters", domain.MaxNoteLen)
	}
	return v.Err()
}

// dueDate is the due date of an invoice dated on for cust: its payment
// terms' date, or the invoice date when it has none.
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

func trimNote(note string) string {
	if note == "" {
		return ""
	}
	return ": " + note
}
