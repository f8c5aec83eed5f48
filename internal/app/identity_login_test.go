package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

func tryLogin(t *testing.T, a *apptest.App, login, password string, hdr ...string) *apptest.Response {
	t.Helper()
	h := http.Header{}
	for i := 0; i+1 < len(hdr); i += 2 {
		h.Set(hdr[i], hdr[i+1])
	}
	return a.DoHeader(t, http.MethodPost, "/api/v1/auth/login", map[string]string{"login": login, "password": password}, h)
}

// TestLoginWorksOnEveryEngine: the first administrator logs in, and logins
// are case-insensitive.
func TestLoginWorksOnEveryEngine(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		res := tryLogin(t, a, "  ADMIN ", apptest.AdminPassword)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
		var tok struct {
			AccessToken string `json:"access_token"`
			ExpiresIn   int64  `json:"expires_in"`
		}
		res.JSON(t, &tok)
		require.Equal(t, int64(a.Config.Auth.JWTTTL/time.Second), tok.ExpiresIn)
		res = a.Do(t, http.MethodGet, "/api/v1/users/me", nil, tok.AccessToken)
		require.Equal(t, http.StatusOK, res.Status)
		var me struct {
			Login       string              `json:"login"`
			Permissions []domain.Permission `json:"permissions"`
		}
		res.JSON(t, &me)
		require.Equal(t, apptest.AdminLogin, me.Login)
		require.Equal(t, domain.AllPermissions, me.Permissions)
	})
}

// TestWrongLoginAndWrongPasswordGetTheSameAnswer compares the two failures
// byte for byte (but the request id), and checks that an unknown login is
// not answered faster: it costs one argon2id verification, like a wrong
// password. Without the dummy hash it would be about 100 times faster.
func TestWrongLoginAndWrongPasswordGetTheSameAnswer(t *testing.T) {
	a := apptest.New(t, "sqlite", apptest.WithConfig(func(c *app.Config) {
		c.Auth.LoginMaxFailuresPerLogin, c.Auth.LoginMaxFailuresPerClient = 0, 0 // measure, not throttle
	}))
	u := a.NewUser(t, domain.PermProductRead)
	deactivated := a.NewUser(t, domain.PermProductRead)
	res := a.Do(t, http.MethodPost, "/api/v1/users/"+strconv.FormatInt(deactivated.ID, 10)+"/deactivate", nil, a.AdminToken(t))
	require.Equal(t, http.StatusOK, res.Status)

	norm := func(r *apptest.Response) string {
		require.Equal(t, http.StatusUnauthorized, r.Status)
		var m map[string]any
		r.JSON(t, &m)
		delete(m, "request_id")
		b, _ := json.Marshal(m)
		return r.Header.Get("Content-Type") + " " + string(b)
	}
	wrongLogin := norm(tryLogin(t, a, "nobody-by-that-name", u.Password))
	wrongPassword := norm(tryLogin(t, a, u.Login, "not-the-password"))
	inactive := norm(tryLogin(t, a, deactivated.Login, deactivated.Password))
	require.Equal(t, wrongPassword, wrongLogin)
	require.Equal(t, wrongPassword, inactive, "a deactivated account is not revealed either")
	require.Contains(t, wrongLogin, `"code":"invalid_credentials"`)

	fastest := func(login, pw string) time.Duration {
		best := time.Hour
		for range 5 {
			start := time.Now()
			tryLogin(t, a, login, pw)
			best = min(best, time.Since(start))
		}
		return best
	}
	unknown, wrong := fastest("nobody-by-that-name", "x-password-1"), fastest(u.Login, "x-password-1")
	t.Logf("fastest of 5: unknown login %v, wrong password %v", unknown, wrong)
	require.Greater(t, unknown, wrong/3, "an unknown login must cost a password verification too")
}

// TestLoginThrottling: after PerLogin failures for one login, attempts are
// refused unchecked with 429 and Retry-After (even with the right password)
// until the window ends; after PerClient failures from one address, every
// login from it is refused. X-Forwarded-For from an untrusted peer does not
// change the address.
func TestLoginThrottling(t *testing.T) {
	a := apptest.New(t, "sqlite", apptest.WithConfig(func(c *app.Config) {
		c.Auth.LoginMaxFailuresPerLogin, c.Auth.LoginMaxFailuresPerClient = 3, 5
		c.Auth.LoginFailureWindow = 10 * time.Minute
	}))
	u := a.NewUser(t)
	for i := range 3 {
		res := tryLogin(t, a, u.Login, "wrong-password-"+strconv.Itoa(i))
		require.Equal(t, http.StatusUnauthorized, res.Status)
	}
	res := tryLogin(t, a, u.Login, u.Password)
	require.Equal(t, http.StatusTooManyRequests, res.Status, "the right password is not even checked")
	require.Equal(t, "too_many_attempts", res.Problem(t).Code)
	retry, err := strconv.Atoi(res.Header.Get("Retry-After"))
	require.NoError(t, err)
	require.InDelta(t, 600, retry, 2)

	a.Advance(5 * time.Minute)
	res = tryLogin(t, a, u.Login, u.Password)
	require.Equal(t, http.StatusTooManyRequests, res.Status)
	retry, _ = strconv.Atoi(res.Header.Get("Retry-After"))
	require.InDelta(t, 300, retry, 2, "Retry-After counts down to the end of the window")

	a.Advance(5*time.Minute + time.Second)
	res = tryLogin(t, a, u.Login, u.Password)
	require.Equal(t, http.StatusOK, res.Status, "the window is over: %s", res.Body)

	// Per client: 5 failures spread over other logins, each from a
	// different claimed X-Forwarded-For (ignored: the peer is not a proxy).
	for i := range 5 {
		res := tryLogin(t, a, "spray-"+strconv.Itoa(i), "wrong-password", "X-Forwarded-For", "203.0.113."+strconv.Itoa(i))
		require.Equal(t, http.StatusUnauthorized, res.Status)
	}
	res = tryLogin(t, a, apptest.AdminLogin, apptest.AdminPassword, "X-Forwarded-For", "203.0.113.99")
	require.Equal(t, http.StatusTooManyRequests, res.Status, "the spraying address is throttled for every login")
	require.NotEmpty(t, res.Header.Get("Retry-After"))
}

