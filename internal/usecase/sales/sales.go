// Package sales runs the sales documents: commercial proposals, orders and
// invoices (standard and credit notes) sharing one line engine, their state
// machines, gap-free numbering at validation, the stock effects of
// validation, payments spread over invoices, and each document's event log.
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
	"fmt"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

// Repo is the storage the sales use cases need. Methods that lock (lock
// true, LockInvoices, NextNumber) must run inside a transaction.
type Repo interface {
	CreateProposal(ctx context.Context, p *domain.Proposal) error
	Proposal(ctx context.Context, id int64, lock bool) (*domain.Proposal, error)
	SaveProposal(ctx context.Context, p *domain.Proposal) error
	DeleteProposal(ctx context.Context, id int64) error
	Proposals(ctx context.Context, f Filter) (domain.Page[domain.Proposal], error)

	CreateOrder(ctx context.Context, o *domain.Order) error
	Order(ctx context.Context, id int64, lock bool) (*domain.Order, error)
	SaveOrder(ctx context.Context, o *domain.Order) error
	DeleteOrder(ctx context.Context, id int64) error
	Orders(ctx context.Context, f Filter) (domain.Page[domain.Order], error)

	CreateInvoice(ctx context.Context, i *domain.Invoice) error
	// Invoice loads an invoice with its lines; with lock its row is
	// locked FOR UPDATE first.
	Invoice(ctx context.Context, id int64, lock bool) (*domain.Invoice, error)
	// SaveInvoice writes every field but the lines and bumps the version.
	SaveInvoice(ctx context.Context, i *domain.Invoice) error
	DeleteInvoice(ctx context.Context, id int64) error
	Invoices(ctx context.Context, f Filter) (domain.Page[domain.Invoice], error)
	// LockInvoices locks the invoices ids FOR UPDATE in id order and
	// returns them without their lines; missing ids are simply absent.
	LockInvoices(ctx context.Context, ids []int64) ([]*domain.Invoice, error)

	// InsertLine, UpdateLine and DeleteLine change one line of the
	// document id of kind; InsertLine sets the line's id.
	InsertLine(ctx context.Context, kind domain.DocKind, docID int64, l *domain.Line) error
	UpdateLine(ctx context.Context, kind domain.DocKind, docID int64, l *domain.Line) error
	DeleteLine(ctx context.Context, kind domain.DocKind, docID, lineID int64) error

	AddEvent(ctx context.Context, e *domain.DocEvent) error
	Events(ctx context.Context, kind domain.DocKind, docID int64) ([]domain.DocEvent, error)

	// NextNumber locks the counter row of (scope, period) FOR UPDATE,
	// creating it at zero if needed, increments it and returns the new
	// value; the number is only taken if the transaction commits.
	NextNumber(ctx context.Context, scope, period string) (int64, error)

	CreatePayment(ctx context.Context, p *domain.Payment) error
	Payment(ctx context.Context, id int64) (*domain.Payment, error)
	Payments(ctx context.Context, f PaymentFilter) (domain.Page[domain.Payment], error)
	// InvoicePayments lists the payments made on one invoice, each with
	// only that invoice's allocation.
	InvoicePayments(ctx context.Context, invoiceID int64) ([]domain.Payment, error)

	// CreateCredit stores a new customer credit and sets its id.
	CreateCredit(ctx context.Context, c *domain.CustomerCredit) error
	// Credit loads a credit; with lock its row is locked FOR UPDATE.
	Credit(ctx context.Context, id int64, lock bool) (*domain.CustomerCredit, error)
	// SaveCredit writes the use of a credit.
	SaveCredit(ctx context.Context, c *domain.CustomerCredit) error
	// Credits lists a customer's credits, oldest first.
	Credits(ctx context.Context, customerID int64, status domain.CreditStatus) ([]domain.CustomerCredit, error)
}

