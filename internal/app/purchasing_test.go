package app_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// buyFix is a supplier, a second supplier, a customer, a good (on
// purchase, cost price 3) and an open warehouse, made through the API,
// with a buyer's token (the built-in buyer role's permissions) and an
// approver's (purchase:approve).
type buyFix struct {
	*salesFix
	buyer, approver string
	supplier        int64
	supplier2       int64
	bolt            int64
}

func newBuyFix(t *testing.T, a *apptest.App) *buyFix {
	t.Helper()
	f := &buyFix{salesFix: newSalesFix(t, a, "", "")}
	f.buyer = a.Token(t, domain.BuiltinRoles[domain.RoleBuyer]...)
	f.approver = a.Token(t, domain.PermPurchaseRead, domain.PermPurchaseApprove)
	f.supplier = f.create(t, "/api/v1/thirdparties", obj{"name": "Supplies Inc", "supplier": true})
	f.supplier2 = f.create(t, "/api/v1/thirdparties", obj{"name": "Other Parts", "supplier": true})
	f.bolt = f.create(t, "/api/v1/products", obj{"ref": "BOLT", "label": "Bolt", "price": "3", "cost_price": "3", "vat_rate": "20"})
	return f
}

func (f *buyFix) as(t *testing.T, token, method, path string, body any) *apptest.Response {
	t.Helper()
	return f.a.Do(t, method, path, body, token)
}

// orderedPO creates a purchase order of qty bolts from the fixture's
// supplier as the buyer, validates it, approves it when it waits for
// approval, and marks it ordered.
func (f *buyFix) orderedPO(t *testing.T, qty string, price *string) api.PurchaseOrderResponse {
	t.Helper()
	line := obj{"product_id": f.bolt, "quantity": qty}
	if price != nil {
		line["unit_price"] = *price
	}
	po := decode[api.PurchaseOrderResponse](t, f.as(t, f.buyer, http.MethodPost, "/api/v1/purchase-orders", obj{"supplier_id": f.supplier, "lines": []obj{line}}), http.StatusCreated)
	p := fmt.Sprintf("/api/v1/purchase-orders/%d", po.ID)
	po = decode[api.PurchaseOrderResponse](t, f.as(t, f.buyer, http.MethodPost, p+"/validate", nil), http.StatusOK)
	if po.Status == "validated" {
		po = decode[api.PurchaseOrderResponse](t, f.as(t, f.approver, http.MethodPost, p+"/approve", nil), http.StatusOK)
	}
	return decode[api.PurchaseOrderResponse](t, f.as(t, f.buyer, http.MethodPost, p+"/order", nil), http.StatusOK)
}

func (f *buyFix) receive(t *testing.T, po api.PurchaseOrderResponse, qty string) api.ReceptionResponse {
	t.Helper()
	r := decode[api.ReceptionResponse](t, f.as(t, f.buyer, http.MethodPost, "/api/v1/receptions", obj{"order_id": po.ID,
		"lines": []obj{{"order_line_id": (*po.Lines)[0].ID, "warehouse_id": f.warehouse, "quantity": qty}}}), http.StatusCreated)
	return decode[api.ReceptionResponse](t, f.as(t, f.buyer, http.MethodPost, fmt.Sprintf("/api/v1/receptions/%d/validate", r.ID), nil), http.StatusOK)
}

