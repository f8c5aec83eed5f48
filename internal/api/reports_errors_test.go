package api_test

import (
	"context"
	"errors"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/reports"
)

// scriptedSource yields n stock valuation rows (forever when n < 0), then
// err if any, and closes closed when the iteration ends.
type scriptedSource struct {
	n      int
	err    error
	closed chan struct{}
}

func (s *scriptedSource) Rows(context.Context, reports.Query) iter.Seq2[reports.Row, error] {
	return func(yield func(reports.Row, error) bool) {
		defer close(s.closed)
		for i := 0; s.n < 0 || i < s.n; i++ {
			row := reports.Row{int64(i + 1), "P", "Product", int64(1), "Main", domain.DecimalFromInt(2), domain.MustDecimal("1.5"), domain.DecimalFromInt(3)}
			if !yield(row, nil) {
				return
			}
		}
		if s.err != nil {
			yield(nil, s.err)
		}
	}
}

func reportServer(t *testing.T, src *scriptedSource) (*api.Server, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	allow := func(domain.Permission) echo.MiddlewareFunc {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	s := api.NewServer(api.Options{BodyLimit: "1K", RequestTimeout: time.Minute, Authorize: allow}, zap.New(core), api.NewReadiness())
	api.RegisterReports(s, reports.New(src, nil))
	return s, logs
}

// TestReportErrorsBeforeTheFirstRowAreProblems: nothing was written yet,
// so the client gets a proper problem response.
func TestReportErrorsBeforeTheFirstRowAreProblems(t *testing.T) {
	s, _ := reportServer(t, &scriptedSource{err: errors.New("connection refused"), closed: make(chan struct{})})
	rec := do(s, http.MethodGet, "/api/v1/reports/stock-valuation", "")
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.Equal(t, "internal", problem(t, rec).Code)

	s, _ = reportServer(t, &scriptedSource{err: context.DeadlineExceeded, closed: make(chan struct{})})
	rec = do(s, http.MethodGet, "/api/v1/reports/stock-valuation?format=csv", "")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.Equal(t, "timeout", problem(t, rec).Code)
}

// TestReportErrorMidStreamCutsTheConnection: once rows are out the status
// is sent; the server then aborts the response so the client sees a
// truncated transfer, not a short report that looks complete.
func TestReportErrorMidStreamCutsTheConnection(t *testing.T) {
	for _, format := range []string{"csv", "json"} {
		src := &scriptedSource{n: 3, err: errors.New("connection reset by peer"), closed: make(chan struct{})}
		s, logs := reportServer(t, src)
		srv := httptest.NewServer(s)
		res, err := http.Get(srv.URL + "/api/v1/reports/stock-valuation?format=" + format)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode)
		body, err := io.ReadAll(res.Body)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF, "the transfer is cut: %s", body)
		_ = res.Body.Close()
		if format == "csv" {
			// The first row was flushed at once; what was still buffered
			// when the error came is dropped with the connection.
			require.True(t, strings.HasPrefix(string(body), "product_id,product_ref,product_label,warehouse_id,warehouse_label,quantity,average_cost,value\n1,P,"), "%s", body)
			require.NotContains(t, string(body), "Total")
		} else {
			require.True(t, strings.HasPrefix(string(body), `{"report":"stock_valuation","parameters":{"warehouse_id":null},"data":[{"product_id":1,`), "%s", body)
			require.NotContains(t, string(body), "row_count")
		}
		srv.Close()
		require.Equal(t, 1, logs.FilterMessage("report stream failed after the response began").Len())
	}
}

// TestReportClientGoneStopsTheQuery: a client that hangs up mid-download
// ends the iteration, which is what closes the database cursor.
func TestReportClientGoneStopsTheQuery(t *testing.T) {
	src := &scriptedSource{n: -1, closed: make(chan struct{})}
	s, _ := reportServer(t, src)
	srv := httptest.NewServer(s)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/api/v1/reports/stock-valuation?format=csv")
	require.NoError(t, err)
	buf := make([]byte, 1024)
	_, err = io.ReadFull(res.Body, buf)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	select {
	case <-src.closed:
	case <-time.After(30 * time.Second):
		t.Fatal("the endless report kept running after the client left")
	}
}
