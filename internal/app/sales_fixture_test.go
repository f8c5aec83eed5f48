package app_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

type obj = map[string]any

// salesFix is a customer, two goods (6.36 and 10.00 excl. tax at 21 %), a
// service and a warehouse holding stock of the goods, made through the API.
type salesFix struct {
	a         *apptest.App
	admin     string
	customer  int64
	other     int64 // a second customer
	goods     int64
	goods2    int64
	service   int64
	warehouse int64
}

func newSalesFix(t *testing.T, a *apptest.App, stock1, stock2 string) *salesFix {
	t.Helper()
	f := &salesFix{a: a, admin: a.AdminToken(t)}
	f.customer = f.create(t, "/api/v1/thirdparties", obj{"name": "ACME", "customer": true})
	f.other = f.create(t, "/api/v1/thirdparties", obj{"name": "Globex", "customer": true})
	f.goods = f.create(t, "/api/v1/products", obj{"ref": "WIDGET", "label": "Widget", "price": "6.36", "vat_rate": "21"})
	f.goods2 = f.create(t, "/api/v1/products", obj{"ref": "GADGET", "label": "Gadget", "price": "10", "vat_rate": "21"})
	f.service = f.create(t, "/api/v1/products", obj{"ref": "SUPPORT", "label": "Support", "type": "service", "price": "50", "vat_rate": "20"})
	f.warehouse = f.create(t, "/api/v1/warehouses", obj{"label": "Main"})
	for p, q := range map[int64]string{f.goods: stock1, f.goods2: stock2} {
		if q != "" && q != "0" {
			res := a.Do(t, http.MethodPost, "/api/v1/stock/movements", obj{"product_id": p, "warehouse_id": f.warehouse, "quantity": q}, f.admin)
			require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		}
	}
	return f
}

func (f *salesFix) create(t *testing.T, path string, body obj) int64 {
	t.Helper()
	res := f.a.Do(t, http.MethodPost, path, body, f.admin)
	require.Equal(t, http.StatusCreated, res.Status, "%s: %s", path, res.Body)
	var out struct {
		ID int64 `json:"id"`
	}
	res.JSON(t, &out)
	return out.ID
}

// do sends a request as the administrator.
func (f *salesFix) do(t *testing.T, method, path string, body any) *apptest.Response {
	t.Helper()
	return f.a.Do(t, method, path, body, f.admin)
}

func (f *salesFix) invoice(t *testing.T, lines ...obj) api.InvoiceResponse {
	t.Helper()
	res := f.do(t, http.MethodPost, "/api/v1/invoices", obj{"customer_id": f.customer, "lines": lines})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	var inv api.InvoiceResponse
	res.JSON(t, &inv)
	return inv
}

func (f *salesFix) getInvoice(t *testing.T, id int64) api.InvoiceResponse {
	t.Helper()
	res := f.do(t, http.MethodGet, invPath(id), nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	var inv api.InvoiceResponse
	res.JSON(t, &inv)
	return inv
}

func (f *salesFix) validate(t *testing.T, id int64) api.InvoiceResponse {
	t.Helper()
	res := f.do(t, http.MethodPost, invPath(id)+"/validate", obj{"warehouse_id": f.warehouse})
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	var inv api.InvoiceResponse
	res.JSON(t, &inv)
	return inv
}

// stockOf returns the product's quantity in the fixture's warehouse.
func (f *salesFix) stockOf(t *testing.T, product int64) string {
	t.Helper()
	res := f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/products/%d/stock", product), nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	var st struct {
		Warehouses []struct {
			WarehouseID int64  `json:"warehouse_id"`
			Quantity    string `json:"quantity"`
		} `json:"warehouses"`
	}
	res.JSON(t, &st)
	for _, w := range st.Warehouses {
		if w.WarehouseID == f.warehouse {
			return w.Quantity
		}
	}
	return "0"
}

// movements counts the journal lines of a product.
func (f *salesFix) movements(t *testing.T, product int64) int64 {
	t.Helper()
	res := f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/stock/movements?product_id=%d", product), nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	var page struct {
		Paging api.Paging `json:"paging"`
	}
	res.JSON(t, &page)
	return page.Paging.Total
}

func invPath(id int64) string { return "/api/v1/invoices/" + strconv.FormatInt(id, 10) }

// requireProblem checks status and stable code and returns the problem.
func requireProblem(t *testing.T, res *apptest.Response, status int, code string) api.Problem {
	t.Helper()
	require.Equal(t, status, res.Status, string(res.Body))
	p := res.Problem(t)
	require.Equal(t, code, p.Code, string(res.Body))
	return p
}
