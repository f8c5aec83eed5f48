package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// creditFix is two customers and the administrator's token.
type creditFix struct {
	a            *apptest.App
	admin        string
	acme, globex int64
}

func newCreditFix(t *testing.T, a *apptest.App) *creditFix {
	t.Helper()
	f := &creditFix{a: a, admin: a.AdminToken(t)}
	f.acme = f.create(t, "/api/v1/thirdparties", obj{"name": "ACME", "customer": true})
	f.globex = f.create(t, "/api/v1/thirdparties", obj{"name": "Globex", "customer": true})
	return f
}

func (f *creditFix) do(t *testing.T, method, path string, body any, want int) *apptest.Response {
	t.Helper()
	res := f.a.Do(t, method, path, body, f.admin)
	require.Equal(t, want, res.Status, "%s %s: %s", method, path, res.Body)
	return res
}

func (f *creditFix) create(t *testing.T, path string, body obj) int64 {
	t.Helper()
	return idOf(t, decode(t, f.do(t, http.MethodPost, path, body, http.StatusCreated)))
}

func (f *creditFix) problem(t *testing.T, method, path string, body any, want int, code string) {
	t.Helper()
	res := f.do(t, method, path, body, want)
	require.Equal(t, code, res.Problem(t).Code, string(res.Body))
}

// invoice creates a standard invoice of customer for excl (no VAT when
// vat is "0") and validates it unless draft.
func (f *creditFix) invoice(t *testing.T, customer int64, excl, vat string, draft bool) int64 {
	t.Helper()
	id := f.create(t, "/api/v1/invoices", obj{"customer_id": customer,
		"lines": []obj{{"description": "Work", "quantity": "1", "unit_price": excl, "vat_rate": vat}}})
	if !draft {
		f.do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/validate", id), nil, http.StatusOK)
	}
	return id
}

// creditNote credits a new validated invoice of customer (excl + 20 % VAT)
// in full and validates the credit note.
func (f *creditFix) creditNote(t *testing.T, customer int64, excl string) int64 {
	t.Helper()
	src := f.invoice(t, customer, excl, "20", false)
	cn := f.create(t, fmt.Sprintf("/api/v1/invoices/%d/create-credit-note", src), nil)
	f.do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/validate", cn), nil, http.StatusOK)
	return cn
}

func (f *creditFix) getInvoice(t *testing.T, id int64) api.InvoiceResponse {
	t.Helper()
	var r api.InvoiceResponse
	f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/invoices/%d", id), nil, http.StatusOK).JSON(t, &r)
	return r
}

func (f *creditFix) markCredit(t *testing.T, cn int64) api.CreditResponse {
	t.Helper()
	var c api.CreditResponse
	f.do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/convert-to-credit", cn), nil, http.StatusCreated).JSON(t, &c)
	return c
}

func (f *creditFix) credits(t *testing.T, customer int64, status string) []api.CreditResponse {
	t.Helper()
	var out struct{ Data []api.CreditResponse }
	path := fmt.Sprintf("/api/v1/thirdparties/%d/credits", customer)
	if status != "" {
		path += "?status=" + status
	}
	f.do(t, http.MethodGet, path, nil, http.StatusOK).JSON(t, &out)
	return out.Data
}

func (f *creditFix) events(t *testing.T, id int64) []string {
	t.Helper()
	var out struct{ Data []api.EventResponse }
	f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/invoices/%d/events", id), nil, http.StatusOK).JSON(t, &out)
	var actions []string
	for _, e := range out.Data {
		actions = append(actions, e.Action)
	}
	return actions
}

func useCreditPath(id int64) string { return fmt.Sprintf("/api/v1/invoices/%d/use-credit", id) }

