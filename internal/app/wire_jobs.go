package app

import (
	"context"
	"fmt"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
	"github.com/dolibarr-go/dolibarr/internal/usecase/jobs"
	"github.com/dolibarr-go/dolibarr/internal/usecase/webhooks"
)

// jobQueue returns the job store: the jobs.Enqueuer a feature's use cases
// take (it joins the transaction its context carries) and the runner's
// storage. It holds no state beyond the database handle, so every feature
// may call it.
func jobQueue(d deps) *queue.Store {
	return queue.NewStore(d.db, queue.StoreOptions{Notify: d.cfg.Runner.Listen})
}

// wireJobs adds the job inspection and administration routes.
func wireJobs(_ context.Context, d deps, w *wiring) error {
	svc := jobs.NewService(jobQueue(d))
	w.routes = append(w.routes, func(s *api.Server) { api.RegisterJobs(s, svc) })
	return nil
}

// RunOption adjusts what Run starts.
type RunOption func(*runOptions)

type runOptions struct {
	jobHandlers []func(reg *queue.Registry, db *persistence.DB) error
}

// WithJobHandlers registers extra job kinds on the runner, next to the
// features' own. The process tests use it to run the real binary's code
// with job kinds of known duration; production mains never pass it.
func WithJobHandlers(fn func(reg *queue.Registry, db *persistence.DB) error) RunOption {
	return func(o *runOptions) { o.jobHandlers = append(o.jobHandlers, fn) }
}

// buildRunner registers every feature's job handlers, on the use cases of w
// (wiring what w lacks), and returns the runner configured from
// DOLIBARR_RUNNER_*.
func buildRunner(ctx context.Context, d deps, w *wiring, opts []RunOption) (*queue.Runner, error) {
	var o runOptions
	for _, fn := range opts {
		fn(&o)
	}
	reg := queue.NewRegistry()
	if err := registerJobs(ctx, d, w, reg); err != nil {
		return nil, err
	}
	for _, fn := range o.jobHandlers {
		if err := fn(reg, d.db); err != nil {
			return nil, fmt.Errorf("job handlers: %w", err)
		}
	}
	rc := d.cfg.Runner
	cfg := queue.Config{
		Workers: rc.Workers, Buffer: rc.Buffer, PollInterval: rc.PollInterval, FetchCooldown: rc.FetchCooldown,
		Lease: rc.Lease, JobTimeout: rc.JobTimeout, DrainTimeout: rc.DrainTimeout, CancelTimeout: rc.CancelTimeout,
		MaintenanceInterval: rc.MaintenanceInterval, RetainCompleted: rc.RetainCompleted, RetainFailed: rc.RetainFailed,
		Upkeep: []queue.Upkeep{idempotencyUpkeep(d)},
	}
	pub := publisher(d)
	cfg.OnFailed = func(ctx context.Context, j domain.Job) error {
		if j.Kind == webhooks.JobKind {
			return nil // a delivery that failed is in the delivery log; announcing it by webhook could loop
		}
		at := time.Now()
		if j.FinishedAt != nil {
			at = *j.FinishedAt
		}
		return pub.Publish(ctx, domain.WebhookEvent{Type: "job.failed", ObjectType: "job", ObjectID: j.ID, At: at,
			Data: map[string]any{"kind": j.Kind, "attempt": j.Attempt, "last_error": j.LastError}})
	}
	if d.metrics != nil {
		cfg.Observer = d.metrics
	}
	if rc.Listen && d.db.Dialect().Listen() {
		cfg.ListenDSN = d.cfg.DB.DSN
	}
	return queue.New(jobQueue(d), reg, cfg, d.log.Named("runner"))
}
