package document_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document/documenttest"
)

// prices is a price source: the products it knows, refused when Refusal
// is set; it records what it was asked.
type prices struct {
	known map[int64]document.Price
	asked [][]document.PriceQuery
	party []int64
}

func (p *prices) Prices(_ context.Context, party int64, qs []document.PriceQuery) ([]document.Price, error) {
	p.asked = append(p.asked, qs)
	p.party = append(p.party, party)
	out := make([]document.Price, len(qs))
	for i, q := range qs {
		out[i] = p.known[q.ProductID]
	}
	return out, nil
}

type fixture struct {
	eng     *document.Engine
	log     *documenttest.Log
	orders  *documenttest.Store[domain.Order, *domain.Order]
	events  *documenttest.Events
	counter *documenttest.Counter
	stock   *documenttest.Stock
	catalog *documenttest.Catalog
	prices  *prices
	now     time.Time
}

func newFixture() *fixture {
	log := &documenttest.Log{}
	f := &fixture{
		log: log, orders: documenttest.NewStore[domain.Order](log), events: &documenttest.Events{Log: log},
		counter: &documenttest.Counter{Log: log}, stock: &documenttest.Stock{Log: log},
		catalog: &documenttest.Catalog{Log: log, Known: map[int64]*domain.Product{
			1: {ID: 1, Ref: "WIDGET"}, 2: {ID: 2, Ref: "GADGET"}}},
		prices: &prices{known: map[int64]document.Price{
			1: {Found: true, Type: domain.ProductGoods, Description: "Widget", UnitPrice: domain.MustDecimal("10"), VATRate: domain.MustDecimal("20")},
			3: {Found: true, Refusal: "not_on_sale", Reason: "product OLD is not on sale"},
		}},
		now: time.Date(2026, 11, 30, 12, 0, 0, 123456789, time.FixedZone("CET", 3600)),
	}
	f.eng = document.New(document.Deps{Tx: documenttest.Tx{}, Events: f.events, Counter: f.counter, Prices: f.prices,
		Catalog: f.catalog, Stock: f.stock, Now: func() time.Time { return f.now }})
	return f
}

func goods(product int64, qty string) domain.Line {
	return domain.Line{ProductID: product, ProductType: domain.ProductGoods, Description: "g", Quantity: domain.MustDecimal(qty),
		UnitPrice: domain.MustDecimal("10"), VATRate: domain.MustDecimal("20")}
}

// draft stores a draft order with lines.
func (f *fixture) draft(id int64, lines ...domain.Line) {
	o := &domain.Order{}
	o.ID, o.CustomerID, o.Date, o.Lines, o.Version = id, 7, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), lines, 1
	for i := range o.Lines {
		o.Lines[i].ID = int64(i + 1)
	}
	o.Recompute()
	f.orders.Put(o)
}

var series = document.Series{Scope: "sales.order", Mask: domain.MustMask("CO{yy}{mm}-{0000}")}

func (f *fixture) validate(ctx context.Context, id, version int64, apply func(ctx context.Context, o *domain.Order, now time.Time) (string, error)) (*domain.Order, error) {
	return document.Run[*domain.Order](ctx, f.eng, f.orders, document.Change[*domain.Order]{
		ID: id, Version: version, By: 9, Action: "validated", Apply: apply,
		Series: func(*domain.Order) document.Series { return series },
	})
}

