package stock_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

// fakeTx runs fn inline; the fake repo checks it is inside.
type fakeTx struct{ depth int }

func (f *fakeTx) Do(ctx context.Context, fn func(context.Context) error) error {
	f.depth++
	defer func() { f.depth-- }()
	return fn(ctx)
}

// fakeRepo records the order in which rows are locked.
type fakeRepo struct {
	tx      *fakeTx
	levels  map[domain.StockKey]domain.Decimal
	avg     map[int64]domain.Decimal
	locks   []string
	journal []*domain.Movement
}

func (r *fakeRepo) inTx() error {
	if r.tx.depth == 0 {
		return errors.New("not in a transaction")
	}
	return nil
}

func (r *fakeRepo) LockLevels(_ context.Context, keys []domain.StockKey) ([]domain.Decimal, error) {
	if err := r.inTx(); err != nil {
		return nil, err
	}
	out := make([]domain.Decimal, len(keys))
	for i, k := range keys {
		r.locks = append(r.locks, "stock", string(rune('0'+k.ProductID)), string(rune('0'+k.WarehouseID)))
		out[i] = r.levels[k]
	}
	return out, nil
}

func (r *fakeRepo) SetLevel(_ context.Context, k domain.StockKey, q domain.Decimal) error {
	r.levels[k] = q
	return r.inTx()
}

func (r *fakeRepo) AddMovements(_ context.Context, ms []*domain.Movement) error {
	r.journal = append(r.journal, ms...)
	return r.inTx()
}

func (r *fakeRepo) Targets(ctx context.Context, products, warehouses []int64) (map[int64]domain.ProductType, map[int64]domain.WarehouseStatus, error) {
	types := map[int64]domain.ProductType{}
	statuses := map[int64]domain.WarehouseStatus{}
	for _, id := range products {
		p, err := fakeCatalog{}.GetProduct(ctx, id)
		if err == nil {
			types[id] = p.Type
		}
	}
	for _, id := range warehouses {
		w, err := fakeCatalog{}.GetWarehouse(ctx, id)
		if err == nil {
			statuses[id] = w.Status
		}
	}
	return types, statuses, nil
}

// LockProducts behaves like the strictest engine: it locks every touched
// product, and returns the average cost of the costed ones.
func (r *fakeRepo) LockProducts(_ context.Context, touched, costed []int64) (map[int64]domain.Decimal, error) {
	for _, p := range touched {
		r.locks = append(r.locks, "product", string(rune('0'+p)))
	}
	out := map[int64]domain.Decimal{}
	for _, p := range costed {
		out[p] = r.avg[p]
	}
	return out, r.inTx()
}

func (r *fakeRepo) ProductQuantity(_ context.Context, p int64) (domain.Decimal, error) {
	sum := domain.Zero
	for k, q := range r.levels {
		if k.ProductID == p {
			sum = sum.Add(q)
		}
	}
	return sum, nil
}

func (r *fakeRepo) SetAverageCost(_ context.Context, p int64, avg domain.Decimal) error {
	r.avg[p] = avg
	return r.inTx()
}

func (r *fakeRepo) Levels(context.Context, int64) ([]domain.StockLevel, error) { return nil, nil }

func (r *fakeRepo) Movements(context.Context, stock.MovementFilter) (domain.Page[domain.Movement], error) {
	return domain.Page[domain.Movement]{}, nil
}

type fakeCatalog struct{}

func (fakeCatalog) GetProduct(_ context.Context, id int64) (*domain.Product, error) {
	if id == 9 {
		return &domain.Product{ID: id, Type: domain.ProductService}, nil
	}
	return &domain.Product{ID: id}, nil
}

func (fakeCatalog) GetWarehouse(_ context.Context, id int64) (*domain.Warehouse, error) {
	if id == 8 {
		return nil, domain.E(domain.ErrNotFound, "not_found", "warehouse %d not found", id)
	}
	return &domain.Warehouse{ID: id, Status: domain.WarehouseOpen}, nil
}

func newService(allowNegative bool) (*stock.Service, *fakeRepo) {
	tx := &fakeTx{}
	repo := &fakeRepo{tx: tx, levels: map[domain.StockKey]domain.Decimal{}, avg: map[int64]domain.Decimal{}}
	return stock.New(tx, repo, fakeCatalog{}, domain.StockPolicy{AllowNegative: allowNegative}), repo
}

func TestTransferLocksInKeyOrderWhateverTheDirection(t *testing.T) {
	svc, repo := newService(true)
	_, err := svc.Transfer(context.Background(), stock.TransferInput{ProductID: 1, FromWarehouseID: 3, ToWarehouseID: 2, Quantity: domain.DecimalFromInt(1)})
	require.NoError(t, err)
	require.Equal(t, []string{"product", "1", "stock", "1", "2", "stock", "1", "3"}, repo.locks)
	require.Len(t, repo.journal, 2)
	require.Equal(t, repo.journal[0].InventoryCode, repo.journal[1].InventoryCode)
	require.Equal(t, "-1", repo.levels[domain.StockKey{ProductID: 1, WarehouseID: 3}].String())
}

