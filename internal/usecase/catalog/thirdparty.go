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

// ThirdPartyRepo stores third parties. Update writes t only when the stored
// version is still t.Version, then bumps t.Version; otherwise it returns a
// *domain.StaleVersion (or ErrNotFound when the third party is gone).
type ThirdPartyRepo interface {
	Create(ctx context.Context, t *domain.ThirdParty) error
	Get(ctx context.Context, id int64) (*domain.ThirdParty, error)
	Update(ctx context.Context, t *domain.ThirdParty) error
	Delete(ctx context.Context, id int64) error
	List(ctx context.Context, f ThirdPartyFilter) (domain.Page[domain.ThirdParty], error)
}

// ThirdPartyFields are the editable fields of a third party (nil: default
// on create, unchanged on update). Codes are not editable: they are
// generated when the customer, prospect or supplier flag is first set.
type ThirdPartyFields struct {
	Name        *string
	Alias       *string
	Customer    *bool
	Prospect    *bool
	Supplier    *bool
	Address     *string
	Zip         *string
	Town        *string
	CountryCode *string
	Email       *string
	Phone       *string
	VATNumber   *string
	// ProfIDs are idprof1..6; nil entries are kept.
	ProfIDs      [6]*string
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
	for i, p := range f.ProfIDs {
		setIf(&t.ProfIDs[i], p)
	}
	setIf(&t.PaymentTerms, f.PaymentTerms)
	if f.Language != nil {
		t.Language = domain.NormalizeLanguage(*f.Language)
	}
	setIf(&t.Active, f.Active)
}

// ThirdParties is the third-party use case.
type ThirdParties struct {
	tx       domain.Transactor
	repo     ThirdPartyRepo
	counters Counters
	clock    Clock
}

// NewThirdParties returns the third-party use case.
func NewThirdParties(tx domain.Transactor, repo ThirdPartyRepo, counters Counters, clock Clock) *ThirdParties {
	return &ThirdParties{tx: tx, repo: repo, counters: counters, clock: clock}
}

// Create validates and stores a new third party, active by default,
// generating its customer and supplier codes in the same transaction.
func (u *ThirdParties) Create(ctx context.Context, f ThirdPartyFields) (*domain.ThirdParty, error) {
	t := &domain.ThirdParty{Active: true}
	f.apply(t)
	if err := t.Validate(); err != nil {
		return nil, err
	}
	// The transactor runs a transaction the database aborted again from the
	// start (a deadlock victim): every attempt starts from the same entity,
	// so codes and version a rolled-back attempt set (its counters went back
	// with it) never carry over.
	before := *t
	err := u.tx.Do(ctx, func(ctx context.Context) error {
		*t = before
		now := u.clock.stamp()
		if err := u.assignCodes(ctx, t, now); err != nil {
			return err
		}
		t.CreatedAt, t.UpdatedAt = now, now
		return u.repo.Create(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// assignCodes gives t the codes its flags call for, dated now. The counter
// row stays locked until the transaction ends, so two creates never get
// one number and a rolled-back create gives its number back.
func (u *ThirdParties) assignCodes(ctx context.Context, t *domain.ThirdParty, now time.Time) error {
	if t.NeedsCustomerCode() {
		n, err := u.counters.Next(ctx, CustomerCodeScope)
		if err != nil {
			return err
		}
		t.CustomerCode = domain.FormatThirdPartyCode(domain.CustomerCodePrefix, now, n)
	}
	if t.NeedsSupplierCode() {
		n, err := u.counters.Next(ctx, SupplierCodeScope)
		if err != nil {
			return err
		}
		t.SupplierCode = domain.FormatThirdPartyCode(domain.SupplierCodePrefix, now, n)
	}
	return nil
}

// Get returns one third party.
func (u *ThirdParties) Get(ctx context.Context, id int64) (*domain.ThirdParty, error) {
	return u.repo.Get(ctx, id)
}

// Update applies f to the third party if it is still at version,
// generating a code when a customer, prospect or supplier flag is first set.
func (u *ThirdParties) Update(ctx context.Context, id, version int64, f ThirdPartyFields) (*domain.ThirdParty, error) {
	t, err := u.repo.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion("third party", id, t.Version, version); err != nil {
		return nil, err
	}
	f.apply(t)
	if err := t.Validate(); err != nil {
		return nil, err
	}
	before := *t // each attempt starts from the same entity (see Create)
	err = u.tx.Do(ctx, func(ctx context.Context) error {
		*t = before
		now := u.clock.stamp()
		if err := u.assignCodes(ctx, t, now); err != nil {
			return err
		}
		t.UpdatedAt = now
		return u.repo.Update(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Delete deletes a third party that no contact or document refers to.
func (u *ThirdParties) Delete(ctx context.Context, id int64) error {
	return u.repo.Delete(ctx, id)
}

// List lists third parties.
func (u *ThirdParties) List(ctx context.Context, f ThirdPartyFilter) (domain.Page[domain.ThirdParty], error) {
	return u.repo.List(ctx, f)
}
