package sales_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

// fakeRepo keeps invoices in memory and records what validation did. The
// embedded interface makes any method a test does not expect panic.
type fakeRepo struct {
	sales.Repo
	invoices map[int64]*domain.Invoice
	events   []domain.DocEvent
	numbers  map[string]int64
	calls    []string
	// readErr, when set for an id, is what reading that invoice returns.
	readErr map[int64]error
}

func newFakeRepo() *fakeRepo {
	return &fakeRepo{invoices: map[int64]*domain.Invoice{}, numbers: map[string]int64{}}
}

func (r *fakeRepo) Invoice(_ context.Context, id int64, lock bool) (*domain.Invoice, error) {
	if lock {
		r.calls = append(r.calls, "lock invoice")
	}
	if err := r.readErr[id]; err != nil {
		return nil, err
	}
	inv, ok := r.invoices[id]
	if !ok {
		return nil, domain.E(domain.ErrNotFound, "not_found", "invoice %d not found", id)
	}
	cp := *inv
	cp.Lines = append([]domain.Line(nil), inv.Lines...)
	return &cp, nil
}

func (r *fakeRepo) SaveInvoice(_ context.Context, inv *domain.Invoice) error {
	r.calls = append(r.calls, "save invoice")
	inv.Version++
	cp := *inv
	r.invoices[inv.ID] = &cp
	return nil
}

func (r *fakeRepo) AddEvent(_ context.Context, e *domain.DocEvent) error {
	r.calls = append(r.calls, "event "+e.Action)
	r.events = append(r.events, *e)
	return nil
}

func (r *fakeRepo) NextNumber(_ context.Context, scope, period string) (int64, error) {
	r.calls = append(r.calls, "number "+scope)
	r.numbers[scope+"/"+period]++
	return r.numbers[scope+"/"+period], nil
}

func (r *fakeRepo) LockInvoices(_ context.Context, ids []int64) ([]*domain.Invoice, error) {
	var out []*domain.Invoice
	for _, id := range ids {
		if inv, ok := r.invoices[id]; ok {
			cp := *inv
			out = append(out, &cp)
		}
	}
	return out, nil
}

func (r *fakeRepo) CreatePayment(_ context.Context, p *domain.Payment) error {
	r.calls = append(r.calls, "payment")
	p.ID = 1
	return nil
}

// fakeStock records batches and refuses debits beyond its levels.
type fakeStock struct {
	levels  map[int64]domain.Decimal
	batches [][]stock.MoveInput
}

func (s *fakeStock) MoveBatch(_ context.Context, ins []stock.MoveInput) ([]*domain.Movement, error) {
	s.batches = append(s.batches, ins)
	var short []*domain.InsufficientStock
	for _, in := range ins {
		after := s.levels[in.ProductID].Add(in.Quantity)
		if after.IsNegative() {
			short = append(short, &domain.InsufficientStock{Product: in.ProductID, Warehouse: in.WarehouseID, Available: s.levels[in.ProductID], Requested: in.Quantity.Neg()})
		}
	}
	if len(short) > 1 {
		return nil, &domain.StockShortages{Items: short}
	}
	if len(short) == 1 {
		return nil, short[0]
	}
	for _, in := range ins {
		s.levels[in.ProductID] = s.levels[in.ProductID].Add(in.Quantity)
	}
	return nil, nil
}

// fakeCatalog serves products; reads records each product read, one
// entry per call ("get 1", "batch [1 2]").
type fakeCatalog struct {
	products map[int64]*domain.Product
	reads    *[]string
}

func (c fakeCatalog) GetThirdParty(_ context.Context, id int64) (*domain.ThirdParty, error) {
	return &domain.ThirdParty{ID: id, Name: "ACME", Customer: true, Active: true}, nil
}

func (c fakeCatalog) GetProduct(_ context.Context, id int64) (*domain.Product, error) {
	*c.reads = append(*c.reads, fmt.Sprint("get ", id))
	if p, ok := c.products[id]; ok {
		return p, nil
	}
	return nil, domain.E(domain.ErrNotFound, "not_found", "product %d not found", id)
}

