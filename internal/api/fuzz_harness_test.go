package api_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
)

// fuzzEnv is the API of one fuzz target on every engine, each seeded with
// the same records: an input that is harmless on SQLite may reach a column
// PostgreSQL or MariaDB refuses (a NUL, a length), so every input goes to
// all three.
type fuzzEnv struct {
	apps   []*apptest.App
	admins []string
}

// newFuzzEnv builds an App per engine and runs seed on each. The engines
// are testdb.Drivers, or those DOLIBARR_FUZZ_DRIVERS lists (for example
// "sqlite" for a quick pass: scripts/fuzz.sh).
func newFuzzEnv(f *testing.F, seed func(tb testing.TB, a *apptest.App, admin string)) *fuzzEnv {
	f.Helper()
	drivers := testdb.Drivers
	if s := os.Getenv("DOLIBARR_FUZZ_DRIVERS"); s != "" {
		drivers = strings.Split(s, ",")
		for _, d := range drivers {
			if !slices.Contains(testdb.Drivers, d) {
				f.Fatalf("DOLIBARR_FUZZ_DRIVERS: unknown engine %q (one of %v)", d, testdb.Drivers)
			}
		}
	}
	e := &fuzzEnv{}
	for _, d := range drivers {
		a := apptest.New(f, d)
		admin := a.AdminToken(f)
		if seed != nil {
			seed(f, a, admin)
		}
		e.apps = append(e.apps, a)
		e.admins = append(e.admins, admin)
	}
	return e
}

// seedPost creates a record for a fuzz target and fails unless it is
// created.
func seedPost(tb testing.TB, a *apptest.App, admin, path string, body any) {
	tb.Helper()
	if res := a.Do(tb, http.MethodPost, path, body, admin); res.Status != http.StatusCreated && res.Status != http.StatusOK {
		tb.Fatalf("seeding %s: %d %s", path, res.Status, res.Body)
	}
}

// do sends one request to every engine, as the administrator unless anon,
// and checks what any answer must be; apptest.Do has already checked it
// against openapi.yaml (a documented status, content type and body).
func (e *fuzzEnv) do(t *testing.T, method, path string, body any, anon bool) {
	t.Helper()
	for i, a := range e.apps {
		tok := e.admins[i]
		if anon {
			tok = ""
		}
		checkAnswer(t, method, path, a.Do(t, method, path, body, tok))
	}
}

// checkAnswer holds the invariants of every fuzzed answer: no 5xx; an
// error is a problem with a stable code; the fields of a 422 name fields
// of the request body (or parameters of the operation), so a client can
// match them with what it sent.
func checkAnswer(t *testing.T, method, path string, res *apptest.Response) {
	t.Helper()
	if res.Status >= 500 {
		t.Fatalf("%s %s -> %d %s", method, path, res.Status, res.Body)
	}
	if res.Status < 400 {
		return
	}
	p := res.Problem(t)
	if p.Code == "" || p.Status != res.Status {
		t.Fatalf("%s %s -> %d: problem without code or with status %d: %s", method, path, res.Status, p.Status, res.Body)
	}
	for _, fe := range p.Errors {
		if !namesRequestField(t, method, path, fe.Field) {
			t.Fatalf("%s %s -> %d: error field %q is no field of the request body nor a parameter: %s", method, path, res.Status, fe.Field, res.Body)
		}
	}
}

// namesRequestField reports whether field ("lines[2].description",
// "to[0]", "amount") is a property of the request body schema of the
// operation serving method and path, or one of its parameters.
func namesRequestField(t *testing.T, method, path, field string) bool {
	_, router := apptest.Spec(t)
	route, _, err := router.FindRoute(httptest.NewRequest(method, path, nil))
	if err != nil {
		return false
	}
	op := route.Operation
	for _, ps := range []openapi3.Parameters{route.PathItem.Parameters, op.Parameters} {
		for _, p := range ps {
			if p.Value.Name == field {
				return true
			}
		}
	}
	if op.RequestBody == nil {
		return false
	}
	mt := op.RequestBody.Value.Content.Get("application/json")
	if mt == nil {
		return false
	}
	s := mt.Schema.Value
	for _, seg := range strings.Split(field, ".") {
		name, idx, _ := strings.Cut(seg, "[")
		if s = property(s, name); s == nil {
			return false
		}
		for ; idx != ""; _, idx, _ = strings.Cut(idx, "[") {
			if s.Items == nil {
				return false
			}
			s = s.Items.Value
		}
	}
	return true
}

// property finds name among the properties of s and of its allOf parts.
func property(s *openapi3.Schema, name string) *openapi3.Schema {
	if p, ok := s.Properties[name]; ok {
		return p.Value
	}
	for _, part := range s.AllOf {
		if p := property(part.Value, name); p != nil {
			return p
		}
	}
	return nil
}
