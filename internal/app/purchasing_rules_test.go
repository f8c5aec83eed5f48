package app_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

func strp(s string) *string { return &s }

// receptionCount is the number of receptions of a purchase order.
func (f *buyFix) receptionCount(t *testing.T, order int64) int64 {
	t.Helper()
	var page struct {
		Paging api.Paging `json:"paging"`
	}
	res := f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/receptions?order_id=%d", order), nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	res.JSON(t, &page)
	return page.Paging.Total
}

// TestReceptionBadInputWritesNothing: a zero or negative quantity, another
// supplier's order, a closed warehouse, a line of another order and more
// than was ordered are each refused with a 4xx and a stable code, and
// leave no reception, no stock movement and the order as it was; a
// warehouse closed between a reception's creation and its validation
// refuses the validation the same way.
func TestReceptionBadInputWritesNothing(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newBuyFix(t, a)
		po := f.orderedPO(t, "10", strp("2"))
		other := f.orderedPO(t, "5", strp("2"))
		closed := f.create(t, "/api/v1/warehouses", obj{"label": "Closed"})
		require.Equal(t, http.StatusOK, f.do(t, http.MethodPatch, fmt.Sprintf("/api/v1/warehouses/%d", closed), obj{"status": "closed", "version": 1}).Status)
		line := (*po.Lines)[0].ID
		body := func(l obj, extra obj) obj {
			b := obj{"order_id": po.ID, "lines": []obj{l}}
			for k, v := range extra {
				b[k] = v
			}
			return b
		}
		ok := obj{"order_line_id": line, "warehouse_id": f.warehouse, "quantity": "1"}
		with := func(k string, v any) obj {
			l := obj{}
			for kk, vv := range ok {
				l[kk] = vv
			}
			l[k] = v
			return l
		}
		for _, c := range []struct {
			name        string
			body        obj
			status      int
			code, field string
		}{
			{"zero quantity", body(with("quantity", "0"), nil), 422, "not_positive", "lines[0].quantity"},
			{"negative quantity", body(with("quantity", "-3"), nil), 422, "not_positive", "lines[0].quantity"},
			{"another supplier's order", body(ok, obj{"supplier_id": f.supplier2}), 422, "other_supplier", "supplier_id"},
			{"closed warehouse", body(with("warehouse_id", closed), nil), 422, "warehouse_closed", "lines[0].warehouse_id"},
			{"line of another order", body(with("order_line_id", (*other.Lines)[0].ID), nil), 422, "not_found", "lines[0].order_line_id"},
			{"other product", body(with("product_id", f.goods), nil), 422, "other_product", "lines[0].product_id"},
			{"over reception", body(with("quantity", "10.5"), nil), 409, "over_reception", ""},
		} {
			res := f.as(t, f.buyer, http.MethodPost, "/api/v1/receptions", c.body)
			if c.field == "" {
				requireProblem(t, res, c.status, c.code)
				continue
			}
			require.Contains(t, fieldCodes(t, res), c.field+"/"+c.code, c.name)
		}
		require.Zero(t, f.receptionCount(t, po.ID))
		require.Zero(t, f.movements(t, f.bolt))
		require.Equal(t, "ordered", decode[api.PurchaseOrderResponse](t, f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/purchase-orders/%d", po.ID), nil), http.StatusOK).Status)

		// Closed after the draft was made: the validation is refused.
		wh := f.create(t, "/api/v1/warehouses", obj{"label": "Soon closed"})
		r := decode[api.ReceptionResponse](t, f.as(t, f.buyer, http.MethodPost, "/api/v1/receptions", body(with("warehouse_id", wh), nil)), http.StatusCreated)
		require.Equal(t, http.StatusOK, f.do(t, http.MethodPatch, fmt.Sprintf("/api/v1/warehouses/%d", wh), obj{"status": "closed", "version": 1}).Status)
		requireProblem(t, f.as(t, f.buyer, http.MethodPost, fmt.Sprintf("/api/v1/receptions/%d/validate", r.ID), nil), http.StatusConflict, "warehouse_closed")
		r = decode[api.ReceptionResponse](t, f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/receptions/%d", r.ID), nil), http.StatusOK)
		require.Equal(t, "draft", r.Status)
		require.True(t, r.Provisional, "no number consumed")
		require.Zero(t, f.movements(t, f.bolt))
	})
}

// fieldCodes lists a 422's field problems as "field/code".
func fieldCodes(t *testing.T, res *apptest.Response) []string {
	t.Helper()
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
	p := res.Problem(t)
	out := make([]string, 0, len(p.Errors))
	for _, e := range p.Errors {
		out = append(out, e.Field+"/"+e.Code)
	}
	return out
}

// TestReceptionWeightedAverageCost is the golden test of Dolibarr's
// weighted average cost (PMP) as receptions update it:
//
//	new_pmp = (old_qty × old_pmp + qty × price) / (old_qty + qty)
//
// where old_qty is the product's physical stock over every warehouse
// before the movement and price the order line's unit price net of its
// discount; debits leave the PMP as it is.
//
//	step                                   stock  pmp
//	manual receipt 10 @ 4                    10   4
//	reception 30 @ 2                         40   (10×4 + 30×2) / 40 = 2.5
//	debit 20                                 20   2.5
//	reception 20 @ 5 less 30 % (net 3.5)     40   (20×2.5 + 20×3.5) / 40 = 3
//	reception 10 @ 4.2 into a 2nd warehouse  50   (40×3 + 10×4.2) / 50 = 3.24
func TestReceptionWeightedAverageCost(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newBuyFix(t, a)
		move := func(qty string, price string) {
			b := obj{"product_id": f.bolt, "warehouse_id": f.warehouse, "quantity": qty}
			if price != "" {
				b["unit_price"] = price
			}
			res := f.do(t, http.MethodPost, "/api/v1/stock/movements", b)
			require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		}
		receive := func(qty, price, discount string, warehouse int64) {
			po := decode[api.PurchaseOrderResponse](t, f.as(t, f.buyer, http.MethodPost, "/api/v1/purchase-orders", obj{"supplier_id": f.supplier,
				"lines": []obj{{"product_id": f.bolt, "quantity": qty, "unit_price": price, "discount_percent": discount}}}), http.StatusCreated)
			p := fmt.Sprintf("/api/v1/purchase-orders/%d", po.ID)
			po = decode[api.PurchaseOrderResponse](t, f.as(t, f.buyer, http.MethodPost, p+"/validate", nil), http.StatusOK)
			require.Equal(t, "approved", po.Status, "no approval amount: validation approves")
			po = decode[api.PurchaseOrderResponse](t, f.as(t, f.buyer, http.MethodPost, p+"/order", nil), http.StatusOK)
			r := decode[api.ReceptionResponse](t, f.as(t, f.buyer, http.MethodPost, "/api/v1/receptions", obj{"order_id": po.ID,
				"lines": []obj{{"order_line_id": (*po.Lines)[0].ID, "warehouse_id": warehouse, "quantity": qty}}}), http.StatusCreated)
			decode[api.ReceptionResponse](t, f.as(t, f.buyer, http.MethodPost, fmt.Sprintf("/api/v1/receptions/%d/validate", r.ID), nil), http.StatusOK)
		}
		second := f.create(t, "/api/v1/warehouses", obj{"label": "Second"})
		steps := []struct {
			run  func()
			pmp  string
			name string
		}{
			{func() { move("10", "4") }, "4.00", "manual receipt 10 @ 4"},
			{func() { receive("30", "2", "0", f.warehouse) }, "2.50", "reception 30 @ 2"},
			{func() { move("-20", "") }, "2.50", "debit 20"},
			{func() { receive("20", "5", "30", f.warehouse) }, "3.00", "reception 20 @ 5 less 30 %"},
			{func() { receive("10", "4.2", "0", second) }, "3.24", "reception 10 @ 4.2 into a second warehouse"},
		}
		for _, s := range steps {
			s.run()
			require.Equal(t, s.pmp, f.product(t, f.bolt).AverageCost, s.name)
		}
		require.Equal(t, "40", f.stockOf(t, f.bolt))
	})
}

