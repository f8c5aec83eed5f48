package persistence

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

// CounterRepo hands out catalogue code numbers from the numbering_counters
// rows the sales numbering uses, through the same single-statement
// increment (nextCounter): unlike MAX(code)+1, two transactions can never
// read the same value, and a rolled-back one gives its number back.
type CounterRepo struct{ db *DB }

var _ catalog.Counters = (*CounterRepo)(nil)

// NewCounterRepo returns the counter repository on db.
func NewCounterRepo(db *DB) *CounterRepo { return &CounterRepo{db: db} }

// Next returns the next number of scope (1, 2, ...). It must run inside a
// transaction, which keeps the counter row locked until it ends.
func (r *CounterRepo) Next(ctx context.Context, scope string) (int64, error) {
	return nextCounter(ctx, r.db, scope, "")
}
