package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// datedInvoice creates a draft invoice of one service line dated on.
func (f *salesFix) datedInvoice(t *testing.T, on time.Time) api.InvoiceResponse {
	t.Helper()
	res := f.do(t, http.MethodPost, "/api/v1/invoices", obj{"customer_id": f.customer, "date": on.Format(time.DateOnly),
		"lines": []obj{{"product_id": f.service, "quantity": "1"}}})
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	var inv api.InvoiceResponse
	res.JSON(t, &inv)
	return inv
}

// refNumber is the counter part of a reference of the default masks
// (FA{yy}{mm}-{0000}, which never restarts).
func refNumber(t *testing.T, ref string) int {
	t.Helper()
	_, num, ok := strings.Cut(ref, "-")
	require.True(t, ok, ref)
	n, err := strconv.Atoi(num)
	require.NoError(t, err, ref)
	return n
}

// TestBackdatedValidationRefused: an invoice dated before the last
// validated invoice is refused with 409 date_before_last_validated naming
// the last date; it stays a draft and consumes no number; a credit note
// (its own series) is not held back by the invoices' dates; an invoice
// dated on or after the last date is validated.
func TestBackdatedValidationRefused(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "", "")
		today := time.Now().UTC().Truncate(24 * time.Hour)
		first := f.validate(t, f.datedInvoice(t, today).ID)
		require.Equal(t, 1, refNumber(t, first.Ref))

		old := f.datedInvoice(t, today.AddDate(0, -2, 0))
		p := requireProblem(t, f.do(t, http.MethodPost, invPath(old.ID)+"/validate", obj{}), http.StatusConflict, "date_before_last_validated")
		require.Equal(t, today.Format(time.DateOnly), p.Extra["last_validated_date"])
		require.Equal(t, old.Date, p.Extra["date"])
		require.Equal(t, "sales.invoice", p.Extra["series"])
		got := f.getInvoice(t, old.ID)
		require.Equal(t, "draft", got.Status)
		require.True(t, got.Provisional)

		// Same day: allowed, and the refused one took no number.
		next := f.validate(t, f.datedInvoice(t, today).ID)
		require.Equal(t, 2, refNumber(t, next.Ref))

		// Moving the draft's date on makes it valid.
		res := f.do(t, http.MethodPatch, invPath(old.ID), obj{"date": today.AddDate(0, 0, 1).Format(time.DateOnly), "due_date": today.AddDate(0, 0, 31).Format(time.DateOnly), "version": old.Version})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		require.Equal(t, 3, refNumber(t, f.validate(t, old.ID).Ref))

		// A credit note dated before the invoices is in its own series.
		res = f.do(t, http.MethodPost, invPath(first.ID)+"/create-credit-note", nil)
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		var cn api.InvoiceResponse
		res.JSON(t, &cn)
		res = f.do(t, http.MethodPost, invPath(cn.ID)+"/validate", obj{})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	})
}

// TestBackdatedValidationSetToday: with DOLIBARR_NUMBERING_BACKDATED=
// set_today a backdated invoice is validated dated on the validation day,
// its due date moved by as much.
func TestBackdatedValidationSetToday(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "", "")
		today := time.Now().UTC().Truncate(24 * time.Hour)
		f.validate(t, f.datedInvoice(t, today).ID)
		old := f.datedInvoice(t, today.AddDate(0, 0, -40))
		res := f.do(t, http.MethodPatch, invPath(old.ID), obj{"due_date": today.AddDate(0, 0, -10).Format(time.DateOnly), "version": old.Version})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		got := f.validate(t, old.ID)
		require.Equal(t, today.Format(time.DateOnly), got.Date)
		require.Equal(t, today.AddDate(0, 0, 30).Format(time.DateOnly), got.DueDate)
		require.Equal(t, 2, refNumber(t, got.Ref))
	}, apptest.WithConfig(func(c *app.Config) { c.Sales.NumberingBackdated = "set_today" }))
}

// TestConcurrentValidationsFollowDates: 50 invoices dated over the last
// 40 days, validated at the same moment through a real HTTP listener:
// whatever order the validations run in, no number is dated before the
// number before it, the refused ones are 409 date_before_last_validated
// and stay drafts (with set_today none is refused: they are re-dated), and
// the numbers have no gap. Every validation locks its
// series' row before the counter, so they are ordered by that lock.
func TestConcurrentValidationsFollowDates(t *testing.T) {
	const n = 50
	for _, tc := range []struct{ driver, policy string }{
		{"postgres", "refuse"}, {"mysql", "refuse"}, {"postgres", "set_today"}, {"mysql", "set_today"},
	} {
		driver := tc.driver
		t.Run(driver+"/"+tc.policy, func(t *testing.T) {
			a := apptest.New(t, driver, apptest.WithConfig(func(c *app.Config) { c.Sales.NumberingBackdated = tc.policy }))
			f := newSalesFix(t, a, "", "")
			today := time.Now().UTC().Truncate(24 * time.Hour)
			ids := make([]int64, n)
			for i := range ids {
				ids[i] = f.datedInvoice(t, today.AddDate(0, 0, -((i*7)%40))).ID
			}
			srv := httptest.NewServer(a.Server)
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
			defer client.CloseIdleConnections()

			statuses := make([]int, n)
			codes := make([]string, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, id := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req, err := http.NewRequest(http.MethodPost, srv.URL+invPath(id)+"/validate", bytes.NewReader([]byte("{}")))
					if err != nil {
						return
					}
					req.Header.Set("Authorization", "Bearer "+f.admin)
					req.Header.Set("Content-Type", "application/json")
					<-start
					res, err := client.Do(req)
					if err != nil {
						codes[i] = err.Error()
						return
					}
					defer res.Body.Close()
					var p api.Problem
					_ = json.NewDecoder(res.Body).Decode(&p)
					statuses[i], codes[i] = res.StatusCode, p.Code
				}()
			}
			close(start)
			wg.Wait()

			type issued struct {
				num  int
				date string
			}
			var got []issued
			refused := 0
			for i, id := range ids {
				inv := f.getInvoice(t, id)
				switch statuses[i] {
				case http.StatusOK:
					require.Equal(t, "validated", inv.Status)
					got = append(got, issued{refNumber(t, inv.Ref), inv.Date})
				case http.StatusConflict:
					require.Equal(t, "date_before_last_validated", codes[i])
					require.Equal(t, "draft", inv.Status)
					refused++
				default:
					t.Fatalf("validation %d: status %d code %q", i, statuses[i], codes[i])
				}
			}
			sort.Slice(got, func(i, j int) bool { return got[i].num < got[j].num })
			require.NotEmpty(t, got)
			for i := range got {
				require.Equal(t, i+1, got[i].num, "numbers without a gap")
				if i > 0 {
					require.GreaterOrEqual(t, got[i].date, got[i-1].date, "number %d dated before number %d", got[i].num, got[i-1].num)
				}
			}
			require.Equal(t, n, len(got)+refused)
			if tc.policy == "set_today" {
				require.Zero(t, refused, "set_today re-dates rather than refuses")
			}
			t.Logf("%s: %d validated, %d refused as backdated", driver, len(got), refused)
		})
	}
}
