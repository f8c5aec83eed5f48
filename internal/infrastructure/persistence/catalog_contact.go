package persistence

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

type contactRow struct {
	ID           int64  `gorm:"primaryKey"`
	ThirdPartyID *int64 `gorm:"column:thirdparty_id"`
	Firstname    string
	Lastname     string
	Email        string
	Phone        string
	Mobile       string
	Role         string
	Active       bool
	Version      int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (contactRow) TableName() string { return "contacts" }

func toContact(r *contactRow) domain.Contact {
	c := domain.Contact{
		ID: r.ID, Firstname: r.Firstname, Lastname: r.Lastname, Email: r.Email, Phone: r.Phone, Mobile: r.Mobile,
		Role: r.Role, Active: r.Active, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.ThirdPartyID != nil {
		c.ThirdPartyID = *r.ThirdPartyID
	}
	return c
}

// CreateContact stores c and sets its id, version and timestamps.
func (r *CatalogRepo) CreateContact(ctx context.Context, c *domain.Contact) error {
	t := now()
	c.Version, c.CreatedAt, c.UpdatedAt = 1, t, t
	row := contactRow{
		ThirdPartyID: optID(c.ThirdPartyID), Firstname: c.Firstname, Lastname: c.Lastname, Email: c.Email,
		Phone: c.Phone, Mobile: c.Mobile, Role: c.Role, Active: c.Active, Version: 1, CreatedAt: t, UpdatedAt: t,
	}
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "contact")
	}
	c.ID = row.ID
	return nil
}

// GetContact loads contact id.
func (r *CatalogRepo) GetContact(ctx context.Context, id int64) (*domain.Contact, error) {
	var row contactRow
	if err := getByID(ctx, r.db, &row, "contact", id); err != nil {
		return nil, err
	}
	c := toContact(&row)
	return &c, nil
}

// UpdateContact writes c if it is still at version.
func (r *CatalogRepo) UpdateContact(ctx context.Context, c *domain.Contact, version int64) error {
	t := now()
	v, err := updateVersioned(ctx, r.db, &contactRow{}, "contact", c.ID, version, map[string]any{
		"thirdparty_id": optID(c.ThirdPartyID), "firstname": c.Firstname, "lastname": c.Lastname,
		"email": c.Email, "phone": c.Phone, "mobile": c.Mobile, "role": c.Role, "active": c.Active,
	}, t)
	if err != nil {
		return err
	}
	c.Version, c.UpdatedAt = v, t
	return nil
}

// DeleteContact deletes contact id.
func (r *CatalogRepo) DeleteContact(ctx context.Context, id int64) error {
	return deleteByID(ctx, r.db, &contactRow{}, "contact", id)
}

var contactList = listSpec{sorts: sortSpec(catalog.ContactSorts), search: []string{"firstname", "lastname", "email"}}

// ListContacts lists contacts matching f.
func (r *CatalogRepo) ListContacts(ctx context.Context, f catalog.ContactFilter) (domain.Page[domain.Contact], error) {
	q := r.db.Gorm(ctx).Model(&contactRow{})
	if f.ThirdPartyID != 0 {
		q = q.Where("thirdparty_id = ?", f.ThirdPartyID)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	var rows []contactRow
	total, err := list(q, f.ListParams, contactList, &rows)
	if err != nil {
		return domain.Page[domain.Contact]{}, translate(err, "contacts")
	}
	out := make([]domain.Contact, len(rows))
	for i := range rows {
		out[i] = toContact(&rows[i])
	}
	return domain.Page[domain.Contact]{Items: out, Total: total}, nil
}
