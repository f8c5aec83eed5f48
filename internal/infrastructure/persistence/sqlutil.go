package persistence

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// getByID loads row id of dest's table.
func getByID(ctx context.Context, db *DB, dest any, what string, id int64) error {
	err := db.Gorm(ctx).Where("id = ?", id).Take(dest).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.E(domain.ErrNotFound, "not_found", "%s %d not found", what, id)
	}
	return translate(err, what)
}

// updateVersioned writes every column of row (a pointer to a row struct
// whose id is id) but id, created_at and omit, only if the stored version
// is still version; the caller has set the row's version to version+1.
// UpdateColumns writes updated_at as the row carries it, where Updates
// would put GORM's clock in its place. When no row matched it tells a
// deleted row (not found) from a stale version.
func updateVersioned(ctx context.Context, db *DB, row any, what string, id, version int64, omit ...string) error {
	res := db.Gorm(ctx).Model(row).Select("*").Omit(append([]string{"id", "created_at"}, omit...)...).
		Where("version = ?", version).UpdateColumns(row)
	if res.Error != nil {
		return translate(res.Error, what)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var n int64
	if err := db.Gorm(ctx).Model(row).Where("id = ?", id).Count(&n).Error; err != nil {
		return translate(err, what)
	}
	if n == 0 {
		return domain.E(domain.ErrNotFound, "not_found", "%s %d not found", what, id)
	}
	return &domain.StaleVersion{What: what, ID: id, Expected: version}
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

// pageOf converts one page of rows into entities.
func pageOf[R, T any](rows []R, total int64, to func(*R) T) domain.Page[T] {
	out := make([]T, len(rows))
	for i := range rows {
		out[i] = to(&rows[i])
	}
	return domain.Page[T]{Items: out, Total: total}
}

// nullable is s, or NULL when s is empty (unique indexes ignore NULLs).
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// deref is *s, or "" for NULL.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