func (c fakeCatalog) Products(_ context.Context, ids []int64) (map[int64]*domain.Product, error) {
	*c.reads = append(*c.reads, fmt.Sprint("batch ", ids))
	out := map[int64]*domain.Product{}
	for _, id := range ids {
		if p, ok := c.products[id]; ok {
			out[id] = p
		}
	}
	return out, nil
}

// noTx runs fn directly: the fakes have no transactions.
type noTx struct{}

func (noTx) Do(ctx context.Context, fn func(ctx context.Context) error) error { return fn(ctx) }

type observer struct {
	seen []string
	err  error
}

func (o *observer) DocumentEvent(_ context.Context, e domain.DocEvent) error {
	o.seen = append(o.seen, e.Action)
	return o.err
}

type fixture struct {
	svc   *sales.Service
	repo  *fakeRepo
	stock *fakeStock
	obs   *observer
	reads []string // the catalogue's product reads
}

func newFixture(trigger sales.StockTrigger) *fixture {
	f := &fixture{repo: newFakeRepo(), stock: &fakeStock{levels: map[int64]domain.Decimal{}}, obs: &observer{}}
	cfg := sales.DefaultConfig()
	cfg.StockTrigger = trigger
	cat := fakeCatalog{products: map[int64]*domain.Product{
		1: {ID: 1, Ref: "WIDGET", Type: domain.ProductGoods, OnSale: true},
		2: {ID: 2, Ref: "GADGET", Type: domain.ProductGoods, OnSale: true},
	}, reads: &f.reads}
	f.svc = sales.New(sales.Deps{Tx: noTx{}, Repo: f.repo, Catalog: cat, Stock: f.stock, Observers: []sales.Observer{f.obs}, Config: cfg,
		Now: func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }})
	return f
}

func (f *fixture) draft(id int64, typ domain.InvoiceType, lines ...domain.Line) {
	inv := &domain.Invoice{Type: typ}
	inv.ID, inv.CustomerID, inv.Date, inv.Lines = id, 7, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), lines
	inv.Recompute()
	f.repo.invoices[id] = inv
}

func goods(product int64, qty string) domain.Line {
	return domain.Line{ProductID: product, ProductType: domain.ProductGoods, Description: "g", Quantity: domain.MustDecimal(qty), UnitPrice: domain.MustDecimal("10"), VATRate: domain.MustDecimal("20")}
}

func code(err error) string {
	var c interface{ ErrorCode() string }
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return ""
}

// TestValidationOrder: stock first, then the event, then the number, then
// the save: the counter is locked last.
func TestValidationOrder(t *testing.T) {
	f := newFixture(sales.StockOnInvoice)
	f.stock.levels[1] = domain.MustDecimal("10")
	f.draft(1, domain.InvoiceStandard, goods(1, "2"), goods(1, "3"))
	inv, err := f.svc.ValidateInvoice(context.Background(), 1, 4, 99)
	require.NoError(t, err)
	require.Equal(t, "FA2611-0001", inv.Ref)
	require.Equal(t, []string{"lock invoice", "event validated", "number sales.invoice", "save invoice"}, f.repo.calls)
	require.Len(t, f.stock.batches, 1)
	require.Len(t, f.stock.batches[0], 1, "lines of one product merged")
	require.Equal(t, "-5", f.stock.batches[0][0].Quantity.String())
	require.Equal(t, "invoice", f.stock.batches[0][0].OriginType)
	require.Equal(t, []string{"validated"}, f.obs.seen)
	require.Equal(t, int64(99), f.repo.events[0].UserID)
}

