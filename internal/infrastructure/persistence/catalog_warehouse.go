package persistence

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

type warehouseRow struct {
	ID          int64 `gorm:"primaryKey"`
	Label       string
	Description string
	Location    string
	Address     string
	Zip         string
	Town        string
	CountryCode string
	Status      int
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (warehouseRow) TableName() string { return "warehouses" }

func toWarehouse(r *warehouseRow) domain.Warehouse {
	return domain.Warehouse{
		ID: r.ID, Label: r.Label, Description: r.Description, Location: r.Location, Address: r.Address,
		Zip: r.Zip, Town: r.Town, CountryCode: r.CountryCode, Status: domain.WarehouseStatus(r.Status),
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// CreateWarehouse stores w and sets its id, version and timestamps.
func (r *CatalogRepo) CreateWarehouse(ctx context.Context, w *domain.Warehouse) error {
	t := now()
	w.Version, w.CreatedAt, w.UpdatedAt = 1, t, t
	row := warehouseRow{
		Label: w.Label, Description: w.Description, Location: w.Location, Address: w.Address, Zip: w.Zip,
		Town: w.Town, CountryCode: w.CountryCode, Status: int(w.Status), Version: 1, CreatedAt: t, UpdatedAt: t,
	}
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "warehouse "+w.Label)
	}
	w.ID = row.ID
	return nil
}

// GetWarehouse loads warehouse id.
func (r *CatalogRepo) GetWarehouse(ctx context.Context, id int64) (*domain.Warehouse, error) {
	var row warehouseRow
	if err := getByID(ctx, r.db, &row, "warehouse", id); err != nil {
		return nil, err
	}
	w := toWarehouse(&row)
	return &w, nil
}

// UpdateWarehouse writes w if it is still at version.
func (r *CatalogRepo) UpdateWarehouse(ctx context.Context, w *domain.Warehouse, version int64) error {
	t := now()
	v, err := updateVersioned(ctx, r.db, &warehouseRow{}, "warehouse", w.ID, version, map[string]any{
		"label": w.Label, "description": w.Description, "location": w.Location, "address": w.Address,
		"zip": w.Zip, "town": w.Town, "country_code": w.CountryCode, "status": int(w.Status),
	}, t)
	if err != nil {
		return err
	}
	w.Version, w.UpdatedAt = v, t
	return nil
}

// DeleteWarehouse deletes warehouse id.
func (r *CatalogRepo) DeleteWarehouse(ctx context.Context, id int64) error {
	return deleteByID(ctx, r.db, &warehouseRow{}, "warehouse", id)
}

var warehouseList = listSpec{sorts: sortSpec(catalog.WarehouseSorts), search: []string{"label", "location", "town"}}

// ListWarehouses lists warehouses matching f.
func (r *CatalogRepo) ListWarehouses(ctx context.Context, f catalog.WarehouseFilter) (domain.Page[domain.Warehouse], error) {
	q := r.db.Gorm(ctx).Model(&warehouseRow{})
	if f.Status != nil {
		q = q.Where("status = ?", int(*f.Status))
	}
	var rows []warehouseRow
	total, err := list(q, f.ListParams, warehouseList, &rows)
	if err != nil {
		return domain.Page[domain.Warehouse]{}, translate(err, "warehouses")
	}
	out := make([]domain.Warehouse, len(rows))
	for i := range rows {
		out[i] = toWarehouse(&rows[i])
	}
	return domain.Page[domain.Warehouse]{Items: out, Total: total}, nil
}