// TestCreditNoteBecomesCreditUsedOnAnotherInvoice: a credit note of 120
// becomes a credit of its customer, used on an invoice of 200, which then
// has 80 left and is paid by a payment of 80.
func TestCreditNoteBecomesCreditUsedOnAnotherInvoice(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newCreditFix(t, a)
		cn := f.creditNote(t, f.acme, "100")
		require.Equal(t, "-120.00", f.getInvoice(t, cn).Remaining)

		c := f.markCredit(t, cn)
		require.Equal(t, f.acme, c.CustomerID)
		require.Equal(t, cn, c.SourceInvoiceID)
		require.Equal(t, "100.00", c.AmountExclTax)
		require.Equal(t, "20.00", c.AmountVAT)
		require.Equal(t, "120.00", c.AmountInclTax)
		require.Equal(t, "available", c.Status)
		require.Nil(t, c.UsedInvoiceID)
		got := f.getInvoice(t, cn)
		require.Equal(t, "paid", got.Status)
		require.Equal(t, "credit_available", *got.CloseCode)
		require.Equal(t, "0.00", got.CreditUsed)
		require.Equal(t, got.Ref, c.SourceRef)

		require.Len(t, f.credits(t, f.acme, "available"), 1)
		require.Empty(t, f.credits(t, f.acme, "used"))
		require.Empty(t, f.credits(t, f.globex, ""))

		inv := f.invoice(t, f.acme, "200", "0", false)
		var r api.InvoiceResponse
		f.do(t, http.MethodPost, useCreditPath(inv), obj{"credit_id": c.ID}, http.StatusOK).JSON(t, &r)
		require.Equal(t, "200.00", r.TotalInclTax)
		require.Equal(t, "120.00", r.CreditUsed)
		require.Equal(t, "0.00", r.Paid)
		require.Equal(t, "80.00", r.Remaining)
		require.Equal(t, "validated", r.Status)
		require.Equal(t, "partially_paid", *r.PaymentState)
		require.Equal(t, r, f.getInvoice(t, inv), "the response is what a GET reads")

		used := f.credits(t, f.acme, "used")
		require.Len(t, used, 1)
		require.Equal(t, "used", used[0].Status)
		require.Equal(t, inv, *used[0].UsedInvoiceID)
		require.Equal(t, r.Ref, *used[0].UsedInvoiceRef)
		require.NotNil(t, used[0].UsedAt)
		require.Empty(t, f.credits(t, f.acme, "available"))
		require.Len(t, f.credits(t, f.acme, "all"), 1)

		// The rest is paid as usual; a payment above it is refused.
		f.problem(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/payments", inv), obj{"method": "transfer", "amount": "80.01"}, http.StatusConflict, "overpayment")
		f.do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/payments", inv), obj{"method": "transfer"}, http.StatusCreated)
		r = f.getInvoice(t, inv)
		require.Equal(t, "paid", r.Status)
		require.Equal(t, "80.00", r.Paid)
		require.Equal(t, "0.00", r.Remaining)

		require.Contains(t, f.events(t, inv), "credit_used")
		require.Equal(t, []string{"created", "validated", "credit_available", "credit_used"}, f.events(t, cn))
	})
}