// TestRunLocksChangesRecordsNumbersThenSaves: the one shape of a change:
// the document locked first, the number drawn after every write but the
// save, the save last; one clock reading stamps validated_at, updated_at
// and the event.
func TestRunLocksChangesRecordsNumbersThenSaves(t *testing.T) {
	f := newFixture()
	f.draft(1, goods(1, "2"))
	ctx := context.Background()
	o, err := f.validate(ctx, 1, 1, func(ctx context.Context, o *domain.Order, now time.Time) (string, error) {
		if err := f.eng.MoveStock(ctx, o, document.StockEffect{Warehouse: 4, Direction: document.In, Label: "in", By: 9, At: now}); err != nil {
			return "", err
		}
		return "a note", o.Validate(9, now)
	})
	require.NoError(t, err)
	require.Equal(t, []string{"lock order 1", "stock 1 moves", "event validated order 1", "number sales.order", "save order 1"}, f.log.Calls)
	require.Equal(t, "CO2611-0001", o.Ref)
	require.Equal(t, int64(2), o.Version)
	want := f.now.UTC().Truncate(time.Microsecond)
	require.Equal(t, want, f.stock.Batches[0][0].At, "the movements carry the transition's time")
	require.Equal(t, want, o.ValidatedAt, "UTC, to the microsecond every engine keeps")
	require.Equal(t, want, o.UpdatedAt)
	ev := f.events.List[0]
	require.Equal(t, want, ev.At)
	require.Equal(t, domain.DocEvent{ID: 1, Kind: domain.KindOrder, DocumentID: 1, Action: "validated", From: "draft", To: "validated",
		UserID: 9, Note: "a note", At: want}, ev)
	saved := f.orders.Doc(1)
	require.Equal(t, "CO2611-0001", saved.Ref)
	require.Equal(t, domain.OrderValidated, saved.Status)

	// A reopened document keeps its number: no counter is touched.
	saved.Status = domain.OrderDraft
	f.orders.Put(saved)
	f.log.Reset()
	o, err = f.validate(ctx, 1, 0, func(_ context.Context, o *domain.Order, now time.Time) (string, error) {
		return "", o.Validate(9, now)
	})
	require.NoError(t, err)
	require.Equal(t, "CO2611-0001", o.Ref)
	require.NotContains(t, f.log.Calls, "number sales.order")
}

// TestRunRefusedChangeWritesNothing: a refused change, a stale version or
// a missing document records no event, draws no number and saves nothing.
func TestRunRefusedChangeWritesNothing(t *testing.T) {
	f := newFixture()
	f.draft(1)
	ctx := context.Background()
	o, err := f.validate(ctx, 1, 0, func(_ context.Context, o *domain.Order, now time.Time) (string, error) {
		return "", o.Validate(9, now)
	})
	require.Nil(t, o, "no document, not a typed nil behind an error")
	var it *domain.IllegalTransition
	require.ErrorAs(t, err, &it)
	require.Equal(t, "order_empty", it.ErrorCode())
	require.Equal(t, []string{"lock order 1"}, f.log.Calls)
	require.Empty(t, f.counter.N)

	f.log.Reset()
	_, err = f.validate(ctx, 1, 5, func(context.Context, *domain.Order, time.Time) (string, error) {
		t.Fatal("a stale version is refused before the change")
		return "", nil
	})
	var stale *domain.StaleVersion
	require.ErrorAs(t, err, &stale)
	require.Equal(t, []string{"lock order 1"}, f.log.Calls)

	_, err = f.validate(ctx, 42, 0, nil)
	require.ErrorIs(t, err, domain.ErrNotFound)
}

// TestInsertStampsAndRecordsTheCreation: a new document gets its totals,
// version 1 and the clock's time as created_at and updated_at, and its
// "created" event by its creator at that time.
func TestInsertStampsAndRecordsTheCreation(t *testing.T) {
	f := newFixture()
	o := &domain.Order{}
	o.CustomerID, o.CreatedBy, o.Lines = 7, 3, []domain.Line{goods(1, "3")}
	require.NoError(t, document.Insert[*domain.Order](context.Background(), f.eng, f.orders, o, "clone of CO1"))
	want := f.now.UTC().Truncate(time.Microsecond)
	require.Equal(t, int64(1), o.Version)
	require.Equal(t, want, o.CreatedAt)
	require.Equal(t, want, o.UpdatedAt)
	require.Equal(t, "36", o.TotalInclTax.String(), "totals computed before the insert")
	require.Equal(t, []string{"create order", fmt.Sprintf("event created order %d", o.ID)}, f.log.Calls)
	require.Equal(t, domain.DocEvent{ID: 1, Kind: domain.KindOrder, DocumentID: o.ID, Action: "created", To: "draft", UserID: 3,
		Note: "clone of CO1", At: want}, f.events.List[0])
}

