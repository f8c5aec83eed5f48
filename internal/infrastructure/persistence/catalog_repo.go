package persistence

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

// CatalogRepo is the catalogue as other capabilities read it (stock,
// sales, documents, mailing, and contacts checking their third party): one
// lookup per aggregate they refer to. The catalogue's own use cases write
// through the per-aggregate repositories (ThirdPartyRepo, ContactRepo,
// ProductRepo, WarehouseRepo).
type CatalogRepo struct{ db *DB }

var (
	_ stock.Catalog            = (*CatalogRepo)(nil)
	_ catalog.ThirdPartyLookup = (*CatalogRepo)(nil)
)

// NewCatalogRepo returns the catalogue lookups on db.
func NewCatalogRepo(db *DB) *CatalogRepo { return &CatalogRepo{db: db} }

// GetThirdParty loads third party id.
func (r *CatalogRepo) GetThirdParty(ctx context.Context, id int64) (*domain.ThirdParty, error) {
	return NewThirdPartyRepo(r.db).Get(ctx, id)
}

// GetProduct loads product id.
func (r *CatalogRepo) GetProduct(ctx context.Context, id int64) (*domain.Product, error) {
	return NewProductRepo(r.db).Get(ctx, id)
}

// GetWarehouse loads warehouse id.
func (r *CatalogRepo) GetWarehouse(ctx context.Context, id int64) (*domain.Warehouse, error) {
	return NewWarehouseRepo(r.db).Get(ctx, id)
}

// pageOf converts one page of rows into entities.
func pageOf[R, T any](rows []R, total int64, to func(*R) T) domain.Page[T] {
	out := make([]T, len(rows))
	for i := range rows {
		out[i] = to(&rows[i])
	}
	return domain.Page[T]{Items: out, Total: total}
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

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
