package persistence_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

type stockFixture struct {
	db         *persistence.DB
	repo       *persistence.StockRepo
	products   *catalog.Products
	warehouses *catalog.Warehouses
	svc        *stock.Service
	product    int64
	warehouse  int64
}

func ptr[T any](v T) *T { return &v }

func newStockFixture(t *testing.T, db *persistence.DB, policy domain.StockPolicy) *stockFixture {
	t.Helper()
	ctx := context.Background()
	f := &stockFixture{db: db, repo: persistence.NewStockRepo(db)}
	f.products = catalog.NewProducts(persistence.NewProductRepo(db), time.Now)
	f.warehouses = catalog.NewWarehouses(persistence.NewWarehouseRepo(db), time.Now)
	f.svc = stock.New(db, f.repo, persistence.NewCatalogRepo(db), policy)
	p, err := f.products.Create(ctx, catalog.ProductFields{Ref: ptr("P-1"), Label: ptr("Widget")})
	require.NoError(t, err)
	w, err := f.warehouses.Create(ctx, catalog.WarehouseFields{Label: ptr("Main")})
	require.NoError(t, err)
	f.product, f.warehouse = p.ID, w.ID
	return f
}

func (f *stockFixture) move(t *testing.T, wh int64, qty string) (*domain.Movement, error) {
	t.Helper()
	return f.svc.Move(context.Background(), stock.MoveInput{ProductID: f.product, WarehouseID: wh, Quantity: domain.MustDecimal(qty), Label: "test"})
}

func (f *stockFixture) level(t *testing.T, wh int64) domain.Decimal {
	t.Helper()
	levels, _, err := f.svc.Levels(context.Background(), f.product)
	require.NoError(t, err)
	for _, l := range levels {
		if l.WarehouseID == wh {
			return l.Quantity
		}
	}
	return domain.Zero
}

func (f *stockFixture) journalSum(t *testing.T, wh int64) (domain.Decimal, int64) {
	t.Helper()
	page, err := f.svc.Movements(context.Background(), stock.MovementFilter{
		ListParams: domain.ListParams{Limit: 100000}, ProductID: f.product, WarehouseID: wh})
	require.NoError(t, err)
	sum := domain.Zero
	for _, m := range page.Items {
		sum = sum.Add(m.Quantity)
	}
	return sum, page.Total
}

// blockedBy returns the query that lists the server's sessions waiting on a
// lock held by session holder (pg backend pid / MySQL connection id).
func blockedBy(driver string) string {
	if driver == "postgres" {
		return `SELECT pid FROM pg_stat_activity
		        WHERE datname = current_database() AND wait_event_type = 'Lock' AND ? = ANY(pg_blocking_pids(pid))`
	}
	return `SELECT r.trx_mysql_thread_id
	        FROM information_schema.innodb_lock_waits w
	        JOIN information_schema.innodb_trx r ON r.trx_id = w.requesting_trx_id
	        JOIN information_schema.innodb_trx b ON b.trx_id = w.blocking_trx_id
	        WHERE r.trx_state = 'LOCK WAIT' AND b.trx_mysql_thread_id = ?`
}

// pollEvery is how often the lock tables are read. InnoDB refreshes its
// information_schema lock snapshot only when it has not been read for 100 ms,
// so polling it faster would keep reading a stale snapshot forever.
func pollEvery(driver string) time.Duration {
	if driver == "mysql" {
		return 150 * time.Millisecond
	}
	return 5 * time.Millisecond
}

func sessionID(driver string) string {
	if driver == "postgres" {
		return "SELECT pg_backend_pid()"
	}
	return "SELECT CONNECTION_ID()"
}