// TestCreditRefusals: each refused step has its stable code and changes
// nothing; bad input is a 4xx.
func TestCreditRefusals(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newCreditFix(t, a)
		cn := f.creditNote(t, f.acme, "100") // 120.00
		std := f.invoice(t, f.acme, "500", "0", false)

		// Making a credit.
		f.problem(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/convert-to-credit", std), nil, http.StatusConflict, "not_convertible")
		draftCN := f.create(t, fmt.Sprintf("/api/v1/invoices/%d/create-credit-note", std), nil)
		f.problem(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/convert-to-credit", draftCN), nil, http.StatusConflict, "not_convertible")
		refunded := f.creditNote(t, f.acme, "10")
		f.do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/payments", refunded), obj{"method": "transfer", "amount": "-1.00"}, http.StatusCreated)
		f.problem(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/convert-to-credit", refunded), nil, http.StatusConflict, "not_convertible")
		f.problem(t, http.MethodPost, "/api/v1/invoices/999999/convert-to-credit", nil, http.StatusNotFound, "not_found")
		f.problem(t, http.MethodPost, "/api/v1/invoices/abc/convert-to-credit", nil, http.StatusBadRequest, "invalid_id")
		c := f.markCredit(t, cn)
		f.problem(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/convert-to-credit", cn), nil, http.StatusConflict, "already_converted")
		f.problem(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/reopen", cn), nil, http.StatusConflict, "invoice_closed")
		f.problem(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/payments", cn), obj{"method": "transfer"}, http.StatusConflict, "invoice_already_paid")

		// Using it.
		other := f.invoice(t, f.globex, "500", "0", false)
		f.problem(t, http.MethodPost, useCreditPath(other), obj{"credit_id": c.ID}, http.StatusConflict, "other_customer")
		small := f.invoice(t, f.acme, "119.99", "0", false)
		res := f.do(t, http.MethodPost, useCreditPath(small), obj{"credit_id": c.ID}, http.StatusConflict)
		p := res.Problem(t)
		require.Equal(t, "credit_exceeds_remaining", p.Code)
		require.Equal(t, "119.99", p.Extra["remaining"])
		draft := f.invoice(t, f.acme, "500", "0", true)
		f.problem(t, http.MethodPost, useCreditPath(draft), obj{"credit_id": c.ID}, http.StatusConflict, "invoice_not_validated")
		f.problem(t, http.MethodPost, useCreditPath(cn), obj{"credit_id": c.ID}, http.StatusConflict, "invoice_not_standard")
		f.problem(t, http.MethodPost, useCreditPath(std), obj{}, http.StatusUnprocessableEntity, "validation_failed")
		f.problem(t, http.MethodPost, useCreditPath(std), obj{"credit_id": 0}, http.StatusUnprocessableEntity, "validation_failed")
		f.problem(t, http.MethodPost, useCreditPath(std), obj{"credit_id": 999999}, http.StatusUnprocessableEntity, "validation_failed")
		res = f.do(t, http.MethodPost, useCreditPath(std), obj{"credit_id": "one"}, http.StatusBadRequest)
		require.NotEmpty(t, res.Problem(t).Code)
		res = f.do(t, http.MethodPost, useCreditPath(std), "[", http.StatusBadRequest)
		require.NotEmpty(t, res.Problem(t).Code)
		f.problem(t, http.MethodPost, useCreditPath(999999), obj{"credit_id": c.ID}, http.StatusNotFound, "not_found")
		for _, id := range []int64{other, small, draft, std} {
			require.Equal(t, "0.00", f.getInvoice(t, id).CreditUsed, "a refused use changes nothing")
		}
		require.Len(t, f.credits(t, f.acme, "available"), 1)

		f.do(t, http.MethodPost, useCreditPath(std), obj{"credit_id": c.ID}, http.StatusOK)
		f.problem(t, http.MethodPost, useCreditPath(std), obj{"credit_id": c.ID}, http.StatusConflict, "credit_used")
		big := f.invoice(t, f.acme, "1000", "0", false)
		f.problem(t, http.MethodPost, useCreditPath(big), obj{"credit_id": c.ID}, http.StatusConflict, "credit_used")
		f.problem(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/reopen", std), nil, http.StatusConflict, "invoice_has_credits")

		// Listing.
		f.problem(t, http.MethodGet, fmt.Sprintf("/api/v1/thirdparties/%d/credits?status=open", f.acme), nil, http.StatusBadRequest, "invalid_query")
		f.problem(t, http.MethodGet, "/api/v1/thirdparties/999999/credits", nil, http.StatusNotFound, "not_found")
		f.problem(t, http.MethodGet, "/api/v1/thirdparties/0/credits", nil, http.StatusBadRequest, "invalid_id")

		// A credit exactly the remainder pays the invoice.
		cn2 := f.creditNote(t, f.acme, "50") // 60.00
		c2 := f.markCredit(t, cn2)
		exact := f.invoice(t, f.acme, "60", "0", false)
		var r api.InvoiceResponse
		f.do(t, http.MethodPost, useCreditPath(exact), obj{"credit_id": c2.ID}, http.StatusOK).JSON(t, &r)
		require.Equal(t, "paid", r.Status)
		require.Equal(t, "paid", *r.PaymentState)
		require.Equal(t, "0.00", r.Remaining)
	})
}

// TestCreditPermissions: making and using a credit need invoice:pay;
// listing needs invoice:read.
func TestCreditPermissions(t *testing.T) {
	a := apptest.New(t, "sqlite")
	f := newCreditFix(t, a)
	cn := f.creditNote(t, f.acme, "100")
	reader := a.Token(t, domain.PermInvoiceRead, domain.PermInvoiceWrite)
	res := a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/convert-to-credit", cn), nil, reader)
	require.Equal(t, http.StatusForbidden, res.Status)
	res = a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/thirdparties/%d/credits", f.acme), nil, reader)
	require.Equal(t, http.StatusOK, res.Status)
	c := f.markCredit(t, cn)
	inv := f.invoice(t, f.acme, "500", "0", false)
	res = a.Do(t, http.MethodPost, useCreditPath(inv), obj{"credit_id": c.ID}, reader)
	require.Equal(t, http.StatusForbidden, res.Status)
	payer := a.Token(t, domain.PermInvoicePay)
	res = a.Do(t, http.MethodPost, useCreditPath(inv), obj{"credit_id": c.ID}, payer)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	res = a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/thirdparties/%d/credits", f.acme), nil, payer)
	require.Equal(t, http.StatusForbidden, res.Status)
}

// TestConcurrentUsesOfOneCredit: two invoices of the same customer use the
// same credit at the same moment through a real listener: exactly one
// succeeds, the other gets 409 credit_used, and the credit is counted once.
// Each request locks its invoice, then the credit row; the second waits for
// the first to commit and then reads the credit as used. Several rounds
// make the race likely to overlap.
func TestConcurrentUsesOfOneCredit(t *testing.T) {
	const rounds = 5
	for _, driver := range []string{"postgres", "mysql"} {
		t.Run(driver, func(t *testing.T) {
			a := apptest.New(t, driver)
			f := newCreditFix(t, a)
			srv := httptest.NewServer(a.Server)
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
			defer client.CloseIdleConnections()
			for range rounds {
				c := f.markCredit(t, f.creditNote(t, f.acme, "100"))
				invs := []int64{f.invoice(t, f.acme, "500", "0", false), f.invoice(t, f.acme, "500", "0", false)}
				body, err := json.Marshal(obj{"credit_id": c.ID})
				require.NoError(t, err)
				statuses := make([]int, len(invs))
				codes := make([]string, len(invs))
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i, inv := range invs {
					req, err := http.NewRequest(http.MethodPost, srv.URL+useCreditPath(inv), bytes.NewReader(body))
					require.NoError(t, err)
					req.Header.Set("Authorization", "Bearer "+f.admin)
					req.Header.Set("Content-Type", "application/json")
					wg.Go(func() {
						<-start
						res, err := client.Do(req)
						if err != nil {
							codes[i] = err.Error()
							return
						}
						defer res.Body.Close()
						var p struct{ Code string }
						_ = json.NewDecoder(res.Body).Decode(&p)
						statuses[i], codes[i] = res.StatusCode, p.Code
					})
				}
				close(start)
				wg.Wait()
				require.ElementsMatch(t, []int{http.StatusOK, http.StatusConflict}, statuses, "codes %v", codes)
				loser := 0
				if statuses[0] == http.StatusOK {
					loser = 1
				}
				require.Equal(t, "credit_used", codes[loser])
				require.Equal(t, "120.00", f.getInvoice(t, invs[1-loser]).CreditUsed)
				require.Equal(t, "0.00", f.getInvoice(t, invs[loser]).CreditUsed)
				used := f.credits(t, f.acme, "used")
				require.Equal(t, invs[1-loser], *used[len(used)-1].UsedInvoiceID)
			}
		})
	}
}
