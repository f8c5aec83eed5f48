package app_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// TestPriceInclTaxIsAnAmount: a price incl. tax derived from the price
// excl. tax is rounded to 2 decimals like every other amount (6.36 at 21 %
// is 7.6956, shown and kept as 7.70); one typed incl. tax is kept as typed.
func TestPriceInclTaxIsAnAmount(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		res := a.Do(t, http.MethodPost, "/api/v1/products", obj{"ref": "W1", "label": "Widget", "price": "6.36", "vat_rate": "21"}, admin)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		var p struct {
			Price        string `json:"price"`
			PriceInclTax string `json:"price_incl_tax"`
		}
		res.JSON(t, &p)
		require.Equal(t, "6.36", p.Price)
		require.Equal(t, "7.70", p.PriceInclTax)

		res = a.Do(t, http.MethodPost, "/api/v1/products", obj{"ref": "W2", "label": "Widget", "price": "7.70", "price_base": "incl_tax", "vat_rate": "21"}, admin)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		res.JSON(t, &p)
		require.Equal(t, "7.70", p.PriceInclTax)
		require.Equal(t, "6.36364", p.Price, "a unit price excl. tax keeps Dolibarr's 5 decimals")
	})
}

// TestEveryVersionedPatchRequiresAVersion, on every engine: every PATCH of
// a versioned record (catalogue and sales documents alike) without
// version or If-Match is 422 version required, and nothing changes; with
// the current version it succeeds. (Users and roles carry no version.)
func TestEveryVersionedPatchRequiresAVersion(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "", "")
		contact := f.create(t, "/api/v1/contacts", obj{"lastname": "Doe"})
		inv := f.invoice(t, obj{"product_id": f.service, "quantity": "1"}).ID
		order := f.create(t, "/api/v1/orders", obj{"customer_id": f.customer, "lines": []obj{{"product_id": f.service, "quantity": "1"}}})
		proposal := f.create(t, "/api/v1/proposals", obj{"customer_id": f.customer, "lines": []obj{{"product_id": f.service, "quantity": "1"}}})
		for path, field := range map[string]string{
			fmt.Sprintf("/api/v1/thirdparties/%d", f.customer): "alias",
			fmt.Sprintf("/api/v1/contacts/%d", contact):        "firstname",
			fmt.Sprintf("/api/v1/products/%d", f.goods):        "description",
			fmt.Sprintf("/api/v1/warehouses/%d", f.warehouse):  "description",
			fmt.Sprintf("/api/v1/invoices/%d", inv):            "note_public",
			fmt.Sprintf("/api/v1/orders/%d", order):            "note_public",
			fmt.Sprintf("/api/v1/proposals/%d", proposal):      "note_public",
		} {
			p := requireProblem(t, f.do(t, http.MethodPatch, path, obj{field: "changed"}), http.StatusUnprocessableEntity, "validation_failed")
			require.Equal(t, "version", p.Errors[0].Field, path)
			require.Equal(t, "required", p.Errors[0].Code, path)
			res := f.do(t, http.MethodGet, path, nil)
			require.NotContains(t, string(res.Body), `"changed"`, path)
			res = f.do(t, http.MethodPatch, path, obj{field: "changed", "version": 1})
			require.Equal(t, http.StatusOK, res.Status, "%s: %s", path, res.Body)
		}
	})
}
