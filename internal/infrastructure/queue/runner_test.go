package queue

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/logging"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
)

// startRunner runs r until the returned stop is called; stop returns Run's
// error.
func startRunner(t *testing.T, r *Runner) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("runner did not stop within 30 s")
			}
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func eventuallyCount(t *testing.T, db *persistence.DB, want int64, where string, args ...any) {
	t.Helper()
	var got int64
	require.Eventually(t, func() bool {
		got = countJobs(t, db, where, args...)
		return got == want
	}, 20*time.Second, 10*time.Millisecond, "waiting for %d jobs with %s %v", want, where, args)
}

func fastConfig(id string) Config {
	return Config{ID: id, Workers: 4, Buffer: 4, PollInterval: 20 * time.Millisecond, FetchCooldown: time.Millisecond,
		MaintenanceInterval: 20 * time.Millisecond}
}

// TestRunnerWorksEveryJobOnceWithTheRequestID runs 60 jobs through a pool
// of 4 workers and checks that each ran exactly once, with its enqueuing
// request id in the context and in the log.
func testRunnerWorksEveryJobOnceWithTheRequestID(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	var (
		mu   sync.Mutex
		seen = map[int64]int{}
		bad  atomic.Int32
	)
	reg := NewRegistry()
	require.NoError(t, reg.Register("count", func(ctx context.Context, j *domain.Job) error {
		if logging.RequestID(ctx) != j.RequestID || j.RequestID == "" {
			bad.Add(1)
		}
		var p struct{ N int }
		if err := j.DecodePayload(&p); err != nil {
			return err
		}
		mu.Lock()
		seen[j.ID]++
		mu.Unlock()
		return nil
	}))
	core, logs := observer.New(zap.InfoLevel)
	r, err := New(s, reg, fastConfig("r1"), zap.New(core))
	require.NoError(t, err)
	for i := range 60 {
		ctx := logging.WithRequestID(context.Background(), fmt.Sprintf("req-%d", i))
		_, err := s.Enqueue(ctx, domain.NewJob{Kind: "count", Payload: []byte(fmt.Sprintf(`{"N":%d}`, i))})
		require.NoError(t, err)
	}
	stop := startRunner(t, r)
	eventuallyCount(t, db, 60, "state = ?", "completed")
	require.NoError(t, stop())

	require.Len(t, seen, 60)
	for id, n := range seen {
		require.Equal(t, 1, n, "job %d ran %d times", id, n)
	}
	require.Zero(t, bad.Load(), "request id missing from the job context")
	done := logs.FilterMessage("job completed").All()
	require.Len(t, done, 60)
	ctxMap := done[0].ContextMap()
	require.Regexp(t, `^req-\d+$`, ctxMap["request_id"])
	require.Equal(t, "r1", ctxMap["runner"])
}

// TestCompleteAtOnceSkipsTheBatch: a job of a CompleteAtOnce kind (the
// e-mail sends) reads completed as soon as its handler has returned, even
// while the batch of completions is stuck: the test holds a lock on the
// row of a batched job, so the batch's UPDATE waits on it. Without the
// option the job would wait in that batch, running in the table.
// PostgreSQL only: SQLite has one writer, so a held lock stops every
// statement; on MariaDB the waiting batch UPDATE (REPEATABLE READ) holds
// next-key locks on the state index that also stop the claim of the next
// job, so the two paths cannot be told apart this way.
func testCompleteAtOnceSkipsTheBatch(t *testing.T, db *persistence.DB) {
	if db.Dialect() != persistence.Postgres {
		t.Skip("needs a row lock that stops only the batch: PostgreSQL")
	}
	s := NewStore(db, StoreOptions{})
	reg := NewRegistry()
	started, locked := make(chan struct{}), make(chan struct{})
	require.NoError(t, reg.Register("batched", func(context.Context, *domain.Job) error {
		close(started)
		<-locked
		return nil
	}))
	require.NoError(t, reg.Register("at.once", func(context.Context, *domain.Job) error { return nil }, CompleteAtOnce()))
	cfg := fastConfig("r1")
	cfg.Workers, cfg.Buffer = 1, 0
	r, err := New(s, reg, cfg, zap.NewNop())
	require.NoError(t, err)
	ctx := context.Background()
	batched := enqueue(t, s, ctx, "batched")
	startRunner(t, r)
	<-started
	tx, err := db.SQL().BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	_, err = tx.ExecContext(ctx, "SELECT id FROM jobs WHERE id = "+strconv.FormatInt(batched, 10)+" FOR UPDATE")
	require.NoError(t, err)
	atOnce := enqueue(t, s, ctx, "at.once")
	close(locked)

	require.Eventually(t, func() bool { return get(t, s, atOnce).State == domain.JobCompleted }, 10*time.Second, 10*time.Millisecond,
		"the at-once job is completed while the batch waits")
	require.Equal(t, domain.JobRunning, get(t, s, batched).State, "the batched job's completion is still waiting on the lock")
	require.NoError(t, tx.Rollback())
	eventuallyCount(t, db, 2, "state = ?", "completed")
}

