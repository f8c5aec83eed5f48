package identity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/identity"
)

// Hand-written fakes: the use case's rules, not storage, are under test
// here (the repositories run on real engines in internal/app's tests).

type fakeUsers struct {
	byLogin map[string]domain.User
	count   int64
	created []domain.User
	err     error
}

func (f *fakeUsers) Create(_ context.Context, u *domain.User) error {
	if f.err != nil {
		return f.err
	}
	u.ID = int64(len(f.created) + 1)
	f.created = append(f.created, *u)
	return nil
}
func (f *fakeUsers) Update(context.Context, *domain.User) error           { return nil }
func (f *fakeUsers) SetPasswordHash(context.Context, int64, string) error { return nil }
func (f *fakeUsers) Get(context.Context, int64) (domain.User, error)      { return domain.User{}, nil }
func (f *fakeUsers) ByLogin(_ context.Context, login string) (domain.User, error) {
	u, ok := f.byLogin[login]
	if !ok {
		return domain.User{}, domain.E(domain.ErrNotFound, "not_found", "user not found")
	}
	return u, nil
}
func (f *fakeUsers) List(context.Context, identity.ListUsers) ([]domain.User, int64, error) {
	return nil, 0, nil
}
func (f *fakeUsers) Count(context.Context) (int64, error)        { return f.count, nil }
func (f *fakeUsers) LockAdmins(context.Context) error            { return nil }
func (f *fakeUsers) CountAdmins(context.Context) (int64, error)  { return 1, nil }
func (f *fakeUsers) BumpGeneration(context.Context, int64) error { return nil }

type fakeRoles struct {
	synced map[string][]domain.Permission
}

func (f *fakeRoles) Create(context.Context, *domain.Role) error { return nil }
func (f *fakeRoles) Update(context.Context, *domain.Role) error { return nil }
func (f *fakeRoles) Delete(context.Context, int64) error        { return nil }
func (f *fakeRoles) Get(context.Context, int64) (domain.Role, error) {
	return domain.Role{}, nil
}
func (f *fakeRoles) ByNames(_ context.Context, names []string) ([]domain.Role, error) {
	var out []domain.Role
	for i, n := range names {
		if ps, ok := domain.BuiltinRoles[n]; ok {
			out = append(out, domain.Role{ID: int64(i + 1), Name: n, Builtin: true, Permissions: ps})
		}
	}
	return out, nil
}
func (f *fakeRoles) List(context.Context) ([]domain.Role, error) { return nil, nil }
func (f *fakeRoles) BumpHolders(context.Context, int64) error    { return nil }
func (f *fakeRoles) SyncBuiltin(_ context.Context, r map[string][]domain.Permission) error {
	f.synced = r
	return nil
}

type noTx struct{}

func (noTx) Do(ctx context.Context, fn func(context.Context) error) error { return fn(ctx) }

// fakeHasher records which hashes it was asked to check; the real one's
// cost and dummy hash are tested in infrastructure/auth.
type fakeHasher struct{ verified []string }

func (h *fakeHasher) Hash(_ context.Context, pw string) (string, error) { return "hash:" + pw, nil }
func (h *fakeHasher) Verify(_ context.Context, hash, pw string) (bool, error) {
	h.verified = append(h.verified, hash)
	return hash != "" && hash == "hash:"+pw, nil
}

type fakeTokens struct{ issued []domain.PermissionSet }

func (f *fakeTokens) Issue(_ int64, _ string, p domain.PermissionSet, _ int64) (string, time.Time, error) {
	f.issued = append(f.issued, p)
	return "token", time.Unix(1000+900, 0), nil
}

type fakeThrottle struct {
	wait      time.Duration
	begun     int
	succeeded int
}

func (f *fakeThrottle) Begin(string, string) time.Duration { f.begun++; return f.wait }
func (f *fakeThrottle) Succeeded(string, string)           { f.succeeded++ }

type fixture struct {
	svc      *identity.Service
	users    *fakeUsers
	roles    *fakeRoles
	hasher   *fakeHasher
	tokens   *fakeTokens
	throttle *fakeThrottle
}

