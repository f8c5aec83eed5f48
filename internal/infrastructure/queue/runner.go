package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/logging"
)

// Config tunes a Runner. Zero fields take the defaults in parentheses.
type Config struct {
	// ID names this runner in leases and logs (host-pid-random).
	ID string
	// Workers is the number of jobs run at once (10).
	Workers int
	// Buffer is how many claimed jobs may wait for a free worker (0: none).
	// A buffer lets the next jobs start without a database round trip; at
	// shutdown the buffered jobs are worked within the drain, or handed
	// back unspent.
	Buffer int
	// PollInterval is how often an idle runner looks for due jobs (1 s).
	// On PostgreSQL a notification usually wakes it sooner.
	PollInterval time.Duration
	// FetchCooldown is the least time between two claims (5 ms), so a busy
	// runner claims in batches rather than one job per freed worker.
	FetchCooldown time.Duration
	// Lease is how long a claimed job belongs to this runner (2 min). It
	// must exceed every job timeout; a job still running when its lease
	// ends is taken to be orphaned (runner killed) and rescued.
	Lease time.Duration
	// JobTimeout bounds one attempt of a kind registered without its own
	// timeout (30 s, the IO budget).
	JobTimeout time.Duration
	// DrainTimeout is how long shutdown waits for running and buffered jobs
	// before cancelling them (15 s).
	DrainTimeout time.Duration
	// CancelTimeout is how long shutdown then waits for cancelled handlers
	// to return before handing their jobs back anyway (3 s).
	CancelTimeout time.Duration
	// MaintenanceInterval paces the promotion of due retryable jobs, the
	// rescue of expired leases and pruning (1 s).
	MaintenanceInterval time.Duration
	// RetainCompleted and RetainFailed are how long completed, and failed
	// or cancelled, jobs are kept before pruning (24 h, 7 days).
	RetainCompleted time.Duration
	RetainFailed    time.Duration
	// ListenDSN, on PostgreSQL, is the DSN of the LISTEN connection that
	// wakes the runner when a job is enqueued. Empty: polling only.
	ListenDSN string
	// Observer receives claims and outcomes, for metrics (none: ignored).
	Observer Observer
	// OnFailed, when set, runs in the transaction that records a job as
	// failed for good (the job.failed webhook event joins it); its error
	// rolls the recording back, and the job is rescued when its lease ends.
	OnFailed func(ctx context.Context, j domain.Job) error
	// Upkeep are the features' periodic chores (deleting expired
	// idempotency keys), run from the maintenance loop, each at most once
	// per its Every. Like the loop's own, they must be idempotent: every
	// runner replica runs them.
	Upkeep []Upkeep
}

// Upkeep is a periodic chore of a feature.
type Upkeep struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context, now time.Time) error
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.ID == "" {
		c.ID = defaultID()
	}
	if c.Workers == 0 {
		c.Workers = 10
	}
	def(&c.PollInterval, time.Second)
	def(&c.FetchCooldown, 5*time.Millisecond)
	def(&c.Lease, 2*time.Minute)
	def(&c.JobTimeout, 30*time.Second)
	def(&c.DrainTimeout, 15*time.Second)
	def(&c.CancelTimeout, 3*time.Second)
	def(&c.MaintenanceInterval, time.Second)
	def(&c.RetainCompleted, 24*time.Hour)
	def(&c.RetainFailed, 7*24*time.Hour)
	if c.Observer == nil {
		c.Observer = nopObserver{}
	}
	return c
}

func defaultID() string {
	host, _ := os.Hostname()
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return truncate(fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b)), 128)
}

