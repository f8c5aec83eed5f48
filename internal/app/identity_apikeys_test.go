package app_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// keyFieldCodes lists a 422's field problems as "field/code", sorted.
func keyFieldCodes(t *testing.T, res *apptest.Response) []string {
	t.Helper()
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
	p := res.Problem(t)
	require.Equal(t, "validation_failed", p.Code)
	out := make([]string, 0, len(p.Errors))
	for _, e := range p.Errors {
		out = append(out, e.Field+"/"+e.Code)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func keyHeader(key string) http.Header {
	h := http.Header{}
	h.Set(api.HeaderAPIKey, key)
	return h
}

func createKey(t *testing.T, a *apptest.App, token string, body map[string]any) api.KeyResponse {
	t.Helper()
	res := a.Do(t, http.MethodPost, "/api/v1/api-keys", body, token)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	var k api.KeyResponse
	res.JSON(t, &k)
	require.Equal(t, fmt.Sprintf("/api/v1/api-keys/%d", k.ID), res.Header.Get("Location"))
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	return k
}

// unauthorized is what a 401 says, without what differs per request.
type unauthorized struct {
	Status          int
	Code, Detail    string
	WWWAuthenticate string
	ContentType     string
}

func answer401(t *testing.T, res *apptest.Response) unauthorized {
	t.Helper()
	require.Equal(t, http.StatusUnauthorized, res.Status, string(res.Body))
	p := res.Problem(t)
	return unauthorized{Status: res.Status, Code: p.Code, Detail: p.Detail, WWWAuthenticate: res.Header.Get("WWW-Authenticate"),
		ContentType: res.Header.Get("Content-Type")}
}

// TestAPIKeys runs the API key life cycle on every engine: created with a
// subset of the caller's permissions and shown once, accepted as Bearer and
// as X-API-Key, limited to its permissions, refused wider, listed without
// its secret, last use recorded, and expired, revoked, malformed or wrong
// keys answered exactly as a wrong JWT.
func TestAPIKeys(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		clerk := a.Token(t, domain.PermProductRead, domain.PermProductWrite, domain.PermInvoiceRead)
		k := createKey(t, a, clerk, map[string]any{"name": " shop sync ", "permissions": []string{"product:read", "product:read"}})
		require.True(t, strings.HasPrefix(k.Key, "dgo_"+k.Prefix+"_"), k.Key)
		require.Len(t, k.Key, 60)
		require.Equal(t, "shop sync", k.Name)
		require.Equal(t, []domain.Permission{domain.PermProductRead}, k.Permissions)
		require.Nil(t, k.ExpiresAt)
		require.Nil(t, k.LastUsedAt)

		// Stored hashed: the secret is nowhere in the database.
		var stored string
		require.NoError(t, a.DB.Gorm(context.Background()).Raw("SELECT secret_hash FROM api_keys WHERE id = ?", k.ID).Scan(&stored).Error)
		require.Len(t, stored, 64)
		require.NotContains(t, k.Key, stored)
		require.NotContains(t, stored, k.Key[len(k.Key)-43:])

		// Accepted both ways, within its permissions only.
		require.Equal(t, http.StatusOK, a.Do(t, http.MethodGet, "/api/v1/products", nil, k.Key).Status)
		require.Equal(t, http.StatusOK, a.DoHeader(t, http.MethodGet, "/api/v1/products", nil, keyHeader(k.Key)).Status)
		require.Equal(t, "forbidden", problemCode(t, a.Do(t, http.MethodGet, "/api/v1/invoices", nil, k.Key), http.StatusForbidden))
		res := a.Do(t, http.MethodGet, "/api/v1/users/me", nil, k.Key)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		var me api.MeResponse
		res.JSON(t, &me)
		require.Equal(t, []domain.Permission{domain.PermProductRead}, me.Permissions)

		// Last use recorded (asynchronously, at most once a minute).
		require.Eventually(t, func() bool {
			var got api.KeyResponse
			r := a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/api-keys/%d", k.ID), nil, clerk)
			r.JSON(t, &got)
			return got.LastUsedAt != nil
		}, 5*time.Second, 20*time.Millisecond)

		// Wider than the caller: 422 not_held, nothing written.
		res = a.Do(t, http.MethodPost, "/api/v1/api-keys", map[string]any{"name": "x", "permissions": []string{"product:read", "user:admin"}}, clerk)
		require.Equal(t, []string{"permissions/not_held"}, keyFieldCodes(t, res))
		res = a.Do(t, http.MethodPost, "/api/v1/api-keys", map[string]any{"name": "", "permissions": []string{"nope"}, "expires_at": "2001-01-01T00:00:00Z"}, clerk)
		require.Equal(t, []string{"expires_at/in_past", "name/required", "permissions/unknown_permission"}, keyFieldCodes(t, res))
		res = a.Do(t, http.MethodPost, "/api/v1/api-keys", map[string]any{"name": "x", "permissions": []string{}}, clerk)
		require.Equal(t, []string{"permissions/required"}, keyFieldCodes(t, res))
		// Another user's key needs user:admin.
		res = a.Do(t, http.MethodPost, "/api/v1/api-keys", map[string]any{"name": "x", "permissions": []string{"product:read"}, "user_id": 1}, clerk)
		require.Equal(t, "forbidden", problemCode(t, res, http.StatusForbidden))
		// A key cannot mint a wider key either.
		res = a.Do(t, http.MethodPost, "/api/v1/api-keys", map[string]any{"name": "x", "permissions": []string{"product:write"}}, k.Key)
		require.Equal(t, []string{"permissions/not_held"}, keyFieldCodes(t, res))

		var list api.List[api.KeyResponse]
		res = a.Do(t, http.MethodGet, "/api/v1/api-keys", nil, clerk)
		require.Equal(t, http.StatusOK, res.Status)
		res.JSON(t, &list)
		require.Equal(t, int64(1), list.Paging.Total, "the refused creations wrote nothing")
		require.Empty(t, list.Data[0].Key, "the secret is shown once")
		require.NotContains(t, string(res.Body), k.Key[len(k.Key)-43:])

		// Someone else's key is invisible; an administrator sees it.
		other := a.Token(t, domain.PermProductRead)
		require.Equal(t, "not_found", problemCode(t, a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/api-keys/%d", k.ID), nil, other), http.StatusNotFound))
		require.Equal(t, "not_found", problemCode(t, a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/api-keys/%d/revoke", k.ID), nil, other), http.StatusNotFound))
		res = a.Do(t, http.MethodGet, "/api/v1/api-keys", nil, other)
		res.JSON(t, &list)
		require.Equal(t, int64(0), list.Paging.Total)
		admin := a.AdminToken(t)
		res = a.Do(t, http.MethodGet, "/api/v1/api-keys", nil, admin)
		res.JSON(t, &list)
		require.Equal(t, int64(1), list.Paging.Total)

		// A service account: an administrator creates a key for another user.
		svc := a.NewUser(t, domain.PermInvoiceRead)
		sk := createKey(t, a, admin, map[string]any{"name": "n8n", "permissions": []string{"invoice:read"}, "user_id": svc.ID})
		require.Equal(t, svc.ID, sk.UserID)
		require.Equal(t, http.StatusOK, a.Do(t, http.MethodGet, "/api/v1/invoices", nil, sk.Key).Status)
		res = a.Do(t, http.MethodPost, "/api/v1/api-keys", map[string]any{"name": "x", "permissions": []string{"product:read"}, "user_id": svc.ID}, admin)
		require.Equal(t, []string{"permissions/not_held"}, keyFieldCodes(t, res), "not more than the service account holds")
		res = a.Do(t, http.MethodPost, "/api/v1/api-keys", map[string]any{"name": "x", "permissions": []string{"product:read"}, "user_id": 999999}, admin)
		require.Equal(t, []string{"user_id/unknown_user"}, keyFieldCodes(t, res))

		// Every bad key answers exactly as a wrong JWT.
		wrongJWT := answer401(t, a.Do(t, http.MethodGet, "/api/v1/products", nil, clerk[:len(clerk)-2]+"xx"))
		wrongSecret := k.Key[:len(k.Key)-4] + "AAAA"
		unknownPrefix := "dgo_000000000000_" + k.Key[len(k.Key)-43:]
		for name, bad := range map[string]string{
			"malformed": "dgo_short", "wrong secret": wrongSecret, "unknown prefix": unknownPrefix,
			"upper-case prefix": "dgo_" + strings.ToUpper(k.Prefix) + k.Key[16:],
		} {
			require.Equal(t, wrongJWT, answer401(t, a.Do(t, http.MethodGet, "/api/v1/products", nil, bad)), name)
			require.Equal(t, wrongJWT, answer401(t, a.DoHeader(t, http.MethodGet, "/api/v1/products", nil, keyHeader(bad))), name)
		}
		both := keyHeader(k.Key)
		both.Set("Authorization", "Bearer "+clerk)
		require.Equal(t, "invalid_token", answer401(t, a.DoHeader(t, http.MethodGet, "/api/v1/products", nil, both)).Code)

		// Revoked: refused within the poll interval, like a wrong JWT.
		res = a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/api-keys/%d/revoke", k.ID), nil, clerk)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		var revoked api.KeyResponse
		res.JSON(t, &revoked)
		require.NotNil(t, revoked.RevokedAt)
		start := time.Now()
		for a.Do(t, http.MethodGet, "/api/v1/products", nil, k.Key).Status == http.StatusOK {
			require.Less(t, time.Since(start), time.Second, "a revoked key must stop working within 1 s")
			time.Sleep(10 * time.Millisecond)
		}
		require.Equal(t, wrongJWT, answer401(t, a.Do(t, http.MethodGet, "/api/v1/products", nil, k.Key)))
		require.Equal(t, http.StatusOK, a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/api-keys/%d/revoke", k.ID), nil, clerk).Status, "twice is fine")

		// Expired: refused once its time has come.
		ek := createKey(t, a, clerk, map[string]any{"name": "short", "permissions": []string{"product:read"},
			"expires_at": a.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
		require.NotNil(t, ek.ExpiresAt)
		require.Equal(t, http.StatusOK, a.Do(t, http.MethodGet, "/api/v1/products", nil, ek.Key).Status)
		a.Advance(2 * time.Hour)
		require.Equal(t, wrongJWT, answer401(t, a.Do(t, http.MethodGet, "/api/v1/products", nil, ek.Key)))
	})
}

// TestAPIKeyFollowsItsUser: a key never grants more than its user holds
// now; taking a role away or deactivating the user narrows or ends the key
// within the poll interval.
func TestAPIKeyFollowsItsUser(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		res := a.Do(t, http.MethodPost, "/api/v1/users", map[string]any{
			"login": "svc", "name": "Service", "password": "svc-password-123", "roles": []string{"sales"},
		}, admin)
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		var u api.UserResponse
		res.JSON(t, &u)
		k := createKey(t, a, admin, map[string]any{"name": "sync", "permissions": []string{"invoice:read", "product:read"}, "user_id": u.ID})
		require.Equal(t, http.StatusOK, a.Do(t, http.MethodGet, "/api/v1/invoices", nil, k.Key).Status)

		res = a.Do(t, http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", u.ID), map[string]any{"roles": []string{"warehouse"}}, admin)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		require.Eventually(t, func() bool {
			return a.Do(t, http.MethodGet, "/api/v1/invoices", nil, k.Key).Status == http.StatusForbidden
		}, time.Second, 10*time.Millisecond, "the warehouse role holds no invoice:read")
		require.Equal(t, http.StatusOK, a.Do(t, http.MethodGet, "/api/v1/products", nil, k.Key).Status)

		res = a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/users/%d/deactivate", u.ID), nil, admin)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		require.Eventually(t, func() bool {
			return a.Do(t, http.MethodGet, "/api/v1/products", nil, k.Key).Status == http.StatusUnauthorized
		}, time.Second, 10*time.Millisecond)
	})
}
