// Package identity holds the identity use cases: login, users, roles, and the
// first-start bootstrap that keeps built-in roles in step with the code and
// creates the first administrator.
package identity

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// UserRepo is what the use cases need from user storage.
type UserRepo interface {
	// Create inserts u (roles by ID) and sets u.ID, CreatedAt, UpdatedAt.
	Create(ctx context.Context, u *domain.User) error
	// Update writes name, e-mail, active flag and role set of u.
	Update(ctx context.Context, u *domain.User) error
	SetPasswordHash(ctx context.Context, id int64, hash string) error
	Get(ctx context.Context, id int64) (domain.User, error)
	// ByLogin finds a user by normalised login; ErrNotFound when none.
	ByLogin(ctx context.Context, login string) (domain.User, error)
	List(ctx context.Context, q ListUsers) ([]domain.User, int64, error)
	Count(ctx context.Context) (int64, error)
	// LockAdmins locks, in id order, every active user holding
	// user:admin, so concurrent changes that could remove the last
	// administrator serialise; CountAdmins then counts them.
	LockAdmins(ctx context.Context) error
	CountAdmins(ctx context.Context) (int64, error)
	// BumpGeneration ends every token of user id: it raises the user's
	// token generation and the revocation version replicas poll.
	BumpGeneration(ctx context.Context, id int64) error
}

// RoleRepo is what the use cases need from role storage.
type RoleRepo interface {
	Create(ctx context.Context, r *domain.Role) error
	Update(ctx context.Context, r *domain.Role) error
	Delete(ctx context.Context, id int64) error
	Get(ctx context.Context, id int64) (domain.Role, error)
	// ByNames returns the roles named, in any order; missing ones are
	// simply absent.
	ByNames(ctx context.Context, names []string) ([]domain.Role, error)
	List(ctx context.Context) ([]domain.Role, error)
	// SyncBuiltin makes the built-in roles and their permissions equal
	// to roles, writing only what differs.
	SyncBuiltin(ctx context.Context, roles map[string][]domain.Permission) error
	// BumpHolders is BumpGeneration for every holder of role id.
	BumpHolders(ctx context.Context, id int64) error
}

// PasswordHasher hashes and checks passwords. Verify with an empty hash
// must take as long as with a real one and report false.
type PasswordHasher interface {
	Hash(ctx context.Context, pw string) (string, error)
	Verify(ctx context.Context, hash, pw string) (bool, error)
}

// TokenIssuer signs access tokens.
type TokenIssuer interface {
	Issue(userID int64, login string, perms domain.PermissionSet, generation int64) (string, time.Time, error)
}

// Throttle limits failed logins per login and per client address.
type Throttle interface {
	// Begin counts an attempt and returns 0, or how long to wait.
	Begin(login, client string) time.Duration
	Succeeded(login, client string)
}

// Service is the identity use cases.
type Service struct {
	users    UserRepo
	roles    RoleRepo
	tx       domain.Transactor
	hasher   PasswordHasher
	tokens   TokenIssuer
	throttle Throttle
	keys     APIKeyRepo
	refresh  RefreshRepo
	now      func() time.Time

	refreshTTL time.Duration
}

// Deps are the Service's collaborators.
type Deps struct {
	Users    UserRepo
	Roles    RoleRepo
	Tx       domain.Transactor
	Hasher   PasswordHasher
	Tokens   TokenIssuer
	Throttle Throttle
	// Keys stores API keys; Refresh stores refresh tokens (nil: login
	// issues access tokens only) valid for RefreshTTL (default 30 days).
	Keys       APIKeyRepo
	Refresh    RefreshRepo
	RefreshTTL time.Duration
	Now        func() time.Time
}

// New returns the Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.RefreshTTL <= 0 {
		d.RefreshTTL = 30 * 24 * time.Hour
	}
	return &Service{
		users: d.Users, roles: d.Roles, tx: d.Tx, hasher: d.Hasher, tokens: d.Tokens, throttle: d.Throttle,
		keys: d.Keys, refresh: d.Refresh, now: d.Now, refreshTTL: d.RefreshTTL,
	}
}

