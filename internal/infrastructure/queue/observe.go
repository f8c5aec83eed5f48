package queue

import (
	"context"
	"fmt"
	"time"
)

// Observer receives the runner's events, for metrics. Its methods are
// called on the runner's hot path: they must be cheap and safe for
// concurrent use.
type Observer interface {
	// Claimed is called once per job claimed, with its kind.
	Claimed(kind string)
	// Finished is called once per attempt, when its outcome is known.
	Finished(kind string, outcome Outcome, took time.Duration)
}

// Outcome classes one attempt of a job, for metrics: a small fixed set.
type Outcome string

// The outcomes of one attempt.
const (
	OutcomeCompleted   Outcome = "completed"   // the handler succeeded
	OutcomeRetry       Outcome = "retry"       // it failed and will be retried after a backoff
	OutcomeFailed      Outcome = "failed"      // it failed for good (permanent, or out of attempts)
	OutcomeSnoozed     Outcome = "snoozed"     // it asked to run again later
	OutcomeInterrupted Outcome = "interrupted" // shutdown cut it; it goes back to available
	OutcomeLost        Outcome = "lost"        // its outcome could not be recorded (lease lost, database error)
)

type nopObserver struct{}

func (nopObserver) Claimed(string)                          {}
func (nopObserver) Finished(string, Outcome, time.Duration) {}

// Kinds returns the job kinds this runner handles.
func (r *Runner) Kinds() []string { return r.reg.Kinds() }

// Slots returns how many workers are running a job now, and how many
// workers there are.
func (r *Runner) Slots() (busy, total int) {
	return int(r.busy.Load()), r.cfg.Workers
}

// Depth is the count of jobs of one kind in one state.
type Depth struct {
	Kind  string
	State string
	Jobs  int64
}

// DepthStates are the states Depth counts: each is read through its
// partial index, so the cost follows the backlog, not the table. Completed
// jobs, kept for a day and possibly millions, are counted by the runner's
// counters instead.
var DepthStates = []string{"available", "running", "retryable", "failed"}

// Depth returns the number of jobs by kind and state (available, running,
// retryable, failed), and the run_at of the oldest available job that is
// due at now (zero when none is). Metrics call it every few seconds.
func (s *Store) Depth(ctx context.Context, now time.Time) ([]Depth, time.Time, error) {
	var out []Depth
	g := s.db.Gorm(ctx)
	for _, st := range DepthStates {
		var rows []struct {
			Kind string
			N    int64
		}
		// The state is a literal, not a bind variable, for the partial
		// index (see claim.go).
		if err := g.Model(&jobRow{}).Select("kind, COUNT(*) AS n").Where("state = '" + st + "'").
			Group("kind").Scan(&rows).Error; err != nil {
			return nil, time.Time{}, fmt.Errorf("count %s jobs: %w", st, err)
		}
		for _, r := range rows {
			out = append(out, Depth{Kind: r.Kind, State: st, Jobs: r.N})
		}
	}
	var oldest []jobRow
	if err := g.Select("id, run_at").Where("state = 'available' AND run_at <= ?", dbTime(now)).
		Order("run_at, id").Limit(1).Find(&oldest).Error; err != nil {
		return nil, time.Time{}, fmt.Errorf("oldest available job: %w", err)
	}
	if len(oldest) == 0 {
		return out, time.Time{}, nil
	}
	return out, oldest[0].RunAt, nil
}
