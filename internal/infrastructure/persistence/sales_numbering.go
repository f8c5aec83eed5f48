package persistence

import (
	"context"
	"sync"

	"gorm.io/gorm/clause"
)

// seededCounters remembers the (scope, period) counter rows this process
// has seen, so only the first validation of a period pays for creating one.
type seededCounters struct{ m sync.Map }

func (s *seededCounters) has(key string) bool { _, ok := s.m.Load(key); return ok }
func (s *seededCounters) add(key string)      { s.m.Store(key, struct{}{}) }

// NextNumber increments the counter of (scope, period) and returns its new
// value. The UPDATE takes the row's exclusive lock (the lock SELECT ... FOR
// UPDATE takes) and keeps it until the caller's transaction ends: two
// validations can never draw the same number, a rolled-back one gives its
// number back, so the sequence has no gap, whatever the number of API
// replicas. On SQLite the transaction already holds the single write lock
// (BEGIN IMMEDIATE).
//
// The row is created at zero on first use. PostgreSQL and SQLite create it
// inside the transaction with INSERT ... ON CONFLICT DO NOTHING (a racing
// creator waits for the first and then finds the row). MySQL/InnoDB cannot:
// an UPDATE or locking read that misses takes a gap lock, and two such
// transactions inserting into the gap deadlock; there the row is created
// beforehand in its own autocommit statement, before this transaction
// touches the counter.
func (r *SalesRepo) NextNumber(ctx context.Context, scope, period string) (int64, error) {
	if !InTx(ctx) {
		return 0, errNoTx
	}
	key := scope + "\x00" + period
	seed := counterRow{Scope: scope, PeriodKey: period}
	if r.db.Driver() == "mysql" && !r.seeded.has(key) {
		// r.db.gorm, not Gorm(ctx): outside the caller's transaction.
		if err := r.db.gorm.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&seed).Error; err != nil {
			return 0, translate(err, "numbering counter")
		}
		r.seeded.add(key)
	}
	n, ok, err := r.bump(ctx, scope, period)
	if err != nil || ok {
		return n, err
	}
	if r.db.Driver() == "mysql" {
		// The row was deleted since it was seeded: fall back to the
		// locking read that creates it.
		var row counterRow
		if err := lockOrCreate(ctx, r.db, map[string]any{"scope": scope, "period_key": period}, &seed, &row); err != nil {
			return 0, translate(err, "numbering counter")
		}
	} else if err := r.db.Gorm(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&seed).Error; err != nil {
		return 0, translate(err, "numbering counter")
	}
	r.seeded.add(key)
	n, ok, err = r.bump(ctx, scope, period)
	if err == nil && !ok {
		err = errCounter
	}
	return n, err
}

// bump increments the row if it exists: UPDATE ... RETURNING where the
// engine has it, MySQL's LAST_INSERT_ID(expr) idiom otherwise (the value
// is kept per connection, which the transaction pins).
func (r *SalesRepo) bump(ctx context.Context, scope, period string) (int64, bool, error) {
	tx := r.db.Gorm(ctx)
	if r.db.Driver() == "mysql" {
		res := tx.Exec("UPDATE numbering_counters SET last_value = LAST_INSERT_ID(last_value + 1) WHERE scope = ? AND period_key = ?", scope, period)
		if res.Error != nil {
			return 0, false, translate(res.Error, "numbering counter")
		}
		if res.RowsAffected == 0 {
			return 0, false, nil
		}
		var n int64
		if err := tx.Raw("SELECT LAST_INSERT_ID()").Row().Scan(&n); err != nil {
			return 0, false, translate(err, "numbering counter")
		}
		return n, true, nil
	}
	rows, err := tx.Raw("UPDATE numbering_counters SET last_value = last_value + 1 WHERE scope = ? AND period_key = ? RETURNING last_value", scope, period).Rows()
	if err != nil {
		return 0, false, translate(err, "numbering counter")
	}
	defer rows.Close()
	if !rows.Next() {
		return 0, false, translate(rows.Err(), "numbering counter")
	}
	var n int64
	if err := rows.Scan(&n); err != nil {
		return 0, false, translate(err, "numbering counter")
	}
	return n, true, rows.Err()
}
