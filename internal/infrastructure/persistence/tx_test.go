package persistence_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

// victimError is the error driver's engine returns to the transaction it
// aborts to break a deadlock, as the driver itself builds it.
func victimError(driver string) error {
	if driver == "postgres" {
		return &pgconn.PgError{Severity: "ERROR", Code: "40P01", Message: "deadlock detected"}
	}
	return &mysqldrv.MySQLError{Number: 1213, SQLState: [5]byte{'4', '0', '0', '0', '1'},
		Message: "Deadlock found when trying to get lock; try restarting transaction"}
}

// TestDoRetriesARealDeadlockVictim: two transactions take two rows in
// opposite orders, so the server must abort one. The outermost Do runs the
// victim again, from the start, and both commit; the work that deadlocked
// sits in a nested Do, which joins the outer transaction and never retries
// on its own (it runs once per outer attempt). SQLite's single writer
// cannot deadlock.
func TestDoRetriesARealDeadlockVictim(t *testing.T) {
	for _, driver := range []string{"postgres", "mysql"} {
		t.Run(driver, func(t *testing.T) {
			db := testdb.New(t, driver)
			repo := persistence.NewSettingsRepo(db)
			ctx := context.Background()
			require.NoError(t, repo.Put(ctx, "a", "0"))
			require.NoError(t, repo.Put(ctx, "b", "0"))

			var (
				outer, inner atomic.Int32
				both         sync.WaitGroup
			)
			both.Add(2)
			lockBoth := func(first, second, value string) error {
				attempt := 0
				return db.Do(ctx, func(ctx context.Context) error {
					outer.Add(1)
					attempt++
					return db.Do(ctx, func(ctx context.Context) error {
						inner.Add(1)
						if err := repo.Put(ctx, first, value); err != nil {
							return err
						}
						if attempt == 1 {
							// Each holds its first row before taking the other's.
							both.Done()
							both.Wait()
						}
						return repo.Put(ctx, second, value)
					})
				})
			}
			errs := make(chan error, 2)
			go func() { errs <- lockBoth("a", "b", "ab") }()
			go func() { errs <- lockBoth("b", "a", "ba") }()
			require.NoError(t, <-errs)
			require.NoError(t, <-errs)

			require.EqualValues(t, 3, outer.Load(), "the victim ran twice, the survivor once")
			require.Equal(t, outer.Load(), inner.Load(), "the nested Do ran once per outer attempt: it does not retry")
			a, err := repo.Get(ctx, "a")
			require.NoError(t, err)
			b, err := repo.Get(ctx, "b")
			require.NoError(t, err)
			require.Equal(t, a, b, "the transaction that committed last wrote both rows")
		})
	}
}

// TestDoGivesUpAsTransactionConflict: a transaction the database keeps
// aborting runs a bounded number of times and ends as a
// *domain.RetryLater (503 transaction_conflict with Retry-After), with
// nothing kept; a lock wait timeout and any other error are not retried.
// A nested Do hands the victim's error to its caller unretried.
func TestDoGivesUpAsTransactionConflict(t *testing.T) {
	for _, driver := range []string{"postgres", "mysql"} {
		t.Run(driver, func(t *testing.T) {
			db := testdb.New(t, driver)
			persistence.SetRetry(db, 3, time.Millisecond)
			repo := persistence.NewSettingsRepo(db)
			ctx := context.Background()
			victim := victimError(driver)

			calls := 0
			err := db.Do(ctx, func(ctx context.Context) error {
				calls++
				if err := repo.Put(ctx, "k", "written"); err != nil {
					return err
				}
				return victim
			})
			require.Equal(t, 3, calls, "bounded attempts")
			var later *domain.RetryLater
			require.ErrorAs(t, err, &later)
			require.Equal(t, "transaction_conflict", later.Code)
			require.Equal(t, time.Second, later.After)
			require.ErrorIs(t, err, domain.ErrUnavailable)
			require.ErrorIs(t, err, victim, "the driver's error stays reachable for the log")
			require.NotContains(t, err.Error(), "Deadlock", "the client-facing message is ours")
			_, err = repo.Get(ctx, "k")
			require.ErrorIs(t, err, domain.ErrNotFound, "no attempt was kept")

			// Nested: the inner call returns the victim's error as is, once
			// per outer attempt; only the outermost call retries.
			var outer, inner int
			var seen error
			err = db.Do(ctx, func(ctx context.Context) error {
				outer++
				seen = db.Do(ctx, func(context.Context) error { inner++; return victim })
				return seen
			})
			require.ErrorAs(t, err, &later)
			require.Equal(t, 3, outer)
			require.Equal(t, 3, inner)
			require.Same(t, victim, seen, "the nested call neither retries nor translates")

			// Not retried: an ordinary error, and a lock wait timeout
			// (MySQL's 1205), which already waited innodb_lock_wait_timeout.
			calls = 0
			boom := errors.New("boom")
			err = db.Do(ctx, func(context.Context) error { calls++; return boom })
			require.Equal(t, 1, calls)
			require.Same(t, boom, err)
			if driver == "mysql" {
				calls = 0
				timeout := &mysqldrv.MySQLError{Number: 1205, Message: "Lock wait timeout exceeded; try restarting transaction"}
				err = db.Do(ctx, func(context.Context) error { calls++; return timeout })
				require.Equal(t, 1, calls)
				require.ErrorAs(t, err, &later)
				require.Equal(t, "transaction_conflict", later.Code)
			}

			// A retry stops when the caller's context ends.
			cctx, cancel := context.WithCancel(ctx)
			calls = 0
			err = db.Do(cctx, func(context.Context) error { calls++; cancel(); return victim })
			require.Equal(t, 1, calls)
			require.ErrorIs(t, err, context.Canceled)
		})
	}
}