// TestPasswordsNeverInLogsOrResponses exercises every path a password
// travels (login right and wrong, create, set, change, rejected short and
// long ones) and greps everything the server logged and answered.
func TestPasswordsNeverInLogsOrResponses(t *testing.T) {
	a := apptest.New(t, "sqlite")
	admin := a.AdminToken(t)
	var answers bytes.Buffer
	do := func(method, path string, body any, tok string) *apptest.Response {
		res := a.Do(t, method, path, body, tok)
		answers.Write(res.Body)
		for k, vs := range res.Header {
			answers.WriteString(k)
			for _, v := range vs {
				answers.WriteString(v)
			}
		}
		return res
	}
	secrets := []string{
		apptest.AdminPassword,
		"Create-Pass-0001", "Wrong-Pass-0002", "Set-Pass-0003", "Change-Pass-0004", "short-5",
		"Unknown-User-Pass-0006", string(bytes.Repeat([]byte("L"), 200)),
	}
	res := do(http.MethodPost, "/api/v1/users", map[string]any{"login": "grep", "name": "Grep", "password": secrets[1]}, admin)
	require.Equal(t, http.StatusCreated, res.Status)
	var u struct {
		ID int64 `json:"id"`
	}
	res.JSON(t, &u)
	id := strconv.FormatInt(u.ID, 10)
	require.Equal(t, http.StatusOK, do(http.MethodPost, "/api/v1/auth/login", map[string]string{"login": "grep", "password": secrets[1]}, "").Status)
	require.Equal(t, http.StatusUnauthorized, do(http.MethodPost, "/api/v1/auth/login", map[string]string{"login": "grep", "password": secrets[2]}, "").Status)
	require.Equal(t, http.StatusUnauthorized, do(http.MethodPost, "/api/v1/auth/login", map[string]string{"login": "nobody", "password": secrets[6]}, "").Status)
	require.Equal(t, http.StatusOK, do(http.MethodPost, "/api/v1/auth/login", map[string]string{"login": apptest.AdminLogin, "password": apptest.AdminPassword}, "").Status)
	require.Equal(t, http.StatusNoContent, do(http.MethodPut, "/api/v1/users/"+id+"/password", map[string]string{"password": secrets[3]}, admin).Status)
	tok := loginToken(t, a, "grep", secrets[3])
	require.Equal(t, http.StatusNoContent, do(http.MethodPut, "/api/v1/users/me/password",
		map[string]string{"current_password": secrets[3], "new_password": secrets[4]}, tok).Status)
	require.Equal(t, http.StatusUnprocessableEntity, do(http.MethodPut, "/api/v1/users/me/password",
		map[string]string{"current_password": secrets[2], "new_password": secrets[4]}, tok).Status)
	require.Equal(t, http.StatusUnprocessableEntity, do(http.MethodPut, "/api/v1/users/"+id+"/password", map[string]string{"password": secrets[5]}, admin).Status)
	require.Equal(t, http.StatusUnprocessableEntity, do(http.MethodPut, "/api/v1/users/"+id+"/password", map[string]string{"password": secrets[7]}, admin).Status)
	require.Equal(t, http.StatusUnprocessableEntity, do(http.MethodPost, "/api/v1/users", map[string]any{"login": "x", "name": "X", "password": secrets[5]}, admin).Status)
	require.Equal(t, http.StatusBadRequest, do(http.MethodPost, "/api/v1/auth/login", `{"login":"grep","password":"`+secrets[1]+`","extra":1}`, "").Status)

	logs := a.Logs()
	require.Contains(t, logs, `"path":"/api/v1/auth/login"`, "the log capture works")
	for _, s := range secrets {
		require.NotContains(t, logs, s, "a password reached the log")
		require.NotContains(t, answers.String(), s, "a password reached a response")
	}
	require.NotContains(t, logs, "$argon2id$", "a password hash reached the log")
	require.NotContains(t, answers.String(), "$argon2id$", "a password hash reached a response")
}

// TestChangeOwnPasswordIsThrottled: a stolen token cannot be used to guess
// its owner's password through PUT /users/me/password either.
func TestChangeOwnPasswordIsThrottled(t *testing.T) {
	a := apptest.New(t, "sqlite", apptest.WithConfig(func(c *app.Config) {
		c.Auth.LoginMaxFailuresPerLogin = 2
	}))
	u := a.NewUser(t)
	tok := loginToken(t, a, u.Login, u.Password)
	change := func(current string) *apptest.Response {
		return a.Do(t, http.MethodPut, "/api/v1/users/me/password",
			map[string]string{"current_password": current, "new_password": "a-new-password-1"}, tok)
	}
	require.Equal(t, http.StatusUnprocessableEntity, change("guess-one-1").Status)
	require.Equal(t, http.StatusUnprocessableEntity, change("guess-two-2").Status)
	res := change(u.Password)
	require.Equal(t, http.StatusTooManyRequests, res.Status, "even the right one waits")
	require.NotEmpty(t, res.Header.Get("Retry-After"))
	require.Equal(t, http.StatusTooManyRequests, tryLogin(t, a, u.Login, u.Password).Status, "the login shares the limit")
}
