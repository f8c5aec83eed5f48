package auth

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// RevocationStore is where revocations are read from (decision 0026).
type RevocationStore interface {
	// Version is a number every revocation raises, in its own transaction:
	// reading it is one primary-key lookup, cheap to poll.
	Version(ctx context.Context) (int64, error)
	// Generations returns the token generation of every user above 0.
	Generations(ctx context.Context) (map[int64]int64, error)
}

// Revocations is the in-process revocation cache each replica keeps: the
// users' token generations, reloaded whenever the version polled from the
// database moves. A check is one map read, no database round trip; a
// revocation made on any replica is seen by every other within one poll
// interval plus a query (500 ms by default: well within a second).
type Revocations struct {
	store    RevocationStore
	interval time.Duration
	log      *zap.Logger

	version atomic.Int64
	gens    atomic.Pointer[map[int64]int64]

	mu       sync.Mutex
	onChange []func()
}

// NewRevocations returns the cache; Load it before serving, then Run it.
func NewRevocations(store RevocationStore, interval time.Duration, log *zap.Logger) *Revocations {
	if interval <= 0 {
		interval = 500 * time.Millisecond
	}
	r := &Revocations{store: store, interval: interval, log: log}
	empty := map[int64]int64{}
	r.gens.Store(&empty)
	r.version.Store(-1)
	return r
}

// OnChange registers fn to run after each reload (the API key cache drops
// its entries).
func (r *Revocations) OnChange(fn func()) {
	r.mu.Lock()
	r.onChange = append(r.onChange, fn)
	r.mu.Unlock()
}

// Version is the revocation version the cache reflects.
func (r *Revocations) Version() int64 { return r.version.Load() }

// Generation returns user id's current token generation.
func (r *Revocations) Generation(id int64) int64 { return (*r.gens.Load())[id] }

// Load polls once and reloads when the version moved.
func (r *Revocations) Load(ctx context.Context) error {
	v, err := r.store.Version(ctx)
	if err != nil {
		return err
	}
	if v == r.version.Load() {
		return nil
	}
	// Read the generations after the version: a change committed meanwhile
	// is already in them, and its version bump triggers one more reload.
	g, err := r.store.Generations(ctx)
	if err != nil {
		return err
	}
	r.gens.Store(&g)
	r.version.Store(v)
	r.mu.Lock()
	fns := r.onChange
	r.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
	return nil
}

// Run polls until ctx ends. Failures are logged and retried at the next
// tick; the cache keeps its last state meanwhile.
func (r *Revocations) Run(ctx context.Context) {
	t := time.NewTicker(r.interval)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := r.Load(lctx)
		cancel()
		if err != nil && !failing && ctx.Err() == nil && r.log != nil {
			r.log.Warn("revocation poll failed; revocations made meanwhile wait for the next successful poll", zap.Error(err))
		}
		failing = err != nil
	}
}
