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

// serviceInvoice is a validated invoice of one service line: 60.00 incl.
// tax.
func (f *salesFix) serviceInvoice(t *testing.T) api.InvoiceResponse {
	t.Helper()
	return f.validate(t, f.invoice(t, obj{"product_id": f.service, "quantity": "1"}).ID)
}

func (f *salesFix) pay(t *testing.T, invoiceID int64, body obj) api.PaymentResponse {
	t.Helper()
	res := f.do(t, http.MethodPost, invPath(invoiceID)+"/payments", body)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	var p api.PaymentResponse
	res.JSON(t, &p)
	return p
}

func (f *salesFix) eventTrail(t *testing.T, invoiceID int64) []string {
	t.Helper()
	res := f.do(t, http.MethodGet, invPath(invoiceID)+"/events", nil)
	require.Equal(t, http.StatusOK, res.Status)
	var evs struct{ Data []api.EventResponse }
	res.JSON(t, &evs)
	var trail []string
	for _, e := range evs.Data {
		trail = append(trail, e.Action+":"+e.From+">"+e.To)
	}
	return trail
}

// TestPaymentMethodsDictionary: Dolibarr's codes are seeded; a method
// that needs a reference refuses a payment without one; the legacy names
// still work and are stored as codes; an installation adds and
// deactivates its own.
func TestPaymentMethodsDictionary(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "", "")
		res := f.do(t, http.MethodGet, "/api/v1/payment-methods", nil)
		require.Equal(t, http.StatusOK, res.Status)
		var list struct{ Data []api.PaymentMethodResponse }
		res.JSON(t, &list)
		codes := map[string]api.PaymentMethodResponse{}
		for _, m := range list.Data {
			codes[m.Code] = m
		}
		for _, c := range []string{"VIR", "CHQ", "CB", "LIQ", "PRE", "VAD", "TIP", "TRA", "LCR", "FAC"} {
			require.Contains(t, codes, c)
			require.True(t, codes[c].Builtin && codes[c].Active, c)
		}
		require.True(t, codes["CHQ"].NeedsReference)
		require.False(t, codes["VIR"].NeedsReference)

		inv := f.serviceInvoice(t)
		payments := countRows(t, a, "payments")
		res = f.do(t, http.MethodPost, invPath(inv.ID)+"/payments", obj{"method": "CHQ", "amount": "10"})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
		require.Equal(t, "reference", res.Problem(t).Errors[0].Field)
		res = f.do(t, http.MethodPost, invPath(inv.ID)+"/payments", obj{"method": "BITCOIN", "amount": "10"})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
		require.Equal(t, "unknown", res.Problem(t).Errors[0].Code)
		require.Equal(t, payments, countRows(t, a, "payments"), "nothing written")

		p := f.pay(t, inv.ID, obj{"method": "CHQ", "amount": "10", "reference": "0004417", "issuer": "M. Dupont", "issuer_bank": "LCL"})
		require.Equal(t, "CHQ", p.Method)
		require.Equal(t, "M. Dupont", p.Issuer)
		require.Nil(t, p.BankAccountID, "no bank account exists: no bank line (decision 0040)")
		p = f.pay(t, inv.ID, obj{"method": "transfer", "amount": "10"})
		require.Equal(t, "VIR", p.Method, "legacy names are stored as codes")

		// An installation's own method, then deactivated.
		res = f.do(t, http.MethodPost, "/api/v1/payment-methods", obj{"code": "PAYPAL", "label": "PayPal"})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		requireProblem(t, f.do(t, http.MethodPost, "/api/v1/payment-methods", obj{"code": "PAYPAL", "label": "Again"}), http.StatusConflict, "duplicate")
		res = f.do(t, http.MethodPost, "/api/v1/payment-methods", obj{"code": "pay pal", "label": "x"})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status)
		p = f.pay(t, inv.ID, obj{"method": "PAYPAL", "amount": "5"})
		require.Equal(t, "PAYPAL", p.Method)
		res = f.do(t, http.MethodPatch, "/api/v1/payment-methods/PAYPAL", obj{"active": false})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res = f.do(t, http.MethodPost, invPath(inv.ID)+"/payments", obj{"method": "PAYPAL", "amount": "5"})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status)
		require.Equal(t, "inactive", res.Problem(t).Errors[0].Code)
		res = f.do(t, http.MethodGet, "/api/v1/payment-methods?active=false", nil)
		require.Equal(t, http.StatusOK, res.Status)
		res.JSON(t, &list)
		require.Len(t, list.Data, 1)
		require.Equal(t, "PAYPAL", list.Data[0].Code)
		requireProblem(t, f.do(t, http.MethodGet, "/api/v1/payment-methods/NOPE", nil), http.StatusNotFound, "not_found")
	})
}