// Catalog looks up the customers and products documents refer to.
type Catalog interface {
	GetThirdParty(ctx context.Context, id int64) (*domain.ThirdParty, error)
	GetProduct(ctx context.Context, id int64) (*domain.Product, error)
	// Products loads the products ids in one query; missing ids are
	// absent from the map.
	Products(ctx context.Context, ids []int64) (map[int64]*domain.Product, error)
}

// StockMover applies a batch of stock movements inside the caller's
// transaction (internal/usecase/stock.Service.MoveBatch).
type StockMover interface {
	MoveBatch(ctx context.Context, ins []stock.MoveInput) ([]*domain.Movement, error)
}

// Observer hears of every document event inside the transaction that makes
// it, so work it enqueues there (a PDF, a mail) commits or rolls back with
// the document. An error rolls the change back. On a validation it runs
// before the definitive number is drawn (the counter is locked last), so
// work that needs the reference reads the document once committed.
type Observer interface {
	DocumentEvent(ctx context.Context, e domain.DocEvent) error
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

// Deps are the Service's collaborators.
type Deps struct {
	Tx        domain.Transactor
	Repo      Repo
	Catalog   Catalog
	Stock     StockMover
	Observers []Observer
	Config    Config
	Now       func() time.Time
}

// Service is the sales use case.
type Service struct {
	tx        domain.Transactor
	repo      Repo
	catalog   Catalog
	stock     StockMover
	observers []Observer
	cfg       Config
	now       func() time.Time
}

// New returns the sales use case.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{tx: d.Tx, repo: d.Repo, catalog: d.Catalog, stock: d.Stock, observers: d.Observers, cfg: d.Config, now: d.Now}
}

// Config returns the policy the service runs with.
func (s *Service) Config() Config { return s.cfg }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

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

// PaymentFilter selects payments; zero fields do not filter.
type PaymentFilter struct {
	domain.ListParams
	CustomerID int64
	From, To   time.Time
}

// PaymentSorts are the fields payment lists can be sorted on.
var PaymentSorts = []string{"id", "date", "amount"}

// LineInput is one line of a request. With a product, omitted fields take
// the product's label, selling price and VAT rate.
type LineInput struct {
	ProductID       int64
	Description     *string
	Quantity        domain.Decimal
	UnitPrice       *domain.Decimal
	DiscountPercent *domain.Decimal
	VATRate         *domain.Decimal
}

// HeaderInput is the common part of a new document.
type HeaderInput struct {
	CustomerID  int64
	Date        time.Time // zero: today
	RefCustomer string
	NotePublic  string
	NotePrivate string
	Lines       []LineInput
}

// HeaderPatch changes a draft's common fields; nil fields are kept.
type HeaderPatch struct {
	CustomerID  *int64
	Date        *time.Time
	RefCustomer *string
	NotePublic  *string
	NotePrivate *string
}

// buildLines turns line inputs into lines, filling product defaults and
// recording every problem in v under "lines[i].". The products are read in
// one query.
func (s *Service) buildLines(ctx context.Context, v *domain.ValidationError, ins []LineInput) ([]domain.Line, error) {
	var ids []int64
	for _, in := range ins {
		if in.ProductID > 0 {
			ids = append(ids, in.ProductID)
		}
	}
	cache := map[int64]*domain.Product{}
	if len(ids) > 0 {
		var err error
		if cache, err = s.catalog.Products(ctx, ids); err != nil {
			return nil, err
		}
	}
	lines := make([]domain.Line, 0, len(ins))
	for i, in := range ins {
		lines = append(lines, buildLine(v, fmt.Sprintf("lines[%d].", i), in, cache[in.ProductID]))
	}
	return lines, nil
}

// buildOneLine builds a single line (line edits).
func (s *Service) buildOneLine(ctx context.Context, v *domain.ValidationError, in LineInput) (domain.Line, error) {
	var p *domain.Product
	if in.ProductID > 0 {
		var err error
		p, err = s.catalog.GetProduct(ctx, in.ProductID)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			p = nil
		case err != nil:
			return domain.Line{}, err
		}
	}
	return buildLine(v, "", in, p), nil
}

