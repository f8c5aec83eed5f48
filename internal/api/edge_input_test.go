package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// TestEdgeInputOnEveryEngine runs the regression tests of issue 21's input
// defects that concern the engines on one App per engine: building an App
// costs seconds on PostgreSQL and MariaDB, and the cases do not disturb
// each other.
func TestEdgeInputOnEveryEngine(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		for _, c := range []struct {
			name string
			fn   func(*testing.T, *apptest.App)
		}{
			{"NULAndInvalidTextInBodiesAre422", testNULAndInvalidTextInBodiesAre422},
			{"NULAndInvalidTextInQueriesAre400", testNULAndInvalidTextInQueriesAre400},
			{"InvoicePaymentErrorsNameTheBodyField", testInvoicePaymentErrorsNameTheBodyField},
			{"DatesOfYearZeroAreRefused", testDatesOfYearZeroAreRefused},
			{"TextFieldsAtAndOverTheirLimit", testTextFieldsAtAndOverTheirLimit},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, a) })
		}
	})
}

// fieldCodes lists a 422's field problems as "field/code".
func fieldCodes(t *testing.T, res *apptest.Response) []string {
	t.Helper()
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
	p := res.Problem(t)
	require.Equal(t, "validation_failed", p.Code)
	out := make([]string, 0, len(p.Errors))
	for _, e := range p.Errors {
		out = append(out, e.Field+"/"+e.Code)
	}
	sort.Strings(out)
	return out
}

// testNULAndInvalidTextInBodiesAre422: issue 21 found a NUL in the login
// of POST /auth/login (before authentication), in user and role names and
// in role descriptions answered 500 on PostgreSQL. Every body goes through
// one decoder, which now refuses a string holding NUL, invalid UTF-8 or an
// unpaired surrogate escape with a 422 naming the field, on every engine,
// before any use case runs.
func testNULAndInvalidTextInBodiesAre422(t *testing.T, a *apptest.App) {
	admin := a.AdminToken(t)
	cases := []struct {
		path, token, body string
		want              []string
	}{
		{"/api/v1/auth/login", "", `{"login":"ad\u0000min","password":"apptest-admin-password"}`, []string{"login/nul_character"}},
		{"/api/v1/auth/login", "", `{"login":"admin","password":"pass\u0000word"}`, []string{"password/nul_character"}},
		{"/api/v1/users", admin, `{"login":"jo\u0000e","name":"Jo\u0000e","password":"a-long-password"}`, []string{"login/nul_character", "name/nul_character"}},
		{"/api/v1/roles", admin, `{"name":"r\u0000","description":"d\u0000"}`, []string{"description/nul_character", "name/nul_character"}},
		{"/api/v1/thirdparties", admin, "{\"name\":\"ACME \xff\xfe\"}", []string{"name/invalid_utf8"}},
		{"/api/v1/products", admin, `{"ref":"P1","label":"\ud800 lone"}`, []string{"label/invalid_utf8"}},
		{"/api/v1/products", admin, `{"ref":"P1","label":"\udc00\ud83d"}`, []string{"label/invalid_utf8"}},
		{"/api/v1/proposals", admin, `{"customer_id":1,"lines":[{"description":"ok"},{"description":"x\u0000"}]}`, []string{"lines[1].description/nul_character"}},
		{"/api/v1/invoices/1/send", admin, `{"to":["a@example.com","b\u0000@example.com"]}`, []string{"to[1]/nul_character"}},
	}
	for _, c := range cases {
		res := a.Do(t, http.MethodPost, c.path, c.body, c.token)
		require.Equal(t, c.want, fieldCodes(t, res), "POST %s %s", c.path, c.body)
	}
	// Escapes that are text stay accepted: é, and 😀 as a surrogate pair.
	res := a.Do(t, http.MethodPost, "/api/v1/thirdparties", `{"name":"Caf\u00e9 \ud83d\ude00"}`, admin)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	require.Equal(t, "Café 😀", decode(t, res)["name"])
}