// TestCT02SecondDebitWaitsForLock is CT-02: two transactions debit the same
// stock row at once. The first holds the row lock; the test observes, in the
// server's own lock tables, that the second (the real use case) is blocked by
// the first, then lets the first commit and checks that the second proceeded
// on the committed value: no update is lost.
func TestCT02SecondDebitWaitsForLock(t *testing.T) {
	for _, driver := range []string{"postgres", "mysql"} {
		t.Run(driver, func(t *testing.T) {
			db := testdb.New(t, driver)
			f := newStockFixture(t, db, domain.StockPolicy{})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := f.move(t, f.warehouse, "10")
			require.NoError(t, err)

			key := domain.StockKey{ProductID: f.product, WarehouseID: f.warehouse}
			holder := make(chan int64)
			release := make(chan struct{})
			tx1 := make(chan error, 1)
			go func() {
				tx1 <- db.Do(ctx, func(ctx context.Context) error {
					var sid int64
					if err := db.Gorm(ctx).Raw(sessionID(driver)).Scan(&sid).Error; err != nil {
						return err
					}
					// The stock writers' lock order: product row, then stock row.
					if _, err := f.repo.LockProducts(ctx, []int64{f.product}, nil); err != nil {
						return err
					}
					have, err := f.repo.LockLevels(ctx, []domain.StockKey{key})
					if err != nil {
						return err
					}
					if !have[0].Equal(domain.DecimalFromInt(10)) {
						return fmt.Errorf("tx1 read %s, want 10", have[0])
					}
					holder <- sid
					<-release
					if err := f.repo.SetLevel(ctx, key, have[0].Sub(domain.DecimalFromInt(1))); err != nil {
						return err
					}
					return f.repo.AddMovements(ctx, []*domain.Movement{{ProductID: f.product, WarehouseID: f.warehouse,
						Quantity: domain.DecimalFromInt(-1), Kind: domain.MovementOut, Label: "tx1", CreatedAt: time.Now()}})
				})
			}()
			var sid1 int64
			select {
			case sid1 = <-holder:
			case err := <-tx1:
				t.Fatalf("tx1 ended before holding the lock: %v", err)
			}

			tx2 := make(chan error, 1)
			go func() {
				_, err := f.move(t, f.warehouse, "-1")
				tx2 <- err
			}()

			// Wait until the server itself reports tx2 blocked by tx1's lock.
			var waiter int64
			require.Eventually(t, func() bool {
				var ids []int64
				if err := db.Gorm(ctx).Raw(blockedBy(driver), sid1).Scan(&ids).Error; err != nil {
					t.Logf("lock query: %v", err)
					return false
				}
				if len(ids) == 1 {
					waiter = ids[0]
				}
				return len(ids) == 1
			}, 10*time.Second, pollEvery(driver), "tx2 never waited on tx1's row lock")
			require.NotEqual(t, sid1, waiter)
			select {
			case err := <-tx2:
				t.Fatalf("tx2 finished while tx1 held the lock: %v", err)
			default:
			}

			close(release)
			require.NoError(t, <-tx1)
			require.NoError(t, <-tx2, "tx2 must proceed once tx1 commits")

			require.Equal(t, "8", f.level(t, f.warehouse).String(), "tx2 must have debited the committed 9, not the 10 it would have read without the lock")
			sum, n := f.journalSum(t, f.warehouse)
			require.Equal(t, "8", sum.String())
			require.EqualValues(t, 3, n)
		})
	}
}

// TestStockDebitsNeverOverdraw races more one-unit debits than there is
// stock: exactly the stock's worth succeed, every other one is refused with
// InsufficientStock, and quantity and journal agree, on every engine.
func TestStockDebitsNeverOverdraw(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		f := newStockFixture(t, db, domain.StockPolicy{})
		_, err := f.move(t, f.warehouse, "25")
		require.NoError(t, err)
		const workers, each = 8, 5 // 40 debits for 25 units
		var (
			wg          sync.WaitGroup
			mu          sync.Mutex
			ok, refused int
			unexpected  []error
		)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					_, err := f.move(t, f.warehouse, "-1")
					var is *domain.InsufficientStock
					mu.Lock()
					switch {
					case err == nil:
						ok++
					case errors.As(err, &is):
						refused++
						if !is.Requested.Equal(domain.DecimalFromInt(1)) || !is.Available.IsZero() {
							unexpected = append(unexpected, err)
						}
					default:
						unexpected = append(unexpected, err)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		require.Empty(t, unexpected)
		require.Equal(t, 25, ok)
		require.Equal(t, 15, refused)
		require.True(t, f.level(t, f.warehouse).IsZero())
		sum, n := f.journalSum(t, f.warehouse)
		require.True(t, sum.IsZero(), "journal sum %s", sum)
		require.EqualValues(t, 26, n)
	})
}