// buildLine makes a line from its input and its product (nil when the line
// names none or a missing one).
func buildLine(v *domain.ValidationError, prefix string, in LineInput, p *domain.Product) domain.Line {
	l := domain.Line{ProductID: in.ProductID, Quantity: in.Quantity, ProductType: domain.ProductService}
	if in.ProductID != 0 {
		switch {
		case p == nil:
			v.Add(prefix+"product_id", "not_found", "product %d does not exist", in.ProductID)
		case !p.OnSale:
			v.Add(prefix+"product_id", "not_on_sale", "product %s is not on sale", p.Ref)
		default:
			l.ProductType, l.Description, l.UnitPrice, l.VATRate = p.Type, p.Label, p.Price, p.VATRate
		}
	} else if in.UnitPrice == nil {
		v.Add(prefix+"unit_price", "required", "is required on a line without a product")
	}
	if in.Description != nil {
		l.Description = *in.Description
	}
	if in.UnitPrice != nil {
		l.UnitPrice = *in.UnitPrice
	}
	if in.DiscountPercent != nil {
		l.DiscountPercent = *in.DiscountPercent
	}
	if in.VATRate != nil {
		l.VATRate = *in.VATRate
	}
	l.Check(v, prefix)
	return l
}

// newHeader builds the common part of a new document, checking the
// customer. The caller adds kind-specific checks to v.
func (s *Service) newHeader(ctx context.Context, v *domain.ValidationError, in HeaderInput, by int64) (domain.Document, *domain.ThirdParty, error) {
	d := domain.Document{
		CustomerID: in.CustomerID, Date: domain.DateOnly(in.Date), RefCustomer: in.RefCustomer,
		NotePublic: in.NotePublic, NotePrivate: in.NotePrivate, Rounding: s.cfg.Rounding, CreatedBy: by,
	}
	if in.Date.IsZero() {
		d.Date = domain.DateOnly(s.clock())
	}
	cust, err := s.checkCustomer(ctx, v, "customer_id", in.CustomerID)
	if err != nil {
		return d, nil, err
	}
	lines, err := s.buildLines(ctx, v, in.Lines)
	if err != nil {
		return d, nil, err
	}
	d.Lines = lines
	return d, cust, nil
}

