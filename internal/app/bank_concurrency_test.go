package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// concurrent sends the requests at the same moment through a real HTTP
// listener and returns each one's status and body.
func concurrent(t *testing.T, a *apptest.App, token string, reqs []apiCall) []apiResult {
	t.Helper()
	srv := httptest.NewServer(a.Server)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: len(reqs), MaxConnsPerHost: 100}}
	defer client.CloseIdleConnections()
	out := make([]apiResult, len(reqs))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var body io.Reader
			if r.body != nil {
				b, _ := json.Marshal(r.body)
				body = bytes.NewReader(b)
			}
			req, err := http.NewRequest(r.method, srv.URL+r.path, body)
			if err != nil {
				out[i] = apiResult{body: err.Error()}
				return
			}
			req.Header.Set("Authorization", "Bearer "+token)
			if r.body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			<-start
			res, err := client.Do(req)
			if err != nil {
				out[i] = apiResult{body: err.Error()}
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			out[i] = apiResult{status: res.StatusCode, body: string(b)}
		}()
	}
	close(start)
	wg.Wait()
	return out
}

type apiCall struct {
	method, path string
	body         any
}

type apiResult struct {
	status int
	body   string
}

// requireBooksBalance checks every account's balance equals the sum of its
// lines, and every invoice's paid amount the sum of its payments, its
// status agreeing with what is left to pay.
func requireBooksBalance(t *testing.T, f *salesFix, accounts []int64, invoices []int64) (lines int64) {
	t.Helper()
	for _, id := range accounts {
		acc := f.getAccount(t, id)
		sum := domain.Zero
		var n int64
		for off := 0; ; off += 500 {
			page := f.lines(t, id, fmt.Sprintf("?limit=500&offset=%d", off))
			for _, l := range page.Data {
				sum = sum.Add(domain.MustDecimal(l.Amount))
				require.Equal(t, domain.MustDecimal(*l.Balance).String(), sum.String(), "running balance of line %d", l.ID)
			}
			n += int64(len(page.Data))
			if len(page.Data) < 500 {
				require.Equal(t, page.Paging.Total, n)
				break
			}
		}
		require.Equal(t, domain.MustDecimal(acc.Balance).String(), sum.String(), "account %d: balance = sum of its lines", id)
		lines += n
	}
	for _, id := range invoices {
		inv := f.getInvoice(t, id)
		res := f.do(t, http.MethodGet, invPath(id)+"/payments", nil)
		require.Equal(t, http.StatusOK, res.Status)
		var pays struct{ Data []api.PaymentResponse }
		res.JSON(t, &pays)
		sum := domain.Zero
		for _, p := range pays.Data {
			sum = sum.Add(domain.MustDecimal(p.Allocations[0].Amount))
		}
		require.Equal(t, domain.MustDecimal(inv.Paid).String(), sum.String(), "invoice %d: paid = sum of its payments", id)
		if domain.MustDecimal(inv.Remaining).IsZero() {
			require.Equal(t, "paid", inv.Status, "invoice %d", id)
		} else {
			require.Equal(t, "validated", inv.Status, "invoice %d", id)
			want := "partially_paid"
			if sum.IsZero() {
				want = "unpaid"
			}
			require.Equal(t, want, *inv.PaymentState, "invoice %d", id)
		}
	}
	return lines
}

// concurrentPayments records n payments at once over 20 invoices of
// 60.00 and 2 accounts: each invoice gets n/20 equal payments that pay it
// exactly. Every payment locks its invoice, then its account; the books
// must balance afterwards and every invoice be paid.
func concurrentPayments(t *testing.T, driver string, n int) {
	a := apptest.New(t, driver)
	f := newSalesFix(t, a, "", "")
	accs := []int64{
		f.account(t, obj{"label": "Bank A", "opening_balance": "1000", "opening_date": "2026-01-01"}).ID,
		f.account(t, obj{"label": "Bank B", "opening_balance": "-50.5", "opening_date": "2026-01-01"}).ID,
	}
	invs := make([]int64, 20)
	for i := range invs {
		invs[i] = f.serviceInvoice(t).ID
	}
	share := domain.MustDecimal("60").Div(domain.DecimalFromInt(int64(n/20)), 2)
	require.True(t, share.Mul(domain.DecimalFromInt(int64(n/20))).Equal(domain.MustDecimal("60")), "n/20 payments pay 60 exactly")
	reqs := make([]apiCall, n)
	for i := range reqs {
		reqs[i] = apiCall{http.MethodPost, invPath(invs[i%20]) + "/payments",
			obj{"method": "VIR", "amount": share.String(), "bank_account_id": accs[(i/20)%2]}}
	}
	for i, r := range concurrent(t, a, f.admin, reqs) {
		require.Equal(t, http.StatusCreated, r.status, "payment %d: %s", i, r.body)
	}
	lines := requireBooksBalance(t, f, accs, invs)
	require.Equal(t, int64(n+2), lines, "one line per payment plus the openings")
	for _, id := range invs {
		require.Equal(t, "paid", f.getInvoice(t, id).Status)
	}
	total := domain.MustDecimal("1000").Add(domain.MustDecimal("-50.5")).Add(domain.MustDecimal("1200"))
	got := domain.MustDecimal(f.getAccount(t, accs[0]).Balance).Add(domain.MustDecimal(f.getAccount(t, accs[1]).Balance))
	require.Equal(t, total.String(), got.String())
}