// waitingOnLock counts this database's sessions waiting for a row lock.
func waitingOnLock(ctx context.Context, db *persistence.DB) (int, error) {
	q := `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`
	if db.Dialect() == persistence.MySQL {
		q = `SELECT count(*) FROM information_schema.innodb_trx t
		     JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
		     WHERE t.trx_state = 'LOCK WAIT' AND p.db = DATABASE()`
	}
	var n int
	err := db.SQL().QueryRowContext(ctx, q).Scan(&n)
	return n, err
}

// TestDeadlockedRequestIsRetriedElse503HTTP drives a real deadlock through
// the router: a transaction of the test holds a stock row, a priced receipt
// (which locks its product row first) waits for it, then the test's
// transaction asks for that product row. The server aborts the request's
// transaction, the smaller and the first to wait (else the scenario runs
// again). With the default retries
// the request runs again once the test's transaction has committed and
// succeeds; with a single attempt it is answered 503 transaction_conflict
// with Retry-After, as openapi.yaml documents, and leaves no trace.
func TestDeadlockedRequestIsRetriedElse503HTTP(t *testing.T) {
	for _, driver := range []string{"postgres", "mysql"} {
		t.Run(driver, func(t *testing.T) {
			a := apptest.New(t, driver)
			admin := a.AdminToken(t)
			create := func(path string, body map[string]any) int64 {
				res := a.Do(t, http.MethodPost, path, body, admin)
				require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
				var out struct{ ID int64 }
				res.JSON(t, &out)
				return out.ID
			}
			p := create("/api/v1/products", map[string]any{"ref": "DL", "label": "Deadlock"})
			w := create("/api/v1/warehouses", map[string]any{"label": "DL"})
			create("/api/v1/stock/movements", map[string]any{"product_id": p, "warehouse_id": w, "quantity": "10"})
			settings := persistence.NewSettingsRepo(a.DB)

			// receive makes the deadlock and returns the request's answer,
			// and whether the server chose the test's transaction as the
			// victim instead (PostgreSQL checks a wait once, after
			// deadlock_timeout: on a loaded machine the cycle may close
			// after the request's check, and the test's own check finds it).
			receive := func() (*apptest.Response, bool) {
				ctx := context.Background()
				sent := make(chan *apptest.Response, 1)
				sendErr := make(chan error, 1)
				attempts := 0
				err := a.DB.Do(ctx, func(ctx context.Context) error {
					if attempts++; attempts > 1 {
						return nil // this side was the victim: the request went through
					}
					// Rows written first make this the larger transaction,
					// the one InnoDB keeps when it picks a victim.
					for i := range 50 {
						if err := settings.Put(ctx, fmt.Sprintf("weight-%d", i), "x"); err != nil {
							return err
						}
					}
					g := a.DB.Gorm(ctx)
					if err := g.Exec("SELECT id FROM product_stock WHERE product_id = ? AND warehouse_id = ? FOR UPDATE", p, w).Error; err != nil {
						return err
					}
					go func() {
						res, err := a.Send(http.MethodPost, "/api/v1/stock/movements",
							map[string]any{"product_id": p, "warehouse_id": w, "quantity": "5", "unit_price": "2"}, admin)
						sent <- res
						sendErr <- err
					}()
					for {
						n, err := waitingOnLock(ctx, a.DB)
						if err != nil {
							return err
						}
						if n > 0 {
							break
						}
						time.Sleep(pollEvery(driver))
					}
					return g.Exec("SELECT id FROM products WHERE id = ? FOR UPDATE", p).Error
				})
				var later *domain.RetryLater
				lost := attempts > 1 || errors.As(err, &later)
				if !lost {
					require.NoError(t, err)
				}
				res := <-sent
				require.NoError(t, <-sendErr)
				return res, lost
			}

			onHand := 10
			persistence.SetRetry(a.DB, 1, time.Millisecond)
			for try := 1; ; try++ {
				res, lost := receive()
				if lost {
					require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
					onHand += 5
					require.Less(t, try, 5, "the server keeps choosing the test's transaction as the victim")
					continue
				}
				require.Equal(t, http.StatusServiceUnavailable, res.Status, "%s", res.Body)
				require.Equal(t, "transaction_conflict", res.Problem(t).Code)
				require.Equal(t, "1", res.Header.Get("Retry-After"))
				require.NotContains(t, string(res.Body), "eadlock", "the driver's message stays in the log")
				require.Contains(t, a.Logs(), `"code":"transaction_conflict"`)
				break
			}

			persistence.SetRetry(a.DB, 5, 10*time.Millisecond)
			res, _ := receive()
			require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
			onHand += 5

			res = a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/products/%d/stock", p), nil, admin)
			require.Equal(t, http.StatusOK, res.Status)
			var st struct{ Total string }
			res.JSON(t, &st)
			require.Equal(t, fmt.Sprint(onHand), st.Total, "the refused receipt left nothing, the retried one was applied once")
		})
	}
}