func TestPricedReceiptLocksProductBeforeStock(t *testing.T) {
	svc, repo := newService(false)
	_, err := svc.Move(context.Background(), stock.MoveInput{ProductID: 2, WarehouseID: 1, Quantity: domain.DecimalFromInt(4), UnitPrice: domain.MustDecimal("2.5")})
	require.NoError(t, err)
	require.Equal(t, []string{"product", "2", "stock", "2", "1"}, repo.locks)
	require.Equal(t, "2.5", repo.avg[2].String())
}

func TestMoveRefusals(t *testing.T) {
	svc, repo := newService(false)
	ctx := context.Background()
	_, err := svc.Move(ctx, stock.MoveInput{ProductID: 1, WarehouseID: 1, Quantity: domain.MustDecimal("-0.5")})
	var is *domain.InsufficientStock
	require.ErrorAs(t, err, &is)
	require.Equal(t, "0", is.Available.String())
	require.Equal(t, "0.5", is.Requested.String())
	require.Empty(t, repo.journal, "a refused debit journals nothing")
	repo.locks = nil

	_, err = svc.Move(ctx, stock.MoveInput{ProductID: 9, WarehouseID: 1, Quantity: domain.DecimalFromInt(1)})
	require.ErrorIs(t, err, domain.ErrConflict)
	_, err = svc.Move(ctx, stock.MoveInput{ProductID: 1, WarehouseID: 8, Quantity: domain.DecimalFromInt(1)})
	require.ErrorIs(t, err, domain.ErrNotFound)
	require.Empty(t, repo.locks, "refusals decided before the transaction take no lock")

	_, err = svc.Move(ctx, stock.MoveInput{Quantity: domain.MustDecimal("0.000001"), UnitPrice: domain.DecimalFromInt(-1)})
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Fields, 4)

	_, err = svc.Correct(ctx, stock.CorrectionInput{ProductID: 1, WarehouseID: 1, Counted: domain.DecimalFromInt(-1)})
	require.ErrorAs(t, err, &ve)
}

func TestMoveBatchNetsRowsAndLocksInOrder(t *testing.T) {
	svc, repo := newService(false)
	ctx := context.Background()
	_, err := svc.Move(ctx, stock.MoveInput{ProductID: 2, WarehouseID: 1, Quantity: domain.DecimalFromInt(5)})
	require.NoError(t, err)
	repo.locks = nil
	ms, err := svc.MoveBatch(ctx, []stock.MoveInput{
		{ProductID: 3, WarehouseID: 1, Quantity: domain.DecimalFromInt(2)},
		{ProductID: 2, WarehouseID: 1, Quantity: domain.DecimalFromInt(-4)},
		{ProductID: 2, WarehouseID: 1, Quantity: domain.DecimalFromInt(-1)},
	})
	require.NoError(t, err)
	require.Len(t, ms, 3)
	require.Equal(t, []string{"product", "2", "product", "3", "stock", "2", "1", "stock", "3", "1"}, repo.locks, "products, then rows, locked in key order, whatever the line order")
	require.Equal(t, "0", repo.levels[domain.StockKey{ProductID: 2, WarehouseID: 1}].String())

	// A batch with a short row is refused as a whole: nothing is journaled.
	before := len(repo.journal)
	_, err = svc.MoveBatch(ctx, []stock.MoveInput{
		{ProductID: 3, WarehouseID: 1, Quantity: domain.DecimalFromInt(-1)},
		{ProductID: 2, WarehouseID: 1, Quantity: domain.DecimalFromInt(-1)},
	})
	var is *domain.InsufficientStock
	require.ErrorAs(t, err, &is)
	require.EqualValues(t, 2, is.Product)
	require.Len(t, repo.journal, before)

	// Two short rows are both named.
	_, err = svc.MoveBatch(ctx, []stock.MoveInput{
		{ProductID: 3, WarehouseID: 1, Quantity: domain.DecimalFromInt(-9)},
		{ProductID: 2, WarehouseID: 1, Quantity: domain.DecimalFromInt(-1)},
	})
	var ss *domain.StockShortages
	require.ErrorAs(t, err, &ss)
	require.Len(t, ss.Items, 2)
	require.Len(t, repo.journal, before)
}

// TestCorrectLocksTheProductBeforeTheStockRow: a correction takes its locks
// in the order every other stock writer does (decision 0008). Taking the
// stock row first deadlocked on MariaDB with debits, transfers and
// validations: the correction's journal insert checks the product foreign
// key, which waits on the product row a debit holds while that debit waits
// for the correction's stock row (issue 21).
func TestCorrectLocksTheProductBeforeTheStockRow(t *testing.T) {
	svc, repo := newService(false)
	m, err := svc.Correct(context.Background(), stock.CorrectionInput{ProductID: 2, WarehouseID: 3, Counted: domain.DecimalFromInt(5)})
	require.NoError(t, err)
	require.Equal(t, "5", m.Quantity.String())
	require.Equal(t, []string{"product", "2", "stock", "2", "3"}, repo.locks)
}
