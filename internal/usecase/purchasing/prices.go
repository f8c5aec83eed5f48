package purchasing

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
)

// SupplierPriceStore keeps supplier prices.
type SupplierPriceStore interface {
	Create(ctx context.Context, p *domain.SupplierPrice) error
	Get(ctx context.Context, productID, id int64) (*domain.SupplierPrice, error)
	Save(ctx context.Context, p *domain.SupplierPrice) error
	Delete(ctx context.Context, productID, id int64) error
	// OfProducts lists the prices of products, of one supplier when
	// supplierID is not 0, by product, supplier and minimum quantity.
	OfProducts(ctx context.Context, productIDs []int64, supplierID int64) ([]domain.SupplierPrice, error)
}

// Products reads the products prices belong to.
type Products interface {
	GetProduct(ctx context.Context, id int64) (*domain.Product, error)
}

// SupplierPrices is the supplier prices use case.
type SupplierPrices struct {
	tx        domain.Transactor
	store     SupplierPriceStore
	products  Products
	suppliers Suppliers
	now       func() time.Time
}

// NewSupplierPrices returns the supplier prices use case.
func NewSupplierPrices(tx domain.Transactor, store SupplierPriceStore, products Products, suppliers Suppliers, now func() time.Time) *SupplierPrices {
	if now == nil {
		now = time.Now
	}
	return &SupplierPrices{tx: tx, store: store, products: products, suppliers: suppliers, now: now}
}

// SupplierPricePatch changes a price; nil fields are kept.
type SupplierPricePatch struct {
	SupplierRef  *string
	UnitPrice    *domain.Decimal
	MinQuantity  *domain.Decimal
	VATRate      *domain.Decimal
	LeadTimeDays *int
	Active       *bool
}

func (s *SupplierPrices) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// List lists a product's supplier prices.
func (s *SupplierPrices) List(ctx context.Context, productID int64) ([]domain.SupplierPrice, error) {
	if _, err := s.products.GetProduct(ctx, productID); err != nil {
		return nil, err
	}
	return s.store.OfProducts(ctx, []int64{productID}, 0)
}

// Create adds a price of a supplier for a product.
func (s *SupplierPrices) Create(ctx context.Context, p domain.SupplierPrice) (*domain.SupplierPrice, error) {
	if _, err := s.products.GetProduct(ctx, p.ProductID); err != nil {
		return nil, err
	}
	v := &domain.ValidationError{}
	b := base{suppliers: s.suppliers}
	if _, err := b.checkSupplier(ctx, v, "supplier_id", p.SupplierID); err != nil {
		return nil, err
	}
	if err := v.Merge(p.Check()); err != nil {
		return nil, err
	}
	p.CreatedAt = s.stamp()
	p.UpdatedAt = p.CreatedAt
	if err := s.store.Create(ctx, &p); err != nil {
		return nil, duplicatePrice(err)
	}
	return &p, nil
}

// Update changes a price.
func (s *SupplierPrices) Update(ctx context.Context, productID, id int64, patch SupplierPricePatch) (*domain.SupplierPrice, error) {
	var out *domain.SupplierPrice
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		p, err := s.store.Get(ctx, productID, id)
		if err != nil {
			return err
		}
		setIf(&p.SupplierRef, patch.SupplierRef)
		setIf(&p.UnitPrice, patch.UnitPrice)
		setIf(&p.MinQuantity, patch.MinQuantity)
		setIf(&p.VATRate, patch.VATRate)
		setIf(&p.LeadTimeDays, patch.LeadTimeDays)
		setIf(&p.Active, patch.Active)
		if err := p.Check(); err != nil {
			return err
		}
		p.UpdatedAt = s.stamp()
		if err := s.store.Save(ctx, p); err != nil {
			return duplicatePrice(err)
		}
		out = p
		return nil
	})
	return out, err
}

// Delete removes a price.
func (s *SupplierPrices) Delete(ctx context.Context, productID, id int64) error {
	return s.store.Delete(ctx, productID, id)
}

// Best returns the best active price of a product for quantity, of one
// supplier when supplierID is not 0; a domain.ErrNotFound error when no
// price applies.
func (s *SupplierPrices) Best(ctx context.Context, productID, supplierID int64, quantity domain.Decimal) (*domain.SupplierPrice, error) {
	if _, err := s.products.GetProduct(ctx, productID); err != nil {
		return nil, err
	}
	prices, err := s.store.OfProducts(ctx, []int64{productID}, supplierID)
	if err != nil {
		return nil, err
	}
	best := domain.BestSupplierPrice(prices, quantity)
	if best == nil {
		return nil, domain.E(domain.ErrNotFound, "no_supplier_price", "no active supplier price of product %d applies to a quantity of %s", productID, quantity)
	}
	return best, nil
}

func duplicatePrice(err error) error {
	var de *domain.Error
	if errors.As(err, &de) && de.Code == "duplicate" {
		return domain.E(domain.ErrConflict, "duplicate_supplier_price", "the supplier already has a price of this product for this minimum quantity")
	}
	return err
}

// PurchasePrices is the buy side's price source of the engine: a line
// naming a product takes the supplier's best active price for the line's
// quantity and its VAT rate, or, when the supplier has none, the product's
// cost price and VAT rate; a product not on purchase is refused.
type PurchasePrices struct {
	Catalog document.Catalog
	Store   SupplierPriceStore
}

var _ document.Prices = PurchasePrices{}

// Prices reads the products and the supplier's prices of them in two
// queries.
func (s PurchasePrices) Prices(ctx context.Context, supplier int64, qs []document.PriceQuery) ([]document.Price, error) {
	ids := make([]int64, 0, len(qs))
	for _, q := range qs {
		if !slices.Contains(ids, q.ProductID) {
			ids = append(ids, q.ProductID)
		}
	}
	products, err := s.Catalog.Products(ctx, ids)
	if err != nil {
		return nil, err
	}
	byProduct := map[int64][]domain.SupplierPrice{}
	if supplier > 0 {
		prices, err := s.Store.OfProducts(ctx, ids, supplier)
		if err != nil {
			return nil, err
		}
		for _, p := range prices {
			byProduct[p.ProductID] = append(byProduct[p.ProductID], p)
		}
	}
	out := make([]document.Price, len(qs))
	for i, q := range qs {
		p := products[q.ProductID]
		switch {
		case p == nil:
		case !p.OnPurchase:
			out[i] = document.Price{Found: true, Refusal: "not_on_purchase", Reason: "product " + p.Ref + " is not on purchase"}
		default:
			out[i] = document.Price{Found: true, Type: p.Type, Description: p.Label, UnitPrice: p.CostPrice, VATRate: p.VATRate}
			if best := domain.BestSupplierPrice(byProduct[p.ID], q.Quantity); best != nil {
				out[i].UnitPrice, out[i].VATRate = best.UnitPrice, best.VATRate
			}
		}
	}
	return out, nil
}
