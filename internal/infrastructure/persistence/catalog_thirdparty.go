package persistence

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

// thirdPartyRow is the one description of a thirdparties row.
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
	IDProf1      string `gorm:"column:idprof1"`
	IDProf2      string `gorm:"column:idprof2"`
	IDProf3      string `gorm:"column:idprof3"`
	IDProf4      string `gorm:"column:idprof4"`
	IDProf5      string `gorm:"column:idprof5"`
	IDProf6      string `gorm:"column:idprof6"`
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
		ProfIDs:      domain.ProfIDs{r.IDProf1, r.IDProf2, r.IDProf3, r.IDProf4, r.IDProf5, r.IDProf6},
		PaymentTerms: domain.PaymentTerms(r.PaymentTerms), Language: r.Language, Active: r.Active, Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func toThirdPartyRow(t *domain.ThirdParty) thirdPartyRow {
	return thirdPartyRow{
		ID: t.ID, Name: t.Name, Alias: t.Alias, IsCustomer: t.Customer, IsProspect: t.Prospect,
		IsSupplier: t.Supplier, CustomerCode: nullable(t.CustomerCode), SupplierCode: nullable(t.SupplierCode),
		Address: t.Address, Zip: t.Zip, Town: t.Town, CountryCode: t.CountryCode, Email: t.Email,
		IDProf1: t.ProfIDs[0], IDProf2: t.ProfIDs[1], IDProf3: t.ProfIDs[2], IDProf4: t.ProfIDs[3], IDProf5: t.ProfIDs[4], IDProf6: t.ProfIDs[5],
		Phone: t.Phone, VATNumber: t.VATNumber, PaymentTerms: string(t.PaymentTerms), Language: t.Language,
		Active: t.Active, Version: t.Version, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
}

// ThirdPartyRepo stores third parties.
type ThirdPartyRepo struct{ db *DB }

var _ catalog.ThirdPartyRepo = (*ThirdPartyRepo)(nil)

// NewThirdPartyRepo returns the third-party repository on db.
func NewThirdPartyRepo(db *DB) *ThirdPartyRepo { return &ThirdPartyRepo{db: db} }

// Create stores t at version 1 with the timestamps it carries and sets its
// id and version.
func (r *ThirdPartyRepo) Create(ctx context.Context, t *domain.ThirdParty) error {
	row := toThirdPartyRow(t)
	row.Version = 1
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "third party")
	}
	t.ID, t.Version = row.ID, row.Version
	return nil
}

// Get loads third party id.
func (r *ThirdPartyRepo) Get(ctx context.Context, id int64) (*domain.ThirdParty, error) {
	var row thirdPartyRow
	if err := getByID(ctx, r.db, &row, "third party", id); err != nil {
		return nil, err
	}
	t := toThirdParty(&row)
	return &t, nil
}

// Update writes t if it is still at t.Version and bumps it.
func (r *ThirdPartyRepo) Update(ctx context.Context, t *domain.ThirdParty) error {
	row := toThirdPartyRow(t)
	row.Version++
	if err := updateVersioned(ctx, r.db, &row, "third party", t.ID, t.Version); err != nil {
		return err
	}
	t.Version = row.Version
	return nil
}

// Delete deletes third party id.
func (r *ThirdPartyRepo) Delete(ctx context.Context, id int64) error {
	return deleteByID(ctx, r.db, &thirdPartyRow{}, "third party", id)
}

var thirdPartyList = listSpec{
	sorts:  sortSpec(catalog.ThirdPartySorts),
	search: []string{"name", "alias", "customer_code", "supplier_code", "email", "town"},
}

// List lists third parties matching f.
func (r *ThirdPartyRepo) List(ctx context.Context, f catalog.ThirdPartyFilter) (domain.Page[domain.ThirdParty], error) {
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
	return pageOf(rows, total, toThirdParty), nil
}
