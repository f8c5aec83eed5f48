package app_test

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
)

var echoParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// TestOpenAPIDocumentMatchesTheRouter fails when a registered route is
// missing from the document or the document lists a route that does not
// exist, on the server exactly as the binaries wire it.
func TestOpenAPIDocumentMatchesTheRouter(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()), "the OpenAPI document is valid")

	cfg, err := app.LoadConfig(app.AllInOne, []string{"DOLIBARR_JWT_SECRET=openapi-test-secret-0123456789abcdef"})
	require.NoError(t, err)
	srv, err := app.NewTestServer(context.Background(), cfg, testdb.New(t, "sqlite"), zap.NewNop())
	require.NoError(t, err)

	routes := map[string]bool{}
	for _, r := range srv.Routes() {
		routes[r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	require.Equal(t, sorted(routes), sorted(documented), "router (left) and openapi.yaml (right) differ")
}

func sorted(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestOpenAPIBodylessOperationsDeclareNoBodyErrors: an operation that takes
// no body cannot answer 413 (too large), 415 (media type) or, for an
// action, 422 (invalid fields), unless it takes an Idempotency-Key, whose
// reuse with another request is 422 idempotency_key_reused (decision 0027);
// a GET keeps 422 only for its query fields.
func TestOpenAPIBodylessOperationsDeclareNoBodyErrors(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	require.NoError(t, err)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody != nil {
				continue
			}
			codes := []string{"413", "415"}
			if method != "GET" && !takesIdempotencyKey(op) {
				codes = append(codes, "422")
			}
			for _, c := range codes {
				require.Nilf(t, op.Responses.Value(c), "%s %s takes no body but declares %s", method, path, c)
			}
		}
	}
}

func takesIdempotencyKey(op *openapi3.Operation) bool {
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == "header" && p.Value.Name == "Idempotency-Key" {
			return true
		}
	}
	return false
}
