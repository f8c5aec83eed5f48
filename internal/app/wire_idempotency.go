package app

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
	"github.com/dolibarr-go/dolibarr/internal/usecase/idempotency"
)

// idempotencyTTL is how long an Idempotency-Key is remembered (Stripe's 24 h).
const idempotencyTTL = 24 * time.Hour

// wireIdempotency makes every guarded POST honour Idempotency-Key
// (decision 0027). A reservation left by a request that never finished
// (the process died) is taken over once the request could no longer be
// running: its deadline plus a margin.
func wireIdempotency(_ context.Context, d deps, w *wiring) error {
	w.opts.Idempotency = idempotency.New(persistence.NewIdempotencyStore(d.db), d.db, idempotency.Config{
		TTL: idempotencyTTL, LockFor: d.cfg.HTTP.RequestTimeout + 30*time.Second, Now: d.now, Fault: d.idempotencyFault,
	})
	return nil
}

// idempotencyUpkeep deletes expired keys from the runner, every minute.
func idempotencyUpkeep(d deps) queue.Upkeep {
	store := persistence.NewIdempotencyStore(d.db)
	return queue.Upkeep{Name: "idempotency-keys", Every: time.Minute, Run: func(ctx context.Context, now time.Time) error {
		n, err := store.DeleteExpired(ctx, now)
		if n > 0 {
			d.log.Debug("deleted expired idempotency keys", zap.Int64("keys", n))
		}
		return err
	}}
}

// WithIdempotencyFault injects a failure at a stage of an idempotent
// request ("after-complete", "before-answer"), as a crash there would.
func WithIdempotencyFault(fn func(stage string) error) TestOption {
	return func(d *deps) { d.idempotencyFault = fn }
}
