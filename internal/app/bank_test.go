package app_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

func bankPath(id int64) string { return fmt.Sprintf("/api/v1/bank-accounts/%d", id) }

func (f *salesFix) account(t *testing.T, body obj) api.BankAccountResponse {
	t.Helper()
	res := f.do(t, http.MethodPost, "/api/v1/bank-accounts", body)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	var a api.BankAccountResponse
	res.JSON(t, &a)
	return a
}

func (f *salesFix) getAccount(t *testing.T, id int64) api.BankAccountResponse {
	t.Helper()
	res := f.do(t, http.MethodGet, bankPath(id), nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	var a api.BankAccountResponse
	res.JSON(t, &a)
	return a
}

func (f *salesFix) lines(t *testing.T, id int64, query string) api.BankLinesResponse {
	t.Helper()
	res := f.do(t, http.MethodGet, bankPath(id)+"/lines"+query, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	var out api.BankLinesResponse
	res.JSON(t, &out)
	return out
}

// countRows counts the rows of a table straight from the database.
func countRows(t *testing.T, a *apptest.App, table string) int64 {
	t.Helper()
	var n int64
	require.NoError(t, a.DB.Gorm(t.Context()).Table(table).Count(&n).Error)
	return n
}

// TestBankAccounts: accounts with validated IBAN and BIC, the opening
// balance as the first line, lines with a running balance, filters,
// paging and totals, transfers, closing, and every bad input as a 4xx
// with its code and nothing written.
func TestBankAccounts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := &salesFix{a: a, admin: a.AdminToken(t)}
		cur := f.account(t, obj{"label": "BNP current", "iban": "fr14 2004 1010 0505 0001 3M02 606", "bic": "bnpafrppxxx",
			"opening_balance": "1000.50", "opening_date": "2026-01-01"})
		require.Equal(t, "FR1420041010050500013M02606", cur.IBAN, "normalised")
		require.Equal(t, "BNPAFRPPXXX", cur.BIC)
		require.Equal(t, "current", cur.Kind)
		require.Equal(t, "EUR", cur.Currency)
		require.Equal(t, "1000.50", cur.Balance)
		cash := f.account(t, obj{"label": "Till", "kind": "cash", "opening_balance": "50", "opening_date": "2026-01-01"})
		usd := f.account(t, obj{"label": "USD", "currency": "USD", "iban": "DE89370400440532013000", "bic": "DEUTDEFF", "opening_date": "2026-01-01"})

		// Bad input: every problem at once, nothing written.
		before := countRows(t, a, "bank_accounts")
		res := f.do(t, http.MethodPost, "/api/v1/bank-accounts", obj{"label": "Bad", "kind": "piggy", "currency": "euro",
			"iban": "DE89370400440532013001", "bic": "DEUT1EFF", "opening_balance": "1.234"})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
		fields := map[string]string{}
		for _, e := range res.Problem(t).Errors {
			fields[e.Field] = e.Code
		}
		require.Equal(t, map[string]string{"kind": "invalid", "currency": "invalid", "iban": "invalid_iban", "bic": "invalid_bic",
			"opening_balance": "too_precise"}, fields)
		for _, iban := range []string{"XX89370400440532013000", "DE8937040044053201300", "DE89-370400440532013000"} {
			res = f.do(t, http.MethodPost, "/api/v1/bank-accounts", obj{"label": "Bad " + iban, "iban": iban})
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, iban)
			require.Equal(t, "invalid_iban", res.Problem(t).Errors[0].Code, iban)
		}
		requireProblem(t, f.do(t, http.MethodPost, "/api/v1/bank-accounts", obj{"label": "BNP current"}), http.StatusConflict, "duplicate")
		require.Equal(t, before, countRows(t, a, "bank_accounts"))

		// Transfers: two lines, one transaction.
		res = f.do(t, http.MethodPost, "/api/v1/bank-accounts/transfers", obj{"from_account_id": cur.ID, "to_account_id": cash.ID,
			"amount": "200.25", "date": "2026-02-01", "label": "Cash withdrawal"})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		var tr api.BankTransferResponse
		res.JSON(t, &tr)
		require.Equal(t, "-200.25", tr.From.Amount)
		require.Equal(t, "200.25", tr.To.Amount)
		require.Equal(t, tr.From.ID, *tr.To.OriginID, "the credit names its debit")
		require.Equal(t, "800.25", f.getAccount(t, cur.ID).Balance)
		require.Equal(t, "250.25", f.getAccount(t, cash.ID).Balance)

		lines := countRows(t, a, "bank_lines")
		for _, c := range []struct {
			body   obj
			status int
			code   string
		}{
			{obj{"from_account_id": cur.ID, "to_account_id": cur.ID, "amount": "1"}, 422, "validation_failed"},
			{obj{"from_account_id": cur.ID, "to_account_id": cash.ID, "amount": "-1"}, 422, "validation_failed"},
			{obj{"from_account_id": cur.ID, "to_account_id": 999999, "amount": "1"}, 422, "validation_failed"},
			{obj{"from_account_id": cur.ID, "to_account_id": usd.ID, "amount": "1"}, 409, "currency_mismatch"},
		} {
			requireProblem(t, f.do(t, http.MethodPost, "/api/v1/bank-accounts/transfers", c.body), c.status, c.code)
		}
		require.Equal(t, lines, countRows(t, a, "bank_lines"), "nothing written")

		// More lines to page through.
		for i, amt := range []string{"10", "-5.5", "30", "-0.75"} {
			res = f.do(t, http.MethodPost, "/api/v1/bank-accounts/transfers", obj{"from_account_id": cash.ID, "to_account_id": cur.ID,
				"amount": amt[len(amt)-len(trimSign(amt)):], "date": fmt.Sprintf("2026-03-%02d", i+1)})
			require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		}
		// cur: 1000.50, -200.25, +10, +5.5, +30, +0.75 = 846.50
		page := f.lines(t, cur.ID, "")
		require.Equal(t, int64(6), page.Paging.Total)
		require.Equal(t, "846.50", page.Balance)
		require.Equal(t, "846.50", f.getAccount(t, cur.ID).Balance)
		var running []string
		for _, l := range page.Data {
			running = append(running, *l.Balance)
		}
		require.Equal(t, []string{"1000.50", "800.25", "810.25", "815.75", "845.75", "846.50"}, running)
		require.Equal(t, "opening", page.Data[0].Origin)
		require.Equal(t, "1046.75", page.Totals.Credits)
		require.Equal(t, "-200.25", page.Totals.Debits)
		require.Equal(t, "846.50", page.Totals.Net)

		// Paging newest first keeps the true running balance.
		page = f.lines(t, cur.ID, "?sort=-date&limit=2&offset=1")
		require.Len(t, page.Data, 2)
		require.Equal(t, "845.75", *page.Data[0].Balance)
		require.Equal(t, "815.75", *page.Data[1].Balance)
		// Filters: date window, amounts; totals cover the matches only.
		page = f.lines(t, cur.ID, "?from=2026-03-02&to=2026-03-03")
		require.Len(t, page.Data, 2)
		require.Equal(t, "815.75", *page.Data[0].Balance)
		require.Equal(t, "35.50", page.Totals.Credits)
		page = f.lines(t, cur.ID, "?min_amount=10&max_amount=100")
		require.Len(t, page.Data, 2)
		require.Equal(t, []string{"810.25", "845.75"}, []string{*page.Data[0].Balance, *page.Data[1].Balance}, "running balance ignores the filter")
		requireProblem(t, f.do(t, http.MethodGet, bankPath(cur.ID)+"/lines?min_amount=abc", nil), http.StatusBadRequest, "invalid_query")
		requireProblem(t, f.do(t, http.MethodGet, bankPath(999999)+"/lines", nil), http.StatusNotFound, "not_found")

		// Closing: the account refuses new lines; reopening accepts them.
		acc := f.getAccount(t, cash.ID)
		res = f.do(t, http.MethodPatch, bankPath(cash.ID), obj{"closed": true, "version": acc.Version})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		lines = countRows(t, a, "bank_lines")
		requireProblem(t, f.do(t, http.MethodPost, "/api/v1/bank-accounts/transfers", obj{"from_account_id": cur.ID, "to_account_id": cash.ID, "amount": "1"}),
			http.StatusConflict, "bank_account_closed")
		require.Equal(t, lines, countRows(t, a, "bank_lines"))
		res = f.do(t, http.MethodPatch, bankPath(cur.ID), obj{"opening_balance": "5", "version": f.getAccount(t, cur.ID).Version})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
		res = f.do(t, http.MethodPatch, bankPath(cur.ID), obj{"iban": "DE89370400440532013001", "version": f.getAccount(t, cur.ID).Version})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
		require.Equal(t, "FR1420041010050500013M02606", f.getAccount(t, cur.ID).IBAN)

		// Listing and permissions.
		res = f.do(t, http.MethodGet, "/api/v1/bank-accounts?closed=false&sort=label", nil)
		require.Equal(t, http.StatusOK, res.Status)
		var list struct{ Data []api.BankAccountResponse }
		res.JSON(t, &list)
		require.Len(t, list.Data, 2)
		require.Equal(t, "846.50", list.Data[0].Balance)
		reader := a.Token(t, domain.PermBankRead)
		require.Equal(t, http.StatusOK, a.Do(t, http.MethodGet, bankPath(cur.ID)+"/lines", nil, reader).Status)
		requireProblem(t, a.Do(t, http.MethodPost, "/api/v1/bank-accounts", obj{"label": "X"}, reader), http.StatusForbidden, "forbidden")
	})
}

func trimSign(s string) string {
	if s != "" && s[0] == '-' {
		return s[1:]
	}
	return s
}
