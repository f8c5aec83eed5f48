package app

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/mail"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/metrics"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
)

// deps is what every feature's wiring receives.
type deps struct {
	cfg Config
	db  *persistence.DB
	log *zap.Logger
	now func() time.Time // the clock; tests move it
	pdf pdfHooks         // tests observe PDF renders (wire_documents.go)
	// mail adjusts the runner's mail service in tests: a breaker on a test
	// clock, recorded backoff waits (wire_mail.go).
	mail mail.Options
	// outbox, in tests, is the outbox folder the runner writes messages to
	// when no SMTP server is set, on any engine (wire_mail.go).
	outbox string
	// idempotencyFault, in tests, stops idempotent requests at a stage
	// (wire_idempotency.go).
	idempotencyFault func(stage string) error
	// metrics is the process's Prometheus registry (wire_metrics.go); nil
	// records nothing.
	metrics *metrics.Metrics
}

// wiring collects what the features contribute to the API server: the
// authorization middleware and their route registrations.
type wiring struct {
	opts   api.Options
	routes []func(s *api.Server)
	// documents are the sales use cases and the printing of their
	// documents, which the all-in-one's runner reuses.
	documents *documents
}

// buildAPI wires every feature, repositories -> use cases -> handlers, by
// hand. Each feature has its own wire_<feature>.go with one function called
// here, in dependency order.
func buildAPI(ctx context.Context, d deps) (*wiring, error) {
	proxies, _ := d.cfg.HTTP.Proxies() // LoadConfig refused bad entries
	w := &wiring{opts: api.Options{BodyLimit: d.cfg.HTTP.BodyLimit, RequestTimeout: d.cfg.HTTP.RequestTimeout, TrustedProxies: proxies,
		CursorKey: api.CursorKey(d.cfg.Auth.JWTSecret)}}
	if err := wireIdentity(ctx, d, w); err != nil {
		return nil, err
	}
	if err := wireIdempotency(ctx, d, w); err != nil {
		return nil, err
	}
	if err := wireJobs(ctx, d, w); err != nil {
		return nil, err
	}
	if err := wireCatalog(ctx, d, w); err != nil {
		return nil, err
	}
	if err := wireDocuments(ctx, d, w); err != nil {
		return nil, err
	}
	if err := wirePurchasing(ctx, d, w); err != nil {
		return nil, err
	}
	if err := wireBank(ctx, d, w); err != nil {
		return nil, err
	}
	if err := wireReports(ctx, d, w); err != nil {
		return nil, err
	}
	if err := wireWebhooks(ctx, d, w); err != nil {
		return nil, err
	}
	return w, nil
}

// registerJobs registers every feature's job handlers by kind for the
// runner (the runner binary and the all-in-one binary). A feature that
// enqueues jobs (take its jobs.Enqueuer from jobQueue(d)) adds one call here
// to a register<Feature>Jobs(ctx, d, w, reg) in its wire_<feature>.go. w is
// the API's wiring in the all-in-one binary, whose use cases the handlers
// reuse, and an empty one in the runner binary.
func registerJobs(ctx context.Context, d deps, w *wiring, reg *queue.Registry) error {
	if err := registerBankJobs(ctx, d, w, reg); err != nil {
		return err
	}
	if err := registerMailingJobs(ctx, d, w, reg); err != nil {
		return err
	}
	return registerWebhookJobs(ctx, d, w, reg)
}
