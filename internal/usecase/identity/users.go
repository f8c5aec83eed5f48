package identity

import (
	"context"
	"slices"
	"strings"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// ListUsers selects a page of users.
type ListUsers struct {
	Limit, Offset int
	Q             string // substring of login, name or e-mail
	Active        *bool
}

// NewUser is the input of CreateUser.
type NewUser struct {
	Login, Name, Email, Password string
	Roles                        []string
	Active                       bool
}

// UserUpdate changes the fields that are set.
type UserUpdate struct {
	Name   *string
	Email  *string
	Active *bool
	Roles  *[]string
}

// Me returns the caller's own account.
func (s *Service) Me(ctx context.Context, userID int64) (domain.User, error) {
	return s.users.Get(ctx, userID)
}

// GetUser returns one user.
func (s *Service) GetUser(ctx context.Context, id int64) (domain.User, error) {
	return s.users.Get(ctx, id)
}

// ListUsers returns a page of users and the total matching.
func (s *Service) ListUsers(ctx context.Context, q ListUsers) ([]domain.User, int64, error) {
	return s.users.List(ctx, q)
}

// CreateUser validates in, hashes the password and stores the user.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (domain.User, error) {
	u := domain.User{
		Login: domain.NormalizeLogin(in.Login), Name: strings.TrimSpace(in.Name), Email: strings.TrimSpace(in.Email),
		Active: in.Active,
	}
	var v domain.ValidationError
	domain.ValidateLogin(&v, "login", u.Login)
	domain.ValidateUserFields(&v, u.Name, u.Email)
	domain.ValidatePassword(&v, "password", in.Password)
	roles, err := s.resolveRoles(ctx, &v, in.Roles)
	if err != nil {
		return domain.User{}, err
	}
	if err := v.Err(); err != nil {
		return domain.User{}, err
	}
	u.Roles = roles
	// Hash outside the transaction: it is the slow part and needs no lock.
	if u.PasswordHash, err = s.hasher.Hash(ctx, in.Password); err != nil {
		return domain.User{}, err
	}
	if err := s.tx.Do(ctx, func(ctx context.Context) error {
		return s.users.Create(ctx, &u)
	}); err != nil {
		return domain.User{}, err
	}
	return u, nil
}

// UpdateUser applies the set fields of in. A change that would leave no
// active user holding user:admin is refused.
func (s *Service) UpdateUser(ctx context.Context, id int64, in UserUpdate) (domain.User, error) {
	var out domain.User
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		if err := s.users.LockAdmins(ctx); err != nil {
			return err
		}
		u, err := s.users.Get(ctx, id)
		if err != nil {
			return err
		}
		before := u
		before.Roles = slices.Clone(u.Roles)
		var v domain.ValidationError
		if in.Name != nil {
			u.Name = strings.TrimSpace(*in.Name)
		}
		if in.Email != nil {
			u.Email = strings.TrimSpace(*in.Email)
		}
		domain.ValidateUserFields(&v, u.Name, u.Email)
		if in.Active != nil {
			u.Active = *in.Active
		}
		if in.Roles != nil {
			roles, err := s.resolveRoles(ctx, &v, *in.Roles)
			if err != nil {
				return err
			}
			u.Roles = roles
		}
		if err := v.Err(); err != nil {
			return err
		}
		// Deactivation and role changes end the user's tokens at once
		// (decision 0026); a name or e-mail change does not.
		revoke := (in.Active != nil && !*in.Active && before.Active) || (in.Roles != nil && !sameRoles(before.Roles, u.Roles))
		if err := s.users.Update(ctx, &u); err != nil {
			return err
		}
		if revoke {
			if err := s.users.BumpGeneration(ctx, u.ID); err != nil {
				return err
			}
			u.TokenGeneration++
		}
		out = u
		return s.ensureAdminRemains(ctx)
	})
	return out, err
}

// DeactivateUser stops a user from logging in; the tokens and API keys
// already issued stop working on every replica within a second (the
// revocation cache, decision 0026).
func (s *Service) DeactivateUser(ctx context.Context, id int64) (domain.User, error) {
	inactive := false
	return s.UpdateUser(ctx, id, UserUpdate{Active: &inactive})
}

// SetPassword replaces a user's password (administrators).
func (s *Service) SetPassword(ctx context.Context, id int64, pw string) error {
	var v domain.ValidationError
	domain.ValidatePassword(&v, "password", pw)
	if err := v.Err(); err != nil {
		return err
	}
	if _, err := s.users.Get(ctx, id); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return err
	}
	// A new password ends the sessions of whoever knew the old one.
	return s.tx.Do(ctx, func(ctx context.Context) error {
		if err := s.users.SetPasswordHash(ctx, id, hash); err != nil {
			return err
		}
		return s.users.BumpGeneration(ctx, id)
	})
}

func sameRoles(a, b []domain.Role) bool {
	ids := func(rs []domain.Role) []int64 {
		out := make([]int64, 0, len(rs))
		for _, r := range rs {
			out = append(out, r.ID)
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(ids(a), ids(b))
}

// ChangeOwnPassword replaces the caller's password after checking the
// current one. Wrong current passwords count against the same limits as
// failed logins, so a stolen token cannot be used to guess the password.
func (s *Service) ChangeOwnPassword(ctx context.Context, userID int64, client, current, next string) error {
	u, err := s.users.Get(ctx, userID)
	if err != nil {
		return err
	}
	if wait := s.throttle.Begin(u.Login, client); wait > 0 {
		return &ThrottledError{RetryAfter: wait}
	}
	ok, err := s.hasher.Verify(ctx, u.PasswordHash, current)
	if err != nil {
		return err
	}
	if ok {
		s.throttle.Succeeded(u.Login, client)
	} else {
		var v domain.ValidationError
		v.Add("current_password", "mismatch", "the current password is wrong")
		return &v
	}
	return s.SetPassword(ctx, userID, next)
}

// resolveRoles maps role names to roles, recording unknown names in v.
func (s *Service) resolveRoles(ctx context.Context, v *domain.ValidationError, names []string) ([]domain.Role, error) {
	if len(names) == 0 {
		return nil, nil
	}
	uniq := slices.Clone(names)
	slices.Sort(uniq)
	uniq = slices.Compact(uniq)
	roles, err := s.roles.ByNames(ctx, uniq)
	if err != nil {
		return nil, err
	}
	for _, n := range uniq {
		if !slices.ContainsFunc(roles, func(r domain.Role) bool { return r.Name == n }) {
			v.Add("roles", "unknown_role", "unknown role %q", n)
		}
	}
	return roles, nil
}

// ErrLastAdmin refuses a change that would lock everyone out of user and
// role administration.
var ErrLastAdmin = domain.E(domain.ErrConflict, "last_admin",
	"the change would leave no active user holding user:admin; grant it to another user first")

func (s *Service) ensureAdminRemains(ctx context.Context) error {
	n, err := s.users.CountAdmins(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrLastAdmin
	}
	return nil
}
