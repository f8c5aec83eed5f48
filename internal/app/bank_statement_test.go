package app_test

import (
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

func (f *salesFix) importStatement(t *testing.T, account int64, body []byte, ct string) *apptest.Response {
	t.Helper()
	return f.a.DoHeader(t, http.MethodPost, bankPath(account)+"/statements", body,
		http.Header{"Authorization": {"Bearer " + f.admin}, "Content-Type": {ct}})
}

func (f *salesFix) statement(t *testing.T, account, id int64) api.StatementResponse {
	t.Helper()
	res := f.do(t, http.MethodGet, fmt.Sprintf("%s/statements/%d", bankPath(account), id), nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	var s api.StatementResponse
	res.JSON(t, &s)
	return s
}

// TestCAMT053ImportReconcilesAMonth: a month of payments on a current
// account, then the bank's camt.053 statement of that month
// (testdata/camt053-2026-11.xml) imported and matched by the runner: the
// unambiguous entries reconcile their payments' lines (by amount and date,
// by reference among equal amounts), two payments of the same amount and
// no reference stay ambiguous for a person, the bank fee matches nothing,
// the pending entry is not imported. A reconciled payment can no longer be
// deleted. Bad documents are 4xx and write nothing.
func TestCAMT053ImportReconcilesAMonth(t *testing.T) {
	sample, err := os.ReadFile("testdata/camt053-2026-11.xml")
	require.NoError(t, err)
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "", "")
		acc := f.account(t, obj{"label": "Commerzbank", "iban": "DE89 3704 0044 0532 0130 00", "opening_date": "2026-11-01"})
		type pay struct{ date, amount, ref string }
		pays := []pay{
			{"2026-11-02", "60", "E2E-001"}, {"2026-11-05", "25.50", ""}, {"2026-11-09", "30", "E2E-003"},
			{"2026-11-10", "30", "E2E-004"}, {"2026-11-15", "40", ""}, {"2026-11-17", "40", ""}, {"2026-11-24", "60", "E2E-007"},
		}
		lineOf := map[int]int64{} // payment index -> its bank line
		payID := map[int]int64{}
		for i, p := range pays {
			inv := f.serviceInvoice(t)
			body := obj{"method": "VIR", "amount": p.amount, "date": p.date}
			if p.ref != "" {
				body["reference"] = p.ref
			}
			payID[i] = f.pay(t, inv.ID, body).ID
		}
		for _, l := range f.lines(t, acc.ID, "").Data {
			for i, id := range payID {
				if l.OriginID != nil && *l.OriginID == id && l.Origin == "customer_payment" {
					lineOf[i] = l.ID
				}
			}
		}
		require.Len(t, lineOf, len(pays))

		// Bad documents: 4xx, nothing written.
		requireProblem(t, f.importStatement(t, acc.ID, sample, "application/json"), http.StatusUnsupportedMediaType, "unsupported_media_type")
		for _, bad := range [][]byte{
			[]byte("<html><body>not a statement</body></html>"),
			[]byte(`<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>`),
			[]byte("\x00\x01"),
		} {
			res := f.importStatement(t, acc.ID, bad, "application/xml")
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
			require.Equal(t, "not_camt053", res.Problem(t).Errors[0].Code)
		}
		other := f.account(t, obj{"label": "Other", "iban": "GB82WEST12345698765432", "opening_date": "2026-11-01"})
		res := f.importStatement(t, other.ID, sample, "application/xml")
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
		require.Equal(t, "other_account", res.Problem(t).Errors[0].Code)
		requireProblem(t, f.importStatement(t, 99999, sample, "text/xml"), http.StatusNotFound, "not_found")
		require.Zero(t, countRows(t, a, "bank_statements"))
		require.Zero(t, countRows(t, a, "bank_statement_entries"))
		require.Zero(t, countRows(t, a, "jobs"))

		// The import: stored pending, matched by the runner.
		res = f.importStatement(t, acc.ID, sample, "application/xml; charset=utf-8")
		require.Equal(t, http.StatusAccepted, res.Status, string(res.Body))
		var st api.StatementResponse
		res.JSON(t, &st)
		require.Equal(t, "pending", st.Status)
		require.Equal(t, "STMT-2026-11-0001", st.MessageID)
		require.Len(t, st.Entries, 7, "the pending entry is not imported")
		require.NotZero(t, st.JobID)
		cfg := a.Config
		cfg.Runner.PollInterval, cfg.Runner.MaintenanceInterval, cfg.Runner.Listen = 20*time.Millisecond, 50*time.Millisecond, false
		runJobsUntil(t, a, cfg, func() bool { return f.statement(t, acc.ID, st.ID).Status == "done" })

		st = f.statement(t, acc.ID, st.ID)
		var statuses []string
		for _, e := range st.Entries {
			statuses = append(statuses, e.Status)
		}
		require.Equal(t, []string{"matched", "matched", "matched", "matched", "ambiguous", "unmatched", "matched"}, statuses)
		for entry, payment := range map[int]int{0: 0, 1: 1, 2: 2, 3: 3, 6: 6} {
			require.Equal(t, lineOf[payment], *st.Entries[entry].LineID, "entry %d reconciles payment %d's line", entry, payment)
		}
		require.Equal(t, 2, st.Entries[4].Candidates)
		require.Nil(t, st.Entries[4].LineID)

		reconciled := f.lines(t, acc.ID, "?reconciled=true")
		require.Equal(t, int64(5), reconciled.Paging.Total)
		require.Equal(t, "205.50", reconciled.Totals.Credits)
		requireProblem(t, f.do(t, http.MethodDelete, fmt.Sprintf("/api/v1/payments/%d", payID[0]), nil), http.StatusConflict, "bank_line_reconciled")
		// The ambiguous pair: a person reconciles one by hand.
		res = f.do(t, http.MethodPost, fmt.Sprintf("%s/lines/%d/reconcile", bankPath(acc.ID), lineOf[4]), nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		require.Equal(t, int64(6), f.lines(t, acc.ID, "?reconciled=true").Paging.Total)
		// The unreconciled payment of 40 can still be corrected.
		res = f.do(t, http.MethodDelete, fmt.Sprintf("/api/v1/payments/%d", payID[5]), nil)
		require.Equal(t, http.StatusNoContent, res.Status, string(res.Body))
	})
}
