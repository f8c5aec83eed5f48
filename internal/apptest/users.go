package apptest

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// userMaker provides the users tokens are minted for.
type userMaker struct {
	a *App
	n atomic.Int64
}

func newUserMaker(a *App) *userMaker { return &userMaker{a: a} }

// make returns a throwaway user holding exactly perms.
func (m *userMaker) make(t testing.TB, perms []domain.Permission) domain.User {
	t.Helper()
	n := m.n.Add(1)
	return domain.User{ID: 1_000_000 + n, Login: fmt.Sprintf("apptest-%d", n), Active: true}
}

// admin returns the first administrator's id.
func (m *userMaker) admin(t testing.TB) int64 {
	t.Helper()
	return 1
}
