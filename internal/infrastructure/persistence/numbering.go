package persistence

import (
	"time"

	"gorm.io/gorm/clause"

	"context"

	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
)

// Numbering draws document numbers from the gap-free counters
// (numbering_counters, decision 0010).
type Numbering struct{ db *DB }

var _ document.Counter = (*Numbering)(nil)

// NewNumbering returns the counters on db.
func NewNumbering(db *DB) *Numbering { return &Numbering{db: db} }

// NextNumber increments the counter of (scope, period), creating it at 1 on
// first use, and returns its new value, in one statement that takes the
// counter row's exclusive lock (the lock SELECT ... FOR UPDATE takes) and
// keeps it until the caller's transaction ends: two validations can never
// draw the same number and a rolled-back one gives its number back, so the
// sequence has no gap, whatever the number of API replicas. On SQLite the
// transaction already holds the single write lock (BEGIN IMMEDIATE).
//
// PostgreSQL and SQLite use INSERT ... ON CONFLICT DO UPDATE ... RETURNING.
// MySQL has no RETURNING on updates: INSERT ... ON DUPLICATE KEY UPDATE
// sets the new value through LAST_INSERT_ID(expr), kept per connection
// (which the transaction pins); it reports 1 affected row for a creation,
// 2 for an increment. A single statement matters on InnoDB: a locking read
// or UPDATE that misses takes a gap lock, and two transactions inserting
// into that gap afterwards deadlock.
func (r *Numbering) NextNumber(ctx context.Context, scope, period string) (int64, error) {
	return nextCounter(ctx, r.db, scope, period)
}

// nextCounter is the one counter increment behind NextNumber and
// CounterRepo.Next (see NextNumber for how it locks).
func nextCounter(ctx context.Context, db *DB, scope, period string) (int64, error) {
	if !InTx(ctx) {
		return 0, errNoTx
	}
	tx := db.Gorm(ctx)
	var n int64
	if !db.Dialect().Returning() {
		res := tx.Exec("INSERT INTO numbering_counters (scope, period_key, last_value) VALUES (?, ?, 1) "+
			"ON DUPLICATE KEY UPDATE last_value = LAST_INSERT_ID(last_value + 1)", scope, period)
		if res.Error != nil {
			return 0, translate(res.Error, "numbering counter")
		}
		if res.RowsAffected == 1 {
			return 1, nil
		}
		if err := tx.Raw("SELECT LAST_INSERT_ID()").Row().Scan(&n); err != nil {
			return 0, translate(err, "numbering counter")
		}
		return n, nil
	}
	err := tx.Raw("INSERT INTO numbering_counters (scope, period_key, last_value) VALUES (?, ?, 1) "+
		"ON CONFLICT (scope, period_key) DO UPDATE SET last_value = numbering_counters.last_value + 1 RETURNING last_value",
		scope, period).Row().Scan(&n)
	if err != nil {
		return 0, translate(err, "numbering counter")
	}
	return n, nil
}

// seriesRow is a numbering series' last validated date (numbering_series).
type seriesRow struct {
	Scope    string     `gorm:"column:scope;primaryKey"`
	LastDate *time.Time `gorm:"column:last_date"`
}

func (seriesRow) TableName() string { return "numbering_series" }

var _ document.Chronology = (*Numbering)(nil)

// LockLastDate creates the series row of scope when missing (an insert
// that does nothing on a duplicate, so that the locking read never misses
// and takes no gap lock on InnoDB), then reads it FOR UPDATE: every
// validation of the series then waits for the one before it to commit. On
// SQLite the transaction already holds the single write lock.
func (r *Numbering) LockLastDate(ctx context.Context, scope string) (time.Time, error) {
	if !InTx(ctx) {
		return time.Time{}, errNoTx
	}
	tx := r.db.Gorm(ctx)
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&seriesRow{Scope: scope}).Error; err != nil {
		return time.Time{}, translate(err, "numbering series")
	}
	var row seriesRow
	if err := tx.Clauses(forUpdate).Where("scope = ?", scope).Take(&row).Error; err != nil {
		return time.Time{}, translate(err, "numbering series")
	}
	if row.LastDate == nil {
		return time.Time{}, nil
	}
	return dateOf(*row.LastDate), nil
}

// SetLastDate records the series' last validated date.
func (r *Numbering) SetLastDate(ctx context.Context, scope string, date time.Time) error {
	d := dateOf(date)
	err := r.db.Gorm(ctx).Model(&seriesRow{}).Where("scope = ?", scope).Update("last_date", &d).Error
	return translate(err, "numbering series")
}
