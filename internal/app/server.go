package app

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
)

// newAPIServer wires every feature and returns the API server. Run and
// NewTestServer both call it, so tests exercise the binary's own graph.
func newAPIServer(ctx context.Context, d deps, ready *api.Readiness) (*api.Server, error) {
	d = withMetrics(d)
	w, err := buildAPI(ctx, d)
	if err != nil {
		return nil, err
	}
	srv := apiServer(d, w, ready)
	serveMetrics(d, srv, nil)
	return srv, nil
}

// apiServer returns the API server with the routes of w.
func apiServer(d deps, w *wiring, ready *api.Readiness) *api.Server {
	srv := api.NewServer(w.opts, d.log, ready)
	for _, r := range w.routes {
		r(srv)
	}
	return srv
}

// TestOption adjusts what NewTestServer wires.
type TestOption func(*deps)

// WithClock makes the server read time from now (token issue and expiry,
// login throttling), so tests can move time instead of sleeping.
func WithClock(now func() time.Time) TestOption {
	return func(d *deps) { d.now = now }
}

// NewTestServer builds the API server exactly as the binaries do, on db
// (already migrated), for HTTP tests through the real router. It runs the
// same first-start steps as Run.
func NewTestServer(ctx context.Context, cfg Config, db *persistence.DB, log *zap.Logger, opts ...TestOption) (*api.Server, error) {
	d := deps{cfg: cfg, db: db, log: log, now: time.Now}
	for _, o := range opts {
		o(&d)
	}
	ready, err := readiness(db)
	if err != nil {
		return nil, err
	}
	return newAPIServer(ctx, d, ready)
}
