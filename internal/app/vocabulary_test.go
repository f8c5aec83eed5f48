package app_test

import (
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
