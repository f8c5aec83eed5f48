package app_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// refPrefix is the default invoice mask's text for today: FA{yy}{mm}-.
func refPrefix(kind string, now time.Time) string {
	return fmt.Sprintf("%s%02d%02d-", kind, now.Year()%100, int(now.Month()))
}

// TestInvoiceLifeCycle: Dolibarr's rounding case through the API, line
// edits while draft, validation with a stock debit and a definitive ref,
// payments up to paid, and every illegal transition as 409 with its code.
func TestInvoiceLifeCycle(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "100", "100")
		line := obj{"product_id": f.goods, "quantity": "5"} // 6.36 at 21 % from the product
		inv := f.invoice(t, line, line, line)
		require.True(t, inv.Provisional)
		require.Equal(t, fmt.Sprintf("(PROV%d)", inv.ID), inv.Ref)
		require.Equal(t, "draft", inv.Status)
		require.Equal(t, []string{"95.40", "20.04", "115.44"}, []string{inv.TotalExclTax, inv.TotalVAT, inv.TotalInclTax},
			"FactureTestRounding: 3 lines x 5 x 6.36 at 21 %, sum of rounded lines")
		require.Len(t, *inv.Lines, 3)
		require.Equal(t, "Widget", (*inv.Lines)[0].Description)
		require.Equal(t, []api.VATResponse{{Rate: "21", Base: "95.40", Amount: "20.04"}}, *inv.VATBreakdown)
		require.Nil(t, inv.PaymentState)

		// Line edits while draft: add a service line, change it, remove one.
		res := f.do(t, http.MethodPost, invPath(inv.ID)+"/lines", obj{"product_id": f.service, "quantity": "1"})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		res.JSON(t, &inv)
		require.Len(t, *inv.Lines, 4)
		svcLine := (*inv.Lines)[3]
		require.Equal(t, "service", svcLine.ProductType)
		require.Equal(t, "145.40", inv.TotalExclTax)
		require.Len(t, *inv.VATBreakdown, 2)
		res = f.a.DoHeader(t, http.MethodPut, fmt.Sprintf("%s/lines/%d", invPath(inv.ID), svcLine.ID),
			obj{"description": "Setup", "quantity": "2", "unit_price": "25", "discount_percent": "10", "vat_rate": "20"},
			http.Header{"Authorization": {"Bearer " + f.admin}, "If-Match": {fmt.Sprintf(`"%d"`, inv.Version)}})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &inv)
		require.Equal(t, "45.00", (*inv.Lines)[3].TotalExclTax)
		// A stale If-Match is refused.
		res = f.a.DoHeader(t, http.MethodDelete, fmt.Sprintf("%s/lines/%d", invPath(inv.ID), svcLine.ID), nil,
			http.Header{"Authorization": {"Bearer " + f.admin}, "If-Match": {`"1"`}})
		requireProblem(t, res, http.StatusPreconditionFailed, "precondition_failed")
		res = f.do(t, http.MethodDelete, fmt.Sprintf("%s/lines/%d", invPath(inv.ID), svcLine.ID), nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &inv)
		require.Equal(t, "115.44", inv.TotalInclTax)
		res = f.do(t, http.MethodPatch, invPath(inv.ID), obj{"ref_customer": "PO-77", "note_public": "Thanks", "version": inv.Version})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))

		// Every problem of a bad line at once.
		res = f.do(t, http.MethodPost, invPath(inv.ID)+"/lines", obj{"quantity": "0", "vat_rate": "120"})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status)
		fields := map[string]string{}
		for _, e := range res.Problem(t).Errors {
			fields[e.Field] = e.Code
		}
		require.Equal(t, map[string]string{"quantity": "not_positive", "vat_rate": "out_of_range", "unit_price": "required", "description": "required"}, fields)

		// Pay a draft: 409.
		requireProblem(t, f.do(t, http.MethodPost, invPath(inv.ID)+"/payments", obj{"method": "transfer", "amount": "10"}), http.StatusConflict, "invoice_not_validated")

		// Validate: ref, stock out, event.
		before := f.movements(t, f.goods)
		inv = f.validate(t, inv.ID)
		require.Equal(t, refPrefix("FA", a.Now())+"0001", inv.Ref)
		require.False(t, inv.Provisional)
		require.Equal(t, "validated", inv.Status)
		require.Equal(t, "unpaid", *inv.PaymentState)
		require.Equal(t, f.warehouse, *inv.WarehouseID)
		require.Equal(t, "85", f.stockOf(t, f.goods))
		require.Equal(t, before+1, f.movements(t, f.goods), "one movement per product, lines merged")

		// Illegal transitions on a validated invoice.
		requireProblem(t, f.do(t, http.MethodPost, invPath(inv.ID)+"/validate", obj{"warehouse_id": f.warehouse}), http.StatusConflict, "invoice_not_draft")
		requireProblem(t, f.do(t, http.MethodPatch, invPath(inv.ID), obj{"note_public": "x", "version": inv.Version}), http.StatusConflict, "invoice_not_draft")
		requireProblem(t, f.do(t, http.MethodPost, invPath(inv.ID)+"/lines", line), http.StatusConflict, "invoice_not_draft")
		requireProblem(t, f.do(t, http.MethodDelete, fmt.Sprintf("%s/lines/%d", invPath(inv.ID), (*inv.Lines)[0].ID), nil), http.StatusConflict, "invoice_not_draft")
		requireProblem(t, f.do(t, http.MethodDelete, invPath(inv.ID), nil), http.StatusConflict, "invoice_not_draft")

		// Payments: partial, overpayment refused, the rest; then paid.
		res = f.do(t, http.MethodPost, invPath(inv.ID)+"/payments", obj{"method": "cheque", "amount": "15.44", "reference": "CHQ-1"})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		requireProblem(t, f.do(t, http.MethodPost, invPath(inv.ID)+"/reopen", nil), http.StatusConflict, "invoice_has_payments")
		p := requireProblem(t, f.do(t, http.MethodPost, invPath(inv.ID)+"/payments", obj{"method": "cash", "amount": "100.01"}), http.StatusConflict, "overpayment")
		require.Equal(t, "100", p.Extra["remaining"])
		got := f.getInvoice(t, inv.ID)
		require.Equal(t, "partially_paid", *got.PaymentState)
		require.Equal(t, "15.44", got.Paid)
		require.Equal(t, "100.00", got.Remaining)
		res = f.do(t, http.MethodPost, invPath(inv.ID)+"/payments", obj{"method": "transfer"}) // the remainder
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		var pay api.PaymentResponse
		res.JSON(t, &pay)
		require.Equal(t, "100.00", pay.Amount)
		got = f.getInvoice(t, inv.ID)
		require.Equal(t, "paid", got.Status)
		require.Equal(t, "0.00", got.Remaining)
		requireProblem(t, f.do(t, http.MethodPost, invPath(inv.ID)+"/payments", obj{"method": "cash", "amount": "1", "allow_overpayment": true}), http.StatusConflict, "invoice_already_paid")
		requireProblem(t, f.do(t, http.MethodPost, invPath(inv.ID)+"/cancel", obj{"reason": "abandon"}), http.StatusConflict, "invoice_already_paid")

		res = f.do(t, http.MethodGet, invPath(inv.ID)+"/payments", nil)
		require.Equal(t, http.StatusOK, res.Status)
		var pays struct{ Data []api.PaymentResponse }
		res.JSON(t, &pays)
		require.Len(t, pays.Data, 2)
		require.Equal(t, inv.Ref, pays.Data[0].Allocations[0].InvoiceRef)

		// The event log: who, from, to.
		res = f.do(t, http.MethodGet, invPath(inv.ID)+"/events", nil)
		require.Equal(t, http.StatusOK, res.Status)
		var evs struct{ Data []api.EventResponse }
		res.JSON(t, &evs)
		var trail []string
		for _, e := range evs.Data {
			trail = append(trail, e.Action+":"+e.From+">"+e.To)
			require.NotZero(t, e.UserID)
		}
		require.Equal(t, []string{"created:>draft", "validated:draft>validated", "payment:validated>validated", "paid:validated>paid"}, trail)
	})
}

