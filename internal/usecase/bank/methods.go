package bank

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// MethodStore keeps the payment-method dictionary.
type MethodStore interface {
	ListMethods(ctx context.Context, activeOnly bool) ([]domain.PaymentMethodEntry, error)
	GetMethod(ctx context.Context, code string) (*domain.PaymentMethodEntry, error)
	CreateMethod(ctx context.Context, m *domain.PaymentMethodEntry) error
	UpdateMethod(ctx context.Context, m *domain.PaymentMethodEntry) error
}

// MethodFields are the editable fields of a dictionary entry (nil: default
// on create, unchanged on update).
type MethodFields struct {
	Code           *string
	Label          *string
	NeedsReference *bool
	Active         *bool
}

// Methods is the payment-method dictionary use case: seeded with
// Dolibarr's codes, extended with an installation's own, deactivated
// rather than deleted (payments keep naming them).
type Methods struct{ store MethodStore }

// NewMethods returns the dictionary use case.
func NewMethods(store MethodStore) *Methods { return &Methods{store: store} }

// List lists the entries, code order.
func (u *Methods) List(ctx context.Context, activeOnly bool) ([]domain.PaymentMethodEntry, error) {
	return u.store.ListMethods(ctx, activeOnly)
}

// Get returns one entry.
func (u *Methods) Get(ctx context.Context, code string) (*domain.PaymentMethodEntry, error) {
	return u.store.GetMethod(ctx, code)
}

// Create adds an entry, active unless said otherwise.
func (u *Methods) Create(ctx context.Context, f MethodFields) (*domain.PaymentMethodEntry, error) {
	m := &domain.PaymentMethodEntry{Active: true}
	setIf(&m.Code, f.Code)
	setIf(&m.Label, f.Label)
	setIf(&m.NeedsReference, f.NeedsReference)
	setIf(&m.Active, f.Active)
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := u.store.CreateMethod(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// Update changes an entry's label, reference rule or activity; its code
// is its identity.
func (u *Methods) Update(ctx context.Context, code string, f MethodFields) (*domain.PaymentMethodEntry, error) {
	m, err := u.store.GetMethod(ctx, code)
	if err != nil {
		return nil, err
	}
	if f.Code != nil && *f.Code != code {
		v := &domain.ValidationError{}
		v.Add("code", "read_only", "cannot change")
		return nil, v
	}
	setIf(&m.Label, f.Label)
	setIf(&m.NeedsReference, f.NeedsReference)
	setIf(&m.Active, f.Active)
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := u.store.UpdateMethod(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}
