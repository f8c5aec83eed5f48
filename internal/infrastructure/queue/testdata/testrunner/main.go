// Command testrunner is dolibarr-runner - the same app.Main, configuration,
// runner and shutdown path - plus one diagnostic job kind, test.work, for
// the queue's process tests (CT-04 drain, exactly-once, crash rescue). It
// lives under testdata so the production binaries never carry the kind.
//
// test.work records its start in test_starts (job_id, attempt, runner) and
// its completion in test_done (job_id PRIMARY KEY, runner); the tests create
// both tables. Payload: {"sleep_ms": n} works n ms (honouring cancellation);
// {"hang_on_attempt": n} blocks forever on attempt n, ignoring cancellation,
// like a handler stuck in a driver call, until the process is killed.
package main

import (
	"context"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Main(ctx, app.Runner, app.ModeRunner, os.Args[1:], os.Environ(), os.Stderr, app.WithJobHandlers(register))
	stop()
	os.Exit(code)
}

func register(reg *queue.Registry, db *persistence.DB) error {
	runner := strconv.Itoa(os.Getpid())
	return reg.Register("test.work", func(ctx context.Context, j *domain.Job) error {
		var p struct {
			SleepMS       int `json:"sleep_ms"`
			HangOnAttempt int `json:"hang_on_attempt"`
		}
		if err := j.DecodePayload(&p); err != nil {
			return err
		}
		if err := db.Gorm(ctx).Exec("INSERT INTO test_starts (job_id, attempt, runner) VALUES (?, ?, ?)", j.ID, j.Attempt, runner).Error; err != nil {
			return err
		}
		if p.HangOnAttempt == j.Attempt {
			select {} // stuck for good: only kill -9 ends it
		}
		if p.SleepMS > 0 {
			t := time.NewTimer(time.Duration(p.SleepMS) * time.Millisecond)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return db.Gorm(ctx).Exec("INSERT INTO test_done (job_id, runner) VALUES (?, ?)", j.ID, runner).Error
	})
}
