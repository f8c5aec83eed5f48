package app_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// TestPartialCreditNoteByQuantity, on every engine: a credit note made
// from an invoice of 5 widgets at 6.36 less 10 % is cut to 2 by sending
// only the new quantity: the line keeps its product, its negative unit
// price and its discount, and the credit note validates (its goods going
// back to the invoice's warehouse) without retyping any price.
func TestPartialCreditNoteByQuantity(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "100", "")
		inv := f.validate(t, f.invoice(t, obj{"product_id": f.goods, "quantity": "5", "discount_percent": "10"}).ID)
		require.Equal(t, "95", f.stockOf(t, f.goods))

		res := f.do(t, http.MethodPost, invPath(inv.ID)+"/create-credit-note", nil)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		var cn api.InvoiceResponse
		res.JSON(t, &cn)
		line := (*cn.Lines)[0]
		require.Equal(t, "-6.36", line.UnitPrice)

		res = f.do(t, http.MethodPut, fmt.Sprintf("%s/lines/%d", invPath(cn.ID), line.ID), obj{"quantity": "2"})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res.JSON(t, &cn)
		line = (*cn.Lines)[0]
		require.Equal(t, []string{"2", "-6.36", "10", "21"}, []string{line.Quantity, line.UnitPrice, line.DiscountPercent, line.VATRate})
		require.NotNil(t, line.ProductID)
		require.Equal(t, f.goods, *line.ProductID)
		require.Equal(t, "Widget", line.Description)
		require.Equal(t, "-11.45", cn.TotalExclTax, "2 × -6.36 less 10 %")

		res = f.do(t, http.MethodPost, invPath(cn.ID)+"/validate", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, "97", f.stockOf(t, f.goods), "two widgets back in the invoice's warehouse")
	})
}
