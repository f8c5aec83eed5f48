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

// TestValidationWarehouseDefaults, on every engine: with a single open
// warehouse an invoice of goods validates without warehouse_id; with two
// it is refused in business terms (422 warehouse_id required, nothing
// moved, no number drawn) unless DOLIBARR_STOCK_DEFAULT_WAREHOUSE_ID names
// one.
func TestValidationWarehouseDefaults(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "10", "")
		inv := f.invoice(t, obj{"product_id": f.goods, "quantity": "1"})
		res := f.do(t, http.MethodPost, invPath(inv.ID)+"/validate", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, "9", f.stockOf(t, f.goods), "the only warehouse")

		annex := f.create(t, "/api/v1/warehouses", obj{"label": "Annex"})
		inv = f.invoice(t, obj{"product_id": f.goods, "quantity": "1"})
		p := requireProblem(t, f.do(t, http.MethodPost, invPath(inv.ID)+"/validate", nil), http.StatusUnprocessableEntity, "validation_failed")
		require.Equal(t, "warehouse_id", p.Errors[0].Field)
		require.Equal(t, "required", p.Errors[0].Code)
		require.Contains(t, p.Errors[0].Message, "choose the warehouse")
		require.NotContains(t, p.Errors[0].Message, "DOLIBARR_")
		require.Equal(t, "draft", f.getInvoice(t, inv.ID).Status)
		require.Equal(t, "9", f.stockOf(t, f.goods))

		cfg := a.Config
		cfg.Stock.DefaultWarehouseID = f.warehouse
		f.a = a.Restart(t, cfg)
		res = f.do(t, http.MethodPost, invPath(inv.ID)+"/validate", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, "8", f.stockOf(t, f.goods), "the configured default, not the annex")
		_ = annex
	})
}