// TestRunnerOutcomes: unknown kind, panic, timeout, permanent error and
// snooze each land where they should.
func testRunnerOutcomes(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	reg := NewRegistry()
	require.NoError(t, reg.Register("panics", func(context.Context, *domain.Job) error { panic("boom") }))
	require.NoError(t, reg.Register("slow", func(ctx context.Context, _ *domain.Job) error {
		<-ctx.Done()
		return ctx.Err()
	}, WithTimeout(50*time.Millisecond)))
	require.NoError(t, reg.Register("gone", func(context.Context, *domain.Job) error {
		return domain.JobPermanent(errors.New("invoice 9 was deleted"))
	}))
	require.NoError(t, reg.Register("later", func(context.Context, *domain.Job) error {
		return domain.JobSnooze(time.Hour)
	}))
	cfg := fastConfig("r1")
	cfg.MaintenanceInterval = time.Hour // no promotion: each job gets one attempt here
	r, err := New(s, reg, cfg, zap.NewNop())
	require.NoError(t, err)
	ctx := context.Background()
	unknown := enqueue(t, s, ctx, "nobody.handles.this")
	panics := enqueue(t, s, ctx, "panics")
	slow := enqueue(t, s, ctx, "slow")
	gone := enqueue(t, s, ctx, "gone")
	later := enqueue(t, s, ctx, "later")
	stop := startRunner(t, r)
	eventuallyCount(t, db, 3, "state = ?", "retryable")
	eventuallyCount(t, db, 1, "state = ?", "failed")
	eventuallyCount(t, db, 1, "state = ? AND attempt = 0", "available")
	require.NoError(t, stop())

	j := get(t, s, unknown)
	require.Equal(t, domain.JobRetryable, j.State)
	require.Contains(t, j.LastError, `no handler for job kind "nobody.handles.this"`)
	require.Contains(t, get(t, s, panics).LastError, "handler panicked: boom")
	require.Contains(t, get(t, s, slow).LastError, "deadline exceeded")
	j = get(t, s, gone)
	require.Equal(t, domain.JobFailed, j.State)
	require.Equal(t, 1, j.Attempt)
	require.Contains(t, j.LastError, "invoice 9 was deleted")
	j = get(t, s, later)
	require.Equal(t, domain.JobAvailable, j.State)
	require.Equal(t, 0, j.Attempt)
	require.True(t, j.RunAt.After(time.Now().Add(50*time.Minute)))
	require.Empty(t, j.LastError)
}

// gate is a handler that signals when a job starts and blocks until the
// test opens it (or, if obeyCtx, until its context ends).
type gate struct {
	started chan int64
	open    chan struct{}
	obeyCtx bool
}

func newGate(obeyCtx bool) *gate {
	return &gate{started: make(chan int64, 100), open: make(chan struct{}), obeyCtx: obeyCtx}
}