// testNULAndInvalidTextInQueriesAre400: issue 21 found a NUL in users?q=,
// jobs?kind=, stock/movements?inventory_code= and
// thirdparties?country_code= answered 500 on PostgreSQL. Every query
// parameter of every GET operation of openapi.yaml is now refused with
// 400 invalid_query when it holds a NUL or invalid UTF-8, as is a query
// string that does not parse.
func testNULAndInvalidTextInQueriesAre400(t *testing.T, a *apptest.App) {
	doc, _ := apptest.Spec(t)
	type probe struct{ path, param string }
	var probes []probe
	for _, p := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(p)
		if item.Get == nil {
			continue
		}
		path := strings.NewReplacer("{id}", "1", "{lineId}", "1").Replace(p)
		for _, prm := range append(item.Parameters, item.Get.Parameters...) {
			if prm.Value.In == "query" {
				probes = append(probes, probe{path, prm.Value.Name})
			}
		}
	}
	require.Greater(t, len(probes), 40, "the document's query parameters")
	admin := a.AdminToken(t)
	for _, p := range probes {
		for _, bad := range []string{"a%00b", "%00", "%FF", "caf%C3"} {
			res := a.Do(t, http.MethodGet, p.path+"?"+p.param+"="+bad, nil, admin)
			require.Equalf(t, http.StatusBadRequest, res.Status, "GET %s?%s=%s: %s", p.path, p.param, bad, res.Body)
			require.Equal(t, "invalid_query", res.Problem(t).Code)
		}
	}
	for _, q := range []string{"q=%zz", "q=a;limit=1", "%00=1", "q=ok&kind=%00"} {
		res := a.Do(t, http.MethodGet, "/api/v1/jobs?"+q, nil, admin)
		require.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", q, res.Body)
		require.Equal(t, "invalid_query", res.Problem(t).Code)
	}
	// Text that is text still filters: é percent-encoded.
	res := a.Do(t, http.MethodGet, "/api/v1/users?q="+url.QueryEscape("é"), nil, admin)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
}

// chunks streams a body with no declared length, as a chunked request.
type chunks struct{ io.Reader }

// TestChunkedBodyOverLimitIs413: issue 21 found a chunked body over the
// 2M limit answered 400 malformed_json (the decoder took Echo's limit
// error for bad JSON); a declared Content-Length over the limit already
// got 413. Both now get 413 body_too_large, on a public route too.
func TestChunkedBodyOverLimitIs413(t *testing.T) {
	a := apptest.New(t, "sqlite")
	admin := a.AdminToken(t)
	big := func(field string) io.Reader {
		return chunks{io.MultiReader(strings.NewReader(`{"`+field+`":"`), strings.NewReader(strings.Repeat("a", 3<<20)), strings.NewReader(`"}`))}
	}
	for _, c := range []struct{ path, field, token string }{
		{"/api/v1/thirdparties", "name", admin},
		{"/api/v1/roles", "description", admin},
		{"/api/v1/auth/login", "login", ""},
	} {
		res := a.Do(t, http.MethodPost, c.path, big(c.field), c.token)
		require.Equal(t, http.StatusRequestEntityTooLarge, res.Status, "chunked %s: %s", c.path, res.Body)
		require.Equal(t, "body_too_large", res.Problem(t).Code)
		res = a.Do(t, http.MethodPost, c.path, `{"`+c.field+`":"`+strings.Repeat("a", 3<<20)+`"}`, c.token)
		require.Equal(t, http.StatusRequestEntityTooLarge, res.Status, "with Content-Length %s", c.path)
	}
	// A chunked body under the limit is read as usual.
	res := a.Do(t, http.MethodPost, "/api/v1/thirdparties", chunks{strings.NewReader(`{"name":"Chunked"}`)}, admin)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
}