func newFixture() *fixture {
	f := &fixture{
		users: &fakeUsers{byLogin: map[string]domain.User{
			"jane": {ID: 7, Login: "jane", Active: true, PasswordHash: "hash:right-password",
				Roles: []domain.Role{{Name: "sales", Permissions: []domain.Permission{domain.PermThirdPartyRead}}}},
			"gone": {ID: 8, Login: "gone", Active: false, PasswordHash: "hash:right-password"},
		}},
		roles: &fakeRoles{}, hasher: &fakeHasher{}, tokens: &fakeTokens{}, throttle: &fakeThrottle{},
	}
	f.svc = identity.New(identity.Deps{
		Users: f.users, Roles: f.roles, Tx: noTx{}, Hasher: f.hasher, Tokens: f.tokens, Throttle: f.throttle,
		Now: func() time.Time { return time.Unix(1000, 0) },
	})
	return f
}

func TestLoginIssuesTheUsersPermissions(t *testing.T) {
	f := newFixture()
	tok, err := f.svc.Login(context.Background(), identity.LoginInput{Login: " JANE ", Password: "right-password"})
	require.NoError(t, err)
	require.Equal(t, 900*time.Second, tok.ExpiresIn)
	require.Equal(t, []domain.PermissionSet{domain.NewPermissionSet(domain.PermThirdPartyRead)}, f.tokens.issued)
	require.Equal(t, 1, f.throttle.succeeded)
}

// TestEveryLoginFailureCostsOneVerification: an unknown login is checked
// against the empty hash (the real hasher's dummy), so it costs the same
// as a wrong password; all failures give the same error and no success is
// recorded with the throttle.
func TestEveryLoginFailureCostsOneVerification(t *testing.T) {
	for name, in := range map[string]identity.LoginInput{
		"unknown login":  {Login: "nobody", Password: "right-password"},
		"wrong password": {Login: "jane", Password: "wrong-password"},
		"deactivated":    {Login: "gone", Password: "right-password"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture()
			_, err := f.svc.Login(context.Background(), in)
			require.Same(t, identity.ErrInvalidCredentials, err)
			require.Len(t, f.hasher.verified, 1)
			require.Equal(t, 1, f.throttle.begun)
			require.Zero(t, f.throttle.succeeded)
			require.Empty(t, f.tokens.issued)
		})
	}
}

func TestThrottledLoginChecksNothing(t *testing.T) {
	f := newFixture()
	f.throttle.wait = 42 * time.Second
	_, err := f.svc.Login(context.Background(), identity.LoginInput{Login: "jane", Password: "right-password"})
	var te *identity.ThrottledError
	require.ErrorAs(t, err, &te)
	require.Equal(t, 42*time.Second, te.RetryAfter)
	require.Empty(t, f.hasher.verified, "a throttled attempt never reaches the hasher")
}

func TestLoginValidatesInputBeforeCounting(t *testing.T) {
	f := newFixture()
	_, err := f.svc.Login(context.Background(), identity.LoginInput{})
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Fields, 2)
	require.Zero(t, f.throttle.begun)
}

func TestBootstrapSyncsRolesAndCreatesTheFirstAdmin(t *testing.T) {
	f := newFixture()
	generated, created, err := f.svc.Bootstrap(context.Background(), "Root", "")
	require.NoError(t, err)
	require.True(t, created)
	require.Len(t, generated, 24, "a generated password of 18 random bytes")
	require.Equal(t, domain.BuiltinRoles, f.roles.synced)
	require.Len(t, f.users.created, 1)
	admin := f.users.created[0]
	require.Equal(t, "root", admin.Login)
	require.Equal(t, "hash:"+generated, admin.PasswordHash)
	require.True(t, admin.Active)
	require.Equal(t, []string{domain.RoleAdmin}, []string{admin.Roles[0].Name})

	f = newFixture()
	f.users.count = 1
	_, created, err = f.svc.Bootstrap(context.Background(), "root", "")
	require.NoError(t, err)
	require.False(t, created, "users exist: nothing is created")
	require.Empty(t, f.users.created)

	f = newFixture()
	f.users.err = domain.E(domain.ErrConflict, "duplicate", "exists")
	generated, created, err = f.svc.Bootstrap(context.Background(), "root", "")
	require.NoError(t, err, "another replica won the race")
	require.False(t, created)
	require.Empty(t, generated, "a password that was not stored is not shown")

	f = newFixture()
	f.users.err = errors.New("disk full")
	_, _, err = f.svc.Bootstrap(context.Background(), "root", "configured-password")
	require.ErrorContains(t, err, "disk full")
}