// Runner claims due jobs and works them on a fixed pool of workers that
// read from one channel. Run it with a context that ends at shutdown.
type Runner struct {
	store *Store
	reg   *Registry
	cfg   Config
	log   *zap.Logger
	now   func() time.Time

	inflight  atomic.Int64  // claimed and not yet finished by a worker
	busy      atomic.Int64  // workers running a handler now
	slotFreed chan struct{} // a worker finished a job
	wake      chan struct{} // a job may be due: notification, promotion, rescue

	mu        sync.Mutex
	unstarted []ref // claimed jobs a worker took after the hard stop

	upkeepRan []time.Time // when each Config.Upkeep last ran (maintainLoop only)
}

// New checks cfg against the registered kinds and returns a runner.
func New(store *Store, reg *Registry, cfg Config, log *zap.Logger) (*Runner, error) {
	cfg = cfg.withDefaults()
	var problems []string
	if cfg.Workers < 1 || cfg.Buffer < 0 {
		problems = append(problems, "workers must be at least 1 and the buffer not negative")
	}
	for _, d := range []time.Duration{cfg.PollInterval, cfg.Lease, cfg.JobTimeout, cfg.DrainTimeout, cfg.CancelTimeout, cfg.MaintenanceInterval, cfg.RetainCompleted, cfg.RetainFailed} {
		if d < 0 {
			problems = append(problems, "durations must not be negative")
			break
		}
	}
	if cfg.JobTimeout >= cfg.Lease {
		problems = append(problems, fmt.Sprintf("the lease (%s) must exceed the job timeout (%s), or running jobs get rescued and run twice", cfg.Lease, cfg.JobTimeout))
	}
	for _, kind := range reg.Kinds() {
		if k, _ := reg.lookup(kind); k.timeout >= cfg.Lease {
			problems = append(problems, fmt.Sprintf("kind %s: timeout %s must be below the lease %s", kind, k.timeout, cfg.Lease))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("job runner: %s", strings.Join(problems, "; "))
	}
	return &Runner{
		store: store, reg: reg, cfg: cfg, log: log.With(zap.String("runner", cfg.ID)), now: time.Now,
		slotFreed: make(chan struct{}, 1), wake: make(chan struct{}, 1),
	}, nil
}

// ID returns the runner's lease owner name.
func (r *Runner) ID() string { return r.cfg.ID }

// poke sends a non-blocking signal: one pending signal is enough.
func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// dbTimeout bounds each bookkeeping statement.
const dbTimeout = 10 * time.Second

// Run works jobs until ctx ends, then shuts down in order:
//
//  1. stop claiming at once (a claim in flight finishes, so nothing it
//     took is stranded);
//  2. let the workers finish the running and buffered jobs, for at most
//     DrainTimeout;
//  3. then cancel the running jobs' contexts and wait CancelTimeout for
//     their handlers; interrupted jobs go back to available with their
//     attempt spent, buffered jobs that never started go back with their
//     attempt unspent;
//  4. record the completions, and hand back whatever is still held.
//
// It returns an error only if the final bookkeeping failed; the jobs it
// could not hand back are then rescued when their leases expire.
func (r *Runner) Run(ctx context.Context) error {
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	work := make(chan domain.Job, r.cfg.Buffer)
	completions := make(chan ref, 4*(r.cfg.Workers+r.cfg.Buffer))
	stopCompleter := make(chan struct{})

	var completer, workers, aux sync.WaitGroup
	completer.Go(func() { r.completeLoop(completions, stopCompleter) })
	for range r.cfg.Workers {
		workers.Go(func() { r.workLoop(jobCtx, work, completions) })
	}
	aux.Go(func() { r.maintainLoop(ctx) })
	if r.cfg.ListenDSN != "" {
		aux.Go(func() { r.listenLoop(ctx) })
	}
	r.log.Info("runner started", zap.Int("workers", r.cfg.Workers), zap.Int("buffer", r.cfg.Buffer),
		zap.Strings("kinds", r.reg.Kinds()), zap.Bool("listen", r.cfg.ListenDSN != ""))

	r.fetchLoop(ctx, work)
	close(work)
	begun := time.Now()
	r.log.Info("runner draining", zap.Int64("held", r.inflight.Load()), zap.Duration("drain_timeout", r.cfg.DrainTimeout))

	drained := make(chan struct{})
	go func() { workers.Wait(); close(drained) }()
	drain := time.NewTimer(r.cfg.DrainTimeout)
	select {
	case <-drained:
		drain.Stop()
	case <-drain.C:
		r.log.Warn("drain timeout: cancelling running jobs", zap.Int64("held", r.inflight.Load()))
		cancelJobs()
		grace := time.NewTimer(r.cfg.CancelTimeout)
		select {
		case <-drained:
			grace.Stop()
		case <-grace.C:
			r.log.Error("job handlers ignored cancellation; handing their jobs back anyway", zap.Duration("waited", r.cfg.CancelTimeout))
		}
	}
	// Buffered jobs no worker took (the workers are stuck in handlers that
	// ignore cancellation) never started either.
	for j := range work {
		r.addUnstarted(j)
	}
	close(stopCompleter)
	completer.Wait()
	aux.Wait()

	ctxDB, cancel := context.WithTimeout(context.WithoutCancel(ctx), dbTimeout)
	defer cancel()
	var errs []error
	r.mu.Lock()
	unstarted := r.unstarted
	r.mu.Unlock()
	released, err := r.store.releaseUnstarted(ctxDB, r.cfg.ID, unstarted, r.now())
	errs = append(errs, err)
	orphans, err := r.store.releaseOwned(ctxDB, r.cfg.ID,
		fmt.Sprintf("runner %s stopped: the handler did not return within %s of cancellation", r.cfg.ID, r.cfg.CancelTimeout), r.now())
	errs = append(errs, err)
	r.log.Info("runner stopped", zap.Duration("drain", time.Since(begun)), zap.Int64("released_unstarted", released),
		zap.Int64("released_stuck", orphans))
	return errors.Join(errs...)
}

// fetchLoop claims jobs for free slots and hands them to the workers until
// ctx ends. It never abandons a claim midway: the claim runs without ctx's
// cancellation, and what it returns is always handed over.
func (r *Runner) fetchLoop(ctx context.Context, work chan<- domain.Job) {
	capacity := r.cfg.Workers + r.cfg.Buffer
	poll := time.NewTimer(0)
	defer poll.Stop()
	var last time.Time
	full := false // the last claim filled every free slot: more may be due
	for {
		var slot <-chan struct{}
		if full {
			slot = r.slotFreed
		}
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		case <-r.wake:
		case <-slot:
		}
		if wait := r.cfg.FetchCooldown - time.Since(last); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		poll.Reset(r.cfg.PollInterval)
		free := capacity - int(r.inflight.Load())
		if free <= 0 {
			full = true
			continue
		}
		last = time.Now()
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dbTimeout)
		jobs, err := r.store.claim(cctx, r.cfg.ID, free, r.now(), r.cfg.Lease)
		cancel()
		if err != nil {
			r.log.Warn("claim failed; retrying at the next poll", zap.Error(err))
			full = false
			continue
		}
		r.inflight.Add(int64(len(jobs)))
		for _, j := range jobs {
			r.cfg.Observer.Claimed(j.Kind)
			work <- j // never blocks long: inflight never exceeds workers + buffer
		}
		full = len(jobs) == free
	}
}

