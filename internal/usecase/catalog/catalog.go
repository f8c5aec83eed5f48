// Package catalog manages the master data every document refers to: third
// parties, their contacts, products and services, and warehouses. Plain
// edits use optimistic concurrency (a version the client read); customer
// and supplier codes come from counters locked in the creating transaction.
package catalog

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Repo is the storage the catalogue needs. Update methods write only when
// the stored version equals version, then bump it; otherwise they return a
// *domain.StaleVersion (or ErrNotFound when the record is gone).
type Repo interface {
	CreateProduct(ctx context.Context, p *domain.Product) error
	GetProduct(ctx context.Context, id int64) (*domain.Product, error)
	UpdateProduct(ctx context.Context, p *domain.Product, version int64) error
	DeleteProduct(ctx context.Context, id int64) error
	ListProducts(ctx context.Context, f ProductFilter) (domain.Page[domain.Product], error)

	CreateWarehouse(ctx context.Context, w *domain.Warehouse) error
	GetWarehouse(ctx context.Context, id int64) (*domain.Warehouse, error)
	UpdateWarehouse(ctx context.Context, w *domain.Warehouse, version int64) error
	DeleteWarehouse(ctx context.Context, id int64) error
	ListWarehouses(ctx context.Context, f WarehouseFilter) (domain.Page[domain.Warehouse], error)

	CreateThirdParty(ctx context.Context, t *domain.ThirdParty) error
	GetThirdParty(ctx context.Context, id int64) (*domain.ThirdParty, error)
	UpdateThirdParty(ctx context.Context, t *domain.ThirdParty, version int64) error
	DeleteThirdParty(ctx context.Context, id int64) error
	ListThirdParties(ctx context.Context, f ThirdPartyFilter) (domain.Page[domain.ThirdParty], error)

	CreateContact(ctx context.Context, c *domain.Contact) error
	GetContact(ctx context.Context, id int64) (*domain.Contact, error)
	UpdateContact(ctx context.Context, c *domain.Contact, version int64) error
	DeleteContact(ctx context.Context, id int64) error
	ListContacts(ctx context.Context, f ContactFilter) (domain.Page[domain.Contact], error)
}

// Counters hands out numbers that are unique under concurrency: Next locks
// the counter row of scope FOR UPDATE in the transaction ctx carries and
// increments it, so the number is taken only if that transaction commits.
type Counters interface {
	Next(ctx context.Context, scope string) (int64, error)
}

// Service is the catalogue use case.
type Service struct {
	tx       domain.Transactor
	repo     Repo
	counters Counters
	now      func() time.Time
}

// New returns the catalogue use case.
func New(tx domain.Transactor, repo Repo, counters Counters) *Service {
	return &Service{tx: tx, repo: repo, counters: counters, now: func() time.Time { return time.Now().UTC() }}
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}