func (g *gate) handle(ctx context.Context, j *domain.Job) error {
	g.started <- j.ID
	if g.obeyCtx {
		select {
		case <-g.open:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	<-g.open
	return nil
}

func (g *gate) waitStarted(t *testing.T) int64 {
	t.Helper()
	select {
	case id := <-g.started:
		return id
	case <-time.After(20 * time.Second):
		t.Fatal("no job started")
		return 0
	}
}

// TestRunnerSoftDrain: on stop the runner claims nothing more and finishes
// the running and the buffered job; the rest stay available, untouched.
func testRunnerSoftDrain(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	g := newGate(true)
	reg := NewRegistry()
	require.NoError(t, reg.Register("gated", g.handle))
	cfg := fastConfig("r1")
	cfg.Workers, cfg.Buffer = 1, 1
	core, logs := observer.New(zap.InfoLevel)
	r, err := New(s, reg, cfg, zap.New(core))
	require.NoError(t, err)
	ctx := context.Background()
	for range 5 {
		enqueue(t, s, ctx, "gated")
	}
	stop := startRunner(t, r)
	g.waitStarted(t)
	eventuallyCount(t, db, 2, "state = ?", "running") // one running, one buffered
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	// Once the runner has stopped claiming, open the gate so both the
	// running and the buffered job finish within the drain.
	require.Eventually(t, func() bool { return logs.FilterMessage("runner draining").Len() == 1 }, 10*time.Second, time.Millisecond)
	close(g.open)
	require.NoError(t, <-stopped)
	require.EqualValues(t, 2, countJobs(t, db, "state = ?", "completed"))
	require.EqualValues(t, 3, countJobs(t, db, "state = ? AND attempt = 0", "available"))
	require.Zero(t, countJobs(t, db, "state = ?", "running"))
}

// TestRunnerHardStop: the drain timeout passes with a job running and one
// buffered; the running one is cancelled and handed back with its attempt
// spent, the buffered one with its attempt unspent.
func testRunnerHardStop(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	g := newGate(true)
	reg := NewRegistry()
	require.NoError(t, reg.Register("gated", g.handle))
	cfg := fastConfig("r1")
	cfg.Workers, cfg.Buffer, cfg.DrainTimeout = 1, 1, 200*time.Millisecond
	r, err := New(s, reg, cfg, zap.NewNop())
	require.NoError(t, err)
	ctx := context.Background()
	first := enqueue(t, s, ctx, "gated")
	second := enqueue(t, s, ctx, "gated")
	stop := startRunner(t, r)
	require.Equal(t, first, g.waitStarted(t))
	eventuallyCount(t, db, 2, "state = ?", "running")
	require.NoError(t, stop())

	j := get(t, s, first)
	require.Equal(t, domain.JobAvailable, j.State)
	require.Equal(t, 1, j.Attempt)
	require.Contains(t, j.LastError, "interrupted by shutdown")
	j = get(t, s, second)
	require.Equal(t, domain.JobAvailable, j.State)
	require.Equal(t, 0, j.Attempt)
	require.Empty(t, j.LeaseOwner)
}

// TestRunnerHandsBackJobsOfHandlersThatIgnoreCancellation: a handler that
// never returns cannot hold the shutdown or its job.
func testRunnerHandsBackJobsOfHandlersThatIgnoreCancellation(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	g := newGate(false)
	t.Cleanup(func() { close(g.open) })
	reg := NewRegistry()
	require.NoError(t, reg.Register("stuck", g.handle))
	cfg := fastConfig("r1")
	cfg.Workers, cfg.Buffer, cfg.DrainTimeout, cfg.CancelTimeout = 1, 1, 100*time.Millisecond, 100*time.Millisecond
	r, err := New(s, reg, cfg, zap.NewNop())
	require.NoError(t, err)
	ctx := context.Background()
	first := enqueue(t, s, ctx, "stuck")
	second := enqueue(t, s, ctx, "stuck")
	stop := startRunner(t, r)
	require.Equal(t, first, g.waitStarted(t))
	eventuallyCount(t, db, 2, "state = ?", "running")
	require.NoError(t, stop())
	j := get(t, s, first)
	require.Equal(t, domain.JobAvailable, j.State)
	require.Equal(t, 1, j.Attempt)
	require.Contains(t, j.LastError, "did not return")
	j = get(t, s, second)
	require.Equal(t, domain.JobAvailable, j.State)
	require.Equal(t, 0, j.Attempt)
}

// TestRunnerRetriesAfterBackoff: a failing job comes back through the
// maintenance promotion and completes on its second attempt.
func testRunnerRetriesAfterBackoff(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	var calls atomic.Int32
	reg := NewRegistry()
	require.NoError(t, reg.Register("flaky", func(context.Context, *domain.Job) error {
		if calls.Add(1) == 1 {
			return errors.New("transient")
		}
		return nil
	}))
	r, err := New(s, reg, fastConfig("r1"), zap.NewNop())
	require.NoError(t, err)
	// The first retry waits RetryDelay(1, id) ≈ 1 s.
	id := enqueue(t, s, context.Background(), "flaky")
	startRunner(t, r)
	eventuallyCount(t, db, 1, "state = ?", "completed")
	j := get(t, s, id)
	require.Equal(t, 2, j.Attempt)
	require.Equal(t, "transient", j.LastError)
}

// TestRunnerWakesOnNotify: with a one-hour poll interval only LISTEN/NOTIFY
// can make the runner see a new job quickly.
func TestRunnerWakesOnNotify(t *testing.T) {
	t.Parallel()
	dsn := testdb.DSN(t, "postgres")
	db, err := persistence.Open(persistence.Options{Driver: "postgres", DSN: dsn, MaxOpenConns: 10, MaxIdleConns: 10})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, db.MigrateUp())
	s := NewStore(db, StoreOptions{Notify: true})
	started := make(chan time.Time, 1)
	reg := NewRegistry()
	require.NoError(t, reg.Register("ping", func(context.Context, *domain.Job) error {
		started <- time.Now()
		return nil
	}))
	cfg := fastConfig("r1")
	cfg.PollInterval, cfg.MaintenanceInterval, cfg.ListenDSN = time.Hour, time.Hour, dsn
	core, logs := observer.New(zap.InfoLevel)
	r, err := New(s, reg, cfg, zap.New(core))
	require.NoError(t, err)
	startRunner(t, r)
	// Wait until the LISTEN connection is up: it shows in pg_stat_activity.
	require.Eventually(t, func() bool {
		var n int64
		require.NoError(t, db.Gorm(context.Background()).Raw(
			"SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'").Scan(&n).Error)
		return n == 1
	}, 10*time.Second, 10*time.Millisecond)
	require.Empty(t, logs.FilterMessage("job notifications interrupted; polling continues").All())
	enq := time.Now()
	_, err = s.Enqueue(context.Background(), domain.NewJob{Kind: "ping"})
	require.NoError(t, err)
	select {
	case at := <-started:
		require.Less(t, at.Sub(enq), 2*time.Second)
	case <-time.After(10 * time.Second):
		t.Fatal("the notification did not wake the runner")
	}
}

func TestNewRejectsALeaseShorterThanATimeout(t *testing.T) {
	t.Parallel()
	reg := NewRegistry()
	require.NoError(t, reg.Register("long", func(context.Context, *domain.Job) error { return nil }, WithTimeout(5*time.Minute)))
	_, err := New(nil, reg, Config{}, zap.NewNop())
	require.ErrorContains(t, err, "kind long: timeout 5m0s must be below the lease 2m0s")
	_, err = New(nil, NewRegistry(), Config{Lease: time.Second}, zap.NewNop())
	require.ErrorContains(t, err, "must exceed the job timeout")
	require.Error(t, reg.Register("long", func(context.Context, *domain.Job) error { return nil }), "registered twice")
	require.Error(t, reg.Register("Bad Kind", func(context.Context, *domain.Job) error { return nil }))
}
