package catalog

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

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

func newProduct() *domain.Product {
	return &domain.Product{Type: domain.ProductGoods, PriceBase: domain.PriceExclTax, OnSale: true, OnPurchase: true}
}

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

// CheckNewProduct reports the invariant errors of a product created from f,
// merged after the caller's parse errors.
func (s *Service) CheckNewProduct(parse *domain.ValidationError, f ProductFields) error {
	p := newProduct()
	f.apply(p)
	return parse.Merge(p.Validate())
}

// CreateProduct validates and stores a new product.
func (s *Service) CreateProduct(ctx context.Context, f ProductFields) (*domain.Product, error) {
	p := newProduct()
	f.apply(p)
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := s.repo.CreateProduct(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// Product returns one product.
func (s *Service) Product(ctx context.Context, id int64) (*domain.Product, error) {
	return s.repo.GetProduct(ctx, id)
}

// UpdateProduct applies f to the product if it is still at version.
func (s *Service) UpdateProduct(ctx context.Context, id, version int64, f ProductFields) (*domain.Product, error) {
	p, err := s.repo.GetProduct(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Version != version {
		return nil, &domain.StaleVersion{What: "product", ID: id, Expected: version}
	}
	f.apply(p)
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := s.repo.UpdateProduct(ctx, p, version); err != nil {
		return nil, err
	}
	return p, nil
}

// DeleteProduct deletes a product that no stock row or document refers to.
func (s *Service) DeleteProduct(ctx context.Context, id int64) error {
	return s.repo.DeleteProduct(ctx, id)
}

// Products lists products.
func (s *Service) Products(ctx context.Context, f ProductFilter) (domain.Page[domain.Product], error) {
	return s.repo.ListProducts(ctx, f)
}
