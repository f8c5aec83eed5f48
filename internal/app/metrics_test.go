package app_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/metrics"
)

// TestMetricsEndpoint: /metrics is public and counts requests by route
// template (one series for every id), method and status class, with a
// single "unmatched" series for paths no route knows; it shows the
// database pool, the mail outcomes at zero, and the Go and process
// collectors.
func TestMetricsEndpoint(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		tok := a.Token(t, domain.PermThirdPartyRead)
		for _, id := range []string{"1", "2", "3"} {
			require.Equal(t, http.StatusNotFound, a.Do(t, http.MethodGet, "/api/v1/thirdparties/"+id, nil, tok).Status)
		}
		require.Equal(t, http.StatusOK, a.Do(t, http.MethodGet, "/api/v1/thirdparties", nil, tok).Status)
		require.Equal(t, http.StatusUnauthorized, a.Do(t, http.MethodGet, "/api/v1/thirdparties", nil, "").Status)
		for _, p := range []string{"/wp-login.php", "/a/b/c/d", "/.env"} {
			require.Equal(t, http.StatusNotFound, a.Do(t, http.MethodGet, p, nil, "").Status)
		}

		res := a.Do(t, http.MethodGet, "/metrics", nil, "")
		require.Equal(t, http.StatusOK, res.Status)
		require.Contains(t, res.Header.Get("Content-Type"), "text/plain")
		got, err := metrics.Samples(bytes.NewReader(res.Body))
		require.NoError(t, err)
		want := map[string]float64{
			`dolibarr_http_requests_total{code="4xx",method="GET",route="/api/v1/thirdparties/:id"}`:      3,
			`dolibarr_http_request_duration_seconds_count{method="GET",route="/api/v1/thirdparties/:id"}`: 3,
			`dolibarr_http_requests_total{code="2xx",method="GET",route="/api/v1/thirdparties"}`:          1,
			`dolibarr_http_requests_total{code="4xx",method="GET",route="/api/v1/thirdparties"}`:          1,
			`dolibarr_http_requests_total{code="4xx",method="GET",route="unmatched"}`:                     3,
			`dolibarr_http_requests_in_flight`:                                                            1, // this scrape
			`dolibarr_mail_sends_total{outcome="sent"}`:                                                   0,
			`dolibarr_mail_sends_total{outcome="transient"}`:                                              0,
			`dolibarr_mail_sends_total{outcome="permanent"}`:                                              0,
			`dolibarr_db_connections_max{pool="primary"}`:                                                 float64(a.DB.SQL().Stats().MaxOpenConnections),
		}
		for k, v := range want {
			require.Contains(t, got, k)
			require.Equal(t, v, got[k], k)
		}
		for _, k := range []string{`dolibarr_db_connections_open{pool="primary"}`, `dolibarr_db_wait_total{pool="primary"}`,
			`dolibarr_db_wait_duration_seconds_total{pool="primary"}`, "go_goroutines", "process_resident_memory_bytes"} {
			require.Contains(t, got, k)
		}
		for k := range got {
			require.NotContains(t, k, "thirdparties/1", "a raw path became a label")
			require.NotContains(t, k, "wp-login", "a raw path became a label")
		}
	})
}
