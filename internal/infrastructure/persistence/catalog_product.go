package persistence

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

type productRow struct {
	ID           int64 `gorm:"primaryKey"`
	Ref          string
	Label        string
	Description  string
	Type         int
	Price        domain.Decimal
	PriceInclTax domain.Decimal `gorm:"column:price_incl_tax"`
	PriceBase    string
	VATRate      domain.Decimal `gorm:"column:vat_rate"`
	CostPrice    domain.Decimal
	AverageCost  domain.Decimal
	OnSale       bool
	OnPurchase   bool
	StockAlert   domain.Decimal
	Version      int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (productRow) TableName() string { return "products" }

func toProductRow(p *domain.Product) productRow {
	return productRow{
		ID: p.ID, Ref: p.Ref, Label: p.Label, Description: p.Description, Type: int(p.Type),
		Price: p.Price, PriceInclTax: p.PriceInclTax, PriceBase: string(p.PriceBase), VATRate: p.VATRate,
		CostPrice: p.CostPrice, AverageCost: p.AverageCost, OnSale: p.OnSale, OnPurchase: p.OnPurchase,
		StockAlert: p.StockAlert, Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}

func toProduct(r *productRow) domain.Product {
	return domain.Product{
		ID: r.ID, Ref: r.Ref, Label: r.Label, Description: r.Description, Type: domain.ProductType(r.Type),
		Price: r.Price.Round(domain.ScaleUnit), PriceInclTax: r.PriceInclTax.Round(domain.ScaleUnit),
		PriceBase: domain.PriceBase(r.PriceBase), VATRate: r.VATRate.Round(domain.ScaleRate),
		CostPrice: r.CostPrice.Round(domain.ScaleUnit), AverageCost: r.AverageCost.Round(domain.ScaleUnit),
		OnSale: r.OnSale, OnPurchase: r.OnPurchase, StockAlert: r.StockAlert.Round(domain.ScaleQty),
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// CreateProduct stores p and sets its id, version and timestamps.
func (r *CatalogRepo) CreateProduct(ctx context.Context, p *domain.Product) error {
	t := now()
	p.Version, p.CreatedAt, p.UpdatedAt = 1, t, t
	row := toProductRow(p)
	row.ID = 0 // a new row; p may carry the id of an attempt Do rolled back
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "product "+p.Ref)
	}
	p.ID = row.ID
	return nil
}

// GetProduct loads product id.
func (r *CatalogRepo) GetProduct(ctx context.Context, id int64) (*domain.Product, error) {
	var row productRow
	if err := getByID(ctx, r.db, &row, "product", id); err != nil {
		return nil, err
	}
	p := toProduct(&row)
	return &p, nil
}

// UpdateProduct writes p's editable fields if it is still at version. The
// average cost is not written: only stock receipts change it.
func (r *CatalogRepo) UpdateProduct(ctx context.Context, p *domain.Product, version int64) error {
	t := now()
	v, err := updateVersioned(ctx, r.db, &productRow{}, "product", p.ID, version, map[string]any{
		"ref": p.Ref, "label": p.Label, "description": p.Description, "type": int(p.Type),
		"price": p.Price, "price_incl_tax": p.PriceInclTax, "price_base": string(p.PriceBase),
		"vat_rate": p.VATRate, "cost_price": p.CostPrice, "on_sale": p.OnSale, "on_purchase": p.OnPurchase,
		"stock_alert": p.StockAlert,
	}, t)
	if err != nil {
		return err
	}
	p.Version, p.UpdatedAt = v, t
	return nil
}

// DeleteProduct deletes product id.
func (r *CatalogRepo) DeleteProduct(ctx context.Context, id int64) error {
	return deleteByID(ctx, r.db, &productRow{}, "product", id)
}

var productList = listSpec{sorts: sortSpec(catalog.ProductSorts), search: []string{"ref", "label"}}

// ListProducts lists products matching f.
func (r *CatalogRepo) ListProducts(ctx context.Context, f catalog.ProductFilter) (domain.Page[domain.Product], error) {
	q := r.db.Gorm(ctx).Model(&productRow{})
	if f.Type != nil {
		q = q.Where("type = ?", int(*f.Type))
	}
	if f.OnSale != nil {
		q = q.Where("on_sale = ?", *f.OnSale)
	}
	if f.OnPurchase != nil {
		q = q.Where("on_purchase = ?", *f.OnPurchase)
	}
	var rows []productRow
	total, err := list(q, f.ListParams, productList, &rows)
	if err != nil {
		return domain.Page[domain.Product]{}, translate(err, "products")
	}
	out := make([]domain.Product, len(rows))
	for i := range rows {
		out[i] = toProduct(&rows[i])
	}
	return domain.Page[domain.Product]{Items: out, Total: total}, nil
}
