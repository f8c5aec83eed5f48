package catalog

import (
	"context"
	"errors"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// ContactRepo stores contacts. Update writes c only when the stored version
// is still c.Version, then bumps c.Version; otherwise it returns a
// *domain.StaleVersion (or ErrNotFound when the contact is gone).
type ContactRepo interface {
	Create(ctx context.Context, c *domain.Contact) error
	Get(ctx context.Context, id int64) (*domain.Contact, error)
	Update(ctx context.Context, c *domain.Contact) error
	Delete(ctx context.Context, id int64) error
	List(ctx context.Context, f ContactFilter) (domain.Page[domain.Contact], error)
}

// ContactFields are the editable fields of a contact (nil: default on
// create, unchanged on update). ThirdPartyID 0 detaches the contact.
type ContactFields struct {
	ThirdPartyID *int64
	Firstname    *string
	Lastname     *string
	Email        *string
	Phone        *string
	Mobile       *string
	Role         *string
	Active       *bool
}

// ContactFilter selects contacts; zero fields do not filter.
type ContactFilter struct {
	domain.ListParams
	ThirdPartyID int64
	Active       *bool
}

// ContactSorts are the fields contacts can be sorted on.
var ContactSorts = []string{"id", "lastname", "firstname", "created_at", "updated_at"}

func (f ContactFields) apply(c *domain.Contact) {
	setIf(&c.ThirdPartyID, f.ThirdPartyID)
	setIf(&c.Firstname, f.Firstname)
	setIf(&c.Lastname, f.Lastname)
	setIf(&c.Email, f.Email)
	setIf(&c.Phone, f.Phone)
	setIf(&c.Mobile, f.Mobile)
	setIf(&c.Role, f.Role)
	setIf(&c.Active, f.Active)
}

// Contacts is the contact use case.
type Contacts struct {
	repo         ContactRepo
	thirdParties ThirdPartyLookup
	clock        Clock
}

// NewContacts returns the contact use case.
func NewContacts(repo ContactRepo, thirdParties ThirdPartyLookup, clock Clock) *Contacts {
	return &Contacts{repo: repo, thirdParties: thirdParties, clock: clock}
}

// Create validates and stores a new contact, active by default.
func (u *Contacts) Create(ctx context.Context, f ContactFields) (*domain.Contact, error) {
	c := &domain.Contact{Active: true}
	f.apply(c)
	if err := u.check(ctx, c); err != nil {
		return nil, err
	}
	c.CreatedAt = u.clock.stamp()
	c.UpdatedAt = c.CreatedAt
	if err := u.repo.Create(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// check validates c, then turns a dangling third-party id into a field
// error rather than a foreign-key conflict.
func (u *Contacts) check(ctx context.Context, c *domain.Contact) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.ThirdPartyID == 0 {
		return nil
	}
	_, err := u.thirdParties.GetThirdParty(ctx, c.ThirdPartyID)
	if errors.Is(err, domain.ErrNotFound) {
		v := &domain.ValidationError{}
		v.Add("thirdparty_id", "not_found", "third party %d does not exist", c.ThirdPartyID)
		return v
	}
	return err
}

// Get returns one contact.
func (u *Contacts) Get(ctx context.Context, id int64) (*domain.Contact, error) {
	return u.repo.Get(ctx, id)
}

// Update applies f to the contact if it is still at version.
func (u *Contacts) Update(ctx context.Context, id, version int64, f ContactFields) (*domain.Contact, error) {
	c, err := u.repo.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion("contact", id, c.Version, version); err != nil {
		return nil, err
	}
	f.apply(c)
	if err := u.check(ctx, c); err != nil {
		return nil, err
	}
	c.UpdatedAt = u.clock.stamp()
	if err := u.repo.Update(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// Delete deletes a contact.
func (u *Contacts) Delete(ctx context.Context, id int64) error {
	return u.repo.Delete(ctx, id)
}

// List lists contacts.
func (u *Contacts) List(ctx context.Context, f ContactFilter) (domain.Page[domain.Contact], error) {
	return u.repo.List(ctx, f)
}
