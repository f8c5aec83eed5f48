package api

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Check is one readiness condition; a non-nil error says why it fails.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// Readiness answers /ready: ready only when every check passes and the
// process is not shutting down.
type Readiness struct {
	checks   []Check
	draining atomic.Bool
	timeout  time.Duration
}

// NewReadiness returns a Readiness over checks, each bounded by 2 s.
func NewReadiness(checks ...Check) *Readiness {
	return &Readiness{checks: checks, timeout: 2 * time.Second}
}

// SetDraining makes every later check fail: shutdown has begun.
func (r *Readiness) SetDraining() { r.draining.Store(true) }

// Check runs the checks and returns each one's state and the first failure.
func (r *Readiness) Check(ctx context.Context) (map[string]string, error) {
	out := make(map[string]string, len(r.checks)+1)
	var errs []error
	if r.draining.Load() {
		out["shutdown"] = "shutting down"
		errs = append(errs, errors.New("shutting down"))
	}
	for _, c := range r.checks {
		cctx, cancel := context.WithTimeout(ctx, r.timeout)
		err := c.Fn(cctx)
		cancel()
		if err != nil {
			out[c.Name] = err.Error()
			errs = append(errs, fmt.Errorf("%s: %w", c.Name, err))
			continue
		}
		out[c.Name] = "ok"
	}
	return out, errors.Join(errs...)
}