// TestRefusedValidationTouchesNothing: a state error or a shortage stops
// before any number is drawn; a state error also before any stock move.
func TestRefusedValidationTouchesNothing(t *testing.T) {
	f := newFixture(sales.StockOnInvoice)
	f.stock.levels[1] = domain.MustDecimal("1")
	f.draft(1, domain.InvoiceStandard, goods(1, "2"), goods(2, "1"))
	_, err := f.svc.ValidateInvoice(context.Background(), 1, 4, 1)
	var short *domain.DocumentStockShortage
	require.ErrorAs(t, err, &short)
	require.ErrorIs(t, err, domain.ErrConflict)
	require.Equal(t, "insufficient_stock", code(err))
	require.Len(t, short.Items, 2)
	require.Equal(t, "WIDGET", short.Items[0].ProductRef)
	require.Equal(t, "GADGET", short.Items[1].ProductRef)
	require.Equal(t, []string{"batch [1 2]"}, f.reads, "the shortage's product references cost one read")
	require.Empty(t, f.repo.numbers)
	require.Equal(t, domain.InvoiceDraft, f.repo.invoices[1].Status)

	f.repo.invoices[1].Status = domain.InvoiceValidated
	f.stock.batches = nil
	_, err = f.svc.ValidateInvoice(context.Background(), 1, 4, 1)
	require.Equal(t, "invoice_not_draft", code(err))
	require.Empty(t, f.stock.batches)

	f.draft(2, domain.InvoiceStandard, goods(1, "1"))
	_, err = f.svc.ValidateInvoice(context.Background(), 2, 0, 1)
	require.ErrorIs(t, err, domain.ErrInvalid, "a warehouse is required when stock moves")
}

// TestStockTriggerNone: no stock moves at all; a warehouse is not needed.
func TestStockTriggerNone(t *testing.T) {
	f := newFixture(sales.StockNever)
	f.draft(1, domain.InvoiceStandard, goods(1, "1000"))
	inv, err := f.svc.ValidateInvoice(context.Background(), 1, 0, 1)
	require.NoError(t, err)
	require.Empty(t, f.stock.batches)
	require.Zero(t, inv.WarehouseID)
}

// TestCreditNotePutsStockBackWhereItCameFrom: without a warehouse the
// credit note uses its invoice's, and moves stock in.
func TestCreditNotePutsStockBackWhereItCameFrom(t *testing.T) {
	f := newFixture(sales.StockOnInvoice)
	f.stock.levels[1] = domain.MustDecimal("5")
	f.draft(1, domain.InvoiceStandard, goods(1, "5"))
	src, err := f.svc.ValidateInvoice(context.Background(), 1, 8, 1)
	require.NoError(t, err)
	cn, err := domain.CreditNoteFor(src, src.Date, 1)
	require.NoError(t, err)
	cn.ID = 2
	f.repo.invoices[2] = cn
	got, err := f.svc.ValidateInvoice(context.Background(), 2, 0, 1)
	require.NoError(t, err)
	require.Equal(t, "AV2611-0001", got.Ref)
	require.Equal(t, int64(8), got.WarehouseID)
	require.Equal(t, "5", f.stock.levels[1].String())
}

// TestCreditNoteSourceReadFailures: a credit note without a warehouse takes
// its source invoice's; a source that is gone leaves the choice to the
// caller (422), while a failure to read it is reported as such, not hidden
// behind a field error.
func TestCreditNoteSourceReadFailures(t *testing.T) {
	f := newFixture(sales.StockOnInvoice)
	f.stock.levels[1] = domain.MustDecimal("5")
	f.draft(1, domain.InvoiceStandard, goods(1, "5"))
	src, err := f.svc.ValidateInvoice(context.Background(), 1, 8, 1)
	require.NoError(t, err)
	cn, err := domain.CreditNoteFor(src, src.Date, 1)
	require.NoError(t, err)
	cn.ID = 2
	f.repo.invoices[2] = cn

	boom := errors.New("connection reset")
	f.repo.readErr = map[int64]error{1: boom}
	_, err = f.svc.ValidateInvoice(context.Background(), 2, 0, 1)
	require.ErrorIs(t, err, boom)

	delete(f.repo.invoices, 1)
	f.repo.readErr = nil
	_, err = f.svc.ValidateInvoice(context.Background(), 2, 0, 1)
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve, "no source, no warehouse: the caller must name one")
	require.Equal(t, "warehouse_id", ve.Fields[0].Field)
}

// TestObserverErrorFailsTheChange: an observer's error is the use case's.
func TestObserverErrorFailsTheChange(t *testing.T) {
	f := newFixture(sales.StockNever)
	f.obs.err = errors.New("queue down")
	f.draft(1, domain.InvoiceStandard, goods(1, "1"))
	_, err := f.svc.ValidateInvoice(context.Background(), 1, 0, 1)
	require.ErrorContains(t, err, "queue down")
	require.Empty(t, f.repo.numbers, "the failing observer ran before the number was drawn")
}