// TestStockTransfersBothWaysNoDeadlock runs transfers in both directions at
// once: rows are locked in (product, warehouse) order, so none deadlocks and
// the total is conserved.
func TestStockTransfersBothWaysNoDeadlock(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		f := newStockFixture(t, db, domain.StockPolicy{AllowNegative: true})
		w2, err := f.warehouses.Create(context.Background(), catalog.WarehouseFields{Label: ptr("Second")})
		require.NoError(t, err)
		_, err = f.move(t, f.warehouse, "100")
		require.NoError(t, err)
		const workers, each = 8, 10
		errs := make(chan error, workers*each)
		var wg sync.WaitGroup
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				from, to := f.warehouse, w2.ID
				if i%2 == 1 {
					from, to = to, from
				}
				for range each {
					_, err := f.svc.Transfer(context.Background(), stock.TransferInput{ProductID: f.product,
						FromWarehouseID: from, ToWarehouseID: to, Quantity: domain.DecimalFromInt(1)})
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.Equal(t, "100", f.level(t, f.warehouse).String())
		require.Equal(t, "0", f.level(t, w2.ID).String())
		_, total, err := f.svc.Levels(context.Background(), f.product)
		require.NoError(t, err)
		require.Equal(t, "100", total.String())
	})
}

// TestStockAverageCostAndPolicy checks the weighted average cost on
// receipts, the typed negative-stock refusal, corrections and the journal.
func TestStockAverageCostAndPolicy(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		f := newStockFixture(t, db, domain.StockPolicy{})
		in := func(qty, price string) {
			_, err := f.svc.Move(ctx, stock.MoveInput{ProductID: f.product, WarehouseID: f.warehouse,
				Quantity: domain.MustDecimal(qty), UnitPrice: domain.MustDecimal(price)})
			require.NoError(t, err)
		}
		avg := func() string {
			p, err := f.products.Get(ctx, f.product)
			require.NoError(t, err)
			return p.AverageCost.String()
		}
		in("10", "5")
		require.Equal(t, "5", avg())
		in("10", "7")
		require.Equal(t, "6", avg())
		in("1.5", "0") // no price: average unchanged
		require.Equal(t, "6", avg())
		in("3", "1.23456")
		// (21.5 × 6 + 3 × 1.23456) / 24.5 = 5.4164767..., rounded half away from zero
		require.Equal(t, "5.41648", avg())

		_, err := f.move(t, f.warehouse, "-100")
		var is *domain.InsufficientStock
		require.ErrorAs(t, err, &is)
		require.ErrorIs(t, err, domain.ErrConflict)
		require.Equal(t, (&domain.InsufficientStock{Product: f.product, Warehouse: f.warehouse,
			Available: domain.MustDecimal("24.5"), Requested: domain.DecimalFromInt(100)}).Error(), is.Error())

		m, err := f.svc.Correct(ctx, stock.CorrectionInput{ProductID: f.product, WarehouseID: f.warehouse, Counted: domain.MustDecimal("20.25")})
		require.NoError(t, err)
		require.Equal(t, "-4.25", m.Quantity.String())
		require.Equal(t, domain.MovementManualOut, m.Kind)
		m, err = f.svc.Correct(ctx, stock.CorrectionInput{ProductID: f.product, WarehouseID: f.warehouse, Counted: domain.MustDecimal("20.25")})
		require.NoError(t, err)
		require.Nil(t, m, "a matching count journals nothing")
		sum, _ := f.journalSum(t, f.warehouse)
		require.Equal(t, "20.25", sum.String())
		require.Equal(t, "20.25", f.level(t, f.warehouse).String())

		// Closed warehouses and services refuse movements.
		w, err := f.warehouses.Get(ctx, f.warehouse)
		require.NoError(t, err)
		_, err = f.warehouses.Update(ctx, w.ID, w.Version, catalog.WarehouseFields{Status: ptr(domain.WarehouseClosed)})
		require.NoError(t, err)
		_, err = f.move(t, f.warehouse, "1")
		require.ErrorIs(t, err, domain.ErrConflict)
		svc, err := f.products.Create(ctx, catalog.ProductFields{Ref: ptr("SRV"), Label: ptr("Support"), Type: ptr(domain.ProductService)})
		require.NoError(t, err)
		_, err = f.svc.Move(ctx, stock.MoveInput{ProductID: svc.ID, WarehouseID: f.warehouse, Quantity: domain.DecimalFromInt(1)})
		require.ErrorIs(t, err, domain.ErrConflict)
	})
}