// TestPaymentsPostToBankAccounts: a payment posts a bank line on the only
// account, on the named one, or must name one when there are several;
// a closed account refuses; deleting an unreconciled payment removes its
// line and gives its invoices back their status; a reconciled one is
// refused with 409 and nothing changes.
func TestPaymentsPostToBankAccounts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "", "")
		main := f.account(t, obj{"label": "Main", "opening_balance": "100", "opening_date": "2026-01-01"})
		inv := f.serviceInvoice(t)
		require.Equal(t, "60.00", inv.TotalInclTax)

		// The only account is the default.
		p1 := f.pay(t, inv.ID, obj{"method": "VIR", "amount": "20", "reference": "VIR-1"})
		require.Equal(t, main.ID, *p1.BankAccountID)
		ls := f.lines(t, main.ID, "")
		require.Len(t, ls.Data, 2)
		require.Equal(t, "customer_payment", ls.Data[1].Origin)
		require.Equal(t, p1.ID, *ls.Data[1].OriginID)
		require.Equal(t, "20.00", ls.Data[1].Amount)
		require.Equal(t, "VIR-1", ls.Data[1].Reference)
		require.Equal(t, "120.00", f.getAccount(t, main.ID).Balance)

		// Two accounts and no default: the payment must name one.
		other := f.account(t, obj{"label": "Other", "opening_date": "2026-01-01"})
		payments, lines := countRows(t, a, "payments"), countRows(t, a, "bank_lines")
		res := f.do(t, http.MethodPost, invPath(inv.ID)+"/payments", obj{"method": "VIR", "amount": "10"})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
		require.Equal(t, "bank_account_id", res.Problem(t).Errors[0].Field)
		res = f.do(t, http.MethodPost, invPath(inv.ID)+"/payments", obj{"method": "VIR", "amount": "10", "bank_account_id": 99999})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
		// A closed account refuses, nothing written.
		res = f.do(t, http.MethodPatch, bankPath(other.ID), obj{"closed": true, "version": other.Version})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		requireProblem(t, f.do(t, http.MethodPost, invPath(inv.ID)+"/payments", obj{"method": "VIR", "amount": "10", "bank_account_id": other.ID}),
			http.StatusConflict, "bank_account_closed")
		require.Equal(t, payments, countRows(t, a, "payments"))
		require.Equal(t, lines, countRows(t, a, "bank_lines"))
		require.Equal(t, "20.00", f.getInvoice(t, inv.ID).Paid)
		// With the other closed, Main is the only open account again.
		p2 := f.pay(t, inv.ID, obj{"method": "LIQ", "amount": "40"})
		require.Equal(t, main.ID, *p2.BankAccountID)
		got := f.getInvoice(t, inv.ID)
		require.Equal(t, "paid", got.Status)
		require.Equal(t, "160.00", f.getAccount(t, main.ID).Balance)

		// Reconcile p2's line: it can no longer be deleted.
		ls = f.lines(t, main.ID, "")
		line2 := ls.Data[2]
		require.Equal(t, p2.ID, *line2.OriginID)
		res = f.do(t, http.MethodPost, fmt.Sprintf("%s/lines/%d/reconcile", bankPath(main.ID), line2.ID), nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		var rl api.BankLineResponse
		res.JSON(t, &rl)
		require.True(t, rl.Reconciled)
		require.NotNil(t, rl.ReconciledAt)
		requireProblem(t, f.do(t, http.MethodDelete, fmt.Sprintf("/api/v1/payments/%d", p2.ID), nil), http.StatusConflict, "bank_line_reconciled")
		require.Equal(t, "paid", f.getInvoice(t, inv.ID).Status, "nothing changed")
		require.Equal(t, "160.00", f.getAccount(t, main.ID).Balance)
		require.Equal(t, http.StatusOK, f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/payments/%d", p2.ID), nil).Status)
		requireProblem(t, f.do(t, http.MethodPost, fmt.Sprintf("%s/lines/%d/reconcile", bankPath(other.ID), line2.ID), nil), http.StatusNotFound, "not_found")

		// Deleting p1 (not reconciled): its line goes, the invoice is
		// partially paid again, and its events say so.
		res = f.do(t, http.MethodDelete, fmt.Sprintf("/api/v1/payments/%d", p1.ID), nil)
		require.Equal(t, http.StatusNoContent, res.Status, string(res.Body))
		got = f.getInvoice(t, inv.ID)
		require.Equal(t, "validated", got.Status)
		require.Equal(t, "partially_paid", *got.PaymentState)
		require.Equal(t, "40.00", got.Paid)
		require.Equal(t, "20.00", got.Remaining)
		require.Equal(t, "140.00", f.getAccount(t, main.ID).Balance)
		requireProblem(t, f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/payments/%d", p1.ID), nil), http.StatusNotFound, "not_found")
		requireProblem(t, f.do(t, http.MethodDelete, fmt.Sprintf("/api/v1/payments/%d", p1.ID), nil), http.StatusNotFound, "not_found")
		trail := f.eventTrail(t, inv.ID)
		require.Equal(t, "payment_deleted:paid>validated", trail[len(trail)-1])

		// Unreconcile p2's line, then delete p2: the invoice is unpaid.
		res = f.do(t, http.MethodPost, fmt.Sprintf("%s/lines/%d/unreconcile", bankPath(main.ID), line2.ID), nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res = f.do(t, http.MethodDelete, fmt.Sprintf("/api/v1/payments/%d", p2.ID), nil)
		require.Equal(t, http.StatusNoContent, res.Status, string(res.Body))
		got = f.getInvoice(t, inv.ID)
		require.Equal(t, "unpaid", *got.PaymentState)
		require.Equal(t, "0.00", got.Paid)
		require.Equal(t, "100.00", f.getAccount(t, main.ID).Balance)
		require.Equal(t, int64(1), f.lines(t, main.ID, "").Paging.Total)
	})
}

// TestPaymentsDefaultBankAccount: DOLIBARR_BANK_DEFAULT_ACCOUNT_ID chooses
// the account of a payment naming none among several.
func TestPaymentsDefaultBankAccount(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "", "")
		f.account(t, obj{"label": "First", "opening_date": "2026-01-01"})
		second := f.account(t, obj{"label": "Second", "opening_date": "2026-01-01"})
		cfg := a.Config
		cfg.Bank.DefaultAccountID = second.ID
		b := a.Restart(t, cfg)
		g := &salesFix{a: b, admin: f.admin, customer: f.customer, service: f.service, warehouse: f.warehouse}
		inv := g.serviceInvoice(t)
		p := g.pay(t, inv.ID, obj{"method": "CB"})
		require.Equal(t, second.ID, *p.BankAccountID)
		require.Equal(t, "60.00", g.getAccount(t, second.ID).Balance)
	}, apptest.WithConfig(func(*app.Config) {}))
}
