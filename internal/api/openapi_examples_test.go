package api_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// TestEveryOperationHasExamples: every operation of openapi.yaml shows an
// example request (when it takes a JSON body) and an example of its
// success answer (when that answer has a body), and every JSON example
// fits its schema, so the reference page shows real shapes.
func TestEveryOperationHasExamples(t *testing.T) {
	doc, _ := apptest.Spec(t)
	var problems []string
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			name := method + " " + path
			if rb := op.RequestBody; rb != nil && rb.Value != nil {
				if mt := rb.Value.Content.Get("application/json"); mt != nil {
					problems = append(problems, checkExample(name+" request", mt)...)
				}
			}
			codes := make([]string, 0)
			for code := range op.Responses.Map() {
				if strings.HasPrefix(code, "2") {
					codes = append(codes, code)
				}
			}
			sort.Strings(codes)
			if len(codes) == 0 {
				problems = append(problems, name+": no success response")
				continue
			}
			r := op.Responses.Value(codes[0]).Value
			if r == nil || len(r.Content) == 0 {
				continue // 204, or a body-less answer
			}
			if mt := r.Content.Get("application/json"); mt != nil {
				problems = append(problems, checkExample(name+" "+codes[0], mt)...)
			} else {
				for ct, mt := range r.Content {
					if mt.Example == nil && len(mt.Examples) == 0 && mt.Schema != nil && mt.Schema.Value != nil && mt.Schema.Value.Format != "binary" {
						problems = append(problems, name+" "+codes[0]+" "+ct+": no example")
					}
				}
			}
		}
	}
	sort.Strings(problems)
	require.Empty(t, problems)
}

func checkExample(what string, mt *openapi3.MediaType) []string {
	if mt.Example == nil && len(mt.Examples) == 0 {
		return []string{what + ": no example"}
	}
	if mt.Example != nil && mt.Schema != nil && mt.Schema.Value != nil {
		if err := mt.Schema.Value.VisitJSON(mt.Example, openapi3.MultiErrors()); err != nil {
			return []string{what + ": example does not fit the schema: " + firstLine(err.Error())}
		}
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// TestReferencePage: /api/v1/docs is served from the binary, reads the
// document from this server only, and the JSON document it reads is the
// embedded one.
func TestReferencePage(t *testing.T) {
	a := apptest.New(t, "sqlite")
	res := a.Do(t, "GET", "/api/v1/docs", nil, "")
	require.Equal(t, 200, res.Status)
	require.Contains(t, res.Header.Get("Content-Type"), "text/html")
	page := string(res.Body)
	require.Contains(t, page, `fetch("openapi.json")`)
	for _, cdn := range []string{"http://", "https://", "//cdn", "unpkg", "jsdelivr"} {
		require.NotContains(t, page, cdn, "the page loads nothing from elsewhere")
	}
	require.Contains(t, res.Header.Get("Content-Security-Policy"), "default-src 'none'")
	res = a.Do(t, "GET", "/api/v1/openapi.json", nil, "")
	require.Equal(t, 200, res.Status)
	var doc map[string]any
	res.JSON(t, &doc)
	require.Equal(t, "3.0.3", doc["openapi"])
	spec, _ := apptest.Spec(t)
	require.Len(t, doc["paths"], spec.Paths.Len())
}