// TestStockPricedReceiptsAndDebitsNoDeadlock mixes receipts with a unit
// price (which lock the product row for its average cost) and debits of
// the same product (whose movement insert checks the product foreign key,
// a shared lock on that row): the two kinds must never wait in a cycle.
func TestStockPricedReceiptsAndDebitsNoDeadlock(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		f := newStockFixture(t, db, domain.StockPolicy{AllowNegative: true})
		w2, err := f.warehouses.Create(context.Background(), catalog.WarehouseFields{Label: ptr("Second")})
		require.NoError(t, err)
		const workers, each = 8, 15
		errs := make(chan error, workers*each)
		var wg sync.WaitGroup
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range each {
					wh := f.warehouse
					if (i+j)%3 == 0 {
						wh = w2.ID
					}
					in := stock.MoveInput{ProductID: f.product, WarehouseID: wh, Quantity: domain.DecimalFromInt(-1), Label: "debit"}
					if i%2 == 0 {
						in.Quantity, in.UnitPrice, in.Label = domain.DecimalFromInt(2), domain.MustDecimal("3.5"), "receipt"
					}
					_, err := f.svc.Move(context.Background(), in)
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		_, total, err := f.svc.Levels(context.Background(), f.product)
		require.NoError(t, err)
		// 4 receiving workers x 15 x 2, 4 debiting workers x 15 x 1.
		require.Equal(t, "60", total.String())
	})
}

// TestDebitWaitsOnTheStockRowLock proves the stock row lock on its own:
// tx1 holds only the stock row (no product lock), and a real debit is seen
// blocked by tx1 in the server's lock tables until tx1 rolls back; the
// debit then works on the row's committed value.
func TestDebitWaitsOnTheStockRowLock(t *testing.T) {
	for _, driver := range []string{"postgres", "mysql"} {
		t.Run(driver, func(t *testing.T) {
			db := testdb.New(t, driver)
			f := newStockFixture(t, db, domain.StockPolicy{})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := f.move(t, f.warehouse, "10")
			require.NoError(t, err)
			holder, release := make(chan int64), make(chan struct{})
			rollback := errors.New("tx1 rolls back")
			tx1 := make(chan error, 1)
			go func() {
				tx1 <- db.Do(ctx, func(ctx context.Context) error {
					var sid int64
					if err := db.Gorm(ctx).Raw(sessionID(driver)).Scan(&sid).Error; err != nil {
						return err
					}
					if _, err := f.repo.LockLevels(ctx, []domain.StockKey{{ProductID: f.product, WarehouseID: f.warehouse}}); err != nil {
						return err
					}
					holder <- sid
					<-release
					return rollback
				})
			}()
			var sid1 int64
			select {
			case sid1 = <-holder:
			case err := <-tx1:
				t.Fatalf("tx1 ended before holding the lock: %v", err)
			}
			tx2 := make(chan error, 1)
			go func() { _, err := f.move(t, f.warehouse, "-1"); tx2 <- err }()
			require.Eventually(t, func() bool {
				var ids []int64
				if err := db.Gorm(ctx).Raw(blockedBy(driver), sid1).Scan(&ids).Error; err != nil {
					return false
				}
				return len(ids) == 1
			}, 10*time.Second, pollEvery(driver), "the debit never waited on the stock row lock")
			select {
			case err := <-tx2:
				t.Fatalf("the debit finished while the stock row was locked: %v", err)
			default:
			}
			close(release)
			require.ErrorIs(t, <-tx1, rollback)
			require.NoError(t, <-tx2)
			require.Equal(t, "9", f.level(t, f.warehouse).String())
		})
	}
}

