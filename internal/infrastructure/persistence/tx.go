package persistence

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

type txKey struct{}

// sqliteWriterWait bounds the wait for SQLite's single writer slot
// (DB.writerWait); it matches the busy_timeout the DSN sets.
const sqliteWriterWait = 10 * time.Second

var _ domain.Transactor = (*DB)(nil)

// Do runs fn in a transaction carried by the context it passes to fn.
// Called with a context that already carries one, it joins it: the outer
// caller decides commit or rollback.
func (d *DB) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
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
			return domain.E(domain.ErrUnavailable, "database_busy", "the database is busy; retry the request")
		case <-ctx.Done():
			wait.Stop()
			return ctx.Err()
		}
	}
	return d.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
}

// InTx reports whether ctx carries a transaction.
func InTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*gorm.DB)
	return ok
}