func (f *buyFix) product(t *testing.T, id int64) api.ProductResponse {
	t.Helper()
	return decode[api.ProductResponse](t, f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/products/%d", id), nil), http.StatusOK)
}

func withApproval(amount string) apptest.Option {
	return apptest.WithConfig(func(c *app.Config) { c.Purchase.ApprovalAbove = amount })
}

// TestProcureToPay runs the whole buy side through HTTP on every engine:
// supplier prices and the best-price lookup, a purchase order above the
// approval amount approved by another user, two partial receptions that
// put the goods into stock at the supplier's price, a supplier invoice
// made from both receptions (which moves no stock), and two payments that
// settle it.
func TestProcureToPay(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newBuyFix(t, a)
		prices := fmt.Sprintf("/api/v1/products/%d/supplier-prices", f.bolt)
		sp := decode[api.SupplierPriceResponse](t, f.as(t, f.buyer, http.MethodPost, prices, obj{"supplier_id": f.supplier,
			"supplier_ref": "S-BOLT", "unit_price": "2", "vat_rate": "20", "lead_time_days": 5}), http.StatusCreated)
		require.Equal(t, "1", sp.MinQuantity)
		decode[api.SupplierPriceResponse](t, f.as(t, f.buyer, http.MethodPost, prices, obj{"supplier_id": f.supplier,
			"supplier_ref": "S-BOLT-100", "unit_price": "1.5", "min_quantity": "100", "vat_rate": "20"}), http.StatusCreated)
		p := requireProblem(t, f.as(t, f.buyer, http.MethodPost, prices, obj{"supplier_id": f.customer, "unit_price": "1"}), http.StatusUnprocessableEntity, "validation_failed")
		require.Equal(t, "not_supplier", p.Errors[0].Code)
		requireProblem(t, f.as(t, f.buyer, http.MethodPost, prices, obj{"supplier_id": f.supplier, "unit_price": "9"}), http.StatusConflict, "duplicate_supplier_price")
		best := decode[api.SupplierPriceResponse](t, f.as(t, f.buyer, http.MethodGet, prices+fmt.Sprintf("/best?supplier_id=%d&quantity=120", f.supplier), nil), http.StatusOK)
		require.Equal(t, "1.50", best.UnitPrice)
		best = decode[api.SupplierPriceResponse](t, f.as(t, f.buyer, http.MethodGet, prices+"/best?quantity=10", nil), http.StatusOK)
		require.Equal(t, "2.00", best.UnitPrice)

		// 100 bolts at the supplier's price for 100: 150 excl. tax, above
		// the approval amount.
		po := decode[api.PurchaseOrderResponse](t, f.as(t, f.buyer, http.MethodPost, "/api/v1/purchase-orders",
			obj{"supplier_id": f.supplier, "ref_supplier": "QUOTE-9", "lines": []obj{{"product_id": f.bolt, "quantity": "100"}}}), http.StatusCreated)
		require.Equal(t, "1.50", (*po.Lines)[0].UnitPrice)
		require.Equal(t, "150.00", po.TotalExclTax)
		require.Equal(t, "180.00", po.TotalInclTax)
		pp := fmt.Sprintf("/api/v1/purchase-orders/%d", po.ID)
		requireProblem(t, f.as(t, f.buyer, http.MethodPost, pp+"/order", nil), http.StatusConflict, "purchase_order_not_approved")
		po = decode[api.PurchaseOrderResponse](t, f.as(t, f.buyer, http.MethodPost, pp+"/validate", nil), http.StatusOK)
		require.Equal(t, "validated", po.Status, "above the approval amount")
		require.Equal(t, refPrefix("CF", a.Now())+"0001", po.Ref)
		requireProblem(t, f.as(t, f.buyer, http.MethodPost, pp+"/approve", nil), http.StatusForbidden, "forbidden")
		po = decode[api.PurchaseOrderResponse](t, f.as(t, f.approver, http.MethodPost, pp+"/approve", nil), http.StatusOK)
		require.Equal(t, "approved", po.Status)
		po = decode[api.PurchaseOrderResponse](t, f.as(t, f.buyer, http.MethodPost, pp+"/order", nil), http.StatusOK)
		require.Equal(t, "ordered", po.Status)

		r1 := f.receive(t, po, "40")
		require.Equal(t, refPrefix("RCP", a.Now())+"0001", r1.Ref)
		require.Equal(t, "1.50", (*r1.Lines)[0].UnitPrice)
		po = decode[api.PurchaseOrderResponse](t, f.do(t, http.MethodGet, pp, nil), http.StatusOK)
		require.Equal(t, "partly_received", po.Status)
		require.Equal(t, "40", po.Received[(*po.Lines)[0].ID])
		require.Equal(t, "40", f.stockOf(t, f.bolt))
		require.Equal(t, "1.50", f.product(t, f.bolt).AverageCost)
		requireProblem(t, f.as(t, f.buyer, http.MethodPost, "/api/v1/receptions", obj{"order_id": po.ID,
			"lines": []obj{{"order_line_id": (*po.Lines)[0].ID, "warehouse_id": f.warehouse, "quantity": "61"}}}), http.StatusConflict, "over_reception")
		r2 := f.receive(t, po, "60")
		po = decode[api.PurchaseOrderResponse](t, f.do(t, http.MethodGet, pp, nil), http.StatusOK)
		require.Equal(t, "received", po.Status)
		require.Equal(t, "100", f.stockOf(t, f.bolt))
		requireProblem(t, f.as(t, f.buyer, http.MethodPost, "/api/v1/receptions", obj{"order_id": po.ID,
			"lines": []obj{{"order_line_id": (*po.Lines)[0].ID, "warehouse_id": f.warehouse, "quantity": "1"}}}), http.StatusConflict, "purchase_order_not_ordered")

		inv := decode[api.SupplierInvoiceResponse](t, f.as(t, f.buyer, http.MethodPost, "/api/v1/supplier-invoices/from-receptions",
			obj{"reception_ids": []int64{r2.ID, r1.ID}, "supplier_ref": "INV-77"}), http.StatusCreated)
		require.Equal(t, "180.00", inv.TotalInclTax)
		require.Equal(t, "100", (*inv.Lines)[0].Quantity)
		require.Equal(t, po.ID, *inv.PurchaseOrderID)
		requireProblem(t, f.as(t, f.buyer, http.MethodPost, "/api/v1/supplier-invoices/from-receptions",
			obj{"reception_ids": []int64{r1.ID}, "supplier_ref": "INV-78"}), http.StatusConflict, "reception_billed")
		requireProblem(t, f.as(t, f.buyer, http.MethodPost, "/api/v1/supplier-invoices", obj{"supplier_id": f.supplier,
			"supplier_ref": "INV-77", "lines": []obj{{"description": "Freight", "quantity": "1", "unit_price": "10"}}}), http.StatusConflict, "duplicate_supplier_ref")
		ip := fmt.Sprintf("/api/v1/supplier-invoices/%d", inv.ID)
		inv = decode[api.SupplierInvoiceResponse](t, f.as(t, f.buyer, http.MethodPost, ip+"/validate", nil), http.StatusOK)
		require.Equal(t, refPrefix("SI", a.Now())+"0001", inv.Ref)
		require.Equal(t, "unpaid", *inv.PaymentState)
		require.Equal(t, "100", f.stockOf(t, f.bolt), "the receptions moved the stock already")
		requireProblem(t, f.as(t, f.buyer, http.MethodPost, ip+"/lines", obj{"description": "x", "quantity": "1", "unit_price": "1"}), http.StatusConflict, "supplier_invoice_not_draft")

		// Supplier payments go out of the only open bank account, as
		// negative lines, and follow the payment-method dictionary.
		acct := f.account(t, obj{"label": "Main", "iban": "FR7630006000011234567890189", "opening_balance": "1000"})
		p = requireProblem(t, f.do(t, http.MethodPost, "/api/v1/supplier-payments", obj{"method": "NOPE",
			"allocations": []obj{{"invoice_id": inv.ID, "amount": "1"}}}), http.StatusUnprocessableEntity, "validation_failed")
		require.Equal(t, "unknown", p.Errors[0].Code)
		requireProblem(t, f.do(t, http.MethodPost, "/api/v1/supplier-payments", obj{"method": "CHQ",
			"allocations": []obj{{"invoice_id": inv.ID, "amount": "1"}}}), http.StatusUnprocessableEntity, "validation_failed")
		pay := obj{"supplier_id": f.supplier, "method": "transfer", "reference": "VIR-77", "allocations": []obj{{"invoice_id": inv.ID, "amount": "100"}}}
		requireProblem(t, f.as(t, f.buyer, http.MethodPost, "/api/v1/supplier-payments", pay), http.StatusForbidden, "forbidden")
		pm := decode[api.SupplierPaymentResponse](t, f.do(t, http.MethodPost, "/api/v1/supplier-payments", pay), http.StatusCreated)
		require.Equal(t, "100.00", pm.Amount)
		require.NotNil(t, pm.BankAccount)
		require.Equal(t, acct.ID, *pm.BankAccount)
		require.Equal(t, "900.00", f.getAccount(t, acct.ID).Balance)
		lines := f.lines(t, acct.ID, "")
		require.Len(t, lines.Data, 2, "the opening line and the payment's")
		var paid *api.BankLineResponse
		for i := range lines.Data {
			if lines.Data[i].Origin == domain.LineSupplierPayment {
				paid = &lines.Data[i]
			}
		}
		require.NotNil(t, paid)
		require.Equal(t, "-100.00", paid.Amount)
		require.Equal(t, pm.ID, *paid.OriginID)
		require.Equal(t, "VIR-77", paid.Reference)
		inv = decode[api.SupplierInvoiceResponse](t, f.do(t, http.MethodGet, ip, nil), http.StatusOK)
		require.Equal(t, "partially_paid", *inv.PaymentState)
		require.Equal(t, "80.00", inv.Remaining)
		var aging struct {
			Data []struct {
				SupplierID int64  `json:"supplier_id"`
				Invoices   int64  `json:"invoices"`
				Total      string `json:"total"`
			} `json:"data"`
		}
		f.as(t, f.buyer, http.MethodGet, "/api/v1/reports/payables-aging", nil).JSON(t, &aging)
		require.Len(t, aging.Data, 1)
		require.Equal(t, f.supplier, aging.Data[0].SupplierID)
		require.Equal(t, "80.00", aging.Data[0].Total, "what is left to pay the supplier")
		requireProblem(t, f.do(t, http.MethodPost, "/api/v1/supplier-payments", obj{"method": "cash",
			"allocations": []obj{{"invoice_id": inv.ID, "amount": "81"}}}), http.StatusConflict, "overpayment")
		decode[api.SupplierPaymentResponse](t, f.do(t, http.MethodPost, "/api/v1/supplier-payments", obj{"method": "cash",
			"allocations": []obj{{"invoice_id": inv.ID, "amount": "80"}}}), http.StatusCreated)
		require.Equal(t, "820.00", f.getAccount(t, acct.ID).Balance, "the balance is the sum of the lines")
		inv = decode[api.SupplierInvoiceResponse](t, f.do(t, http.MethodGet, ip, nil), http.StatusOK)
		require.Equal(t, "paid", inv.Status)
		f.as(t, f.buyer, http.MethodGet, "/api/v1/reports/payables-aging", nil).JSON(t, &aging)
		require.Empty(t, aging.Data, "nothing left to pay")
		var purchases struct {
			Data []struct {
				SupplierID    int64  `json:"supplier_id"`
				Invoices      int64  `json:"invoices"`
				AmountExclTax string `json:"amount_excl_tax"`
			} `json:"data"`
		}
		f.as(t, f.buyer, http.MethodGet, "/api/v1/reports/purchases-by-supplier", nil).JSON(t, &purchases)
		require.Len(t, purchases.Data, 1)
		require.Equal(t, "150.00", purchases.Data[0].AmountExclTax)
		require.Equal(t, int64(1), purchases.Data[0].Invoices)

		var evs struct{ Data []api.EventResponse }
		f.do(t, http.MethodGet, pp+"/events", nil).JSON(t, &evs)
		var actions []string
		for _, e := range evs.Data {
			actions = append(actions, e.Action+":"+e.To)
		}
		require.Equal(t, []string{"created:draft", "validated:validated", "approved:approved", "ordered:ordered",
			"received:partly_received", "received:received"}, actions)
	}, withApproval("100"))
}