// TestRemoveChecksThenDeletesRecordsAndRunsItsEffects.
func TestRemoveChecksThenDeletesRecordsAndRunsItsEffects(t *testing.T) {
	f := newFixture()
	f.draft(1)
	ctx := context.Background()
	refuse := errors.New("refused")
	err := document.Remove[*domain.Order](ctx, f.eng, f.orders, 1, 9, func(*domain.Order) error { return refuse }, nil)
	require.ErrorIs(t, err, refuse)
	require.Equal(t, []string{"lock order 1"}, f.log.Calls)
	require.NotNil(t, f.orders.Doc(1))

	f.log.Reset()
	var at time.Time
	err = document.Remove[*domain.Order](ctx, f.eng, f.orders, 1, 9, (*domain.Order).CheckEditable,
		func(_ context.Context, o *domain.Order, now time.Time) error {
			at = now
			return nil
		})
	require.NoError(t, err)
	require.Equal(t, []string{"lock order 1", "delete order 1", "event deleted order 1"}, f.log.Calls)
	require.Nil(t, f.orders.Doc(1))
	require.Equal(t, f.events.List[0].At, at, "the effects run at the deletion's time")
}

// TestLineEditor: a line edit locks the draft, checks its version, takes
// the product's defaults from the price source, writes the line and saves
// the header (new totals, next version), without an event; a stale,
// missing or validated document is refused.
func TestLineEditor(t *testing.T) {
	f := newFixture()
	f.draft(1, goods(2, "2"))
	ctx := context.Background()
	lines := document.NewLineEditor[*domain.Order](f.eng, f.orders)

	o, err := lines.AddLine(ctx, 1, 1, document.LineInput{ProductID: 1, Quantity: domain.MustDecimal("3")})
	require.NoError(t, err)
	require.Equal(t, []string{"lock order 1", "insert line 1001", "save order 1"}, f.log.Calls)
	require.Len(t, o.Lines, 2)
	require.Equal(t, "Widget", o.Lines[1].Description, "the price source's defaults")
	require.Equal(t, domain.ProductGoods, o.Lines[1].ProductType)
	require.Equal(t, "50", o.TotalExclTax.String(), "2 × 10 + 3 × 10")
	require.Equal(t, int64(2), o.Version)
	require.Equal(t, []int64{7}, f.prices.party, "priced for the document's third party")
	require.Equal(t, "3", f.prices.asked[0][0].Quantity.String(), "and the quantity")
	require.True(t, f.orders.Doc(1).TotalExclTax.Equal(o.TotalExclTax), "the totals are saved")
	require.Empty(t, f.events.List)

	f.log.Reset()
	price, desc := domain.MustDecimal("1"), "free text"
	o, err = lines.UpdateLine(ctx, 1, 1, 2, document.LineInput{Quantity: domain.MustDecimal("4"), UnitPrice: &price, Description: &desc})
	require.NoError(t, err)
	require.Equal(t, []string{"lock order 1", "update line 1", "save order 1"}, f.log.Calls)
	require.Equal(t, "34", o.TotalExclTax.String())

	f.log.Reset()
	o, err = lines.DeleteLine(ctx, 1, 1001, 3)
	require.NoError(t, err)
	require.Equal(t, []string{"lock order 1", "delete line 1001", "save order 1"}, f.log.Calls)
	require.Len(t, o.Lines, 1)

	_, err = lines.DeleteLine(ctx, 1, 1, 3)
	var stale *domain.StaleVersion
	require.ErrorAs(t, err, &stale, "an old version is refused")

	_, err = lines.AddLine(ctx, 1, 0, document.LineInput{ProductID: 3, Quantity: domain.MustDecimal("1")})
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, domain.FieldError{Field: "product_id", Code: "not_on_sale", Message: "product OLD is not on sale"}, ve.Fields[0])

	o, err = lines.AddLine(ctx, 42, 0, document.LineInput{ProductID: 1, Quantity: domain.MustDecimal("1")})
	require.ErrorIs(t, err, domain.ErrNotFound)
	require.Nil(t, o)

	d := f.orders.Doc(1)
	d.Status = domain.OrderValidated
	f.orders.Put(d)
	_, err = lines.DeleteLine(ctx, 1, 1, 0)
	require.ErrorIs(t, err, domain.ErrConflict, "a validated document is not edited")
}

