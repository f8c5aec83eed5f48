package queue

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
)

// recorder is an Observer that counts what it is told.
type recorder struct {
	mu       sync.Mutex
	claimed  map[string]int
	outcomes map[string]int // kind/outcome
}

func (r *recorder) Claimed(kind string) {
	r.mu.Lock()
	r.claimed[kind]++
	r.mu.Unlock()
}

func (r *recorder) Finished(kind string, o Outcome, took time.Duration) {
	r.mu.Lock()
	r.outcomes[kind+"/"+string(o)]++
	r.mu.Unlock()
}

// The runner tells its observer of every claim and every attempt's
// outcome, and Depth counts the backlog by kind and state with the age of
// the oldest due job.
func testRunnerObserverAndDepth(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	reg := NewRegistry()
	require.NoError(t, reg.Register("ok", func(context.Context, *domain.Job) error { return nil }))
	require.NoError(t, reg.Register("gone", func(context.Context, *domain.Job) error {
		return domain.JobPermanent(errors.New("deleted"))
	}))
	require.NoError(t, reg.Register("flaky", func(context.Context, *domain.Job) error { return errors.New("try again") }))
	require.NoError(t, reg.Register("later", func(context.Context, *domain.Job) error { return domain.JobSnooze(time.Hour) }))
	rec := &recorder{claimed: map[string]int{}, outcomes: map[string]int{}}
	cfg := fastConfig("r1")
	cfg.MaintenanceInterval = time.Hour // no promotion: one attempt each
	cfg.Observer = rec
	r, err := New(s, reg, cfg, zap.NewNop())
	require.NoError(t, err)
	busy, total := r.Slots()
	require.Equal(t, 0, busy)
	require.Equal(t, cfg.Workers, total)
	ctx := context.Background()
	for range 3 {
		enqueue(t, s, ctx, "ok")
	}
	enqueue(t, s, ctx, "gone")
	enqueue(t, s, ctx, "flaky")
	enqueue(t, s, ctx, "later")
	stop := startRunner(t, r)
	eventuallyCount(t, db, 3, "state = ?", "completed")
	eventuallyCount(t, db, 1, "state = ?", "failed")
	eventuallyCount(t, db, 1, "state = ?", "retryable")
	eventuallyCount(t, db, 1, "state = ? AND attempt = 0", "available")
	require.NoError(t, stop())

	rec.mu.Lock()
	require.Equal(t, map[string]int{"ok": 3, "gone": 1, "flaky": 1, "later": 1}, rec.claimed)
	require.Equal(t, map[string]int{"ok/completed": 3, "gone/failed": 1, "flaky/retry": 1, "later/snoozed": 1}, rec.outcomes)
	rec.mu.Unlock()

	now := time.Now()
	depth, oldest, err := s.Depth(ctx, now)
	require.NoError(t, err)
	require.ElementsMatch(t, []Depth{
		{Kind: "gone", State: "failed", Jobs: 1},
		{Kind: "flaky", State: "retryable", Jobs: 1},
		{Kind: "later", State: "available", Jobs: 1},
	}, depth)
	require.True(t, oldest.IsZero(), "the snoozed job is not due: nothing waits")

	// Two due jobs nobody runs: the oldest is the one due first.
	enqueue(t, s, ctx, "ok", func(n *domain.NewJob) { n.RunAt = now.Add(-10 * time.Minute) })
	enqueue(t, s, ctx, "ok")
	depth, oldest, err = s.Depth(ctx, now)
	require.NoError(t, err)
	require.Contains(t, depth, Depth{Kind: "ok", State: "available", Jobs: 2})
	require.WithinDuration(t, now.Add(-10*time.Minute), oldest, time.Second)
}