// TestInvoiceReopenAndCancel: back to draft puts the stock back and keeps
// the number; a numbered draft cannot be deleted; cancel needs a reason.
func TestInvoiceReopenAndCancel(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "10", "")
		inv := f.validate(t, f.invoice(t, obj{"product_id": f.goods, "quantity": "4"}).ID)
		require.Equal(t, "6", f.stockOf(t, f.goods))
		res := f.do(t, http.MethodPost, invPath(inv.ID)+"/reopen", nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		require.Equal(t, "10", f.stockOf(t, f.goods))
		requireProblem(t, f.do(t, http.MethodPost, invPath(inv.ID)+"/reopen", nil), http.StatusConflict, "invoice_already_draft")
		requireProblem(t, f.do(t, http.MethodDelete, invPath(inv.ID), nil), http.StatusConflict, "invoice_numbered")
		again := f.validate(t, inv.ID)
		require.Equal(t, inv.Ref, again.Ref, "a reopened invoice keeps its number")

		requireProblem(t, f.do(t, http.MethodPost, invPath(inv.ID)+"/cancel", obj{"reason": "whatever"}), http.StatusUnprocessableEntity, "validation_failed")
		res = f.do(t, http.MethodPost, invPath(inv.ID)+"/cancel", obj{"reason": "badcustomer", "note": "bankrupt"})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		var got api.InvoiceResponse
		res.JSON(t, &got)
		require.Equal(t, "abandoned", got.Status)
		require.Equal(t, "badcustomer", *got.CloseCode)
		requireProblem(t, f.do(t, http.MethodPost, invPath(inv.ID)+"/payments", obj{"method": "cash", "amount": "1"}), http.StatusConflict, "invoice_abandoned")

		draft := f.invoice(t, obj{"description": "Consulting", "quantity": "1", "unit_price": "100"})
		requireProblem(t, f.do(t, http.MethodPost, invPath(draft.ID)+"/cancel", obj{"reason": "abandon"}), http.StatusConflict, "invoice_not_validated")
		res = f.do(t, http.MethodDelete, invPath(draft.ID), nil)
		require.Equal(t, http.StatusNoContent, res.Status, string(res.Body))
		requireProblem(t, f.do(t, http.MethodGet, invPath(draft.ID), nil), http.StatusNotFound, "not_found")

		empty := f.invoice(t)
		requireProblem(t, f.do(t, http.MethodPost, invPath(empty.ID)+"/validate", nil), http.StatusConflict, "invoice_empty")
		// Two warehouses and no default: the clerk must choose one.
		f.create(t, "/api/v1/warehouses", obj{"label": "Annex"})
		goodsNoWarehouse := f.invoice(t, obj{"product_id": f.goods, "quantity": "1"})
		requireProblem(t, f.do(t, http.MethodPost, invPath(goodsNoWarehouse.ID)+"/validate", nil), http.StatusUnprocessableEntity, "validation_failed")
	})
}

