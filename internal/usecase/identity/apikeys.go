package identity

import (
	"context"
	"strings"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// APIKeyRepo is what the API key use cases need from storage.
type APIKeyRepo interface {
	// Create inserts k and its permissions and sets k.ID and CreatedAt.
	Create(ctx context.Context, k *domain.APIKey) error
	Get(ctx context.Context, id int64) (domain.APIKey, error)
	// List returns a page of keys, newest first; userID 0 means everyone's.
	List(ctx context.Context, userID int64, limit, offset int) ([]domain.APIKey, int64, error)
	// Revoke marks key id revoked at at (once) and bumps the revocation
	// version every replica polls.
	Revoke(ctx context.Context, id int64, at time.Time) error
}

// NewAPIKey is the input of CreateAPIKey.
type NewAPIKey struct {
	// UserID is whose key it is; 0 means the caller's own.
	UserID      int64
	Name        string
	Permissions []domain.Permission
	ExpiresAt   *time.Time
}

// CreatedAPIKey is a new key with its secret, which is shown only this once.
type CreatedAPIKey struct {
	Key    domain.APIKey
	Secret string
}

// ErrNotOwnKey hides another user's key from a caller without user:admin.
func errKeyNotFound(id int64) error {
	return domain.E(domain.ErrNotFound, "not_found", "API key %d not found", id)
}

// CreateAPIKey creates a key for the caller, or, for a caller holding
// user:admin, for another user (a service account is an ordinary user
// whose keys an administrator manages). The key's permissions must be held
// both by the caller and by the key's user: a key never widens anyone's
// rights.
func (s *Service) CreateAPIKey(ctx context.Context, caller domain.Principal, in NewAPIKey) (CreatedAPIKey, error) {
	now := s.now()
	owner := caller.UserID
	if in.UserID != 0 && in.UserID != caller.UserID {
		if !caller.Can(domain.PermUserAdmin) {
			return CreatedAPIKey{}, domain.E(domain.ErrForbidden, "forbidden",
				"creating a key for another user needs the permission user:admin")
		}
		owner = in.UserID
	}
	name := strings.TrimSpace(in.Name)
	var v domain.ValidationError
	domain.ValidateAPIKey(&v, name, in.Permissions, in.ExpiresAt, now)
	u, err := s.users.Get(ctx, owner)
	if err != nil {
		if owner != caller.UserID {
			v.Add("user_id", "unknown_user", "user %d does not exist", owner)
			return CreatedAPIKey{}, v.Err()
		}
		return CreatedAPIKey{}, err
	}
	if !u.Active {
		v.Add("user_id", "inactive", "user %d is deactivated", owner)
	}
	want := domain.NewPermissionSet(in.Permissions...)
	if !want.SubsetOf(caller.Permissions.Intersect(u.Permissions())) {
		for _, p := range want.List() {
			if !caller.Permissions.Has(p) || !u.Permissions().Has(p) {
				v.Add("permissions", "not_held", "%q is not held by the key's user and the caller; a key grants a subset of their permissions", p)
			}
		}
	}
	if err := v.Err(); err != nil {
		return CreatedAPIKey{}, err
	}
	raw, prefix, hash, err := NewAPIKeySecret()
	if err != nil {
		return CreatedAPIKey{}, err
	}
	k := domain.APIKey{
		UserID: owner, Name: name, Prefix: prefix, SecretHash: hash, Permissions: want.List(),
		ExpiresAt: in.ExpiresAt, CreatedBy: caller.UserID,
	}
	if k.ExpiresAt != nil {
		t := k.ExpiresAt.UTC().Truncate(time.Microsecond)
		k.ExpiresAt = &t
	}
	if err := s.tx.Do(ctx, func(ctx context.Context) error {
		k.ID = 0
		return s.keys.Create(ctx, &k)
	}); err != nil {
		return CreatedAPIKey{}, err
	}
	return CreatedAPIKey{Key: k, Secret: raw}, nil
}

// ListAPIKeys lists the caller's keys; with user:admin and all set, every
// user's (userID narrows to one user).
func (s *Service) ListAPIKeys(ctx context.Context, caller domain.Principal, userID int64, limit, offset int) ([]domain.APIKey, int64, error) {
	if !caller.Can(domain.PermUserAdmin) {
		userID = caller.UserID
	}
	return s.keys.List(ctx, userID, limit, offset)
}

// GetAPIKey returns a key of the caller's (any key for user:admin).
func (s *Service) GetAPIKey(ctx context.Context, caller domain.Principal, id int64) (domain.APIKey, error) {
	k, err := s.keys.Get(ctx, id)
	if err != nil {
		return domain.APIKey{}, err
	}
	if k.UserID != caller.UserID && !caller.Can(domain.PermUserAdmin) {
		return domain.APIKey{}, errKeyNotFound(id)
	}
	return k, nil
}

// RevokeAPIKey revokes a key of the caller's (any key for user:admin). It
// stops working on every replica within the revocation poll interval.
// Revoking a revoked key is a no-op.
func (s *Service) RevokeAPIKey(ctx context.Context, caller domain.Principal, id int64) (domain.APIKey, error) {
	var out domain.APIKey
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		k, err := s.GetAPIKey(ctx, caller, id)
		if err != nil {
			return err
		}
		if k.RevokedAt == nil {
			if err := s.keys.Revoke(ctx, id, s.now()); err != nil {
				return err
			}
		}
		out, err = s.keys.Get(ctx, id)
		return err
	})
	return out, err
}
