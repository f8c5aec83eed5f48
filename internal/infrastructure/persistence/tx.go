package persistence

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

type txKey struct{}

// sqliteWriterWait bounds the wait for SQLite's single writer slot
// (DB.writerWait); it matches the busy_timeout the DSN sets.
const sqliteWriterWait = 10 * time.Second

// How Do retries a transaction the database chose as a victim (decision
// 0008, addendum): at most txAttempts runs, pausing between them a random
// time in [b/2, b] where b starts at txBackoff and doubles, so that the
// transactions that collided do not meet again in step. Four pauses add up
// to at most 150 ms, well inside a request's deadline.
const (
	txAttempts = 5
	txBackoff  = 10 * time.Millisecond
	// retryAfter is what a 503 tells the client to wait: longer than the
	// contention that made every attempt fail is likely to last.
	retryAfter = time.Second
)

// retryPolicy is DB's copy of the constants above, which tests shorten.
type retryPolicy struct {
	attempts int
	backoff  time.Duration
}

var _ domain.Transactor = (*DB)(nil)

// Do runs fn in a transaction carried by the context it passes to fn.
// Called with a context that already carries one, it joins it: the outer
// caller decides commit, rollback and retry.
//
// The outermost call runs fn again, from scratch in a new transaction, when
// the database aborted the transaction to resolve a conflict (a deadlock,
// a serialization failure): nothing of the failed attempt was kept, and
// the same work usually succeeds once the other transaction is gone. fn
// must therefore start from its inputs on every call, never from state a
// failed attempt left behind. When every attempt fails, or when the
// database gave up waiting for a lock, the error is a *domain.RetryLater
// (503 transaction_conflict with Retry-After), never the driver's error.
func (d *DB) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	for attempt := 1; ; attempt++ {
		err := d.attempt(ctx, fn)
		if err == nil || !isVictim(err) {
			return unavailable(err)
		}
		if attempt >= d.retry.attempts {
			return &domain.RetryLater{Code: "transaction_conflict", After: retryAfter, Cause: err,
				Message: "the request conflicted with concurrent changes and was not applied; retry it"}
		}
		pause := d.retry.backoff << (attempt - 1)
		pause = pause/2 + rand.N(pause/2+1) //nolint:gosec // jitter, not a secret
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// attempt runs fn once in a new transaction.
func (d *DB) attempt(ctx context.Context, fn func(ctx context.Context) error) error {
	if d.writer != nil {
		// Wait no longer than SQLite's own busy_timeout would have: a
		// transaction opened while another is held on a context that does
		// not carry it fails as it did before, instead of hanging.
		wait := time.NewTimer(d.writerWait)
		select {
		case d.writer <- struct{}{}:
			wait.Stop()
			defer func() { <-d.writer }()
		case <-wait.C:
			return &domain.RetryLater{Code: "database_busy", After: retryAfter,
				Message: "the database is busy; retry the request"}
		case <-ctx.Done():
			wait.Stop()
			return ctx.Err()
		}
	}
	// READ COMMITTED on every engine with row locks: PostgreSQL's default,
	// and on MySQL/MariaDB the level openMySQL sets on each connection.
	return d.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
}

// isVictim reports whether err is the database aborting the transaction to
// resolve a conflict with others, which running it again may not meet:
// MySQL/MariaDB's deadlock (1213) and MariaDB's "record has changed since
// last read" (1020, innodb_snapshot_isolation), PostgreSQL's deadlock
// (40P01) and serialization failure (40001). SQLite's single writer cannot
// deadlock.
func isVictim(err error) bool {
	var me *mysqldrv.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1213 || me.Number == 1020
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40P01" || pe.Code == "40001"
	}
	return false
}

// unavailable turns the errors of a transaction that waited as long as the
// configuration allows into a *domain.RetryLater, and returns others as they
// are. They are not retried: the wait was already long (MySQL's lock wait
// timeout, 1205, is innodb_lock_wait_timeout, 50 s by default; SQLite's
// busy_timeout 10 s), and another would outlast the request.
func unavailable(err error) error {
	var me *mysqldrv.MySQLError
	if errors.As(err, &me) && me.Number == 1205 {
		return &domain.RetryLater{Code: "transaction_conflict", After: retryAfter, Cause: err,
			Message: "the request waited too long for rows other requests were changing and was not applied; retry it"}
	}
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY {
		return &domain.RetryLater{Code: "database_busy", After: retryAfter, Cause: err,
			Message: "the database is busy; retry the request"}
	}
	return err
}

// InTx reports whether ctx carries a transaction.
func InTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*gorm.DB)
	return ok
}