// TestSupplierInvoiceStockAndOrderBilling: with
// DOLIBARR_STOCK_INCREASE_ON=supplier_invoice a reception moves nothing and
// the supplier invoice's validation puts the goods in at its net prices; an
// invoice made from a purchase order marks it billed, and deleting that
// draft lets the order be billed again.
func TestSupplierInvoiceStockAndOrderBilling(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newBuyFix(t, a)
		po := f.orderedPO(t, "10", strp("2.5"))
		f.receive(t, po, "10")
		require.Equal(t, "0", f.stockOf(t, f.bolt), "stock comes in on the supplier invoice")
		from := fmt.Sprintf("/api/v1/supplier-invoices/from-purchase-order/%d", po.ID)
		inv := decode[api.SupplierInvoiceResponse](t, f.as(t, f.buyer, http.MethodPost, from, obj{"supplier_ref": "F-1"}), http.StatusCreated)
		require.Equal(t, "25.00", inv.TotalExclTax)
		requireProblem(t, f.as(t, f.buyer, http.MethodPost, from, obj{"supplier_ref": "F-2"}), http.StatusConflict, "purchase_order_billed")
		require.Equal(t, http.StatusNoContent, f.as(t, f.buyer, http.MethodDelete, fmt.Sprintf("/api/v1/supplier-invoices/%d", inv.ID), nil).Status)
		inv = decode[api.SupplierInvoiceResponse](t, f.as(t, f.buyer, http.MethodPost, from, obj{"supplier_ref": "F-1"}), http.StatusCreated)
		ip := fmt.Sprintf("/api/v1/supplier-invoices/%d/validate", inv.ID)
		p := requireProblem(t, f.as(t, f.buyer, http.MethodPost, ip, nil), http.StatusUnprocessableEntity, "validation_failed")
		require.Equal(t, "warehouse_id", p.Errors[0].Field)
		inv = decode[api.SupplierInvoiceResponse](t, f.as(t, f.buyer, http.MethodPost, ip, obj{"warehouse_id": f.warehouse}), http.StatusOK)
		require.Equal(t, "validated", inv.Status)
		require.Equal(t, "10", f.stockOf(t, f.bolt))
		require.Equal(t, "2.50", f.product(t, f.bolt).AverageCost)
	}, apptest.WithConfig(func(c *app.Config) { c.Purchase.StockIncreaseOn = "supplier_invoice" }))
}

