package persistence

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

// warehouseRow is the one description of a warehouses row.
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

func toWarehouseRow(w *domain.Warehouse) warehouseRow {
	return warehouseRow{
		ID: w.ID, Label: w.Label, Description: w.Description, Location: w.Location, Address: w.Address,
		Zip: w.Zip, Town: w.Town, CountryCode: w.CountryCode, Status: int(w.Status),
		Version: w.Version, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
	}
}

func toWarehouse(r *warehouseRow) domain.Warehouse {
	return domain.Warehouse{
		ID: r.ID, Label: r.Label, Description: r.Description, Location: r.Location, Address: r.Address,
		Zip: r.Zip, Town: r.Town, CountryCode: r.CountryCode, Status: domain.WarehouseStatus(r.Status),
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// WarehouseRepo stores warehouses.
type WarehouseRepo struct{ db *DB }

var _ catalog.WarehouseRepo = (*WarehouseRepo)(nil)

// NewWarehouseRepo returns the warehouse repository on db.
func NewWarehouseRepo(db *DB) *WarehouseRepo { return &WarehouseRepo{db: db} }

// Create stores w at version 1 with the timestamps it carries and sets its
// id and version.
func (r *WarehouseRepo) Create(ctx context.Context, w *domain.Warehouse) error {
	row := toWarehouseRow(w)
	row.Version = 1
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "warehouse "+w.Label)
	}
	w.ID, w.Version = row.ID, row.Version
	return nil
}

// Get loads warehouse id.
func (r *WarehouseRepo) Get(ctx context.Context, id int64) (*domain.Warehouse, error) {
	var row warehouseRow
	if err := getByID(ctx, r.db, &row, "warehouse", id); err != nil {
		return nil, err
	}
	w := toWarehouse(&row)
	return &w, nil
}

// Update writes w if it is still at w.Version and bumps it.
func (r *WarehouseRepo) Update(ctx context.Context, w *domain.Warehouse) error {
	row := toWarehouseRow(w)
	row.Version++
	if err := updateVersioned(ctx, r.db, &row, "warehouse", w.ID, w.Version); err != nil {
		return err
	}
	w.Version = row.Version
	return nil
}

// Delete deletes warehouse id.
func (r *WarehouseRepo) Delete(ctx context.Context, id int64) error {
	return deleteByID(ctx, r.db, &warehouseRow{}, "warehouse", id)
}

var warehouseList = listSpec{sorts: sortSpec(catalog.WarehouseSorts), search: []string{"label", "location", "town"}}

// List lists warehouses matching f.
func (r *WarehouseRepo) List(ctx context.Context, f catalog.WarehouseFilter) (domain.Page[domain.Warehouse], error) {
	q := r.db.Gorm(ctx).Model(&warehouseRow{})
	if f.Status != nil {
		q = q.Where("status = ?", int(*f.Status))
	}
	var rows []warehouseRow
	total, err := list(q, f.ListParams, warehouseList, &rows)
	if err != nil {
		return domain.Page[domain.Warehouse]{}, translate(err, "warehouses")
	}
	return pageOf(rows, total, toWarehouse), nil
}

// OpenWarehouseIDs returns the ids of up to limit open warehouses, in id
// order: a validation without a warehouse takes the only one.
func (r *WarehouseRepo) OpenWarehouseIDs(ctx context.Context, limit int) ([]int64, error) {
	var ids []int64
	err := r.db.Gorm(ctx).Model(&warehouseRow{}).Where("status = ?", int(domain.WarehouseOpen)).Order("id").Limit(limit).Pluck("id", &ids).Error
	return ids, translate(err, "warehouse")
}
