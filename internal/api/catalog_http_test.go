package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

type obj = map[string]any

func decode(t *testing.T, res *apptest.Response) obj {
	t.Helper()
	var m obj
	res.JSON(t, &m)
	return m
}

func idOf(t *testing.T, m obj) int64 {
	t.Helper()
	id, ok := m["id"].(float64)
	require.True(t, ok, "no id in %v", m)
	return int64(id)
}

func problemFields(t *testing.T, res *apptest.Response) []string {
	t.Helper()
	p := res.Problem(t)
	out := make([]string, 0, len(p.Errors))
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

// TestProductsHTTP covers products end to end through the real router:
// create with derived prices, every field error at once, duplicates, reads
// with ETag, optimistic edits by body version and by If-Match, lists with
// paging, sorting, search and filters, permissions and deletion.
func TestProductsHTTP(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		res := a.Do(t, "POST", "/api/v1/products", obj{"ref": "CHAIR-1", "label": "Chair", "price": "100", "vat_rate": "20"}, admin)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		p := decode(t, res)
		require.Equal(t, "100.00", p["price"])
		require.Equal(t, "120.00", p["price_incl_tax"])
		require.Equal(t, "excl_tax", p["price_base"])
		require.Equal(t, `"1"`, res.Header.Get("ETag"))
		id := idOf(t, p)
		require.Equal(t, "/api/v1/products/"+strconv.FormatInt(id, 10), res.Header.Get("Location"))

		// Incl.-tax base: 10 TTC at 5.5 % is 9.47867 excl. tax.
		res = a.Do(t, "POST", "/api/v1/products", obj{"ref": "BOOK-1", "label": "Book", "price": "10", "price_base": "incl_tax", "vat_rate": "5.5", "type": "product"}, admin)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		require.Equal(t, "9.47867", decode(t, res)["price"])

		// Every field problem at once, parse errors and invariants together.
		res = a.Do(t, "POST", "/api/v1/products", obj{"ref": "bad ref", "price": "12,5", "vat_rate": "120", "type": "gadget", "cost_price": "-1"}, admin)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status)
		require.ElementsMatch(t, []string{"ref", "label", "price", "vat_rate", "type", "cost_price"}, problemFields(t, res))

		res = a.Do(t, "POST", "/api/v1/products", obj{"ref": "CHAIR-1", "label": "Again"}, admin)
		require.Equal(t, http.StatusConflict, res.Status)
		require.Equal(t, "duplicate", res.Problem(t).Code)
		res = a.Do(t, "POST", "/api/v1/products", `{"ref":"X","label":"Y","price":12.5}`, admin)
		require.Equal(t, http.StatusBadRequest, res.Status, "a JSON number is refused: amounts are strings")
		res = a.Do(t, "POST", "/api/v1/products", `{"ref":"X","label":"Y","colour":"red"}`, admin)
		require.Equal(t, http.StatusBadRequest, res.Status)

		path := fmt.Sprintf("/api/v1/products/%d", id)
		res = a.Do(t, "PATCH", path, obj{"label": "Chair v2"}, admin)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "an edit must name its version")
		res = a.Do(t, "PATCH", path, obj{"label": "Chair v2", "version": 1, "vat_rate": "10"}, admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		p = decode(t, res)
		require.Equal(t, "110.00", p["price_incl_tax"], "a new VAT rate re-derives the other price")
		require.EqualValues(t, 2, p["version"])
		res = a.Do(t, "PATCH", path, obj{"label": "Lost update", "version": 1}, admin)
		require.Equal(t, http.StatusConflict, res.Status)
		require.Equal(t, "version_conflict", res.Problem(t).Code)
		res = a.DoHeader(t, "PATCH", path, obj{"label": "Lost update"}, http.Header{"Authorization": {"Bearer " + admin}, "If-Match": {`"1"`}})
		require.Equal(t, http.StatusPreconditionFailed, res.Status)
		res = a.DoHeader(t, "PATCH", path, obj{"label": "Chair v3"}, http.Header{"Authorization": {"Bearer " + admin}, "If-Match": {`"2"`}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, `"3"`, res.Header.Get("ETag"))
		res = a.Do(t, "GET", path, nil, admin)
		require.Equal(t, http.StatusOK, res.Status)
		require.Equal(t, "Chair v3", decode(t, res)["label"])
		require.Equal(t, `"3"`, res.Header.Get("ETag"))

		for i := range 7 {
			res = a.Do(t, "POST", "/api/v1/products", obj{"ref": fmt.Sprintf("SRV-%d", i), "label": fmt.Sprintf("Service 100%% %d", i), "type": "service", "price": strconv.Itoa(10 + i)}, admin)
			require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		}
		var page struct {
			Data   []obj `json:"data"`
			Paging struct {
				Total  int64 `json:"total"`
				Limit  int   `json:"limit"`
				Offset int   `json:"offset"`
			} `json:"paging"`
		}
		res = a.Do(t, "GET", "/api/v1/products?type=service&sort=-price&limit=3&offset=1", nil, admin)
		require.Equal(t, http.StatusOK, res.Status)
		res.JSON(t, &page)
		require.EqualValues(t, 7, page.Paging.Total)
		require.Len(t, page.Data, 3)
		require.Equal(t, []any{"15.00", "14.00", "13.00"}, []any{page.Data[0]["price"], page.Data[1]["price"], page.Data[2]["price"]})
		res = a.Do(t, "GET", "/api/v1/products?q=chair", nil, admin)
		res.JSON(t, &page)
		require.EqualValues(t, 1, page.Paging.Total)
		res = a.Do(t, "GET", "/api/v1/products?q=100%25", nil, admin)
		res.JSON(t, &page)
		require.EqualValues(t, 7, page.Paging.Total, "%% in q is a literal, not a wildcard")
		res = a.Do(t, "GET", "/api/v1/products?q=_", nil, admin)
		res.JSON(t, &page)
		require.EqualValues(t, 0, page.Paging.Total, "_ in q is a literal, not a wildcard")
		for _, bad := range []string{"sort=password", "sort=price%20desc", "limit=0", "limit=501", "offset=-1", "type=x", "on_sale=maybe"} {
			res = a.Do(t, "GET", "/api/v1/products?"+bad, nil, admin)
			require.Equal(t, http.StatusBadRequest, res.Status, bad)
		}

		reader := a.Token(t, domain.PermProductRead)
		require.Equal(t, http.StatusOK, a.Do(t, "GET", path, nil, reader).Status)
		require.Equal(t, http.StatusForbidden, a.Do(t, "DELETE", path, nil, reader).Status)
		require.Equal(t, http.StatusUnauthorized, a.Do(t, "GET", path, nil, "").Status)
		require.Equal(t, http.StatusNoContent, a.Do(t, "DELETE", path, nil, admin).Status)
		require.Equal(t, http.StatusNotFound, a.Do(t, "GET", path, nil, admin).Status)
		require.Equal(t, http.StatusNotFound, a.Do(t, "DELETE", path, nil, admin).Status)
		require.Equal(t, http.StatusBadRequest, a.Do(t, "GET", "/api/v1/products/abc", nil, admin).Status)
	})
}

