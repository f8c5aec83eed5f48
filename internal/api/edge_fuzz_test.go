package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

var (
	opsOnce sync.Once
	getOps  []string // GET paths, {id} and {lineId} as 1
	idOps   []idOp
)

type idOp struct{ method, path string }

// documentOps lists, once, the GET operations of openapi.yaml and the
// operations whose path holds an id.
func documentOps(tb testing.TB) {
	opsOnce.Do(func() {
		doc, _ := apptest.Spec(tb)
		for _, p := range doc.Paths.InMatchingOrder() {
			for method := range doc.Paths.Value(p).Operations() {
				if method == http.MethodGet {
					getOps = append(getOps, strings.NewReplacer("{id}", "1", "{lineId}", "1").Replace(p))
				}
				if strings.Contains(p, "{id}") {
					idOps = append(idOps, idOp{method, p})
				}
			}
		}
		sort.Strings(getOps)
		sort.Slice(idOps, func(i, j int) bool { return idOps[i].method+idOps[i].path < idOps[j].method+idOps[j].path })
	})
}

// pick returns the operation named name when there is one, else one
// chosen by name's bytes: seeds name their operation, so they keep it when
// operations are added; mutated names still reach every operation.
func pick[T any](ops []T, key func(T) string, name string) T {
	sum := 0
	for i := range ops {
		if key(ops[i]) == name {
			return ops[i]
		}
	}
	for i := 0; i < len(name); i++ {
		sum += int(name[i])
	}
	return ops[sum%len(ops)]
}

// requestTarget escapes what cannot stand in a request line (controls,
// spaces, bytes over 0x7e, #) and nothing else: a bare %, a ; or a
// malformed escape reach the server as a client would send them.
func requestTarget(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '#' {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// FuzzQueryStrings sends an arbitrary query string to every GET operation
// of openapi.yaml, on every engine (see fuzzEnv.do): query strings are
// parsed in one place (strictQuery, then each handler's parameters), and
// none may reach a database it breaks. Seeds live in
// testdata/fuzz/FuzzQueryStrings.
func FuzzQueryStrings(f *testing.F) {
	documentOps(f)
	env := newFuzzEnv(f, func(tb testing.TB, a *apptest.App, admin string) {
		seedPost(tb, a, admin, "/api/v1/thirdparties", `{"name":"Fuzz","customer":true}`)
		seedPost(tb, a, admin, "/api/v1/products", `{"ref":"F1","label":"Fuzz"}`)
	})
	f.Add("/api/v1/users", "q=a%00b&limit=10")
	f.Add("/api/v1/jobs", "kind=%FF&state=failed")
	f.Fuzz(func(t *testing.T, op, query string) {
		path := pick(getOps, func(p string) string { return p }, op)
		env.do(t, http.MethodGet, path+"?"+requestTarget(query), nil, false)
	})
}

// FuzzPathIDs puts an arbitrary segment where every operation of
// openapi.yaml takes an id ({id}, and {lineId} with it), on every engine
// (see fuzzEnv.do): only a positive integer written without sign or
// leading zeros is an id. Seeds live in testdata/fuzz/FuzzPathIDs.
func FuzzPathIDs(f *testing.F) {
	documentOps(f)
	env := newFuzzEnv(f, func(tb testing.TB, a *apptest.App, admin string) {
		seedPost(tb, a, admin, "/api/v1/thirdparties", `{"name":"Fuzz","customer":true}`)
		seedPost(tb, a, admin, "/api/v1/products", `{"ref":"F1","label":"Fuzz"}`)
	})
	f.Add("GET /api/v1/products/{id}", "+1")
	f.Add("PATCH /api/v1/products/{id}", "01")
	f.Fuzz(func(t *testing.T, name, seg string) {
		if seg == "" {
			// "/products/" or "/proposals//lines" is no operation of the
			// document, so apptest cannot check the answer (400 invalid_id).
			return
		}
		op := pick(idOps, func(o idOp) string { return o.method + " " + o.path }, name)
		path := strings.NewReplacer("{id}", url.PathEscape(seg), "{lineId}", url.PathEscape(seg)).Replace(op.path)
		var body any
		if op.method != http.MethodGet && op.method != http.MethodDelete {
			body = "{}"
		}
		env.do(t, op.method, path, body, false)
	})
}
