package persistence

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

type thirdPartyRow struct {
	ID           int64 `gorm:"primaryKey"`
	Name         string
	Alias        string
	IsCustomer   bool
	IsProspect   bool
	IsSupplier   bool
	CustomerCode *string // NULL when none: the unique index ignores NULLs
	SupplierCode *string
	Address      string
	Zip          string
	Town         string
	CountryCode  string
	Email        string
	Phone        string
	VATNumber    string `gorm:"column:vat_number"`
	PaymentTerms string
	Language     string
	Active       bool
	Version      int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (thirdPartyRow) TableName() string { return "thirdparties" }

func toThirdParty(r *thirdPartyRow) domain.ThirdParty {
	return domain.ThirdParty{
		ID: r.ID, Name: r.Name, Alias: r.Alias, Customer: r.IsCustomer, Prospect: r.IsProspect, Supplier: r.IsSupplier,
		CustomerCode: deref(r.CustomerCode), SupplierCode: deref(r.SupplierCode), Address: r.Address, Zip: r.Zip,
		Town: r.Town, CountryCode: r.CountryCode, Email: r.Email, Phone: r.Phone, VATNumber: r.VATNumber,
		PaymentTerms: domain.PaymentTerms(r.PaymentTerms), Language: r.Language, Active: r.Active, Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func thirdPartyCols(t *domain.ThirdParty) map[string]any {
	return map[string]any{
		"name": t.Name, "alias": t.Alias, "is_customer": t.Customer, "is_prospect": t.Prospect,
		"is_supplier": t.Supplier, "customer_code": nullable(t.CustomerCode), "supplier_code": nullable(t.SupplierCode),
		"address": t.Address, "zip": t.Zip, "town": t.Town, "country_code": t.CountryCode, "email": t.Email,
		"phone": t.Phone, "vat_number": t.VATNumber, "payment_terms": string(t.PaymentTerms), "language": t.Language,
		"active": t.Active,
	}
}

// CreateThirdParty stores t and sets its id, version and timestamps.
func (r *CatalogRepo) CreateThirdParty(ctx context.Context, t *domain.ThirdParty) error {
	ts := now()
	t.Version, t.CreatedAt, t.UpdatedAt = 1, ts, ts
	row := thirdPartyRow{
		Name: t.Name, Alias: t.Alias, IsCustomer: t.Customer, IsProspect: t.Prospect, IsSupplier: t.Supplier,
		CustomerCode: nullable(t.CustomerCode), SupplierCode: nullable(t.SupplierCode), Address: t.Address,
		Zip: t.Zip, Town: t.Town, CountryCode: t.CountryCode, Email: t.Email, Phone: t.Phone,
		VATNumber: t.VATNumber, PaymentTerms: string(t.PaymentTerms), Language: t.Language, Active: t.Active, Version: 1,
		CreatedAt: ts, UpdatedAt: ts,
	}
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "third party")
	}
	t.ID = row.ID
	return nil
}

// GetThirdParty loads third party id.
func (r *CatalogRepo) GetThirdParty(ctx context.Context, id int64) (*domain.ThirdParty, error) {
	var row thirdPartyRow
	if err := getByID(ctx, r.db, &row, "third party", id); err != nil {
		return nil, err
	}
	t := toThirdParty(&row)
	return &t, nil
}

// UpdateThirdParty writes t if it is still at version.
func (r *CatalogRepo) UpdateThirdParty(ctx context.Context, t *domain.ThirdParty, version int64) error {
	ts := now()
	v, err := updateVersioned(ctx, r.db, &thirdPartyRow{}, "third party", t.ID, version, thirdPartyCols(t), ts)
	if err != nil {
		return err
	}
	t.Version, t.UpdatedAt = v, ts
	return nil
}

// DeleteThirdParty deletes third party id.
func (r *CatalogRepo) DeleteThirdParty(ctx context.Context, id int64) error {
	return deleteByID(ctx, r.db, &thirdPartyRow{}, "third party", id)
}

var thirdPartyList = listSpec{
	sorts:  sortSpec(catalog.ThirdPartySorts),
	search: []string{"name", "alias", "customer_code", "supplier_code", "email", "town"},
}

// ListThirdParties lists third parties matching f.
func (r *CatalogRepo) ListThirdParties(ctx context.Context, f catalog.ThirdPartyFilter) (domain.Page[domain.ThirdParty], error) {
	q := r.db.Gorm(ctx).Model(&thirdPartyRow{})
	for col, v := range map[string]*bool{"is_customer": f.Customer, "is_prospect": f.Prospect, "is_supplier": f.Supplier, "active": f.Active} {
		if v != nil {
			q = q.Where(col+" = ?", *v)
		}
	}
	if f.CountryCode != "" {
		q = q.Where("country_code = ?", f.CountryCode)
	}
	var rows []thirdPartyRow
	total, err := list(q, f.ListParams, thirdPartyList, &rows)
	if err != nil {
		return domain.Page[domain.ThirdParty]{}, translate(err, "third parties")
	}
	out := make([]domain.ThirdParty, len(rows))
	for i := range rows {
		out[i] = toThirdParty(&rows[i])
	}
	return domain.Page[domain.ThirdParty]{Items: out, Total: total}, nil
}
