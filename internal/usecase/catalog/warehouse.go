package catalog

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// WarehouseRepo stores warehouses. Update writes w only when the stored
// version is still w.Version, then bumps w.Version; otherwise it returns a
// *domain.StaleVersion (or ErrNotFound when the warehouse is gone).
type WarehouseRepo interface {
	Create(ctx context.Context, w *domain.Warehouse) error
	Get(ctx context.Context, id int64) (*domain.Warehouse, error)
	Update(ctx context.Context, w *domain.Warehouse) error
	Delete(ctx context.Context, id int64) error
	List(ctx context.Context, f WarehouseFilter) (domain.Page[domain.Warehouse], error)
}

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
	// Problems are the fields the caller could not parse (left nil above);
	// they are reported together with the warehouse's invariant problems,
	// and nothing is written while there are any.
	Problems domain.ValidationError
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

// Warehouses is the warehouse use case.
type Warehouses struct {
	repo  WarehouseRepo
	clock Clock
}

// NewWarehouses returns the warehouse use case.
func NewWarehouses(repo WarehouseRepo, clock Clock) *Warehouses {
	return &Warehouses{repo: repo, clock: clock}
}

// Create validates and stores a new warehouse, open by default.
func (u *Warehouses) Create(ctx context.Context, f WarehouseFields) (*domain.Warehouse, error) {
	w := &domain.Warehouse{Status: domain.WarehouseOpen}
	f.apply(w)
	if err := f.Problems.Merge(w.Validate()); err != nil {
		return nil, err
	}
	w.CreatedAt = u.clock.stamp()
	w.UpdatedAt = w.CreatedAt
	if err := u.repo.Create(ctx, w); err != nil {
		return nil, err
	}
	return w, nil
}

// Get returns one warehouse.
func (u *Warehouses) Get(ctx context.Context, id int64) (*domain.Warehouse, error) {
	return u.repo.Get(ctx, id)
}

// Update applies f to the warehouse if it is still at version.
func (u *Warehouses) Update(ctx context.Context, id, version int64, f WarehouseFields) (*domain.Warehouse, error) {
	w, err := u.repo.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion("warehouse", id, w.Version, version); err != nil {
		return nil, err
	}
	f.apply(w)
	if err := f.Problems.Merge(w.Validate()); err != nil {
		return nil, err
	}
	w.UpdatedAt = u.clock.stamp()
	if err := u.repo.Update(ctx, w); err != nil {
		return nil, err
	}
	return w, nil
}

// Delete deletes a warehouse that holds no stock rows.
func (u *Warehouses) Delete(ctx context.Context, id int64) error {
	return u.repo.Delete(ctx, id)
}

// List lists warehouses.
func (u *Warehouses) List(ctx context.Context, f WarehouseFilter) (domain.Page[domain.Warehouse], error) {
	return u.repo.List(ctx, f)
}
