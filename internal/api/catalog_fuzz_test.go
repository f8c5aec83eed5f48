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
// real router on SQLite: no input may yield a 5xx, and every answer must
// match the OpenAPI document (apptest validates it). Seeds live in
// testdata/fuzz/FuzzCatalogRequests.
func FuzzCatalogRequests(f *testing.F) {
	a := apptest.New(f, "sqlite")
	admin := a.AdminToken(f)
	// Records the PATCH and stock routes can find.
	for _, seed := range []struct{ path, body string }{
		{"/api/v1/products", `{"ref":"F1","label":"Fuzz"}`},
		{"/api/v1/warehouses", `{"label":"Fuzz"}`},
		{"/api/v1/thirdparties", `{"name":"Fuzz","customer":true}`},
		{"/api/v1/warehouses", `{"label":"Fuzz 2"}`},
	} {
		if res := a.Do(f, "POST", seed.path, seed.body, admin); res.Status != http.StatusCreated {
			f.Fatalf("seeding %s: %d %s", seed.path, res.Status, res.Body)
		}
	}
	f.Add(uint8(0), []byte(`{"ref":"A","label":"B","price":"1.5","vat_rate":"20"}`), "", "", "")
	f.Add(uint8(7), []byte(`{"product_id":1,"warehouse_id":1,"quantity":"-99999999999999999999"}`), "-id", "10", "x")
	f.Add(uint8(8), []byte(`{"product_id":1,"from_warehouse_id":1,"to_warehouse_id":2,"quantity":"0.000001"}`), "label", "0", "%_!")
	f.Fuzz(func(t *testing.T, route uint8, body []byte, sort, limit, q string) {
		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		res := a.Do(t, r.method, r.path, body, admin)
		if res.Status >= 500 {
			t.Fatalf("%s %s %q -> %d %s", r.method, r.path, body, res.Status, res.Body)
		}
		qs := url.Values{"sort": {sort}, "limit": {limit}, "q": {q}, "offset": {limit}, "product_id": {limit}, "from": {q}}
		list := fuzzLists[int(route)%len(fuzzLists)]
		res = a.Do(t, "GET", list+"?"+qs.Encode(), nil, admin)
		if res.Status >= 500 {
			t.Fatalf("GET %s?%s -> %d %s", list, qs.Encode(), res.Status, res.Body)
		}
	})
}
