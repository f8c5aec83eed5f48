package api_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// salesFuzzRoutes are the sales endpoints with a body. The seed makes
// proposal 1 (draft, line 1), order 1 (draft, line 2), invoice 1
// (validated, line 3) and invoice 2 (draft, line 4).
var salesFuzzRoutes = []struct{ method, path string }{
	{"POST", "/api/v1/proposals"},
	{"PATCH", "/api/v1/proposals/1"},
	{"POST", "/api/v1/proposals/1/lines"},
	{"PUT", "/api/v1/proposals/1/lines/1"},
	{"POST", "/api/v1/proposals/1/close"},
	{"POST", "/api/v1/proposals/1/cancel"},
	{"POST", "/api/v1/proposals/1/send"},
	{"POST", "/api/v1/orders"},
	{"PATCH", "/api/v1/orders/1"},
	{"POST", "/api/v1/orders/1/lines"},
	{"PUT", "/api/v1/orders/1/lines/2"},
	{"POST", "/api/v1/orders/1/validate"},
	{"POST", "/api/v1/orders/1/cancel"},
	{"POST", "/api/v1/invoices"},
	{"PATCH", "/api/v1/invoices/2"},
	{"POST", "/api/v1/invoices/2/lines"},
	{"PUT", "/api/v1/invoices/2/lines/4"},
	{"POST", "/api/v1/invoices/2/validate"},
	{"POST", "/api/v1/invoices/1/payments"},
	{"POST", "/api/v1/invoices/1/cancel"},
	{"POST", "/api/v1/invoices/1/send"},
	{"POST", "/api/v1/invoices/1/use-credit"},
	{"POST", "/api/v1/payments"},
}

var salesFuzzLists = []string{"/api/v1/proposals", "/api/v1/orders", "/api/v1/invoices", "/api/v1/payments"}

// FuzzSalesRequests sends arbitrary bodies to the sales endpoints (headers,
// lines, actions with notes, payments, sends) and arbitrary filters to
// their lists, on every engine (see fuzzEnv.do). Seeds live in
// testdata/fuzz/FuzzSalesRequests.
func FuzzSalesRequests(f *testing.F) {
	env := newFuzzEnv(f, func(tb testing.TB, a *apptest.App, admin string) {
		seedPost(tb, a, admin, "/api/v1/thirdparties", `{"name":"Fuzz","customer":true,"email":"fuzz@example.com"}`)
		seedPost(tb, a, admin, "/api/v1/products", `{"ref":"F1","label":"Fuzz","price":"10","vat_rate":"20"}`)
		line := `{"customer_id":1,"lines":[{"description":"Work","quantity":"1","unit_price":"10","vat_rate":"20"}]}`
		seedPost(tb, a, admin, "/api/v1/proposals", line)
		seedPost(tb, a, admin, "/api/v1/orders", line)
		seedPost(tb, a, admin, "/api/v1/invoices", line)
		seedPost(tb, a, admin, "/api/v1/invoices/1/validate", nil)
		seedPost(tb, a, admin, "/api/v1/invoices", line)
	})
	f.Add(uint8(0), []byte(`{"customer_id":1,"lines":[{"product_id":1,"quantity":"+1"}]}`), "", "")
	f.Add(uint8(18), []byte(`{"method":"transfer","amount":"0.001"}`), "draft", "2024-01-01")
	f.Add(uint8(22), []byte(`{"method":"cash","customer_id":1,"allocations":[{"invoice_id":1,"amount":"1"},{"invoice_id":1,"amount":"1"}]}`), "", "0000-01-01")
	f.Fuzz(func(t *testing.T, route uint8, body []byte, status, date string) {
		r := salesFuzzRoutes[int(route)%len(salesFuzzRoutes)]
		env.do(t, r.method, r.path, body, false)
		qs := url.Values{"status": {status}, "from": {date}, "to": {date}, "customer_id": {status}}
		env.do(t, http.MethodGet, salesFuzzLists[int(route)%len(salesFuzzLists)]+"?"+qs.Encode(), nil, false)
	})
}