// TestWarehousesThirdPartiesContactsHTTP covers the other catalogue
// resources: generated codes, filters, field errors, references.
func TestWarehousesThirdPartiesContactsHTTP(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		res := a.Do(t, "POST", "/api/v1/warehouses", obj{"label": "Main", "town": "Lyon", "country_code": "FR"}, admin)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		w := decode(t, res)
		require.Equal(t, "open", w["status"])
		res = a.Do(t, "POST", "/api/v1/warehouses", obj{"label": "Main"}, admin)
		require.Equal(t, http.StatusConflict, res.Status)
		res = a.Do(t, "POST", "/api/v1/warehouses", obj{"label": "", "country_code": "France", "status": "ajar"}, admin)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status)
		require.ElementsMatch(t, []string{"label", "country_code", "status"}, problemFields(t, res))
		res = a.Do(t, "PATCH", fmt.Sprintf("/api/v1/warehouses/%d", idOf(t, w)), obj{"status": "closed", "version": 1}, admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res = a.Do(t, "GET", "/api/v1/warehouses?status=closed", nil, admin)
		require.EqualValues(t, 1, decode(t, res)["paging"].(obj)["total"])

		res = a.Do(t, "POST", "/api/v1/thirdparties", obj{"name": "Acme", "customer": true, "supplier": true, "email": "sales@acme.test", "payment_terms": "30DENDMONTH"}, admin)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		tp := decode(t, res)
		require.Regexp(t, `^CU\d{4}-0001$`, tp["customer_code"])
		require.Regexp(t, `^SU\d{4}-0001$`, tp["supplier_code"])
		res = a.Do(t, "POST", "/api/v1/thirdparties", obj{"name": "Lead"}, admin)
		lead := decode(t, res)
		require.Equal(t, "", lead["customer_code"])
		res = a.Do(t, "PATCH", fmt.Sprintf("/api/v1/thirdparties/%d", idOf(t, lead)), obj{"prospect": true, "version": 1}, admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Regexp(t, `^CU\d{4}-0002$`, decode(t, res)["customer_code"], "a prospect gets the next customer code")
		res = a.Do(t, "POST", "/api/v1/thirdparties", obj{"name": " ", "email": "not-an-email", "phone": "call me", "vat_number": "fr 1", "payment_terms": "someday", "country_code": "fr"}, admin)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status)
		require.ElementsMatch(t, []string{"name", "email", "phone", "vat_number", "payment_terms", "country_code"}, problemFields(t, res))
		res = a.Do(t, "GET", "/api/v1/thirdparties?customer=true&sort=-name&q=acme", nil, admin)
		require.EqualValues(t, 1, decode(t, res)["paging"].(obj)["total"])

		res = a.Do(t, "POST", "/api/v1/contacts", obj{"lastname": "Doe", "firstname": "Jane", "thirdparty_id": idOf(t, tp), "role": "Buyer"}, admin)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		ct := decode(t, res)
		require.EqualValues(t, idOf(t, tp), ct["thirdparty_id"])
		res = a.Do(t, "POST", "/api/v1/contacts", obj{"lastname": "Solo"}, admin)
		require.Equal(t, http.StatusCreated, res.Status)
		require.Nil(t, decode(t, res)["thirdparty_id"])
		res = a.Do(t, "POST", "/api/v1/contacts", obj{"thirdparty_id": 999999, "email": "x"}, admin)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status)
		require.ElementsMatch(t, []string{"lastname", "email"}, problemFields(t, res))
		res = a.Do(t, "POST", "/api/v1/contacts", obj{"thirdparty_id": 999999, "lastname": "Ghost"}, admin)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status)
		require.Equal(t, []string{"thirdparty_id"}, problemFields(t, res))
		res = a.Do(t, "GET", fmt.Sprintf("/api/v1/contacts?thirdparty_id=%d", idOf(t, tp)), nil, admin)
		require.EqualValues(t, 1, decode(t, res)["paging"].(obj)["total"])
		res = a.Do(t, "DELETE", fmt.Sprintf("/api/v1/thirdparties/%d", idOf(t, tp)), nil, admin)
		require.Equal(t, http.StatusConflict, res.Status, "a third party with contacts cannot be deleted")
		require.Equal(t, http.StatusNoContent, a.Do(t, "DELETE", fmt.Sprintf("/api/v1/contacts/%d", idOf(t, ct)), nil, admin).Status)
		require.Equal(t, http.StatusNoContent, a.Do(t, "DELETE", fmt.Sprintf("/api/v1/thirdparties/%d", idOf(t, tp)), nil, admin).Status)

		require.Equal(t, http.StatusForbidden, a.Do(t, "POST", "/api/v1/contacts", obj{"lastname": "X"}, a.Token(t, domain.PermContactRead)).Status)
	})
}

