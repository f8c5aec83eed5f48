package persistence

import (
	"context"

	"gorm.io/gorm"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

type txKey struct{}

var _ domain.Transactor = (*DB)(nil)

// Do runs fn in a transaction carried by the context it passes to fn.
// Called with a context that already carries one, it joins it: the outer
// caller decides commit or rollback.
func (d *DB) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	if d.writer != nil {
		select {
		case d.writer <- struct{}{}:
			defer func() { <-d.writer }()
		case <-ctx.Done():
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
