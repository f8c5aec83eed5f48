package app_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

func login(t *testing.T, a *apptest.App, user, pw string) api.TokenResponse {
	t.Helper()
	res := a.Do(t, http.MethodPost, "/api/v1/auth/login", map[string]any{"login": user, "password": pw}, "")
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	var tok api.TokenResponse
	res.JSON(t, &tok)
	require.NotEmpty(t, tok.RefreshToken)
	return tok
}

// refusedWithin polls GET path on b with cred until it answers 401 and
// fails unless that happens within limit of the change.
func refusedWithin(t *testing.T, b *apptest.App, cred string, since time.Time, limit time.Duration) time.Duration {
	t.Helper()
	for {
		res := b.Do(t, http.MethodGet, "/api/v1/users/me", nil, cred)
		if res.Status == http.StatusUnauthorized {
			require.Equal(t, "invalid_token", res.Problem(t).Code)
			return time.Since(since)
		}
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		require.Less(t, time.Since(since), limit, "still accepted %s after the revocation", limit)
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRevocationReachesEveryReplicaWithinOneSecond runs two API servers,
// each with its own caches (revocation, verified tokens, API keys), on one
// PostgreSQL database, as two replicas behind a load balancer. A change
// made through A (deactivation, role change, password change, key
// revocation) makes the credentials it ends fail on B within 1 s, while
// they were accepted by B just before.
func TestRevocationReachesEveryReplicaWithinOneSecond(t *testing.T) {
	a := apptest.New(t, "postgres")
	b := a.Restart(t, a.Config)
	admin := a.AdminToken(t)
	mk := func(login string) int64 {
		res := a.Do(t, http.MethodPost, "/api/v1/users", map[string]any{
			"login": login, "name": login, "password": "replica-password-1", "roles": []string{"sales"},
		}, admin)
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		var u api.UserResponse
		res.JSON(t, &u)
		return u.ID
	}
	cases := []struct {
		name   string
		revoke func(id int64)
	}{
		{"deactivation", func(id int64) {
			require.Equal(t, http.StatusOK, a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/users/%d/deactivate", id), nil, admin).Status)
		}},
		{"role change", func(id int64) {
			res := a.Do(t, http.MethodPatch, fmt.Sprintf("/api/v1/users/%d", id), map[string]any{"roles": []string{"warehouse"}}, admin)
			require.Equal(t, http.StatusOK, res.Status)
		}},
		{"password change", func(id int64) {
			res := a.Do(t, http.MethodPut, fmt.Sprintf("/api/v1/users/%d/password", id), map[string]any{"password": "another-password-1"}, admin)
			require.Equal(t, http.StatusNoContent, res.Status)
		}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			user := fmt.Sprintf("replica-%d", i)
			id := mk(user)
			tok := login(t, a, user, "replica-password-1")
			other := a.Token(t, domain.PermProductRead) // someone else's token is untouched
			require.Equal(t, http.StatusOK, b.Do(t, http.MethodGet, "/api/v1/users/me", nil, tok.AccessToken).Status)
			// Timed from A's answer: the change is committed then (the
			// password change spends its first tens of ms hashing).
			c.revoke(id)
			start := time.Now()
			took := refusedWithin(t, b, tok.AccessToken, start, time.Second)
			t.Logf("%s: refused by the other replica after %s", c.name, took)
			require.Equal(t, http.StatusOK, b.Do(t, http.MethodGet, "/api/v1/users/me", nil, other).Status)
			if c.name != "deactivation" {
				// A new login gets a token of the new generation.
				pw := "replica-password-1"
				if c.name == "password change" {
					pw = "another-password-1"
				}
				fresh := login(t, a, user, pw)
				require.Equal(t, http.StatusOK, b.Do(t, http.MethodGet, "/api/v1/users/me", nil, fresh.AccessToken).Status)
			}
		})
	}
	t.Run("key revocation", func(t *testing.T) {
		clerk := a.Token(t, domain.PermProductRead)
		k := createKey(t, a, clerk, map[string]any{"name": "replicated", "permissions": []string{"product:read"}})
		require.Equal(t, http.StatusOK, b.Do(t, http.MethodGet, "/api/v1/users/me", nil, k.Key).Status, "B caches the key")
		require.Equal(t, http.StatusOK, a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/api-keys/%d/revoke", k.ID), nil, clerk).Status)
		start := time.Now()
		t.Logf("key: refused by the other replica after %s", refusedWithin(t, b, k.Key, start, time.Second))
	})
}

// TestRefreshTokens: login returns a refresh token; each refresh rotates
// it; using a rotated one again revokes the whole family; logout revokes
// the family; a deactivated user cannot refresh.
func TestRefreshTokens(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		u := a.NewUser(t, domain.PermProductRead)
		tok := login(t, a, u.Login, u.Password)
		refresh := func(rt string) *apptest.Response {
			return a.Do(t, http.MethodPost, "/api/v1/auth/refresh", map[string]any{"refresh_token": rt}, "")
		}
		res := refresh(tok.RefreshToken)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
		var next api.TokenResponse
		res.JSON(t, &next)
		require.NotEqual(t, tok.RefreshToken, next.RefreshToken)
		require.Equal(t, http.StatusOK, a.Do(t, http.MethodGet, "/api/v1/products", nil, next.AccessToken).Status)

		// Reuse of the rotated token: refused, and the family is revoked,
		// so the token rotated from it is refused too.
		require.Equal(t, "invalid_refresh_token", problemCode(t, refresh(tok.RefreshToken), http.StatusUnauthorized))
		require.Equal(t, "invalid_refresh_token", problemCode(t, refresh(next.RefreshToken), http.StatusUnauthorized))

		// Logout ends a family; a second logout is harmless.
		s2 := login(t, a, u.Login, u.Password)
		res = a.Do(t, http.MethodPost, "/api/v1/auth/logout", map[string]any{"refresh_token": s2.RefreshToken}, "")
		require.Equal(t, http.StatusNoContent, res.Status, string(res.Body))
		require.Equal(t, http.StatusNoContent, a.Do(t, http.MethodPost, "/api/v1/auth/logout", map[string]any{"refresh_token": s2.RefreshToken}, "").Status)
		require.Equal(t, "invalid_refresh_token", problemCode(t, refresh(s2.RefreshToken), http.StatusUnauthorized))

		// Garbage, empty, expired.
		require.Equal(t, "invalid_refresh_token", problemCode(t, refresh("nope"), http.StatusUnauthorized))
		require.Equal(t, "invalid_refresh_token", problemCode(t, refresh(""), http.StatusUnauthorized))
		s3 := login(t, a, u.Login, u.Password)
		a.Advance(a.Config.Auth.RefreshTTL + time.Minute)
		require.Equal(t, "invalid_refresh_token", problemCode(t, refresh(s3.RefreshToken), http.StatusUnauthorized))

		// Deactivated: no refresh.
		s4 := login(t, a, u.Login, u.Password)
		admin := a.AdminToken(t)
		require.Equal(t, http.StatusOK, a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/users/%d/deactivate", u.ID), nil, admin).Status)
		require.Equal(t, "invalid_refresh_token", problemCode(t, refresh(s4.RefreshToken), http.StatusUnauthorized))
	})
}

// TestConcurrentRefreshIsReuse: two clients racing with one refresh token
// cannot both win; at most one gets a new pair, and the race revokes the
// family (one of them is not the rightful holder).
func TestConcurrentRefreshIsReuse(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		u := a.NewUser(t, domain.PermProductRead)
		tok := login(t, a, u.Login, u.Password)
		const n = 8
		type out struct {
			status int
			body   []byte
		}
		results := make(chan out, n)
		start := make(chan struct{})
		for range n {
			go func() {
				<-start
				res, err := a.Send(http.MethodPost, "/api/v1/auth/refresh", map[string]any{"refresh_token": tok.RefreshToken}, "")
				if err != nil {
					results <- out{status: -1, body: []byte(err.Error())}
					return
				}
				results <- out{res.Status, res.Body}
			}()
		}
		close(start)
		ok := 0
		for range n {
			r := <-results
			switch r.status {
			case http.StatusOK:
				ok++
			case http.StatusUnauthorized:
			default:
				t.Fatalf("unexpected answer %d: %s", r.status, r.body)
			}
		}
		require.LessOrEqual(t, ok, 1, "one refresh token, at most one new pair")
		var families int64
		require.NoError(t, a.DB.Gorm(t.Context()).Raw("SELECT COUNT(*) FROM refresh_tokens WHERE user_id = ? AND revoked_at IS NULL AND used_at IS NULL", u.ID).Scan(&families).Error)
		require.Equal(t, int64(0), families, "the race revoked the family")
	})
}