// TestStockHTTP covers the stock endpoints: receipts with average cost,
// the 409 insufficient_stock problem with its extra fields, transfers,
// corrections, per-warehouse levels and the filtered journal.
func TestStockHTTP(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		p := idOf(t, decode(t, a.Do(t, "POST", "/api/v1/products", obj{"ref": "P", "label": "P"}, admin)))
		w1 := idOf(t, decode(t, a.Do(t, "POST", "/api/v1/warehouses", obj{"label": "W1"}, admin)))
		w2 := idOf(t, decode(t, a.Do(t, "POST", "/api/v1/warehouses", obj{"label": "W2"}, admin)))
		mover := a.Token(t, domain.PermStockMove, domain.PermStockRead, domain.PermProductRead)

		res := a.Do(t, "POST", "/api/v1/stock/movements", obj{"product_id": p, "warehouse_id": w1, "quantity": "10", "unit_price": "4.5", "label": "Reception"}, mover)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		m := decode(t, res)
		require.Equal(t, "10", m["quantity"])
		require.Equal(t, "in", m["kind"])
		require.Equal(t, "4.50", decode(t, a.Do(t, "GET", fmt.Sprintf("/api/v1/products/%d", p), nil, mover))["average_cost"])

		res = a.Do(t, "POST", "/api/v1/stock/movements", obj{"product_id": p, "warehouse_id": w1, "quantity": "-10.5"}, mover)
		require.Equal(t, http.StatusConflict, res.Status)
		prob := res.Problem(t)
		require.Equal(t, "insufficient_stock", prob.Code)
		require.Equal(t, obj{"product_id": float64(p), "warehouse_id": float64(w1), "available": "10", "requested": "10.5"}, obj(prob.Extra))

		res = a.Do(t, "POST", "/api/v1/stock/movements", obj{"quantity": "0", "unit_price": "x"}, mover)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status)
		require.ElementsMatch(t, []string{"product_id", "warehouse_id", "quantity", "unit_price"}, problemFields(t, res))
		res = a.Do(t, "POST", "/api/v1/stock/movements", obj{"product_id": p, "warehouse_id": 424242, "quantity": "1"}, mover)
		require.Equal(t, http.StatusNotFound, res.Status)

		res = a.Do(t, "POST", "/api/v1/stock/transfers", obj{"product_id": p, "from_warehouse_id": w1, "to_warehouse_id": w2, "quantity": "4"}, mover)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		tr := decode(t, res)
		code := tr["inventory_code"].(string)
		require.Len(t, tr["movements"], 2)
		res = a.Do(t, "POST", "/api/v1/stock/transfers", obj{"product_id": p, "from_warehouse_id": w1, "to_warehouse_id": w1, "quantity": "-1"}, mover)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status)
		require.ElementsMatch(t, []string{"to_warehouse_id", "quantity"}, problemFields(t, res))

		res = a.Do(t, "POST", "/api/v1/stock/corrections", obj{"product_id": p, "warehouse_id": w2, "counted": "3"}, mover)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, "-1", decode(t, res)["movement"].(obj)["quantity"])
		res = a.Do(t, "POST", "/api/v1/stock/corrections", obj{"product_id": p, "warehouse_id": w2, "counted": "3"}, mover)
		require.Nil(t, decode(t, res)["movement"])

		res = a.Do(t, "GET", fmt.Sprintf("/api/v1/products/%d/stock", p), nil, mover)
		require.Equal(t, http.StatusOK, res.Status)
		require.Equal(t, obj{"product_id": float64(p), "total": "9", "warehouses": []any{
			obj{"warehouse_id": float64(w1), "quantity": "6"}, obj{"warehouse_id": float64(w2), "quantity": "3"}}}, decode(t, res))

		res = a.Do(t, "GET", "/api/v1/stock/movements?inventory_code="+code, nil, mover)
		require.EqualValues(t, 2, decode(t, res)["paging"].(obj)["total"])
		res = a.Do(t, "GET", fmt.Sprintf("/api/v1/stock/movements?warehouse_id=%d&sort=-id&from=2000-01-01&to=2999-01-01", w2), nil, mover)
		require.EqualValues(t, 2, decode(t, res)["paging"].(obj)["total"])
		res = a.Do(t, "GET", "/api/v1/stock/movements?from=yesterday", nil, mover)
		require.Equal(t, http.StatusBadRequest, res.Status)
		require.Equal(t, http.StatusForbidden, a.Do(t, "POST", "/api/v1/stock/movements", obj{"product_id": p, "warehouse_id": w1, "quantity": "1"}, a.Token(t, domain.PermStockRead)).Status)
		require.Equal(t, http.StatusConflict, a.Do(t, "DELETE", fmt.Sprintf("/api/v1/products/%d", p), nil, admin).Status, "a product with stock cannot be deleted")
	})
}
