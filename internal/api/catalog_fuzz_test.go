package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// fuzzRoutes are the write endpoints whose decoders and validators the
// fuzzer feeds; their 4xx answers must all be documented problems.
var fuzzRoutes = []struct{ method, path string }{
	{"POST", "/api/v1/products"},
	{"PATCH", "/api/v1/products/1"},
	{"POST", "/api/v1/warehouses"},
	{"PATCH", "/api/v1/warehouses/1"},
	{"POST", "/api/v1/thirdparties"},
	{"PATCH", "/api/v1/thirdparties/1"},
	{"POST", "/api/v1/contacts"},
	{"POST", "/api/v1/stock/movements"},
	{"POST", "/api/v1/stock/transfers"},
	{"POST", "/api/v1/stock/corrections"},
}

var fuzzLists = []string{"/api/v1/products", "/api/v1/warehouses", "/api/v1/thirdparties", "/api/v1/contacts", "/api/v1/stock/movements"}

// FuzzCatalogRequests sends arbitrary bodies to the catalogue and stock
// write endpoints and arbitrary list parameters to their lists, through the
// real router on every engine: no input may yield a 5xx, and every answer
// must match the OpenAPI document (see fuzzEnv.do). Seeds live in
// testdata/fuzz/FuzzCatalogRequests.
func FuzzCatalogRequests(f *testing.F) {
	env := newFuzzEnv(f, func(tb testing.TB, a *apptest.App, admin string) {
		// Records the PATCH and stock routes can find.
		seedPost(tb, a, admin, "/api/v1/products", `{"ref":"F1","label":"Fuzz"}`)
		seedPost(tb, a, admin, "/api/v1/warehouses", `{"label":"Fuzz"}`)
		seedPost(tb, a, admin, "/api/v1/thirdparties", `{"name":"Fuzz","customer":true}`)
		seedPost(tb, a, admin, "/api/v1/warehouses", `{"label":"Fuzz 2"}`)
	})
	f.Add(uint8(0), []byte(`{"ref":"A","label":"B","price":"1.5","vat_rate":"20"}`), "", "", "")
	f.Add(uint8(7), []byte(`{"product_id":1,"warehouse_id":1,"quantity":"-99999999999999999999"}`), "-id", "10", "x")
	f.Add(uint8(8), []byte(`{"product_id":1,"from_warehouse_id":1,"to_warehouse_id":2,"quantity":"0.000001"}`), "label", "0", "%_!")
	f.Fuzz(func(t *testing.T, route uint8, body []byte, sort, limit, q string) {
		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		env.do(t, r.method, r.path, body, false)
		qs := url.Values{"sort": {sort}, "limit": {limit}, "q": {q}, "offset": {limit}, "product_id": {limit}, "from": {q}}
		env.do(t, http.MethodGet, fuzzLists[int(route)%len(fuzzLists)]+"?"+qs.Encode(), nil, false)
	})
}
