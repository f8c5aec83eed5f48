package identity

import (
	"context"
	"strings"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// NewRole is the input of CreateRole.
type NewRole struct {
	Name, Description string
	Permissions       []domain.Permission
}

// RoleUpdate changes the fields that are set.
type RoleUpdate struct {
	Name        *string
	Description *string
	Permissions *[]domain.Permission
}

// ErrBuiltinRole refuses changes to a built-in role: the code defines them.
var ErrBuiltinRole = domain.E(domain.ErrConflict, "builtin_role",
	"built-in roles are defined by the application and cannot be changed or deleted; create a custom role instead")

// ListRoles returns every role.
func (s *Service) ListRoles(ctx context.Context) ([]domain.Role, error) {
	return s.roles.List(ctx)
}

// GetRole returns one role.
func (s *Service) GetRole(ctx context.Context, id int64) (domain.Role, error) {
	return s.roles.Get(ctx, id)
}

// CreateRole stores a custom role.
func (s *Service) CreateRole(ctx context.Context, in NewRole) (domain.Role, error) {
	r := domain.Role{Name: strings.TrimSpace(in.Name), Description: strings.TrimSpace(in.Description)}
	var v domain.ValidationError
	domain.ValidateRole(&v, r.Name, r.Description, in.Permissions)
	if err := v.Err(); err != nil {
		return domain.Role{}, err
	}
	r.Permissions = domain.SortPermissions(in.Permissions)
	err := s.tx.Do(ctx, func(ctx context.Context) error { return s.roles.Create(ctx, &r) })
	return r, err
}

// UpdateRole changes a custom role. A change of its permissions ends its
// holders' tokens (decision 0026): they log in or refresh to get the new ones.
func (s *Service) UpdateRole(ctx context.Context, id int64, in RoleUpdate) (domain.Role, error) {
	var out domain.Role
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		r, err := s.lockCustomRole(ctx, id)
		if err != nil {
			return err
		}
		if in.Name != nil {
			r.Name = strings.TrimSpace(*in.Name)
		}
		if in.Description != nil {
			r.Description = strings.TrimSpace(*in.Description)
		}
		var perms []domain.Permission
		if in.Permissions != nil {
			perms = *in.Permissions
		}
		var v domain.ValidationError
		domain.ValidateRole(&v, r.Name, r.Description, perms)
		if err := v.Err(); err != nil {
			return err
		}
		if in.Permissions != nil {
			r.Permissions = domain.SortPermissions(perms)
		}
		if err := s.roles.Update(ctx, &r); err != nil {
			return err
		}
		if in.Permissions != nil {
			// Holders' tokens carry the old permissions: end them.
			if err := s.roles.BumpHolders(ctx, id); err != nil {
				return err
			}
		}
		out = r
		return s.ensureAdminRemains(ctx)
	})
	return out, err
}

// DeleteRole deletes a custom role; its holders lose it.
func (s *Service) DeleteRole(ctx context.Context, id int64) error {
	return s.tx.Do(ctx, func(ctx context.Context) error {
		if _, err := s.lockCustomRole(ctx, id); err != nil {
			return err
		}
		if err := s.roles.BumpHolders(ctx, id); err != nil {
			return err
		}
		if err := s.roles.Delete(ctx, id); err != nil {
			return err
		}
		return s.ensureAdminRemains(ctx)
	})
}

// lockCustomRole locks the administrators (see UserRepo.LockAdmins), then
// returns role id unless it is built in.
func (s *Service) lockCustomRole(ctx context.Context, id int64) (domain.Role, error) {
	if err := s.users.LockAdmins(ctx); err != nil {
		return domain.Role{}, err
	}
	r, err := s.roles.Get(ctx, id)
	if err != nil {
		return domain.Role{}, err
	}
	if r.Builtin {
		return domain.Role{}, ErrBuiltinRole
	}
	return r, nil
}
