package queue

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"
)

// listenLoop keeps a LISTEN connection open on PostgreSQL and wakes the
// fetch loop on every notification. It is an accelerator only: when the
// connection is down, polling still finds every job, so errors are logged
// and the connection retried with backoff. Behind PgBouncer in transaction
// mode LISTEN does not work; leave ListenDSN empty there.
func (r *Runner) listenLoop(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for {
		connected, err := r.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if connected {
			backoff = 100 * time.Millisecond
		}
		r.log.Warn("job notifications interrupted; polling continues", zap.Error(err), zap.Duration("retry_in", backoff))
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// listenOnce listens until the connection fails or ctx ends; connected
// reports whether LISTEN was established.
func (r *Runner) listenOnce(ctx context.Context) (connected bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, dbTimeout)
	conn, err := pgx.Connect(cctx, r.cfg.ListenDSN)
	cancel()
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx)) // the connection is discarded either way; Close errors do not matter
	if _, err := conn.Exec(ctx, "LISTEN "+NotifyChannel); err != nil {
		return false, fmt.Errorf("listen: %w", err)
	}
	poke(r.wake) // jobs may have arrived while we were not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return true, err
		}
		poke(r.wake)
	}
}
