package purchasing_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document/documenttest"
	"github.com/dolibarr-go/dolibarr/internal/usecase/purchasing"
)

// The ports' fakes: the engine's document store plus each kind's own
// methods, implementing purchasing.OrderStore and ReceptionStore whole.
type orderStore struct {
	*documenttest.Store[domain.PurchaseOrder, *domain.PurchaseOrder]
	received map[int64]domain.Decimal
}

func (orderStore) List(context.Context, purchasing.Filter) (domain.Page[domain.PurchaseOrder], error) {
	return domain.Page[domain.PurchaseOrder]{}, nil
}

func (s orderStore) Received(context.Context, int64) (map[int64]domain.Decimal, error) {
	out := map[int64]domain.Decimal{}
	for k, v := range s.received {
		out[k] = v
	}
	return out, nil
}

type receptionStore struct {
	*documenttest.Store[domain.Reception, *domain.Reception]
}

func (receptionStore) List(context.Context, purchasing.ReceptionFilter) (domain.Page[domain.Reception], error) {
	return domain.Page[domain.Reception]{}, nil
}

func (s receptionStore) LockMany(ctx context.Context, ids []int64) ([]*domain.Reception, error) {
	var out []*domain.Reception
	for _, id := range ids {
		r, err := s.Lock(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

type warehouses struct{}

func (warehouses) GetWarehouse(_ context.Context, id int64) (*domain.Warehouse, error) {
	return &domain.Warehouse{ID: id, Status: domain.WarehouseOpen}, nil
}

type fixture struct {
	log        *documenttest.Log
	stock      *documenttest.Stock
	orders     orderStore
	receptions receptionStore
	uc         *purchasing.Receptions
}

func newFixture() *fixture {
	log := &documenttest.Log{}
	f := &fixture{log: log, stock: &documenttest.Stock{Log: log}}
	f.orders = orderStore{Store: documenttest.NewStore[domain.PurchaseOrder, *domain.PurchaseOrder](log), received: map[int64]domain.Decimal{}}
	f.receptions = receptionStore{documenttest.NewStore[domain.Reception, *domain.Reception](log)}
	eng := document.New(document.Deps{Tx: documenttest.Tx{}, Events: &documenttest.Events{Log: log}, Counter: &documenttest.Counter{Log: log},
		Catalog: &documenttest.Catalog{Log: log}, Stock: f.stock, Now: func() time.Time { return time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC) }})
	f.uc = purchasing.NewReceptions(purchasing.Common{Engine: eng, Config: purchasing.DefaultConfig()}, f.receptions, f.orders, warehouses{})
	f.orders.Put(&domain.PurchaseOrder{Document: domain.Document{ID: 7, Ref: "CF2612-0001", CustomerID: 3, Version: 1,
		Lines: []domain.Line{{ID: 1, ProductID: 5, ProductType: domain.ProductGoods, Quantity: domain.MustDecimal("10"),
			UnitPrice: domain.MustDecimal("2"), DiscountPercent: domain.MustDecimal("10")}}}, Status: domain.PurchaseOrdered})
	f.receptions.Put(&domain.Reception{Document: domain.Document{ID: 200, CustomerID: 3, Version: 1, Date: time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)}, OrderID: 7,
		Received: []domain.ReceptionLine{{OrderLineID: 1, ProductID: 5, WarehouseID: 4, Quantity: domain.MustDecimal("4"), UnitPrice: domain.MustDecimal("1.8")}}})
	return f
}

// TestReceptionValidationOrder: the reception is locked, then its order,
// then the stock moves in at the order's net price, and the number is
// drawn last before the reception's save; the order becomes partly
// received.
func TestReceptionValidationOrder(t *testing.T) {
	f := newFixture()
	r, err := f.uc.Validate(context.Background(), 200, 9)
	if err != nil {
		t.Fatal(err)
	}
	if r.Ref != "RCP2612-0001" || r.Status != domain.ReceptionValidated {
		t.Fatalf("reception %s %s", r.Ref, r.StatusName())
	}
	calls := f.log.Calls
	at := func(s string) int {
		i := slices.Index(calls, s)
		if i < 0 {
			t.Fatalf("no %q in %v", s, calls)
		}
		return i
	}
	order := []string{"lock reception 200", "lock purchase_order 7", "stock 1 moves", "number purchase.reception", "save reception 200"}
	for i := 1; i < len(order); i++ {
		if at(order[i-1]) > at(order[i]) {
			t.Fatalf("%q after %q: %v", order[i-1], order[i], calls)
		}
	}
	m := f.stock.Batches[0][0]
	if m.UnitPrice.String() != "1.8" || m.Quantity.String() != "4" || m.OriginType != "reception" {
		t.Fatalf("move %+v", m)
	}
	if o := f.orders.Doc(7); o.Status != domain.PurchasePartlyReceived || o.Version != 2 {
		t.Fatalf("order %s v%d", o.StatusName(), o.Version)
	}
}

// TestOverReceptionMovesNothing: what validated receptions received
// already is re-checked under the order's lock: over the ordered quantity
// the validation is refused before any stock moves or any number is drawn.
func TestOverReceptionMovesNothing(t *testing.T) {
	f := newFixture()
	f.orders.received[1] = domain.MustDecimal("7")
	_, err := f.uc.Validate(context.Background(), 200, 9)
	var over *domain.OverReception
	if !errors.As(err, &over) || over.ErrorCode() != "over_reception" || !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("got %v", err)
	}
	if len(f.stock.Batches) != 0 || slices.Contains(f.log.Calls, "number purchase.reception") {
		t.Fatalf("calls %v", f.log.Calls)
	}
	if r := f.receptions.Doc(200); r.Status != domain.ReceptionDraft {
		t.Fatalf("reception %s", r.StatusName())
	}
}
