package persistence

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// The helpers every repository shares: row locks, reads and deletes by id,
// and the conversions between entity values and nullable columns.

// forUpdate is the row lock every change takes: SELECT ... FOR UPDATE on
// PostgreSQL and MySQL. GORM's SQLite dialector drops it; there the
// transaction began with BEGIN IMMEDIATE and already holds the database's
// single write lock (Dialect.SingleWriter, decision 0008).
var forUpdate = clause.Locking{Strength: clause.LockingStrengthUpdate}

var errNoTx = errors.New("persistence: row locks need a transaction; call it inside Transactor.Do")

// getByID loads row id of dest's table.
func getByID(ctx context.Context, db *DB, dest any, what string, id int64) error {
	err := db.Gorm(ctx).Where("id = ?", id).Take(dest).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.E(domain.ErrNotFound, "not_found", "%s %d not found", what, id)
	}
	return translate(err, what)
}

// deleteByID deletes the row id of model's table; a row that other rows
// still refer to is a conflict.
func deleteByID(ctx context.Context, db *DB, model any, what string, id int64) error {
	res := db.Gorm(ctx).Where("id = ?", id).Delete(model)
	if res.Error != nil {
		return translate(res.Error, what)
	}
	if res.RowsAffected == 0 {
		return domain.E(domain.ErrNotFound, "not_found", "%s %d not found", what, id)
	}
	return nil
}

// nullable is s as a nullable column: the empty string is NULL.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// deref reads a nullable text column; NULL is the empty string.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// optID is id as a nullable column: zero, the unset id, is NULL.
func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// idOf reads a nullable id column; NULL is zero.
func idOf(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// optTime is t as a nullable timestamp column, in UTC at the microsecond
// every engine keeps; the zero time is NULL.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// timeOf reads a nullable timestamp column in UTC; NULL is the zero time.
func timeOf(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

// dateOf reads a DATE column as midnight UTC whatever zone the driver gave.
func dateOf(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// optDate is t as a nullable DATE column; the zero time is NULL.
func optDate(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	d := dateOf(t)
	return &d
}
