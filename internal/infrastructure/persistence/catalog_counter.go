package persistence

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

type counterRow struct {
	Scope     string `gorm:"primaryKey"`
	PeriodKey string `gorm:"primaryKey"`
	LastValue int64
}

func (counterRow) TableName() string { return "numbering_counters" }

// CounterRepo hands out numbers from counter rows locked FOR UPDATE in the
// caller's transaction: unlike MAX(code)+1, two transactions can never read
// the same value, and a rolled-back one gives its number back.
type CounterRepo struct{ db *DB }

var _ catalog.Counters = (*CounterRepo)(nil)

// NewCounterRepo returns the counter repository on db.
func NewCounterRepo(db *DB) *CounterRepo { return &CounterRepo{db: db} }

// Next returns the next number of scope (1, 2, ...). It must run inside a
// transaction, which keeps the counter row locked until it ends.
func (r *CounterRepo) Next(ctx context.Context, scope string) (int64, error) {
	var row counterRow
	key := map[string]any{"scope": scope, "period_key": ""}
	if err := lockOrCreate(ctx, r.db, key, &counterRow{Scope: scope}, &row); err != nil {
		return 0, translate(err, "counter "+scope)
	}
	next := row.LastValue + 1
	err := r.db.Gorm(ctx).Model(&counterRow{}).Where("scope = ? AND period_key = ?", scope, "").
		Update("last_value", next).Error
	if err != nil {
		return 0, translate(err, "counter "+scope)
	}
	return next, nil
}