// TestValidationShortOfStockChangesNothing: an invoice that would overdraw
// two products is refused with 409 naming both; it stays a draft, no
// movement is written, and no number is consumed: the next validation gets
// number 1.
func TestValidationShortOfStockChangesNothing(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "3", "1")
		short := f.invoice(t,
			obj{"product_id": f.goods, "quantity": "5"},
			obj{"product_id": f.goods2, "quantity": "2"},
			obj{"product_id": f.service, "quantity": "1"})
		m1, m2 := f.movements(t, f.goods), f.movements(t, f.goods2)

		p := requireProblem(t, f.do(t, http.MethodPost, invPath(short.ID)+"/validate", obj{"warehouse_id": f.warehouse}), http.StatusConflict, "insufficient_stock")
		require.Contains(t, p.Detail, "WIDGET")
		require.Contains(t, p.Detail, "GADGET")
		shortages, ok := p.Extra["shortages"].([]any)
		require.True(t, ok, "extra.shortages: %v", p.Extra)
		require.Len(t, shortages, 2)
		named := map[string]string{}
		for _, s := range shortages {
			m := s.(map[string]any)
			named[m["product_ref"].(string)] = m["available"].(string) + "/" + m["requested"].(string)
		}
		require.Equal(t, map[string]string{"WIDGET": "3/5", "GADGET": "1/2"}, named)

		got := f.getInvoice(t, short.ID)
		require.Equal(t, "draft", got.Status)
		require.True(t, got.Provisional)
		require.Nil(t, got.WarehouseID)
		require.Equal(t, "3", f.stockOf(t, f.goods))
		require.Equal(t, "1", f.stockOf(t, f.goods2))
		require.Equal(t, m1, f.movements(t, f.goods), "no movement written")
		require.Equal(t, m2, f.movements(t, f.goods2))

		ok1 := f.validate(t, f.invoice(t, obj{"product_id": f.goods, "quantity": "3"}).ID)
		require.Equal(t, refPrefix("FA", a.Now())+"0001", ok1.Ref, "the refused validation consumed no number")
		require.Equal(t, "0", f.stockOf(t, f.goods))
	})
}

