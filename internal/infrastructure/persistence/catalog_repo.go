package persistence

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

// CatalogRepo stores third parties, contacts, products and warehouses.
type CatalogRepo struct{ db *DB }

var (
	_ catalog.Repo  = (*CatalogRepo)(nil)
	_ stock.Catalog = (*CatalogRepo)(nil)
)

// NewCatalogRepo returns the catalogue repository on db.
func NewCatalogRepo(db *DB) *CatalogRepo { return &CatalogRepo{db: db} }

// updateVersioned writes cols to the row id of model's table only if its
// version is still version, bumping it; it returns the new version. When no
// row matched it tells a deleted row (not found) from a stale version.
func updateVersioned(ctx context.Context, db *DB, model any, what string, id, version int64, cols map[string]any, now time.Time) (int64, error) {
	cols["version"] = gorm.Expr("version + 1")
	cols["updated_at"] = now
	res := db.Gorm(ctx).Model(model).Where("id = ? AND version = ?", id, version).Updates(cols)
	if res.Error != nil {
		return 0, translate(res.Error, what)
	}
	if res.RowsAffected == 1 {
		return version + 1, nil
	}
	var n int64
	if err := db.Gorm(ctx).Model(model).Where("id = ?", id).Count(&n).Error; err != nil {
		return 0, translate(err, what)
	}
	if n == 0 {
		return 0, domain.E(domain.ErrNotFound, "not_found", "%s %d not found", what, id)
	}
	return 0, &domain.StaleVersion{What: what, ID: id, Expected: version}
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
