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

func decode[T any](t *testing.T, res *apptest.Response, status int) T {
	t.Helper()
	require.Equal(t, status, res.Status, string(res.Body))
	var v T
	res.JSON(t, &v)
	return v
}

// TestProposalToOrderToInvoice: a proposal is validated (PR ref), signed,
// turned into an order (CO ref) and the order into an invoice; each step
// checks its source's state and records events; with the default policy
// only the invoice moves stock.
func TestProposalToOrderToInvoice(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "20", "")
		lines := []obj{{"product_id": f.goods, "quantity": "2"}, {"product_id": f.service, "quantity": "1", "discount_percent": "10"}}
		p := decode[api.ProposalResponse](t, f.do(t, http.MethodPost, "/api/v1/proposals", obj{"customer_id": f.customer, "date": "2026-11-02", "lines": lines}), http.StatusCreated)
		require.Equal(t, "2026-11-17", p.ValidUntil, "15 days by default")
		pp := fmt.Sprintf("/api/v1/proposals/%d", p.ID)

		requireProblem(t, f.do(t, http.MethodPost, "/api/v1/orders/from-proposal/"+fmt.Sprint(p.ID), nil), http.StatusConflict, "proposal_not_signed")
		requireProblem(t, f.do(t, http.MethodPost, pp+"/close", obj{"status": "signed"}), http.StatusConflict, "proposal_not_validated")
		p = decode[api.ProposalResponse](t, f.do(t, http.MethodPost, pp+"/validate", nil), http.StatusOK)
		require.Equal(t, "PR2611-0001", p.Ref, "numbered from the document date")
		requireProblem(t, f.do(t, http.MethodPost, pp+"/lines", lines[0]), http.StatusConflict, "proposal_not_draft")
		p = decode[api.ProposalResponse](t, f.do(t, http.MethodPost, pp+"/close", obj{"status": "signed", "note": "OK by phone"}), http.StatusOK)
		require.Equal(t, "signed", p.Status)
		require.NotNil(t, p.ClosedAt)

		o := decode[api.OrderResponse](t, f.do(t, http.MethodPost, "/api/v1/orders/from-proposal/"+fmt.Sprint(p.ID), nil), http.StatusCreated)
		require.Equal(t, p.ID, *o.ProposalID)
		require.Equal(t, p.TotalInclTax, o.TotalInclTax)
		op := fmt.Sprintf("/api/v1/orders/%d", o.ID)
		requireProblem(t, f.do(t, http.MethodPost, "/api/v1/invoices/from-order/"+fmt.Sprint(o.ID), nil), http.StatusConflict, "order_not_validated")
		o = decode[api.OrderResponse](t, f.do(t, http.MethodPost, op+"/validate", nil), http.StatusOK)
		require.Equal(t, refPrefix("CO", a.Now())+"0001", o.Ref)
		require.Equal(t, "20", f.stockOf(t, f.goods), "invoice_validation policy: the order moves no stock")
		o = decode[api.OrderResponse](t, f.do(t, http.MethodPost, op+"/ship", nil), http.StatusOK)
		require.Equal(t, "shipping", o.Status)

		inv := decode[api.InvoiceResponse](t, f.do(t, http.MethodPost, "/api/v1/invoices/from-order/"+fmt.Sprint(o.ID), nil), http.StatusCreated)
		require.Equal(t, o.ID, *inv.OrderID)
		require.Equal(t, o.TotalInclTax, inv.TotalInclTax)
		// A draft invoice does not bill the order: it may be deleted.
		require.False(t, decode[api.OrderResponse](t, f.do(t, http.MethodGet, op, nil), http.StatusOK).Billed)
		require.Equal(t, http.StatusNoContent, f.do(t, http.MethodDelete, invPath(inv.ID), nil).Status)
		inv = decode[api.InvoiceResponse](t, f.do(t, http.MethodPost, "/api/v1/invoices/from-order/"+fmt.Sprint(o.ID), nil), http.StatusCreated)
		requireProblem(t, f.do(t, http.MethodPost, op+"/cancel", nil), http.StatusConflict, "order_not_cancelable")
		o = decode[api.OrderResponse](t, f.do(t, http.MethodPost, op+"/close", nil), http.StatusOK)
		require.Equal(t, "closed", o.Status)
		require.False(t, o.Billed)
		// Validating the invoice bills the order, and the signed proposal
		// the order came from.
		f.validate(t, inv.ID)
		require.Equal(t, "18", f.stockOf(t, f.goods))
		o = decode[api.OrderResponse](t, f.do(t, http.MethodGet, op, nil), http.StatusOK)
		require.True(t, o.Billed)
		requireProblem(t, f.do(t, http.MethodPost, "/api/v1/invoices/from-order/"+fmt.Sprint(o.ID), nil), http.StatusConflict, "order_billed")
		p = decode[api.ProposalResponse](t, f.do(t, http.MethodGet, pp, nil), http.StatusOK)
		require.Equal(t, "billed", p.Status)
		requireProblem(t, f.do(t, http.MethodPost, "/api/v1/invoices/from-proposal/"+fmt.Sprint(p.ID), nil), http.StatusConflict, "proposal_not_signed")

		var evs struct{ Data []api.EventResponse }
		f.do(t, http.MethodGet, pp+"/events", nil).JSON(t, &evs)
		var actions []string
		for _, e := range evs.Data {
			actions = append(actions, e.Action)
		}
		require.Equal(t, []string{"created", "validated", "signed", "billed"}, actions)
		f.do(t, http.MethodGet, op+"/events", nil).JSON(t, &evs)
		actions = actions[:0]
		for _, e := range evs.Data {
			actions = append(actions, e.Action)
		}
		require.Equal(t, []string{"created", "validated", "shipped", "invoice_drafted", "invoice_drafted", "closed", "billed"}, actions)

		// Clone, refuse, cancel, list.
		c := decode[api.ProposalResponse](t, f.do(t, http.MethodPost, pp+"/clone", nil), http.StatusCreated)
		require.True(t, c.Provisional)
		require.Len(t, *c.Lines, 2)
		cp := fmt.Sprintf("/api/v1/proposals/%d", c.ID)
		decode[api.ProposalResponse](t, f.do(t, http.MethodPost, cp+"/validate", nil), http.StatusOK)
		c = decode[api.ProposalResponse](t, f.do(t, http.MethodPost, cp+"/close", obj{"status": "refused"}), http.StatusOK)
		require.Equal(t, "refused", c.Status)
		requireProblem(t, f.do(t, http.MethodPost, cp+"/cancel", nil), http.StatusConflict, "proposal_not_cancelable")
		list := decode[struct {
			Data   []api.ProposalResponse
			Paging api.Paging
		}](t, f.do(t, http.MethodGet, "/api/v1/proposals?status=refused", nil), http.StatusOK)
		require.Equal(t, int64(1), list.Paging.Total)
		require.Nil(t, list.Data[0].Lines, "lists carry no lines")
	})
}