// checkCustomer records a field problem unless id is an active customer or
// prospect.
func (s *Service) checkCustomer(ctx context.Context, v *domain.ValidationError, field string, id int64) (*domain.ThirdParty, error) {
	if id <= 0 {
		v.Add(field, "required", "is required (a positive id)")
		return nil, nil
	}
	t, err := s.catalog.GetThirdParty(ctx, id)
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

// record appends an event and tells the observers, in the caller's
// transaction.
func (s *Service) record(ctx context.Context, ev domain.DocEvent) error {
	if err := s.repo.AddEvent(ctx, &ev); err != nil {
		return err
	}
	for _, o := range s.observers {
		if err := o.DocumentEvent(ctx, ev); err != nil {
			return err
		}
	}
	return nil
}

// drawRef gives d its definitive reference when it has none, from the next
// number of mask for d's date; the caller then saves d. It locks the
// counter row until the transaction ends, so use cases call it after every
// other write but that save: the lock every validation waits for is then
// held for two statements and the commit.
func (s *Service) drawRef(ctx context.Context, d domain.CommercialDocument, scope string, mask domain.Mask) error {
	h := d.Header()
	if h.Ref != "" {
		return nil
	}
	n, err := s.repo.NextNumber(ctx, scope, mask.Period(h.Date))
	if err != nil {
		return err
	}
	h.Ref = mask.Format(h.Date, n)
	return nil
}

// Events returns a document's event log, oldest first.
func (s *Service) Events(ctx context.Context, kind domain.DocKind, id int64) ([]domain.DocEvent, error) {
	var err error
	switch kind {
	case domain.KindInvoice:
		_, err = s.repo.Invoice(ctx, id, false)
	case domain.KindOrder:
		_, err = s.repo.Order(ctx, id, false)
	case domain.KindProposal:
		_, err = s.repo.Proposal(ctx, id, false)
	}
	if err != nil {
		return nil, err
	}
	return s.repo.Events(ctx, kind, id)
}

// stockMoves returns the movements validating doc makes in warehouse:
// quantity × sign for every goods line, merged per product, made by user by.
func stockMoves(doc *domain.Document, kind domain.DocKind, warehouse int64, sign int, label string, by int64) []stock.MoveInput {
	idx := map[int64]int{}
	var out []stock.MoveInput
	for _, l := range doc.Lines {
		if l.ProductID == 0 || l.ProductType != domain.ProductGoods {
			continue
		}
		q := l.Quantity
		if sign < 0 {
			q = q.Neg()
		}
		if i, ok := idx[l.ProductID]; ok {
			out[i].Quantity = out[i].Quantity.Add(q)
			continue
		}
		idx[l.ProductID] = len(out)
		out = append(out, stock.MoveInput{ProductID: l.ProductID, WarehouseID: warehouse, Quantity: q,
			Label: label, OriginType: string(kind), OriginID: doc.ID, UserID: by})
	}
	return out
}

// hasGoods reports whether any line is a catalogue good (moves stock).
func hasGoods(doc *domain.Document) bool {
	for _, l := range doc.Lines {
		if l.ProductID != 0 && l.ProductType == domain.ProductGoods {
			return true
		}
	}
	return false
}

// moveStock applies the stock effect of a document's transition in the
// caller's transaction and translates shortages into a
// *domain.DocumentStockShortage naming every short product. The movements
// are journaled as made by by, the user whose transition of d moves stock.
func (s *Service) moveStock(ctx context.Context, d domain.CommercialDocument, warehouse int64, sign int, label string, by int64) error {
	h := d.Header()
	moves := stockMoves(h, d.Kind(), warehouse, sign, label, by)
	if len(moves) == 0 {
		return nil
	}
	_, err := s.stock.MoveBatch(ctx, moves)
	var one *domain.InsufficientStock
	var many *domain.StockShortages
	switch {
	case errors.As(err, &many):
	case errors.As(err, &one):
		many = &domain.StockShortages{Items: []*domain.InsufficientStock{one}}
	default:
		return err
	}
	out := &domain.DocumentStockShortage{Kind: d.Kind(), ID: h.ID, Ref: h.DisplayRef()}
	ids := make([]int64, len(many.Items))
	for i, it := range many.Items {
		ids[i] = it.Product
	}
	// The references only label the problem: one batch read, and a failed
	// one leaves them empty rather than hiding the shortage.
	products, _ := s.catalog.Products(ctx, ids)
	for _, it := range many.Items {
		sp := domain.ShortProduct{ProductID: it.Product, WarehouseID: it.Warehouse, Available: it.Available, Requested: it.Requested}
		if p := products[it.Product]; p != nil {
			sp.ProductRef = p.Ref
		}
		out.Items = append(out.Items, sp)
	}
	return out
}

// requireWarehouse checks the warehouse a validation moving stock needs.
func requireWarehouse(id int64) error {
	if id <= 0 {
		v := &domain.ValidationError{}
		v.Add("warehouse_id", "required", "is required: validating this document moves stock (DOLIBARR_STOCK_DECREASE_ON)")
		return v
	}
	return nil
}

// checkVersion refuses a change based on another version than the
// current one, when the client named one (If-Match).
func checkVersion(d domain.CommercialDocument, expected int64) error {
	h := d.Header()
	if expected != 0 && expected != h.Version {
		return &domain.StaleVersion{What: string(d.Kind()), ID: h.ID, Expected: expected}
	}
	return nil
}