// ErrInvalidCredentials is the one answer to a wrong login, a wrong
// password and a deactivated account alike, so it reveals nothing.
var ErrInvalidCredentials = domain.E(domain.ErrUnauthorized, "invalid_credentials", "wrong login or password")

// ThrottledError says a login was refused unchecked because of repeated
// failures; the caller may retry after RetryAfter.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed logins; retry in %d s", int(e.RetryAfter.Round(time.Second)/time.Second))
}

// ErrorCode returns the stable code.
func (e *ThrottledError) ErrorCode() string { return "too_many_attempts" }

// LoginInput is a login attempt; Client is the caller's address.
type LoginInput struct {
	Login, Password, Client string
}

// Token is an issued access token and, when refresh tokens are on, the
// refresh token that renews it.
type Token struct {
	AccessToken  string
	RefreshToken string
	ExpiresAt    time.Time
	ExpiresIn    time.Duration
}

// maxCheckedPassword bounds the work one attempt can cause: longer
// passwords cannot exist (MaxPasswordLen) so they are refused unhashed.
const maxCheckedPassword = 1024

// Login checks the credentials and issues a token carrying the user's
// effective permissions. Unknown login, wrong password and deactivated user
// all cost one password verification and give ErrInvalidCredentials.
func (s *Service) Login(ctx context.Context, in LoginInput) (Token, error) {
	login := domain.NormalizeLogin(in.Login)
	var v domain.ValidationError
	if login == "" {
		v.Add("login", "required", "login is required")
	}
	if in.Password == "" {
		v.Add("password", "required", "password is required")
	}
	if err := v.Err(); err != nil {
		return Token{}, err
	}
	if wait := s.throttle.Begin(login, in.Client); wait > 0 {
		return Token{}, &ThrottledError{RetryAfter: wait}
	}
	if len(in.Password) > maxCheckedPassword {
		return Token{}, ErrInvalidCredentials
	}
	u, err := s.users.ByLogin(ctx, login)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return Token{}, err
	}
	ok, err := s.hasher.Verify(ctx, u.PasswordHash, in.Password) // "" when not found: dummy hash
	if err != nil {
		return Token{}, err
	}
	if !ok || !u.Active || u.ID == 0 {
		return Token{}, ErrInvalidCredentials
	}
	s.throttle.Succeeded(login, in.Client)
	return s.issue(ctx, u, "")
}

// Bootstrap runs at every API start: it brings the built-in roles in step
// with domain.BuiltinRoles and, when no user exists, creates the first
// administrator. With an empty password it generates one and returns it
// (created reports whether the admin was created by this call), so the
// caller can show it once.
func (s *Service) Bootstrap(ctx context.Context, adminLogin, adminPassword string) (generated string, created bool, err error) {
	if err := s.tx.Do(ctx, func(ctx context.Context) error {
		return s.roles.SyncBuiltin(ctx, domain.BuiltinRoles)
	}); err != nil {
		return "", false, fmt.Errorf("syncing built-in roles: %w", err)
	}
	n, err := s.users.Count(ctx)
	if err != nil || n > 0 {
		return "", false, err
	}
	pw := adminPassword
	if pw == "" {
		if pw, err = randomPassword(); err != nil {
			return "", false, err
		}
		generated = pw
	}
	_, err = s.CreateUser(ctx, NewUser{
		Login: adminLogin, Name: "Administrator", Password: pw, Roles: []string{domain.RoleAdmin}, Active: true,
	})
	if errors.Is(err, domain.ErrConflict) {
		return "", false, nil // another replica created it first
	}
	if err != nil {
		return "", false, fmt.Errorf("creating the first administrator: %w", err)
	}
	return generated, true, nil
}

func randomPassword() (string, error) {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
