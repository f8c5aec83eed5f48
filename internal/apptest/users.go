package apptest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/auth"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
)

// ThrowawayPassword is the password of every user Token creates.
const ThrowawayPassword = "apptest-throwaway-password"

var (
	hashOnce sync.Once
	hashed   string
	hashErr  error
)

// throwawayHash is hashed once per test binary: hashing is deliberately
// slow and every throwaway user shares the password.
func throwawayHash() (string, error) {
	hashOnce.Do(func() {
		var h *auth.Hasher
		if h, hashErr = auth.NewHasher(auth.DefaultArgon2); hashErr == nil {
			hashed, hashErr = h.Hash(context.Background(), ThrowawayPassword)
		}
	})
	return hashed, hashErr
}

// userMaker creates the real users tokens are minted for, so handlers that
// record or look up the caller find a row.
type userMaker struct {
	a       *App
	n       atomic.Int64
	adminID atomic.Int64
}

func newUserMaker(a *App) *userMaker { return &userMaker{a: a} }

// User is a throwaway user created by NewUser.
type User struct {
	ID       int64
	Login    string
	Password string
}

// NewUser creates an active user whose only role grants exactly perms (no
// role at all when perms is empty); its password is ThrowawayPassword.
func (a *App) NewUser(t testing.TB, perms ...domain.Permission) User {
	t.Helper()
	u := a.users.make(t, perms)
	return User{ID: u.ID, Login: u.Login, Password: ThrowawayPassword}
}

func (m *userMaker) make(t testing.TB, perms []domain.Permission) domain.User {
	t.Helper()
	ctx := context.Background()
	hash, err := throwawayHash()
	require.NoError(t, err)
	n := m.n.Add(1)
	u := domain.User{Login: fmt.Sprintf("apptest-%d", n), Name: fmt.Sprintf("Throwaway %d", n), Active: true, PasswordHash: hash}
	if len(perms) > 0 {
		role := domain.Role{Name: fmt.Sprintf("apptest-%d", n), Permissions: domain.SortPermissions(perms)}
		require.NoError(t, persistence.NewRoleRepo(m.a.DB).Create(ctx, &role))
		u.Roles = []domain.Role{role}
	}
	require.NoError(t, persistence.NewUserRepo(m.a.DB).Create(ctx, &u))
	return u
}

// admin returns the first administrator's id.
func (m *userMaker) admin(t testing.TB) int64 {
	t.Helper()
	if id := m.adminID.Load(); id != 0 {
		return id
	}
	u, err := persistence.NewUserRepo(m.a.DB).ByLogin(context.Background(), AdminLogin)
	require.NoError(t, err, "the first administrator should exist")
	m.adminID.Store(u.ID)
	return u.ID
}