// TestBuildLinesPricesInOneCall: the products of every line are priced in
// one call; a line without a product needs its price; a missing or refused
// product is a field problem of its line.
func TestBuildLinesPricesInOneCall(t *testing.T) {
	f := newFixture()
	v := &domain.ValidationError{}
	desc := "mine"
	lines, err := f.eng.BuildLines(context.Background(), v, 7, []document.LineInput{
		{ProductID: 1, Quantity: domain.MustDecimal("2"), Description: &desc},
		{Quantity: domain.MustDecimal("1")},
		{ProductID: 9, Quantity: domain.MustDecimal("1")},
		{ProductID: 3, Quantity: domain.MustDecimal("1")},
	})
	require.NoError(t, err)
	require.Len(t, f.prices.asked, 1)
	require.Len(t, f.prices.asked[0], 3, "the three lines naming a product")
	require.Equal(t, "mine", lines[0].Description, "a given field wins over the default")
	require.Equal(t, "10", lines[0].UnitPrice.String())
	fields := map[string]string{}
	for _, fe := range v.Fields {
		fields[fe.Field] = fe.Code
	}
	require.Equal(t, map[string]string{"lines[1].unit_price": "required", "lines[1].description": "required", "lines[2].product_id": "not_found",
		"lines[3].product_id": "not_on_sale"}, fields)
}

// TestMoveStockMergesPerProductAndNamesShortages: goods lines only, one
// movement per product in the given direction; a refused batch becomes a
// DocumentStockShortage naming every short product, labelled from one read.
func TestMoveStockMergesPerProductAndNamesShortages(t *testing.T) {
	f := newFixture()
	f.stock.Levels = map[int64]domain.Decimal{1: domain.MustDecimal("10")}
	service := domain.Line{Description: "s", Quantity: domain.MustDecimal("1"), UnitPrice: domain.MustDecimal("5")}
	f.draft(1, goods(1, "2"), service, goods(1, "3"))
	o := f.orders.Doc(1)
	require.True(t, document.HasGoods(&o.Document))
	ctx := context.Background()
	require.NoError(t, f.eng.MoveStock(ctx, o, document.StockEffect{Warehouse: 4, Direction: document.Out, Label: "out", By: 9}))
	require.Len(t, f.stock.Batches[0], 1, "lines of one product merged")
	m := f.stock.Batches[0][0]
	require.Equal(t, "-5", m.Quantity.String())
	require.Equal(t, int64(4), m.WarehouseID)
	require.Equal(t, "order", m.OriginType)
	require.Equal(t, int64(9), m.UserID)
	require.NoError(t, f.eng.MoveStock(ctx, o, document.StockEffect{Warehouse: 4, Direction: document.Out.Reverse(), Label: "back", By: 9}))
	require.Equal(t, "5", f.stock.Batches[1][0].Quantity.String())
	require.Equal(t, "10", f.stock.Levels[1].String())

	f.draft(2, goods(1, "11"), goods(2, "1"))
	f.log.Reset()
	err := f.eng.MoveStock(ctx, f.orders.Doc(2), document.StockEffect{Warehouse: 4, Direction: document.Out, Label: "out", By: 9})
	var short *domain.DocumentStockShortage
	require.ErrorAs(t, err, &short)
	require.ErrorIs(t, err, domain.ErrConflict)
	require.Equal(t, []string{"WIDGET", "GADGET"}, []string{short.Items[0].ProductRef, short.Items[1].ProductRef})
	require.Equal(t, []string{"stock 2 moves", "products [1 2]"}, f.log.Calls, "the shortage's references cost one read")
	require.Equal(t, "10", f.stock.Levels[1].String(), "nothing moved")
}

// TestHistoryOfAMissingDocument: the log of a missing document is not
// found, not empty.
func TestHistoryOfAMissingDocument(t *testing.T) {
	f := newFixture()
	_, err := document.History[*domain.Order](context.Background(), f.eng, f.orders, 5)
	require.ErrorIs(t, err, domain.ErrNotFound)
}
