package persistence

import (
	"context"

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