func (r *Runner) addUnstarted(j domain.Job) {
	r.mu.Lock()
	r.unstarted = append(r.unstarted, ref{ID: j.ID, Attempt: j.Attempt})
	r.mu.Unlock()
}

// workLoop is one worker: it runs jobs from the channel until it is closed
// and empty. After the hard stop (jobCtx cancelled) it no longer starts
// jobs, it sets them aside to be handed back unspent.
func (r *Runner) workLoop(jobCtx context.Context, work <-chan domain.Job, completions chan<- ref) {
	for j := range work {
		if jobCtx.Err() != nil {
			r.addUnstarted(j)
		} else {
			r.execute(jobCtx, j, completions)
		}
		r.inflight.Add(-1)
		poke(r.slotFreed)
	}
}

// execute runs one claimed job and records its outcome.
func (r *Runner) execute(jobCtx context.Context, j domain.Job, completions chan<- ref) {
	claim := ref{ID: j.ID, Attempt: j.Attempt}
	log := r.log.With(zap.Int64("job_id", j.ID), zap.String("kind", j.Kind), zap.Int("attempt", j.Attempt),
		zap.String("request_id", j.RequestID))
	start := time.Now()
	r.busy.Add(1)
	defer r.busy.Add(-1)
	var err error
	spec, ok := r.reg.lookup(j.Kind)
	if !ok {
		// Retried like any failure rather than failed at once: during a
		// rolling deploy an older runner may claim a kind only newer
		// runners know.
		err = fmt.Errorf("no handler for job kind %q in runner %s (it handles: %s)", j.Kind, r.cfg.ID, strings.Join(r.reg.Kinds(), ", "))
	} else {
		timeout := spec.timeout
		if timeout == 0 {
			timeout = r.cfg.JobTimeout
		}
		ctx, cancel := context.WithTimeout(jobCtx, timeout)
		ctx = logging.With(logging.WithRequestID(ctx, j.RequestID), log)
		arg := j // the handler gets a copy; the claim identity stays ours
		err = call(ctx, spec.handler, &arg, log)
		cancel()
	}
	took := time.Since(start)
	if err == nil {
		if !spec.atOnce || !r.completeNow(jobCtx, claim, log) {
			completions <- claim
		}
		// Counted when the handler succeeded: a batched completion the
		// database then refuses is logged by flush, and the job runs again.
		r.cfg.Observer.Finished(j.Kind, OutcomeCompleted, took)
		log.Info("job completed", zap.Duration("took", took))
		return
	}
	interrupted := jobCtx.Err() != nil
	next := nextState(j, err, interrupted, r.now())
	ctx, cancel := context.WithTimeout(context.WithoutCancel(jobCtx), dbTimeout)
	defer cancel()
	var serr error
	if next.State == domain.JobFailed && r.cfg.OnFailed != nil {
		serr = r.store.db.Do(ctx, func(ctx context.Context) error {
			var err error
			if ok, err = r.store.settle(ctx, next, r.cfg.ID, claim.Attempt); err != nil || !ok {
				return err
			}
			return r.cfg.OnFailed(ctx, next)
		})
	} else {
		ok, serr = r.store.settle(ctx, next, r.cfg.ID, claim.Attempt)
	}
	fields := []zap.Field{zap.Duration("took", took), zap.String("state", string(next.State)), zap.Time("run_at", next.RunAt), zap.Error(err)}
	r.cfg.Observer.Finished(j.Kind, outcomeOf(next, interrupted, ok && serr == nil), took)
	switch {
	case serr != nil:
		log.Error("recording job outcome failed; the job is rescued when its lease expires", append(fields, zap.NamedError("db_error", serr))...)
	case !ok:
		log.Warn("job outcome discarded: the lease was lost (rescued and claimed again)", fields...)
	case next.State == domain.JobFailed:
		log.Error("job failed", fields...)
	case next.State == domain.JobAvailable && !interrupted:
		log.Info("job snoozed", fields...)
	default:
		log.Warn("job attempt failed", fields...)
	}
}