// abortFirstAttempt is the real transactor, except that the first attempt
// of every outermost transaction runs to the end and is then aborted as a
// deadlock victim would be (rolled back, then run again by DB.Do). before,
// when set, runs at the start of each attempt, holding no lock yet.
type abortFirstAttempt struct {
	db     *persistence.DB
	before func(attempt int)
}

func (f *abortFirstAttempt) Do(ctx context.Context, fn func(context.Context) error) error {
	if persistence.InTx(ctx) {
		return f.db.Do(ctx, fn)
	}
	attempt := 0
	return f.db.Do(ctx, func(ctx context.Context) error {
		attempt++
		if f.before != nil {
			f.before(attempt)
		}
		if err := fn(ctx); err != nil {
			return err
		}
		if attempt == 1 {
			return victimError(f.db.Dialect().Name())
		}
		return nil
	})
}

// TestUseCasesKeepNothingFromAnAbortedAttempt: DB.Do runs an aborted
// transaction again from the start, so a use case's closure must not carry
// anything over from the attempt that was rolled back. Customer and
// supplier codes drawn in a rolled-back attempt are drawn again (the
// counters went back too), and a correction whose retry finds the count
// already matching reports no movement, not the one it rolled back.
func TestUseCasesKeepNothingFromAnAbortedAttempt(t *testing.T) {
	for _, driver := range []string{"postgres", "mysql"} {
		t.Run(driver, func(t *testing.T) {
			db := testdb.New(t, driver)
			ctx := context.Background()
			tx := &abortFirstAttempt{db: db}
			repo := persistence.NewCatalogRepo(db)
			cat := catalog.NewThirdParties(tx, persistence.NewThirdPartyRepo(db), persistence.NewCounterRepo(db), time.Now)

			var customers, suppliers []string
			for i := range 3 {
				tp, err := cat.Create(ctx, catalog.ThirdPartyFields{Name: ptr(fmt.Sprint("Retried ", i)), Customer: ptr(true)})
				require.NoError(t, err)
				customers = append(customers, tp.CustomerCode)
				// Becoming a supplier draws a supplier code in the update.
				tp, err = cat.Update(ctx, tp.ID, tp.Version, catalog.ThirdPartyFields{Supplier: ptr(true)})
				require.NoError(t, err)
				suppliers = append(suppliers, tp.SupplierCode)
				got, err := repo.GetThirdParty(ctx, tp.ID)
				require.NoError(t, err)
				require.Equal(t, tp.CustomerCode, got.CustomerCode)
				require.Equal(t, tp.SupplierCode, got.SupplierCode)
			}
			for i := range 3 {
				require.Regexp(t, fmt.Sprintf(`^CU\d{4}-%04d$`, i+1), customers[i], "consecutive: %v", customers)
				require.Regexp(t, fmt.Sprintf(`^SU\d{4}-%04d$`, i+1), suppliers[i], "consecutive: %v", suppliers)
			}

			// A correction to 7 whose first attempt journals +7 and is
			// rolled back; before the retry, another correction sets 7.
			f := newStockFixture(t, db, domain.StockPolicy{})
			svc := stock.New(tx, f.repo, repo, domain.StockPolicy{})
			tx.before = func(attempt int) {
				if attempt == 2 {
					_, err := f.svc.Correct(ctx, stock.CorrectionInput{ProductID: f.product, WarehouseID: f.warehouse, Counted: domain.MustDecimal("7")})
					require.NoError(t, err)
				}
			}
			m, err := svc.Correct(ctx, stock.CorrectionInput{ProductID: f.product, WarehouseID: f.warehouse, Counted: domain.MustDecimal("7")})
			require.NoError(t, err)
			require.Nil(t, m, "the committed attempt found the count matching: no movement")
			sum, n := f.journalSum(t, f.warehouse)
			require.EqualValues(t, 1, n, "only the other correction's line")
			require.Equal(t, "7", sum.String())
		})
	}
}

