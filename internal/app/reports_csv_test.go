package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// TestReportCSVForEuropeanSpreadsheets, on every engine: a CSV report asked
// with separator=semicolon and bom=true starts with a UTF-8 byte order
// mark, separates fields with ';' and writes amounts with a decimal comma;
// by default it stays comma-separated, with decimal points and no BOM; a
// bad separator is 400 invalid_query.
func TestReportCSVForEuropeanSpreadsheets(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "", "")
		f.validate(t, f.invoice(t, obj{"product_id": f.service, "quantity": "1"}).ID) // 50.00 excl. tax, 60.00 incl.

		res := f.do(t, http.MethodGet, "/api/v1/reports/turnover?format=csv&separator=semicolon&bom=true", nil)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		body := string(res.Body)
		require.True(t, strings.HasPrefix(body, "\ufeff"), "a byte order mark")
		lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(body, "\ufeff")), "\n")
		require.Contains(t, lines[0], ";")
		require.NotContains(t, lines[0], ",")
		require.Contains(t, lines[1], "50,00")
		require.Contains(t, lines[1], "60,00")

		res = f.do(t, http.MethodGet, "/api/v1/reports/turnover?format=csv", nil)
		require.Equal(t, http.StatusOK, res.Status)
		require.False(t, strings.HasPrefix(string(res.Body), "\ufeff"))
		require.Contains(t, string(res.Body), "50.00")

		requireProblem(t, f.do(t, http.MethodGet, "/api/v1/reports/turnover?format=csv&separator=tab", nil), http.StatusBadRequest, "invalid_query")
	})
}