// TestIDsAndNumbersHaveOneSpelling: issue 21 found the path id "+1"
// resolving to id 1 and decimal fields accepting "+5". Ids (path, query,
// If-Match) are digits without sign or leading zero; decimals follow the
// JSON number grammar without exponent.
func TestIDsAndNumbersHaveOneSpelling(t *testing.T) {
	a := apptest.New(t, "sqlite")
	admin := a.AdminToken(t)
	res := a.Do(t, http.MethodPost, "/api/v1/products", obj{"ref": "P1", "label": "One", "price": "5"}, admin)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	id := idOf(t, decode(t, res))
	require.Equal(t, http.StatusOK, a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/products/%d", id), nil, admin).Status)
	for _, bad := range []string{"+1", "%2B1", "01", "001", "1.0", "0", "-1", "1e0", "%201", "1%20", "0x1", "99999999999999999999"} {
		res := a.Do(t, http.MethodGet, "/api/v1/products/"+bad, nil, admin)
		require.Equal(t, http.StatusBadRequest, res.Status, "id %q: %s", bad, res.Body)
		require.Equal(t, "invalid_id", res.Problem(t).Code)
	}
	for _, q := range []string{"limit=+5", "limit=05", "offset=+0", "offset=00", "product_id=+1", "product_id=01", "warehouse_id=%2B1"} {
		res := a.Do(t, http.MethodGet, "/api/v1/stock/movements?"+q, nil, admin)
		require.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", q, res.Body)
		require.Equal(t, "invalid_query", res.Problem(t).Code)
	}
	require.Equal(t, http.StatusOK, a.Do(t, http.MethodGet, "/api/v1/stock/movements?limit=5&offset=0&product_id=1", nil, admin).Status)
	for _, etag := range []string{`"+1"`, `"01"`, `""1""`} {
		res := a.DoHeader(t, http.MethodPatch, "/api/v1/products/1", obj{"label": "Two"}, http.Header{"Authorization": {"Bearer " + admin}, "If-Match": {etag}})
		require.Equal(t, http.StatusBadRequest, res.Status, "If-Match %s: %s", etag, res.Body)
		require.Equal(t, "invalid_if_match", res.Problem(t).Code)
	}
	for _, bad := range []string{"+5", "+0", "05", "00.5", "-05", "5e0", ".5", "5."} {
		res := a.Do(t, http.MethodPost, "/api/v1/products", obj{"ref": "P2", "label": "Two", "price": bad}, admin)
		require.Equal(t, []string{"price/invalid_decimal"}, fieldCodes(t, res), "price %q", bad)
	}
	for i, ok := range []string{"0", "-0", "0.5", "10.50", "10"} {
		res := a.Do(t, http.MethodPost, "/api/v1/products", obj{"ref": fmt.Sprintf("OK%d", i), "label": "Ok", "price": ok}, admin)
		require.Equal(t, http.StatusCreated, res.Status, "price %q: %s", ok, res.Body)
	}
}

// testInvoicePaymentErrorsNameTheBodyField: POST /invoices/{id}/payments
// has a field amount, but its errors named allocations[0].amount, the
// field of the multi-invoice payment the use case builds (issue 21).
func testInvoicePaymentErrorsNameTheBodyField(t *testing.T, a *apptest.App) {
	f := newCreditFix(t, a)
	inv := f.invoice(t, f.acme, "100", "0", false)
	path := fmt.Sprintf("/api/v1/invoices/%d/payments", inv)
	for amount, want := range map[string]string{"0.001": "amount/too_precise", "0": "amount/zero", "+5": "amount/invalid_decimal"} {
		res := a.Do(t, http.MethodPost, path, obj{"method": "transfer", "amount": amount}, f.admin)
		require.Equal(t, []string{want}, fieldCodes(t, res), "amount %q", amount)
	}
	// POST /payments keeps its own field names.
	res := a.Do(t, http.MethodPost, "/api/v1/payments", obj{"method": "transfer", "allocations": []obj{{"invoice_id": inv, "amount": "0.001"}}}, f.admin)
	require.Equal(t, []string{"allocations[0].amount/too_precise"}, fieldCodes(t, res))
}

// testDatesOfYearZeroAreRefused: the fuzzing of issue 21's decoders found
// from=0000-01-01 answering 500 on PostgreSQL, which has no year 0:
// dates in bodies and queries are of the years 1 to 9999, in UTC.
func testDatesOfYearZeroAreRefused(t *testing.T, a *apptest.App) {
	admin := a.AdminToken(t)
	for _, q := range []string{"/api/v1/invoices?from=0000-01-01", "/api/v1/payments?to=0000-12-31",
		"/api/v1/stock/movements?from=0000-06-01T00:00:00Z", "/api/v1/stock/movements?to=0001-01-01T00:00:00%2B01:00",
		"/api/v1/reports/turnover?from=0000-01-01&to=0000-12-31"} {
		res := a.Do(t, http.MethodGet, q, nil, admin)
		require.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", q, res.Body)
		require.Equal(t, "invalid_query", res.Problem(t).Code)
	}
	customer := idOf(t, decode(t, a.Do(t, http.MethodPost, "/api/v1/thirdparties", obj{"name": "ACME", "customer": true}, admin)))
	res := a.Do(t, http.MethodPost, "/api/v1/invoices", obj{"customer_id": customer, "date": "0000-02-29"}, admin)
	require.Equal(t, []string{"date/invalid_date"}, fieldCodes(t, res))
	res = a.Do(t, http.MethodGet, "/api/v1/invoices?from=0001-01-02&to=9999-12-31", nil, admin)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
}

// TestChangeOwnPasswordErrorsNameNewPassword: the fuzzing of issue 21's
// decoders found PUT /users/me/password naming its error field password
// while the body's field is new_password (the same fault as defect 10's
// payments).
func TestChangeOwnPasswordErrorsNameNewPassword(t *testing.T) {
	a := apptest.New(t, "sqlite")
	res := a.Do(t, http.MethodPut, "/api/v1/users/me/password", obj{"current_password": apptest.AdminPassword, "new_password": "short"}, a.AdminToken(t))
	require.Equal(t, []string{"new_password/too_short"}, fieldCodes(t, res))
}
