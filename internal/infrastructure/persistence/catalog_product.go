package persistence

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

// productRow is the one description of a products row: toProductRow and
// toProduct map it, and create, update and reads all go through it.
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

// ProductRepo stores products.
type ProductRepo struct{ db *DB }

var _ catalog.ProductRepo = (*ProductRepo)(nil)

// NewProductRepo returns the product repository on db.
func NewProductRepo(db *DB) *ProductRepo { return &ProductRepo{db: db} }

// Create stores p at version 1 with the timestamps it carries and sets its
// id and version.
func (r *ProductRepo) Create(ctx context.Context, p *domain.Product) error {
	row := toProductRow(p)
	row.ID = 0 // a new row; p may carry the id of an attempt Do rolled back
	row.Version = 1
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "product "+p.Ref)
	}
	p.ID, p.Version = row.ID, row.Version
	return nil
}

// Get loads product id.
func (r *ProductRepo) Get(ctx context.Context, id int64) (*domain.Product, error) {
	var row productRow
	if err := getByID(ctx, r.db, &row, "product", id); err != nil {
		return nil, err
	}
	p := toProduct(&row)
	return &p, nil
}

// Update writes p if it is still at p.Version and bumps it. The average
// cost is not written: only stock receipts change it.
func (r *ProductRepo) Update(ctx context.Context, p *domain.Product) error {
	row := toProductRow(p)
	row.Version++
	if err := updateVersioned(ctx, r.db, &row, "product", p.ID, p.Version, "average_cost"); err != nil {
		return err
	}
	p.Version = row.Version
	return nil
}

// Delete deletes product id.
func (r *ProductRepo) Delete(ctx context.Context, id int64) error {
	return deleteByID(ctx, r.db, &productRow{}, "product", id)
}

var productList = listSpec{sorts: sortSpec(catalog.ProductSorts), search: []string{"ref", "label"}}

// List lists products matching f.
func (r *ProductRepo) List(ctx context.Context, f catalog.ProductFilter) (domain.Page[domain.Product], error) {
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
	return pageOf(rows, total, toProduct), nil
}
