package catalog

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// ProductRepo stores products. Update writes p only when the stored version
// is still p.Version, then bumps p.Version; otherwise it returns a
// *domain.StaleVersion (or ErrNotFound when the product is gone). It never
// writes the average cost: only stock receipts change it.
type ProductRepo interface {
	Create(ctx context.Context, p *domain.Product) error
	Get(ctx context.Context, id int64) (*domain.Product, error)
	Update(ctx context.Context, p *domain.Product) error
	Delete(ctx context.Context, id int64) error
	List(ctx context.Context, f ProductFilter) (domain.Page[domain.Product], error)
}

// ProductFields are the editable fields of a product. On create, nil
// fields take their defaults; on update, nil fields stay unchanged. Price
// is the amount in PriceBase (or the product's current base).
type ProductFields struct {
	Ref         *string
	Label       *string
	Description *string
	Type        *domain.ProductType
	Price       *domain.Decimal
	PriceBase   *domain.PriceBase
	VATRate     *domain.Decimal
	CostPrice   *domain.Decimal
	OnSale      *bool
	OnPurchase  *bool
	StockAlert  *domain.Decimal
	// Problems are the fields the caller could not parse (left nil above);
	// they are reported together with the product's invariant problems,
	// and nothing is written while there are any.
	Problems domain.ValidationError
}

// ProductFilter selects products; nil fields do not filter.
type ProductFilter struct {
	domain.ListParams
	Type       *domain.ProductType
	OnSale     *bool
	OnPurchase *bool
}

// ProductSorts are the fields products can be sorted on.
var ProductSorts = []string{"id", "ref", "label", "price", "created_at", "updated_at"}

func (f ProductFields) apply(p *domain.Product) {
	setIf(&p.Ref, f.Ref)
	setIf(&p.Label, f.Label)
	setIf(&p.Description, f.Description)
	setIf(&p.Type, f.Type)
	setIf(&p.VATRate, f.VATRate)
	setIf(&p.CostPrice, f.CostPrice)
	setIf(&p.OnSale, f.OnSale)
	setIf(&p.OnPurchase, f.OnPurchase)
	setIf(&p.StockAlert, f.StockAlert)
	base := p.PriceBase
	setIf(&base, f.PriceBase)
	amount := p.Price
	if base == domain.PriceInclTax {
		amount = p.PriceInclTax
	}
	setIf(&amount, f.Price)
	if base == domain.PriceExclTax || base == domain.PriceInclTax {
		p.SetPrice(amount, base)
	} else {
		p.PriceBase = base // invalid: Validate reports it
	}
}

// Products is the product use case.
type Products struct {
	repo  ProductRepo
	clock Clock
}

// NewProducts returns the product use case.
func NewProducts(repo ProductRepo, clock Clock) *Products {
	return &Products{repo: repo, clock: clock}
}

// Create validates and stores a new product: goods, priced excluding VAT,
// on sale and on purchase unless f says otherwise.
func (u *Products) Create(ctx context.Context, f ProductFields) (*domain.Product, error) {
	p := &domain.Product{Type: domain.ProductGoods, PriceBase: domain.PriceExclTax, OnSale: true, OnPurchase: true}
	f.apply(p)
	if err := f.Problems.Merge(p.Validate()); err != nil {
		return nil, err
	}
	p.CreatedAt = u.clock.stamp()
	p.UpdatedAt = p.CreatedAt
	if err := u.repo.Create(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// Get returns one product.
func (u *Products) Get(ctx context.Context, id int64) (*domain.Product, error) {
	return u.repo.Get(ctx, id)
}

// Update applies f to the product if it is still at version.
func (u *Products) Update(ctx context.Context, id, version int64, f ProductFields) (*domain.Product, error) {
	p, err := u.repo.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion("product", id, p.Version, version); err != nil {
		return nil, err
	}
	f.apply(p)
	if err := f.Problems.Merge(p.Validate()); err != nil {
		return nil, err
	}
	p.UpdatedAt = u.clock.stamp()
	if err := u.repo.Update(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// Delete deletes a product that no stock row or document refers to.
func (u *Products) Delete(ctx context.Context, id int64) error {
	return u.repo.Delete(ctx, id)
}

// List lists products.
func (u *Products) List(ctx context.Context, f ProductFilter) (domain.Page[domain.Product], error) {
	return u.repo.List(ctx, f)
}