// TestSQLiteBusyIs503: another process holding SQLite's write lock past
// busy_timeout makes BEGIN IMMEDIATE fail with SQLITE_BUSY; the transaction
// is not retried (it already waited) and answers database_busy, not 500.
func TestSQLiteBusyIs503(t *testing.T) {
	dsn := testdb.DSN(t, "sqlite") + "?_pragma=busy_timeout(50)"
	open := func() *persistence.DB {
		db, err := persistence.Open(persistence.Options{Driver: "sqlite", DSN: dsn})
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	// Two handles stand for two processes: each has its own writer slot.
	first, second := open(), open()
	require.NoError(t, first.MigrateUp())
	ctx := context.Background()
	held, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- first.Do(ctx, func(ctx context.Context) error {
			if err := persistence.NewSettingsRepo(first).Put(ctx, "k", "first"); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	calls := 0
	err := second.Do(ctx, func(ctx context.Context) error {
		calls++
		return persistence.NewSettingsRepo(second).Put(ctx, "k", "second")
	})
	close(release)
	require.NoError(t, <-done)
	var later *domain.RetryLater
	require.ErrorAs(t, err, &later, "%v", err)
	require.Equal(t, "database_busy", later.Code)
	require.LessOrEqual(t, calls, 1, "not retried")
}

// TestDoReadsTheLatestCommittedRows: inside a transaction each statement
// sees what other transactions have committed (READ COMMITTED, on MySQL and
// MariaDB too), not a snapshot fixed by the transaction's first read: with
// MariaDB's innodb_snapshot_isolation such a snapshot makes a later locking
// read of a changed row fail (1020). SQLite's single writer admits no
// concurrent commit.
func TestDoReadsTheLatestCommittedRows(t *testing.T) {
	for _, driver := range []string{"postgres", "mysql"} {
		t.Run(driver, func(t *testing.T) {
			db := testdb.New(t, driver)
			repo := persistence.NewSettingsRepo(db)
			ctx := context.Background()
			require.NoError(t, repo.Put(ctx, "k", "before"))
			err := db.Do(ctx, func(txCtx context.Context) error {
				v, err := repo.Get(txCtx, "k")
				require.NoError(t, err)
				require.Equal(t, "before", v)
				require.NoError(t, repo.Put(ctx, "k", "after"), "committed by another connection")
				v, err = repo.Get(txCtx, "k")
				require.NoError(t, err)
				require.Equal(t, "after", v, "a plain read sees the latest commit")
				return nil
			})
			require.NoError(t, err)
		})
	}
}
