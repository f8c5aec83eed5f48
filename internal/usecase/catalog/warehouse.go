package catalog

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// WarehouseFields are the editable fields of a warehouse (nil: default on
// create, unchanged on update).
type WarehouseFields struct {
	Label       *string
	Description *string
	Location    *string
	Address     *string
	Zip         *string
	Town        *string
	CountryCode *string
	Status      *domain.WarehouseStatus
}

// WarehouseFilter selects warehouses; nil fields do not filter.
type WarehouseFilter struct {
	domain.ListParams
	Status *domain.WarehouseStatus
}

// WarehouseSorts are the fields warehouses can be sorted on.
var WarehouseSorts = []string{"id", "label", "created_at", "updated_at"}

func (f WarehouseFields) apply(w *domain.Warehouse) {
	setIf(&w.Label, f.Label)
	setIf(&w.Description, f.Description)
	setIf(&w.Location, f.Location)
	setIf(&w.Address, f.Address)
	setIf(&w.Zip, f.Zip)
	setIf(&w.Town, f.Town)
	setIf(&w.CountryCode, f.CountryCode)
	setIf(&w.Status, f.Status)
}

// CheckNewWarehouse reports the invariant errors of a warehouse created
// from f, merged after the caller's parse errors.
func (s *Service) CheckNewWarehouse(parse *domain.ValidationError, f WarehouseFields) error {
	w := &domain.Warehouse{Status: domain.WarehouseOpen}
	f.apply(w)
	return parse.Merge(w.Validate())
}

// CreateWarehouse validates and stores a new warehouse, open by default.
func (s *Service) CreateWarehouse(ctx context.Context, f WarehouseFields) (*domain.Warehouse, error) {
	w := &domain.Warehouse{Status: domain.WarehouseOpen}
	f.apply(w)
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if err := s.repo.CreateWarehouse(ctx, w); err != nil {
		return nil, err
	}
	return w, nil
}

// Warehouse returns one warehouse.
func (s *Service) Warehouse(ctx context.Context, id int64) (*domain.Warehouse, error) {
	return s.repo.GetWarehouse(ctx, id)
}

// UpdateWarehouse applies f to the warehouse if it is still at version.
func (s *Service) UpdateWarehouse(ctx context.Context, id, version int64, f WarehouseFields) (*domain.Warehouse, error) {
	w, err := s.repo.GetWarehouse(ctx, id)
	if err != nil {
		return nil, err
	}
	if w.Version != version {
		return nil, &domain.StaleVersion{What: "warehouse", ID: id, Expected: version}
	}
	f.apply(w)
	if err := w.Validate(); err != nil {
		return nil, err
	}
	if err := s.repo.UpdateWarehouse(ctx, w, version); err != nil {
		return nil, err
	}
	return w, nil
}

// DeleteWarehouse deletes a warehouse that holds no stock rows.
func (s *Service) DeleteWarehouse(ctx context.Context, id int64) error {
	return s.repo.DeleteWarehouse(ctx, id)
}

// Warehouses lists warehouses.
func (s *Service) Warehouses(ctx context.Context, f WarehouseFilter) (domain.Page[domain.Warehouse], error) {
	return s.repo.ListWarehouses(ctx, f)
}