// TestRoundOfSumMode: the same document in Dolibarr's "rounding of total"
// mode gives 95.40 / 20.03 / 115.43.
func TestRoundOfSumMode(t *testing.T) {
	a := apptest.New(t, "postgres", apptest.WithConfig(func(c *app.Config) { c.Sales.RoundingMode = "round_of_sum" }))
	f := newSalesFix(t, a, "", "")
	l := obj{"description": "x", "quantity": "5", "unit_price": "6.36", "vat_rate": "21"}
	inv := f.invoice(t, l, l, l)
	require.Equal(t, "round_of_sum", inv.RoundingMode)
	require.Equal(t, []string{"95.40", "20.03", "115.43"}, []string{inv.TotalExclTax, inv.TotalVAT, inv.TotalInclTax})
	require.Equal(t, "20.03", (*inv.VATBreakdown)[0].Amount)
}

// TestCreditNoteNegatesAndRestocks: a credit note made from an invoice has
// the opposite totals, its own AV numbering, puts the goods back into the
// invoice's warehouse, and is refunded with a negative payment.
func TestCreditNoteNegatesAndRestocks(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "10", "")
		inv := f.validate(t, f.invoice(t, obj{"product_id": f.goods, "quantity": "3", "discount_percent": "7.5"},
			obj{"product_id": f.service, "quantity": "2"}).ID)
		require.Equal(t, "7", f.stockOf(t, f.goods))

		res := f.do(t, http.MethodPost, invPath(inv.ID)+"/create-credit-note", nil)
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		var cn api.InvoiceResponse
		res.JSON(t, &cn)
		require.Equal(t, "credit_note", cn.Type)
		require.Equal(t, inv.ID, *cn.SourceInvoiceID)
		for _, pair := range [][2]string{{inv.TotalExclTax, cn.TotalExclTax}, {inv.TotalVAT, cn.TotalVAT}, {inv.TotalInclTax, cn.TotalInclTax}} {
			require.True(t, domain.MustDecimal(pair[0]).Neg().Equal(domain.MustDecimal(pair[1])), "%s vs %s", pair[0], pair[1])
		}

		res = f.do(t, http.MethodPost, invPath(cn.ID)+"/validate", nil) // warehouse taken from the invoice
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &cn)
		require.Equal(t, refPrefix("AV", a.Now())+"0001", cn.Ref)
		require.Equal(t, "10", f.stockOf(t, f.goods))

		requireProblem(t, f.do(t, http.MethodPost, invPath(cn.ID)+"/payments", obj{"method": "transfer", "amount": "5"}), http.StatusConflict, "payment_wrong_sign")
		res = f.do(t, http.MethodPost, invPath(cn.ID)+"/payments", obj{"method": "transfer"})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		require.Equal(t, "paid", f.getInvoice(t, cn.ID).Status)
		requireProblem(t, f.do(t, http.MethodPost, invPath(cn.ID)+"/create-credit-note", nil), http.StatusConflict, "invoice_not_standard")
	})
}