// TestStockRefusesUnknownServiceAndClosedTargets checks the pre-transaction
// target checks (one narrow query) on every engine: unknown product or
// warehouse -> not found, a service -> service_not_stocked, a closed
// warehouse -> warehouse_closed; nothing is journaled.
func TestStockRefusesUnknownServiceAndClosedTargets(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		f := newStockFixture(t, db, domain.StockPolicy{AllowNegative: true})
		svcType := domain.ProductService
		srv, err := f.products.Create(ctx, catalog.ProductFields{Ref: ptr("SRV"), Label: ptr("Consulting"), Type: &svcType})
		require.NoError(t, err)
		closed := domain.WarehouseClosed
		w, err := f.warehouses.Create(ctx, catalog.WarehouseFields{Label: ptr("Old"), Status: &closed})
		require.NoError(t, err)

		code := func(err error) string {
			var de *domain.Error
			require.ErrorAs(t, err, &de)
			return de.Code
		}
		move := func(product, warehouse int64) error {
			_, err := f.svc.Move(ctx, stock.MoveInput{ProductID: product, WarehouseID: warehouse, Quantity: domain.DecimalFromInt(1), Label: "t"})
			return err
		}
		err = move(f.product+1000, f.warehouse)
		require.ErrorIs(t, err, domain.ErrNotFound)
		require.Contains(t, err.Error(), "product")
		err = move(f.product, f.warehouse+1000)
		require.ErrorIs(t, err, domain.ErrNotFound)
		require.Contains(t, err.Error(), "warehouse")
		require.Equal(t, "service_not_stocked", code(move(srv.ID, f.warehouse)))
		require.Equal(t, "warehouse_closed", code(move(f.product, w.ID)))
		require.NoError(t, move(f.product, f.warehouse))
		_, n := f.journalSum(t, f.warehouse)
		require.EqualValues(t, 1, n, "only the valid movement is journaled")
	})
}

// TestStockMovementsRecordTheirUser: every kind of movement journals the
// user who made it (Dolibarr's fk_user_author), read back as written; a
// movement made on nobody's behalf reads back as zero (NULL), and the
// journal filters by user.
func TestStockMovementsRecordTheirUser(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		f := newStockFixture(t, db, domain.StockPolicy{})
		users := persistence.NewUserRepo(db)
		a := &domain.User{Login: "alice", Name: "Alice", Active: true, PasswordHash: "x"}
		b := &domain.User{Login: "bob", Name: "Bob", Active: true, PasswordHash: "x"}
		require.NoError(t, users.Create(ctx, a))
		require.NoError(t, users.Create(ctx, b))
		w2, err := f.warehouses.Create(ctx, catalog.WarehouseFields{Label: ptr("Second")})
		require.NoError(t, err)

		m, err := f.svc.Move(ctx, stock.MoveInput{ProductID: f.product, WarehouseID: f.warehouse,
			Quantity: domain.MustDecimal("10"), UserID: a.ID})
		require.NoError(t, err)
		require.Equal(t, a.ID, m.UserID)
		legs, err := f.svc.Transfer(ctx, stock.TransferInput{ProductID: f.product, FromWarehouseID: f.warehouse,
			ToWarehouseID: w2.ID, Quantity: domain.MustDecimal("3"), UserID: b.ID})
		require.NoError(t, err)
		require.Len(t, legs, 2)
		c, err := f.svc.Correct(ctx, stock.CorrectionInput{ProductID: f.product, WarehouseID: f.warehouse,
			Counted: domain.MustDecimal("5"), UserID: a.ID})
		require.NoError(t, err)
		require.NotNil(t, c)
		batch, err := f.svc.MoveBatch(ctx, []stock.MoveInput{{ProductID: f.product, WarehouseID: w2.ID,
			Quantity: domain.MustDecimal("-1"), OriginType: "invoice", OriginID: 7, UserID: b.ID}})
		require.NoError(t, err)
		require.Len(t, batch, 1)
		_, err = f.move(t, f.warehouse, "1") // nobody's
		require.NoError(t, err)

		page, err := f.svc.Movements(ctx, stock.MovementFilter{ListParams: domain.ListParams{Limit: 100, Sort: "id"}})
		require.NoError(t, err)
		got := make([]int64, len(page.Items))
		for i, it := range page.Items {
			got[i] = it.UserID
		}
		require.Equal(t, []int64{a.ID, b.ID, b.ID, a.ID, b.ID, 0}, got)

		page, err = f.svc.Movements(ctx, stock.MovementFilter{ListParams: domain.ListParams{Limit: 100, Sort: "id"}, UserID: b.ID})
		require.NoError(t, err)
		require.EqualValues(t, 3, page.Total)
		for _, it := range page.Items {
			require.Equal(t, b.ID, it.UserID)
		}

		_, err = f.svc.Move(ctx, stock.MoveInput{ProductID: f.product, WarehouseID: f.warehouse,
			Quantity: domain.MustDecimal("1"), UserID: -1})
		require.ErrorIs(t, err, domain.ErrInvalid)
	})
}
