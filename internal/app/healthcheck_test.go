package app

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHealthcheck: the `health` subcommand passes on 200 from /ready and
// fails otherwise, asking the API's address or the runner's probe address
// by mode, over loopback when the server listens on every interface.
func TestHealthcheck(t *testing.T) {
	var status atomic.Int32
	status.Store(http.StatusOK)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ready" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(int(status.Load()))
		_, _ = w.Write([]byte(`{"status":"draining"}`))
	}))
	defer srv.Close()
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)

	var cfg Config
	cfg.HTTP.Addr = ":" + port            // every interface: probed on 127.0.0.1
	cfg.Runner.HealthAddr = "127.0.0.1:1" // nothing listens there
	var out bytes.Buffer
	require.NoError(t, healthcheck(context.Background(), cfg, ModeAPI, &out))
	require.Contains(t, out.String(), "/ready: 200 OK")

	status.Store(http.StatusServiceUnavailable)
	err = healthcheck(context.Background(), cfg, ModeAPI, &out)
	require.ErrorContains(t, err, "503")
	require.ErrorContains(t, err, "draining")

	// The runner binary asks its own probe server, not the API's address.
	require.Error(t, healthcheck(context.Background(), cfg, ModeRunner, &out))
	cfg.Runner.HealthAddr = srv.Listener.Addr().String()
	status.Store(http.StatusOK)
	require.NoError(t, healthcheck(context.Background(), cfg, ModeRunner, &out))
}
