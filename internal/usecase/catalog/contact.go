package catalog

import (
	"context"
	"errors"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

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

// CreateContact validates and stores a new contact.
func (s *Service) CreateContact(ctx context.Context, f ContactFields) (*domain.Contact, error) {
	c := &domain.Contact{Active: true}
	f.apply(c)
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkThirdParty(ctx, c.ThirdPartyID); err != nil {
		return nil, err
	}
	if err := s.repo.CreateContact(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// checkThirdParty turns a dangling third-party id into a field error rather
// than a foreign-key conflict.
func (s *Service) checkThirdParty(ctx context.Context, id int64) error {
	if id == 0 {
		return nil
	}
	_, err := s.repo.GetThirdParty(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		v := &domain.ValidationError{}
		v.Add("thirdparty_id", "not_found", "third party %d does not exist", id)
		return v
	}
	return err
}

// Contact returns one contact.
func (s *Service) Contact(ctx context.Context, id int64) (*domain.Contact, error) {
	return s.repo.GetContact(ctx, id)
}

// UpdateContact applies f to the contact if it is still at version.
func (s *Service) UpdateContact(ctx context.Context, id, version int64, f ContactFields) (*domain.Contact, error) {
	c, err := s.repo.GetContact(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Version != version {
		return nil, &domain.StaleVersion{What: "contact", ID: id, Expected: version}
	}
	f.apply(c)
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkThirdParty(ctx, c.ThirdPartyID); err != nil {
		return nil, err
	}
	if err := s.repo.UpdateContact(ctx, c, version); err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteContact deletes a contact.
func (s *Service) DeleteContact(ctx context.Context, id int64) error {
	return s.repo.DeleteContact(ctx, id)
}

// Contacts lists contacts.
func (s *Service) Contacts(ctx context.Context, f ContactFilter) (domain.Page[domain.Contact], error) {
	return s.repo.ListContacts(ctx, f)
}