// TestPaymentChecksInvoicesBeforeApplying: unknown invoices and invoices of
// another customer are field errors; nothing is recorded.
func TestPaymentChecksInvoicesBeforeApplying(t *testing.T) {
	f := newFixture(sales.StockNever)
	f.draft(1, domain.InvoiceStandard, goods(1, "1"))
	_, err := f.svc.ValidateInvoice(context.Background(), 1, 0, 1)
	require.NoError(t, err)
	f.repo.calls = nil
	_, err = f.svc.Pay(context.Background(), sales.PaymentInput{Method: domain.PayCash, CustomerID: 8, Allocations: []domain.Allocation{
		{InvoiceID: 1, Amount: domain.MustDecimal("1")}, {InvoiceID: 5, Amount: domain.MustDecimal("1")}}}, 1)
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve)
	fields := map[string]string{}
	for _, fe := range ve.Fields {
		fields[fe.Field] = fe.Code
	}
	require.Equal(t, map[string]string{"allocations[0].invoice_id": "other_customer", "allocations[1].invoice_id": "not_found"}, fields)
	require.Empty(t, f.repo.calls)
}

func (r *fakeRepo) InsertLine(_ context.Context, kind domain.DocKind, _ int64, l *domain.Line) error {
	r.calls = append(r.calls, "insert line "+string(kind))
	l.ID = 99
	return nil
}

func (r *fakeRepo) DeleteLine(_ context.Context, kind domain.DocKind, _, lineID int64) error {
	r.calls = append(r.calls, fmt.Sprint("delete line ", kind, " ", lineID))
	return nil
}

// TestLineEditsOnAnInvoice: a line edit locks the draft, checks its
// version, writes the line and saves the header (new totals, next
// version); a missing, stale or validated document is refused.
func TestLineEditsOnAnInvoice(t *testing.T) {
	f := newFixture(sales.StockNever)
	l := goods(1, "2")
	l.ID = 5
	f.draft(1, domain.InvoiceStandard, l)
	ctx := context.Background()

	price := domain.MustDecimal("10")
	d, err := f.svc.AddLine(ctx, domain.KindInvoice, 1, 0, sales.LineInput{ProductID: 2, Quantity: domain.MustDecimal("3"), UnitPrice: &price})
	require.NoError(t, err)
	require.Equal(t, []string{"lock invoice", "insert line invoice", "save invoice"}, f.repo.calls)
	inv := d.(*domain.Invoice)
	require.Len(t, inv.Lines, 2)
	require.Equal(t, int64(1), inv.Version)
	require.True(t, f.repo.invoices[1].TotalExclTax.Equal(inv.TotalExclTax), "the totals are saved")
	require.Equal(t, "50", inv.TotalExclTax.String(), "the totals count the new line (2 × 10 + 3 × 10)")

	f.repo.calls = nil
	d, err = f.svc.DeleteLine(ctx, domain.KindInvoice, 1, 5, 1)
	require.NoError(t, err)
	require.Equal(t, []string{"lock invoice", "delete line invoice 5", "save invoice"}, f.repo.calls)
	require.Len(t, d.Header().Lines, 1)
	require.Equal(t, int64(2), d.Header().Version)

	_, err = f.svc.DeleteLine(ctx, domain.KindInvoice, 1, 99, 1)
	var stale *domain.StaleVersion
	require.ErrorAs(t, err, &stale, "an old version is refused")

	d, err = f.svc.AddLine(ctx, domain.KindInvoice, 42, 0, sales.LineInput{ProductID: 1, Quantity: domain.MustDecimal("1")})
	require.ErrorIs(t, err, domain.ErrNotFound)
	require.Nil(t, d, "no document, not a typed nil")

	f.repo.invoices[1].Status = domain.InvoiceValidated
	_, err = f.svc.DeleteLine(ctx, domain.KindInvoice, 1, 99, 0)
	require.Error(t, err, "a validated invoice is not edited")
	require.ErrorIs(t, err, domain.ErrConflict)
}