// TestPaymentSpreadOverInvoices: one payment settles two invoices in full
// and a third in part, all in one transaction; an overpayment or a foreign
// invoice in the batch refuses the whole payment.
func TestPaymentSpreadOverInvoices(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "", "")
		l := func(price string) obj {
			return obj{"description": "Work", "quantity": "1", "unit_price": price, "vat_rate": "0"}
		}
		i1 := f.validate(t, f.invoice(t, l("100")).ID)
		i2 := f.validate(t, f.invoice(t, l("50")).ID)
		i3 := f.validate(t, f.invoice(t, l("80")).ID)
		res := f.do(t, http.MethodPost, "/api/v1/invoices", obj{"customer_id": f.other, "lines": []obj{l("10")}})
		require.Equal(t, http.StatusCreated, res.Status)
		var foreign api.InvoiceResponse
		res.JSON(t, &foreign)
		foreign = f.validate(t, foreign.ID)

		alloc := func(id int64, amt string) obj { return obj{"invoice_id": id, "amount": amt} }
		// Refused as a whole: the second allocation overpays.
		requireProblem(t, f.do(t, http.MethodPost, "/api/v1/payments", obj{"method": "transfer",
			"allocations": []obj{alloc(i1.ID, "100"), alloc(i2.ID, "50.01")}}), http.StatusConflict, "overpayment")
		require.Equal(t, "0.00", f.getInvoice(t, i1.ID).Paid, "nothing of a refused payment is kept")
		// Refused: an invoice of another customer.
		res = f.do(t, http.MethodPost, "/api/v1/payments", obj{"method": "transfer", "allocations": []obj{alloc(i1.ID, "1"), alloc(foreign.ID, "1")}})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
		requireProblem(t, f.do(t, http.MethodPost, "/api/v1/payments", obj{"method": "transfer", "customer_id": f.other,
			"allocations": []obj{alloc(i1.ID, "1")}}), http.StatusUnprocessableEntity, "validation_failed")

		res = f.do(t, http.MethodPost, "/api/v1/payments", obj{"method": "transfer", "reference": "VIR-2026-11", "date": "2026-11-30",
			"allocations": []obj{alloc(i3.ID, "30"), alloc(i1.ID, "100"), alloc(i2.ID, "50")}})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		var pay api.PaymentResponse
		res.JSON(t, &pay)
		require.Equal(t, "180.00", pay.Amount)
		require.Equal(t, f.customer, pay.CustomerID)
		require.Len(t, pay.Allocations, 3)

		for id, want := range map[int64][3]string{i1.ID: {"paid", "100.00", "0.00"}, i2.ID: {"paid", "50.00", "0.00"}, i3.ID: {"validated", "30.00", "50.00"}} {
			got := f.getInvoice(t, id)
			require.Equal(t, want, [3]string{got.Status, got.Paid, got.Remaining}, "invoice %d", id)
		}
		res = f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/payments/%d", pay.ID), nil)
		require.Equal(t, http.StatusOK, res.Status)
		res = f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/payments?customer_id=%d", f.customer), nil)
		require.Equal(t, http.StatusOK, res.Status)
		// The date range filters on the payment date.
		var listed struct {
			Paging struct{ Total int } `json:"paging"`
		}
		today := pay.Date
		for q, want := range map[string]int{"from=" + today: 1, "to=" + today: 1, "from=2999-01-01": 0, "to=2000-01-01": 0} {
			res = f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/payments?customer_id=%d&%s", f.customer, q), nil)
			require.Equal(t, http.StatusOK, res.Status, q)
			res.JSON(t, &listed)
			require.Equal(t, want, listed.Paging.Total, q)
		}
		res = f.do(t, http.MethodGet, "/api/v1/payments?from=yesterday", nil)
		require.Equal(t, http.StatusBadRequest, res.Status)

		// Overpayment when explicitly allowed: paid, negative remainder.
		res = f.do(t, http.MethodPost, invPath(i3.ID)+"/payments", obj{"method": "cash", "amount": "60", "allow_overpayment": true})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		got := f.getInvoice(t, i3.ID)
		require.Equal(t, "paid", got.Status)
		require.Equal(t, "-10.00", got.Remaining)
	})
}

// TestSalesPermissions: reading is not writing, writing is not validating,
// validating is not paying.
func TestSalesPermissions(t *testing.T) {
	a := apptest.New(t, "sqlite")
	f := newSalesFix(t, a, "", "")
	inv := f.invoice(t, obj{"description": "x", "quantity": "1", "unit_price": "1"})
	reader := a.Token(t, domain.PermInvoiceRead)
	writer := a.Token(t, domain.PermInvoiceRead, domain.PermInvoiceWrite)
	requireProblem(t, a.Do(t, http.MethodPost, "/api/v1/invoices", obj{"customer_id": f.customer}, reader), http.StatusForbidden, "forbidden")
	requireProblem(t, a.Do(t, http.MethodPost, invPath(inv.ID)+"/validate", nil, writer), http.StatusForbidden, "forbidden")
	requireProblem(t, a.Do(t, http.MethodPost, invPath(inv.ID)+"/payments", obj{"method": "cash"}, writer), http.StatusForbidden, "forbidden")
	requireProblem(t, a.Do(t, http.MethodGet, "/api/v1/orders", nil, writer), http.StatusForbidden, "forbidden")
	res := a.Do(t, http.MethodGet, "/api/v1/invoices?status=draft&sort=-date", nil, reader)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	requireProblem(t, a.Do(t, http.MethodGet, "/api/v1/invoices?status=nope", nil, reader), http.StatusBadRequest, "invalid_query")
	requireProblem(t, a.Do(t, http.MethodGet, "/api/v1/invoices?from=2026-13-01", nil, reader), http.StatusBadRequest, "invalid_query")
	// Year 1 is the zero time, which the filter reads as "no bound": refused.
	requireProblem(t, a.Do(t, http.MethodGet, "/api/v1/invoices?to=0001-01-01", nil, reader), http.StatusBadRequest, "invalid_query")
	res = a.Do(t, http.MethodGet, "/api/v1/invoices?from=2000-01-01&to=2999-12-31", nil, reader)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
}
