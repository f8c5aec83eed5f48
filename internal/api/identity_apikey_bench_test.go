package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/auth"
	"github.com/dolibarr-go/dolibarr/internal/usecase/identity"
)

// oneKey is a key store holding one key: the warm path never calls it
// (after the first request), which is what the benchmark measures.
type oneKey struct{ g auth.KeyGrant }

func (s oneKey) KeyByPrefix(_ context.Context, prefix string) (auth.KeyGrant, error) {
	if prefix != s.g.Key.Prefix {
		return auth.KeyGrant{}, domain.E(domain.ErrNotFound, "not_found", "no key")
	}
	return s.g, nil
}
func (oneKey) TouchKey(context.Context, int64, time.Time) error { return nil }

// fixedRevocations is a revocation store with a few revoked users.
type fixedRevocations struct{}

func (fixedRevocations) Version(context.Context) (int64, error) { return 1, nil }
func (fixedRevocations) Generations(context.Context) (map[int64]int64, error) {
	return map[int64]int64{1: 3, 2: 1, 3: 5}, nil
}

// BenchmarkAuthorizeAPIKey measures the Authorize middleware on a warm API
// key (found in the key cache: parse, SHA-256 of the secret, constant-time
// compare, expiry), as Bearer and as X-API-Key, next to a warm JWT checked
// against the revocation cache, all through the same Authenticator.
func BenchmarkAuthorizeAPIKey(b *testing.B) {
	tk, err := auth.NewTokens(auth.TokenConfig{
		Secret: "benchmark-secret-0123456789-abcdefghijkl", Issuer: "dolibarr-go", Audience: "dolibarr-go-api",
		TTL: time.Hour, Leeway: 30 * time.Second,
	})
	if err != nil {
		b.Fatal(err)
	}
	raw, prefix, hash, err := identity.NewAPIKeySecret()
	if err != nil {
		b.Fatal(err)
	}
	perms := domain.NewPermissionSet(domain.PermInvoicePay, domain.PermInvoiceRead)
	store := oneKey{g: auth.KeyGrant{
		Key: domain.APIKey{ID: 1, UserID: 7, Prefix: prefix, SecretHash: hash, Permissions: perms.List(),
			LastUsedAt: ptr(time.Now())},
		Login: "bench-user", Active: true, UserPermissions: perms,
	}}
	rev := auth.NewRevocations(fixedRevocations{}, time.Hour, nil)
	if err := rev.Load(context.Background()); err != nil {
		b.Fatal(err)
	}
	a := auth.NewAuthenticator(tk, rev, store, nil, nil)
	e := echo.New()
	h := api.Authorizer(a)(domain.PermInvoicePay)(func(c echo.Context) error { return nil })
	jwt, _, err := tk.Issue(7, "bench-user", perms, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("warm/jwt+revocation", func(b *testing.B) { run(b, e, h, jwt, true) })
	b.Run("warm/key-bearer", func(b *testing.B) { run(b, e, h, raw, true) })
	b.Run("warm/key-header", func(b *testing.B) {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/invoices", nil)
		req.Header.Set(api.HeaderAPIKey, raw)
		c := e.NewContext(req, httptest.NewRecorder())
		b.ReportAllocs()
		for b.Loop() {
			c.SetRequest(req)
			if err := h(c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("wrong-secret", func(b *testing.B) { run(b, e, h, raw[:len(raw)-4]+"AAAA", false) })
}

func ptr[T any](v T) *T { return &v }
