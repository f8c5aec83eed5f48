package catalog

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Counter scopes of the generated third-party codes.
const (
	CustomerCodeScope = "thirdparty.customer_code"
	SupplierCodeScope = "thirdparty.supplier_code"
)

// ThirdPartyFields are the editable fields of a third party (nil: default
// on create, unchanged on update). Codes are not editable: they are
// generated when the customer, prospect or supplier flag is first set.
type ThirdPartyFields struct {
	Name         *string
	Alias        *string
	Customer     *bool
	Prospect     *bool
	Supplier     *bool
	Address      *string
	Zip          *string
	Town         *string
	CountryCode  *string
	Email        *string
	Phone        *string
	VATNumber    *string
	PaymentTerms *domain.PaymentTerms
	// Language is normalised (domain.NormalizeLanguage) before validation.
	Language *string
	Active   *bool
}

// ThirdPartyFilter selects third parties; nil fields do not filter.
type ThirdPartyFilter struct {
	domain.ListParams
	Customer    *bool
	Prospect    *bool
	Supplier    *bool
	Active      *bool
	CountryCode string
}

// ThirdPartySorts are the fields third parties can be sorted on.
var ThirdPartySorts = []string{"id", "name", "customer_code", "supplier_code", "town", "created_at", "updated_at"}

func (f ThirdPartyFields) apply(t *domain.ThirdParty) {
	setIf(&t.Name, f.Name)
	setIf(&t.Alias, f.Alias)
	setIf(&t.Customer, f.Customer)
	setIf(&t.Prospect, f.Prospect)
	setIf(&t.Supplier, f.Supplier)
	setIf(&t.Address, f.Address)
	setIf(&t.Zip, f.Zip)
	setIf(&t.Town, f.Town)
	setIf(&t.CountryCode, f.CountryCode)
	setIf(&t.Email, f.Email)
	setIf(&t.Phone, f.Phone)
	setIf(&t.VATNumber, f.VATNumber)
	setIf(&t.PaymentTerms, f.PaymentTerms)
	if f.Language != nil {
		t.Language = domain.NormalizeLanguage(*f.Language)
	}
	setIf(&t.Active, f.Active)
}

// CreateThirdParty validates and stores a new third party, generating its
// customer and supplier codes in the same transaction.
func (s *Service) CreateThirdParty(ctx context.Context, f ThirdPartyFields) (*domain.ThirdParty, error) {
	t := &domain.ThirdParty{Active: true}
	f.apply(t)
	if err := t.Validate(); err != nil {
		return nil, err
	}
	codes := keepCodes(t)
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		codes.restore(t)
		if err := s.assignCodes(ctx, t, s.now()); err != nil {
			return err
		}
		return s.repo.CreateThirdParty(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// savedCodes are a third party's codes before a transaction draws new ones.
// The transactor runs a transaction the database aborted again from the
// start (a deadlock victim): the counters went back with the rollback, so
// the codes the failed attempt drew must go too, or the retry would keep a
// number the counter hands out again.
type savedCodes struct{ customer, supplier string }

func keepCodes(t *domain.ThirdParty) savedCodes { return savedCodes{t.CustomerCode, t.SupplierCode} }

func (c savedCodes) restore(t *domain.ThirdParty) {
	t.CustomerCode, t.SupplierCode = c.customer, c.supplier
}

// assignCodes gives t the codes its flags call for. The counter row stays
// locked until the transaction ends, so two creates never get one number
// and a rolled-back create gives its number back.
func (s *Service) assignCodes(ctx context.Context, t *domain.ThirdParty, now time.Time) error {
	if t.NeedsCustomerCode() {
		n, err := s.counters.Next(ctx, CustomerCodeScope)
		if err != nil {
			return err
		}
		t.CustomerCode = domain.FormatThirdPartyCode(domain.CustomerCodePrefix, now, n)
	}
	if t.NeedsSupplierCode() {
		n, err := s.counters.Next(ctx, SupplierCodeScope)
		if err != nil {
			return err
		}
		t.SupplierCode = domain.FormatThirdPartyCode(domain.SupplierCodePrefix, now, n)
	}
	return nil
}

// ThirdParty returns one third party.
func (s *Service) ThirdParty(ctx context.Context, id int64) (*domain.ThirdParty, error) {
	return s.repo.GetThirdParty(ctx, id)
}

// UpdateThirdParty applies f to the third party if it is still at version,
// generating a code when a customer, prospect or supplier flag is first set.
func (s *Service) UpdateThirdParty(ctx context.Context, id, version int64, f ThirdPartyFields) (*domain.ThirdParty, error) {
	t, err := s.repo.GetThirdParty(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.Version != version {
		return nil, &domain.StaleVersion{What: "third party", ID: id, Expected: version}
	}
	f.apply(t)
	if err := t.Validate(); err != nil {
		return nil, err
	}
	codes := keepCodes(t)
	err = s.tx.Do(ctx, func(ctx context.Context) error {
		codes.restore(t)
		if err := s.assignCodes(ctx, t, s.now()); err != nil {
			return err
		}
		return s.repo.UpdateThirdParty(ctx, t, version)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// DeleteThirdParty deletes a third party that no contact or document
// refers to.
func (s *Service) DeleteThirdParty(ctx context.Context, id int64) error {
	return s.repo.DeleteThirdParty(ctx, id)
}

// ThirdParties lists third parties.
func (s *Service) ThirdParties(ctx context.Context, f ThirdPartyFilter) (domain.Page[domain.ThirdParty], error) {
	return s.repo.ListThirdParties(ctx, f)
}