// TestPurchaseOrderApprovalRules: the creator of an order above the
// approval amount cannot approve it even holding purchase:approve; an
// order at the amount or below is approved by its validation; a canceled
// order cannot be ordered.
func TestPurchaseOrderApprovalRules(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newBuyFix(t, a)
		create := func(qty string) string {
			po := decode[api.PurchaseOrderResponse](t, f.do(t, http.MethodPost, "/api/v1/purchase-orders", obj{"supplier_id": f.supplier,
				"lines": []obj{{"product_id": f.bolt, "quantity": qty, "unit_price": "10"}}}), http.StatusCreated)
			return fmt.Sprintf("/api/v1/purchase-orders/%d", po.ID)
		}
		big := create("11")
		require.Equal(t, "validated", decode[api.PurchaseOrderResponse](t, f.do(t, http.MethodPost, big+"/validate", nil), http.StatusOK).Status)
		requireProblem(t, f.do(t, http.MethodPost, big+"/approve", nil), http.StatusConflict, "purchase_order_self_approval")
		small := create("10")
		po := decode[api.PurchaseOrderResponse](t, f.do(t, http.MethodPost, small+"/validate", nil), http.StatusOK)
		require.Equal(t, "approved", po.Status, "100 is not above 100")
		requireProblem(t, f.as(t, f.approver, http.MethodPost, small+"/approve", nil), http.StatusConflict, "purchase_order_not_validated")
		require.Equal(t, "canceled", decode[api.PurchaseOrderResponse](t, f.do(t, http.MethodPost, small+"/cancel", obj{"note": "not needed"}), http.StatusOK).Status)
		requireProblem(t, f.do(t, http.MethodPost, small+"/order", nil), http.StatusConflict, "purchase_order_not_approved")
		p := requireProblem(t, f.as(t, f.buyer, http.MethodPost, "/api/v1/purchase-orders", obj{"supplier_id": f.customer,
			"lines": []obj{{"product_id": f.bolt, "quantity": "1"}}}), http.StatusUnprocessableEntity, "validation_failed")
		require.Equal(t, "supplier_id", p.Errors[0].Field)
		require.Equal(t, "not_supplier", p.Errors[0].Code)
	}, withApproval("100"))
}
