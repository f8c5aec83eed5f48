package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// identityFuzzRoutes are the identity endpoints with a body; anon ones are
// sent without a token (login is public).
var identityFuzzRoutes = []struct {
	method, path string
	anon         bool
}{
	{"POST", "/api/v1/auth/login", true},
	{"POST", "/api/v1/users", false},
	{"PATCH", "/api/v1/users/2", false},
	{"PUT", "/api/v1/users/2/password", false},
	{"PUT", "/api/v1/users/me/password", false},
	{"POST", "/api/v1/roles", false},
	{"PATCH", "/api/v1/roles/6", false}, // the first custom role: five are built in
}

// FuzzIdentityRequests sends arbitrary bodies to login, users and roles
// and arbitrary filters to the users list, on every engine (see
// fuzzEnv.do). Login is fuzzed without a token: NUL in its login reached
// PostgreSQL before authentication (issue 21). Seeds live in
// testdata/fuzz/FuzzIdentityRequests.
func FuzzIdentityRequests(f *testing.F) {
	env := newFuzzEnv(f, func(tb testing.TB, a *apptest.App, admin string) {
		seedPost(tb, a, admin, "/api/v1/users", `{"login":"fuzz","name":"Fuzz","password":"a-long-enough-password"}`)
		seedPost(tb, a, admin, "/api/v1/roles", `{"name":"fuzzers","permissions":["product:read"]}`)
	})
	f.Add(uint8(0), []byte(`{"login":"admin","password":"wrong-password"}`), "", "")
	f.Add(uint8(1), []byte(`{"login":"ad\u0000min","name":"x","password":"a-long-enough-password"}`), "ad\x00min", "true")
	f.Add(uint8(6), []byte(`{"description":"`+string(make([]byte, 300))+`"}`), "", "false")
	f.Fuzz(func(t *testing.T, route uint8, body []byte, q, active string) {
		r := identityFuzzRoutes[int(route)%len(identityFuzzRoutes)]
		env.do(t, r.method, r.path, body, r.anon)
		qs := url.Values{"q": {q}, "active": {active}, "limit": {active}}
		env.do(t, http.MethodGet, "/api/v1/users?"+qs.Encode(), nil, false)
	})
}
