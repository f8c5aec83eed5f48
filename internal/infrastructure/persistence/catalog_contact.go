package persistence

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

// contactRow is the one description of a contacts row.
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

func toContactRow(c *domain.Contact) contactRow {
	return contactRow{
		ID: c.ID, ThirdPartyID: optID(c.ThirdPartyID), Firstname: c.Firstname, Lastname: c.Lastname,
		Email: c.Email, Phone: c.Phone, Mobile: c.Mobile, Role: c.Role, Active: c.Active,
		Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

func toContact(r *contactRow) domain.Contact {
	return domain.Contact{
		ID: r.ID, ThirdPartyID: idOf(r.ThirdPartyID), Firstname: r.Firstname, Lastname: r.Lastname,
		Email: r.Email, Phone: r.Phone, Mobile: r.Mobile, Role: r.Role, Active: r.Active,
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// ContactRepo stores contacts.
type ContactRepo struct{ db *DB }

var _ catalog.ContactRepo = (*ContactRepo)(nil)

// NewContactRepo returns the contact repository on db.
func NewContactRepo(db *DB) *ContactRepo { return &ContactRepo{db: db} }

// Create stores c at version 1 with the timestamps it carries and sets its
// id and version.
func (r *ContactRepo) Create(ctx context.Context, c *domain.Contact) error {
	row := toContactRow(c)
	row.Version = 1
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "contact")
	}
	c.ID, c.Version = row.ID, row.Version
	return nil
}

// Get loads contact id.
func (r *ContactRepo) Get(ctx context.Context, id int64) (*domain.Contact, error) {
	var row contactRow
	if err := getByID(ctx, r.db, &row, "contact", id); err != nil {
		return nil, err
	}
	c := toContact(&row)
	return &c, nil
}

// Update writes c if it is still at c.Version and bumps it.
func (r *ContactRepo) Update(ctx context.Context, c *domain.Contact) error {
	row := toContactRow(c)
	row.Version++
	if err := updateVersioned(ctx, r.db, &row, "contact", c.ID, c.Version); err != nil {
		return err
	}
	c.Version = row.Version
	return nil
}

// Delete deletes contact id.
func (r *ContactRepo) Delete(ctx context.Context, id int64) error {
	return deleteByID(ctx, r.db, &contactRow{}, "contact", id)
}

var contactList = listSpec{sorts: sortSpec(catalog.ContactSorts), search: []string{"firstname", "lastname", "email"}}

// List lists contacts matching f.
func (r *ContactRepo) List(ctx context.Context, f catalog.ContactFilter) (domain.Page[domain.Contact], error) {
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
	return pageOf(rows, total, toContact), nil
}