// completeNow records one completion at once (CompleteAtOnce kinds). It
// returns false when the statement failed, so the caller hands the
// completion to the batch, which retries it.
func (r *Runner) completeNow(jobCtx context.Context, claim ref, log *zap.Logger) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(jobCtx), dbTimeout)
	defer cancel()
	n, err := r.store.complete(ctx, r.cfg.ID, []ref{claim}, r.now())
	switch {
	case err != nil:
		log.Warn("recording the completion failed; it goes to the next batch", zap.Error(err))
		return false
	case n == 0:
		log.Warn("completion discarded: the lease was lost (rescued and claimed again)")
	}
	return true
}

// call runs h, turning a panic into an error so one bad job cannot kill
// the runner.
func call(ctx context.Context, h Handler, j *domain.Job, log *zap.Logger) (err error) {
	defer func() {
		if p := recover(); p != nil {
			log.Error("job handler panicked", zap.Any("panic", p), zap.ByteString("stack", debug.Stack()))
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	return h(ctx, j)
}

// nextState is the job after a failed attempt: snoozed, interrupted by
// shutdown, failed for good, or retryable after a backoff.
func nextState(j domain.Job, err error, interrupted bool, now time.Time) domain.Job {
	now = dbTime(now)
	j.UpdatedAt = now
	j.LeaseOwner, j.LeaseExpiresAt = "", nil
	var (
		snooze *domain.JobSnoozeError
		perm   *domain.JobPermanentError
	)
	switch {
	case errors.As(err, &snooze):
		j.State = domain.JobAvailable
		j.Attempt-- // a snooze does not spend an attempt
		j.RunAt = dbTime(snooze.Until)
		if j.RunAt.Before(now) {
			j.RunAt = now
		}
	case interrupted:
		j.RecordError(now, "interrupted by shutdown: "+err.Error())
		j.State = domain.JobAvailable
		j.RunAt = now
		if j.Attempt >= j.MaxAttempts {
			j.MaxAttempts = j.Attempt + 1 // the shutdown cut it, not the job
		}
	case errors.As(err, &perm), j.Attempt >= j.MaxAttempts:
		j.RecordError(now, err.Error())
		j.State = domain.JobFailed
		j.FinishedAt = &now
	default:
		j.RecordError(now, err.Error())
		j.State = domain.JobRetryable
		j.RunAt = now.Add(domain.RetryDelay(j.Attempt, j.ID))
	}
	return j
}

// completeLoop records completions in batches: it blocks for the first,
// then takes whatever else is already queued, so completions cost one
// statement per batch under load and add no delay when idle.
func (r *Runner) completeLoop(in <-chan ref, stop <-chan struct{}) {
	const maxBatch = 1000
	batch := make([]ref, 0, maxBatch)
	for {
		stopping := false
		select {
		case c := <-in:
			batch = append(batch, c)
		case <-stop:
			stopping = true
		}
	gather:
		for len(batch) < maxBatch {
			select {
			case c := <-in:
				batch = append(batch, c)
			default:
				break gather
			}
		}
		if len(batch) > 0 {
			r.flush(batch)
			batch = batch[:0]
		}
		if stopping && len(in) == 0 {
			return
		}
	}
}

func (r *Runner) flush(batch []ref) {
	var err error
	for try := range 3 {
		if try > 0 {
			time.Sleep(time.Duration(try) * 100 * time.Millisecond) // brief pause before retrying a transient DB error
		}
		ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
		var n int64
		n, err = r.store.complete(ctx, r.cfg.ID, batch, r.now())
		cancel()
		if err == nil {
			if lost := int64(len(batch)) - n; lost > 0 {
				r.log.Warn("completions discarded: leases lost (jobs rescued and claimed again)", zap.Int64("jobs", lost))
			}
			return
		}
	}
	r.log.Error("recording completions failed; those jobs run again after their leases expire",
		zap.Int("jobs", len(batch)), zap.Error(err))
}

// maintainLoop runs the periodic upkeep until ctx ends.
func (r *Runner) maintainLoop(ctx context.Context) {
	t := time.NewTicker(r.cfg.MaintenanceInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.maintain(ctx)
	}
}

// maintain promotes due retryable jobs, rescues expired leases and prunes
// old finished jobs. Every runner does it; the statements are idempotent and
// guarded, so replicas doing it at once only repeat each other.
func (r *Runner) maintain(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, dbTimeout)
	defer cancel()
	now := r.now()
	if n, err := r.store.promote(ctx, now); err != nil {
		r.log.Warn("promoting retryable jobs failed", zap.Error(err))
	} else if n > 0 {
		poke(r.wake)
	}
	if n, err := r.rescue(ctx, now); err != nil {
		r.log.Warn("rescuing expired jobs failed", zap.Error(err))
	} else if n > 0 {
		poke(r.wake)
	}
	r.upkeep(ctx, now)
	const batch = 1000
	for _, p := range []struct {
		state  domain.JobState
		retain time.Duration
	}{{domain.JobCompleted, r.cfg.RetainCompleted}, {domain.JobFailed, r.cfg.RetainFailed}, {domain.JobCanceled, r.cfg.RetainFailed}} {
		for range 10 { // bounded work per tick; the rest waits for the next
			n, err := r.store.prune(ctx, p.state, now.Add(-p.retain), batch)
			if err != nil {
				r.log.Warn("pruning jobs failed", zap.String("state", string(p.state)), zap.Error(err))
				break
			}
			if n < batch {
				break
			}
		}
	}
}

// upkeep runs the features' chores that are due.
func (r *Runner) upkeep(ctx context.Context, now time.Time) {
	if len(r.upkeepRan) != len(r.cfg.Upkeep) {
		r.upkeepRan = make([]time.Time, len(r.cfg.Upkeep))
	}
	for i, u := range r.cfg.Upkeep {
		if !r.upkeepRan[i].IsZero() && now.Sub(r.upkeepRan[i]) < u.Every {
			continue
		}
		r.upkeepRan[i] = now
		if err := u.Run(ctx, now); err != nil {
			r.log.Warn("upkeep failed; it runs again at its next turn", zap.String("upkeep", u.Name), zap.Error(err))
		}
	}
}

// rescue returns jobs whose lease expired to available (or fails them when
// that was their last attempt) and reports how many it moved.
func (r *Runner) rescue(ctx context.Context, now time.Time) (int, error) {
	expired, err := r.store.expired(ctx, now, 100)
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, j := range expired {
		next := rescued(j, now)
		ok, err := r.store.settle(ctx, next, j.LeaseOwner, j.Attempt)
		if err != nil {
			return moved, err
		}
		if ok {
			moved++
			r.log.Warn("rescued job with expired lease", zap.Int64("job_id", j.ID), zap.String("kind", j.Kind),
				zap.Int("attempt", j.Attempt), zap.String("lost_runner", j.LeaseOwner), zap.String("state", string(next.State)))
		}
	}
	return moved, nil
}

// rescued is j after its lease expired.
func rescued(j domain.Job, now time.Time) domain.Job {
	now = dbTime(now)
	msg := fmt.Sprintf("lease expired: runner %s stopped (crash, kill or hang) before finishing attempt %d", j.LeaseOwner, j.Attempt)
	if j.LeaseExpiresAt != nil {
		msg = fmt.Sprintf("lease expired at %s: runner %s stopped (crash, kill or hang) before finishing attempt %d",
			j.LeaseExpiresAt.Format(time.RFC3339), j.LeaseOwner, j.Attempt)
	}
	j.RecordError(now, msg)
	j.UpdatedAt = now
	j.LeaseOwner, j.LeaseExpiresAt = "", nil
	if j.Attempt >= j.MaxAttempts {
		j.State = domain.JobFailed
		j.FinishedAt = &now
		return j
	}
	j.State = domain.JobAvailable
	j.RunAt = now
	return j
}

// outcomeOf classes a failed attempt by the state it left the job in.
func outcomeOf(next domain.Job, interrupted, recorded bool) Outcome {
	switch {
	case !recorded:
		return OutcomeLost
	case next.State == domain.JobFailed:
		return OutcomeFailed
	case next.State == domain.JobRetryable:
		return OutcomeRetry
	case interrupted:
		return OutcomeInterrupted
	}
	return OutcomeSnoozed
}