// TestConcurrentPaymentsKeepTheBooks: 200 payments at once (PostgreSQL,
// MariaDB).
func TestConcurrentPaymentsKeepTheBooks(t *testing.T) {
	for _, d := range []string{"postgres", "mysql"} {
		t.Run(d, func(t *testing.T) { concurrentPayments(t, d, 200) })
	}
}

// TestConcurrentPaymentsStress is the 1,000 payments; it runs only
// with DOLIBARR_STRESS=1 (about a minute per engine on 2 cores).
func TestConcurrentPaymentsStress(t *testing.T) {
	if os.Getenv("DOLIBARR_STRESS") != "1" {
		t.Skip("set DOLIBARR_STRESS=1")
	}
	for _, d := range []string{"postgres", "mysql"} {
		t.Run(d, func(t *testing.T) { concurrentPayments(t, d, 1000) })
	}
}

// TestDeletePaymentWhilePaying: on each of 20 invoices of 60.00 a payment
// of 30 is deleted while another of 30 is recorded, all at once. Either
// order leaves 30 paid and the invoice partially paid; the books balance.
// A second round races a deletion against a payment of the whole 60,
// which is an overpayment unless the deletion went first: the invoice
// ends paid (60) or partially paid (30), never anything else.
func TestDeletePaymentWhilePaying(t *testing.T) {
	for _, d := range []string{"postgres", "mysql"} {
		t.Run(d, func(t *testing.T) {
			a := apptest.New(t, d)
			f := newSalesFix(t, a, "", "")
			accs := []int64{
				f.account(t, obj{"label": "Bank A", "opening_date": "2026-01-01"}).ID,
				f.account(t, obj{"label": "Bank B", "opening_date": "2026-01-01"}).ID,
			}
			invs := make([]int64, 20)
			var reqs []apiCall
			for i := range invs {
				invs[i] = f.serviceInvoice(t).ID
				p := f.pay(t, invs[i], obj{"method": "VIR", "amount": "30", "bank_account_id": accs[i%2]})
				reqs = append(reqs,
					apiCall{http.MethodDelete, fmt.Sprintf("/api/v1/payments/%d", p.ID), nil},
					apiCall{http.MethodPost, invPath(invs[i]) + "/payments", obj{"method": "VIR", "amount": "30", "bank_account_id": accs[(i+1)%2]}})
			}
			for i, r := range concurrent(t, a, f.admin, reqs) {
				require.Contains(t, []int{http.StatusNoContent, http.StatusCreated}, r.status, "request %d: %s", i, r.body)
			}
			requireBooksBalance(t, f, accs, invs)
			for _, id := range invs {
				inv := f.getInvoice(t, id)
				require.Equal(t, "30.00", inv.Paid)
				require.Equal(t, "partially_paid", *inv.PaymentState)
			}

			// Round two: delete the 30 while paying the whole 60.
			reqs = reqs[:0]
			for i, id := range invs {
				res := f.do(t, http.MethodGet, invPath(id)+"/payments", nil)
				var pays struct{ Data []api.PaymentResponse }
				res.JSON(t, &pays)
				require.Len(t, pays.Data, 1)
				reqs = append(reqs,
					apiCall{http.MethodDelete, fmt.Sprintf("/api/v1/payments/%d", pays.Data[0].ID), nil},
					apiCall{http.MethodPost, invPath(id) + "/payments", obj{"method": "VIR", "amount": "60", "bank_account_id": accs[i%2]}})
			}
			results := concurrent(t, a, f.admin, reqs)
			for i := 0; i < len(results); i += 2 {
				del, pay := results[i], results[i+1]
				require.Equal(t, http.StatusNoContent, del.status, del.body)
				inv := f.getInvoice(t, invs[i/2])
				if pay.status == http.StatusCreated {
					require.Equal(t, "paid", inv.Status, "the deletion went first")
					require.Equal(t, "60.00", inv.Paid)
				} else {
					require.Equal(t, http.StatusConflict, pay.status, pay.body)
					require.Contains(t, pay.body, "overpayment")
					require.Equal(t, "unpaid", *inv.PaymentState, "the payment was refused, then the deletion")
				}
			}
			requireBooksBalance(t, f, accs, invs)
		})
	}
}
