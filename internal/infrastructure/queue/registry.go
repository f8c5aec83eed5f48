package queue

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Handler works one job. It returns nil when the job is done, a
// domain.JobPermanent error to fail it without retry, a domain.JobSnooze
// error to run it again later without spending an attempt, or any other
// error to retry it with backoff while attempts remain. It must return soon
// after ctx is done (timeout or shutdown): the runner then records the
// attempt and hands the job back.
type Handler func(ctx context.Context, job *domain.Job) error

// HandlerOption tunes one kind's handling.
type HandlerOption func(*kindSpec)

// WithTimeout sets the kind's per-attempt timeout instead of the runner's
// default (30 s, the budget for IO jobs).
func WithTimeout(d time.Duration) HandlerOption {
	return func(k *kindSpec) { k.timeout = d }
}

// CompleteAtOnce records each successful job of the kind as completed
// with its own statement before the worker takes another job, instead of
// in the runner's next batch of completions: for jobs with an effect
// outside the database (an e-mail sent), whose state should say at once
// that the effect happened. It costs a statement per job; the batch stays
// for everything else (docs/benchmarks.md measures both).
func CompleteAtOnce() HandlerOption {
	return func(k *kindSpec) { k.atOnce = true }
}

type kindSpec struct {
	handler Handler
	timeout time.Duration // 0: the runner's default
	atOnce  bool
}

// Registry maps job kinds to handlers. The composition root fills it before
// the runner starts; it is read-only afterwards.
type Registry struct {
	kinds map[string]kindSpec
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{kinds: map[string]kindSpec{}} }

// Register adds the handler of kind. Registering a kind twice or an invalid
// kind is a wiring bug and returns an error.
func (r *Registry) Register(kind string, h Handler, opts ...HandlerOption) error {
	probe := domain.NewJob{Kind: kind}
	if err := probe.Validate(); err != nil {
		return fmt.Errorf("register job kind %q: %w", kind, err)
	}
	if h == nil {
		return fmt.Errorf("register job kind %q: nil handler", kind)
	}
	if _, dup := r.kinds[kind]; dup {
		return fmt.Errorf("register job kind %q: registered twice", kind)
	}
	k := kindSpec{handler: h}
	for _, o := range opts {
		o(&k)
	}
	if k.timeout < 0 {
		return fmt.Errorf("register job kind %q: negative timeout", kind)
	}
	r.kinds[kind] = k
	return nil
}

// Kinds lists the registered kinds, sorted.
func (r *Registry) Kinds() []string {
	out := make([]string, 0, len(r.kinds))
	for k := range r.kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (r *Registry) lookup(kind string) (kindSpec, bool) {
	k, ok := r.kinds[kind]
	return k, ok
}