// TestOrderValidationMovesStockWhenConfigured: with
// DOLIBARR_STOCK_DECREASE_ON=order_validation the order takes the goods
// (refused as a whole when short), canceling puts them back, and invoices
// move nothing.
func TestOrderValidationMovesStockWhenConfigured(t *testing.T) {
	for _, driver := range []string{"postgres", "mysql"} {
		t.Run(driver, func(t *testing.T) {
			a := apptest.New(t, driver, apptest.WithConfig(func(c *app.Config) { c.Sales.StockDecreaseOn = "order_validation" }))
			f := newSalesFix(t, a, "5", "")
			f.create(t, "/api/v1/warehouses", obj{"label": "Annex"}) // two: a validation must name one
			mk := func(qty string) api.OrderResponse {
				return decode[api.OrderResponse](t, f.do(t, http.MethodPost, "/api/v1/orders",
					obj{"customer_id": f.customer, "lines": []obj{{"product_id": f.goods, "quantity": qty}}}), http.StatusCreated)
			}
			big := mk("6")
			requireProblem(t, f.do(t, http.MethodPost, fmt.Sprintf("/api/v1/orders/%d/validate", big.ID), obj{"warehouse_id": f.warehouse}), http.StatusConflict, "insufficient_stock")
			o := mk("4")
			op := fmt.Sprintf("/api/v1/orders/%d", o.ID)
			requireProblem(t, f.do(t, http.MethodPost, op+"/validate", nil), http.StatusUnprocessableEntity, "validation_failed")
			o = decode[api.OrderResponse](t, f.do(t, http.MethodPost, op+"/validate", obj{"warehouse_id": f.warehouse}), http.StatusOK)
			require.Equal(t, refPrefix("CO", a.Now())+"0001", o.Ref, "the refused order consumed no number")
			require.Equal(t, "1", f.stockOf(t, f.goods))

			inv := decode[api.InvoiceResponse](t, f.do(t, http.MethodPost, "/api/v1/invoices", obj{"customer_id": f.customer,
				"lines": []obj{{"product_id": f.goods, "quantity": "1"}}}), http.StatusCreated)
			f.validate(t, inv.ID)
			require.Equal(t, "1", f.stockOf(t, f.goods), "order_validation policy: invoices move no stock")

			o = decode[api.OrderResponse](t, f.do(t, http.MethodPost, op+"/cancel", obj{"note": "customer changed mind"}), http.StatusOK)
			require.Equal(t, "canceled", o.Status)
			require.Equal(t, "5", f.stockOf(t, f.goods))
		})
	}
}
