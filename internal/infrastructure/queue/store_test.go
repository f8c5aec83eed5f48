package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/logging"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/usecase/jobs"
)

// The conformance suite: every test runs on PostgreSQL, MariaDB and SQLite.

func enqueue(t *testing.T, s *Store, ctx context.Context, kind string, mutate ...func(*domain.NewJob)) int64 {
	t.Helper()
	// Due a little in the past, so a test's "now" taken before the enqueue
	// still finds it due.
	n := domain.NewJob{Kind: kind, Payload: json.RawMessage(`{"id":1}`), RunAt: time.Now().Add(-time.Minute)}
	for _, m := range mutate {
		m(&n)
	}
	res, err := s.Enqueue(ctx, n)
	require.NoError(t, err)
	require.False(t, res.Duplicate)
	return res.ID
}

func get(t *testing.T, s *Store, id int64) domain.Job {
	t.Helper()
	j, err := s.Job(context.Background(), id)
	require.NoError(t, err)
	return j
}

func countJobs(t *testing.T, db *persistence.DB, where string, args ...any) int64 {
	t.Helper()
	var n int64
	q := db.Gorm(context.Background()).Model(&jobRow{})
	if where != "" {
		q = q.Where(where, args...)
	}
	require.NoError(t, q.Count(&n).Error)
	return n
}

var errRollback = errors.New("business rule says no")

func testEnqueueJoinsTheCallersTransaction(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{Notify: true})
	ctx := logging.WithRequestID(context.Background(), "req-42")

	// Rolled back: no job, even though the enqueue itself succeeded.
	err := db.Do(ctx, func(ctx context.Context) error {
		enqueue(t, s, ctx, "invoice.email")
		return errRollback
	})
	require.ErrorIs(t, err, errRollback)
	require.Zero(t, countJobs(t, db, ""))

	// Committed: exactly one job, available, carrying the request id.
	var id int64
	require.NoError(t, db.Do(ctx, func(ctx context.Context) error {
		id = enqueue(t, s, ctx, "invoice.email")
		if db.Dialect().Name() != "sqlite" {
			// Before the commit no runner can see it (SQLite's single
			// writer would wait for the commit instead).
			got, err := s.claim(context.Background(), "other", 10, time.Now(), time.Minute)
			require.NoError(t, err)
			require.Empty(t, got, "an uncommitted job must not be claimable")
		}
		return nil
	}))
	require.EqualValues(t, 1, countJobs(t, db, ""))
	j := get(t, s, id)
	require.Equal(t, domain.JobAvailable, j.State)
	require.Equal(t, "req-42", j.RequestID)
	require.Equal(t, 0, j.Attempt)
	require.Equal(t, domain.DefaultJobMaxAttempts, j.MaxAttempts)
	require.JSONEq(t, `{"id":1}`, string(j.Payload))
	require.Empty(t, j.Errors)
}

func testEnqueueRejectsBadJobs(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	for _, n := range []domain.NewJob{
		{Kind: ""}, {Kind: "Bad Kind"}, {Kind: "ok", Payload: json.RawMessage(`[1]`)},
		{Kind: "ok", Payload: json.RawMessage(`{"a":`)}, {Kind: "ok", MaxAttempts: 1000},
	} {
		_, err := s.Enqueue(context.Background(), n)
		var ve *domain.ValidationError
		require.ErrorAs(t, err, &ve, "%+v", n)
	}
	require.Zero(t, countJobs(t, db, ""))
}

func testEnqueueWithUniqueKeyIsIdempotent(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{Notify: true})
	ctx := context.Background()
	first := enqueue(t, s, ctx, "invoice.email", func(n *domain.NewJob) { n.UniqueKey = "invoice:7" })
	// Inside a transaction the duplicate must not poison it (PostgreSQL
	// aborts a transaction on a failed statement).
	require.NoError(t, db.Do(ctx, func(ctx context.Context) error {
		res, err := s.Enqueue(ctx, domain.NewJob{Kind: "invoice.email", UniqueKey: "invoice:7"})
		require.NoError(t, err)
		require.True(t, res.Duplicate)
		require.Equal(t, first, res.ID)
		enqueue(t, s, ctx, "invoice.email", func(n *domain.NewJob) { n.UniqueKey = "invoice:8" })
		enqueue(t, s, ctx, "invoice.pdf", func(n *domain.NewJob) { n.UniqueKey = "invoice:7" }) // other kind
		enqueue(t, s, ctx, "invoice.email")                                                     // no key
		enqueue(t, s, ctx, "invoice.email")
		return nil
	}))
	require.EqualValues(t, 5, countJobs(t, db, ""))
}

func testEnqueueMany(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{Notify: true})
	ctx := context.Background()
	batch := make([]domain.NewJob, 2500)
	for i := range batch {
		batch[i] = domain.NewJob{Kind: "bulk", Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}
	}
	batch[10].UniqueKey, batch[11].UniqueKey = "same", "same"
	require.NoError(t, s.EnqueueMany(ctx, batch))
	require.EqualValues(t, 2499, countJobs(t, db, "state = ?", "available"))

	// All or nothing: one invalid job rejects the batch.
	batch = []domain.NewJob{{Kind: "bulk"}, {Kind: ""}}
	require.Error(t, s.EnqueueMany(ctx, batch))
	require.EqualValues(t, 2499, countJobs(t, db, ""))

	// And it joins the caller's transaction.
	err := db.Do(ctx, func(ctx context.Context) error {
		require.NoError(t, s.EnqueueMany(ctx, []domain.NewJob{{Kind: "bulk"}, {Kind: "bulk"}}))
		return errRollback
	})
	require.ErrorIs(t, err, errRollback)
	require.EqualValues(t, 2499, countJobs(t, db, ""))
}

func testClaimTakesDueJobsInOrderWithALease(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	ctx := context.Background()
	now := dbTime(time.Now())
	later := enqueue(t, s, ctx, "k", func(n *domain.NewJob) { n.RunAt = now.Add(-time.Second) })
	earlier := enqueue(t, s, ctx, "k", func(n *domain.NewJob) { n.RunAt = now.Add(-time.Minute) })
	future := enqueue(t, s, ctx, "k", func(n *domain.NewJob) { n.RunAt = now.Add(time.Hour) })
	third := enqueue(t, s, ctx, "k", func(n *domain.NewJob) { n.RunAt = now.Add(-time.Second) })

	got, err := s.claim(ctx, "r1", 2, now, time.Minute)
	require.NoError(t, err)
	require.Equal(t, []int64{earlier, later}, ids(got))
	for _, j := range got {
		require.Equal(t, domain.JobRunning, j.State)
		require.Equal(t, 1, j.Attempt)
		require.Equal(t, "r1", j.LeaseOwner)
		require.NotNil(t, j.LeaseExpiresAt)
		require.WithinDuration(t, now.Add(time.Minute), *j.LeaseExpiresAt, time.Millisecond)
		stored := get(t, s, j.ID)
		require.Equal(t, domain.JobRunning, stored.State)
		require.Equal(t, 1, stored.Attempt)
		require.Equal(t, "r1", stored.LeaseOwner)
		require.WithinDuration(t, now.Add(time.Minute), *stored.LeaseExpiresAt, time.Millisecond)
	}
	got, err = s.claim(ctx, "r2", 10, now, time.Minute)
	require.NoError(t, err)
	require.Equal(t, []int64{third}, ids(got), "the future job is not due")
	got, err = s.claim(ctx, "r2", 10, now.Add(2*time.Hour), time.Minute)
	require.NoError(t, err)
	require.Equal(t, []int64{future}, ids(got))
	got, err = s.claim(ctx, "r2", 10, now.Add(2*time.Hour), time.Minute)
	require.NoError(t, err)
	require.Empty(t, got)
}

func ids(js []domain.Job) []int64 {
	out := make([]int64, len(js))
	for i, j := range js {
		out[i] = j.ID
	}
	return out
}

func claimOne(t *testing.T, s *Store, owner string, now time.Time, lease time.Duration) domain.Job {
	t.Helper()
	got, err := s.claim(context.Background(), owner, 1, now, lease)
	require.NoError(t, err)
	require.Len(t, got, 1)
	return got[0]
}

func testCompleteIsGuardedByTheClaim(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	ctx := context.Background()
	id := enqueue(t, s, ctx, "k")
	now := time.Now()
	j := claimOne(t, s, "r1", now, time.Minute)

	n, err := s.complete(ctx, "r1", []ref{{id, j.Attempt + 1}}, now)
	require.NoError(t, err)
	require.Zero(t, n, "wrong attempt")
	n, err = s.complete(ctx, "r2", []ref{{id, j.Attempt}}, now)
	require.NoError(t, err)
	require.Zero(t, n, "wrong owner")
	n, err = s.complete(ctx, "r1", []ref{{id, j.Attempt}}, now)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	n, err = s.complete(ctx, "r1", []ref{{id, j.Attempt}}, now)
	require.NoError(t, err)
	require.Zero(t, n, "already completed")

	done := get(t, s, id)
	require.Equal(t, domain.JobCompleted, done.State)
	require.NotNil(t, done.FinishedAt)
	require.Nil(t, done.LeaseExpiresAt)
	require.Equal(t, "r1", done.LeaseOwner, "the last runner stays on record")
}

// TestOutcomes drives a job through retry, snooze, permanent failure and
// exhaustion with the same nextState the runner uses.
func testOutcomes(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	ctx := context.Background()
	now := dbTime(time.Now())
	id := enqueue(t, s, ctx, "k", func(n *domain.NewJob) { n.MaxAttempts = 3 })

	// Attempt 1 fails: retryable after the backoff, not claimable before.
	j := claimOne(t, s, "r1", now, time.Minute)
	ok, err := s.settle(ctx, nextState(j, errors.New("smtp 421"), false, now), "r1", 1)
	require.NoError(t, err)
	require.True(t, ok)
	j = get(t, s, id)
	require.Equal(t, domain.JobRetryable, j.State)
	require.Equal(t, 1, j.Attempt)
	require.Equal(t, "smtp 421", j.LastError)
	require.Len(t, j.Errors, 1)
	require.Equal(t, 1, j.Errors[0].Attempt)
	require.Empty(t, j.LeaseOwner)
	require.WithinDuration(t, now.Add(domain.RetryDelay(1, id)), j.RunAt, time.Millisecond)
	n, err := s.promote(ctx, now)
	require.NoError(t, err)
	require.Zero(t, n, "backoff not over")
	n, err = s.promote(ctx, j.RunAt)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)

	// Attempt 2 snoozes: available later, the attempt not spent.
	now = j.RunAt
	j = claimOne(t, s, "r1", now, time.Minute)
	require.Equal(t, 2, j.Attempt)
	until := now.Add(time.Hour)
	ok, err = s.settle(ctx, nextState(j, domain.JobSnoozeUntil(until), false, now), "r1", 2)
	require.NoError(t, err)
	require.True(t, ok)
	j = get(t, s, id)
	require.Equal(t, domain.JobAvailable, j.State)
	require.Equal(t, 1, j.Attempt)
	require.WithinDuration(t, until, j.RunAt, time.Millisecond)
	got, err := s.claim(ctx, "r1", 1, now, time.Minute)
	require.NoError(t, err)
	require.Empty(t, got, "snoozed")

	// Attempts 2 and 3 fail: failed for good after the last.
	now = until
	j = claimOne(t, s, "r1", now, time.Minute)
	require.Equal(t, 2, j.Attempt)
	_, err = s.settle(ctx, nextState(j, errors.New("again"), false, now), "r1", 2)
	require.NoError(t, err)
	now = get(t, s, id).RunAt
	_, err = s.promote(ctx, now)
	require.NoError(t, err)
	j = claimOne(t, s, "r1", now, time.Minute)
	require.Equal(t, 3, j.Attempt)
	_, err = s.settle(ctx, nextState(j, errors.New("last"), false, now), "r1", 3)
	require.NoError(t, err)
	j = get(t, s, id)
	require.Equal(t, domain.JobFailed, j.State)
	require.NotNil(t, j.FinishedAt)
	require.Len(t, j.Errors, 3)

	// A permanent error fails at once, attempts left or not.
	id2 := enqueue(t, s, ctx, "k")
	j = claimOne(t, s, "r1", now, time.Minute)
	require.Equal(t, id2, j.ID)
	_, err = s.settle(ctx, nextState(j, domain.JobPermanent(errors.New("no such invoice")), false, now), "r1", 1)
	require.NoError(t, err)
	j = get(t, s, id2)
	require.Equal(t, domain.JobFailed, j.State)
	require.Equal(t, "permanent: no such invoice", j.LastError)

	// Interrupted by shutdown on its last attempt: back to available,
	// granted one more attempt.
	id3 := enqueue(t, s, ctx, "k", func(n *domain.NewJob) { n.MaxAttempts = 1 })
	j = claimOne(t, s, "r1", now, time.Minute)
	require.Equal(t, id3, j.ID)
	_, err = s.settle(ctx, nextState(j, context.Canceled, true, now), "r1", 1)
	require.NoError(t, err)
	j = get(t, s, id3)
	require.Equal(t, domain.JobAvailable, j.State)
	require.Equal(t, 1, j.Attempt)
	require.Equal(t, 2, j.MaxAttempts)
	require.Contains(t, j.LastError, "interrupted by shutdown")
}

// TestLeaseGuard: runner r1 loses its job to the rescue while its handler
// is still at work; r2 claims it again. Nothing r1 writes afterwards may
// touch r2's attempt.
func testLeaseGuard(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	ctx := context.Background()
	now := dbTime(time.Now())
	id := enqueue(t, s, ctx, "k")
	stale := claimOne(t, s, "r1", now, time.Second)

	exp, err := s.expired(ctx, now, 10)
	require.NoError(t, err)
	require.Empty(t, exp, "lease still valid")
	now = now.Add(2 * time.Second)
	exp, err = s.expired(ctx, now, 10)
	require.NoError(t, err)
	require.Equal(t, []int64{id}, ids(exp))
	ok, err := s.settle(ctx, rescued(exp[0], now), "r1", 1)
	require.NoError(t, err)
	require.True(t, ok)
	j := get(t, s, id)
	require.Equal(t, domain.JobAvailable, j.State)
	require.Contains(t, j.LastError, "lease expired")
	require.Contains(t, j.LastError, "r1")

	fresh := claimOne(t, s, "r2", now, time.Minute)
	require.Equal(t, 2, fresh.Attempt)

	n, err := s.complete(ctx, "r1", []ref{{id, stale.Attempt}}, now)
	require.NoError(t, err)
	require.Zero(t, n)
	ok, err = s.settle(ctx, nextState(stale, errors.New("late failure"), false, now), "r1", stale.Attempt)
	require.NoError(t, err)
	require.False(t, ok)
	n, err = s.releaseOwned(ctx, "r1", "gone", now)
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = s.releaseUnstarted(ctx, "r1", []ref{{id, stale.Attempt}}, now)
	require.NoError(t, err)
	require.Zero(t, n)
	require.Equal(t, domain.JobRunning, get(t, s, id).State)

	n, err = s.complete(ctx, "r2", []ref{{id, fresh.Attempt}}, now)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	require.Equal(t, domain.JobCompleted, get(t, s, id).State)
}

func testRescueFailsAJobOnItsLastAttempt(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	ctx := context.Background()
	now := dbTime(time.Now())
	id := enqueue(t, s, ctx, "k", func(n *domain.NewJob) { n.MaxAttempts = 1 })
	claimOne(t, s, "r1", now, time.Second)
	r, err := New(s, NewRegistry(), Config{ID: "r2"}, zap.NewNop())
	require.NoError(t, err)
	moved, err := r.rescue(ctx, now.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, 1, moved)
	j := get(t, s, id)
	require.Equal(t, domain.JobFailed, j.State)
	require.NotNil(t, j.FinishedAt)
}

// testBatchOfMixedAttempts: a batch whose jobs were claimed with different
// attempt values is written as one guarded UPDATE per attempt value, each
// applying the same change.
func testBatchOfMixedAttempts(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	ctx := context.Background()
	now := dbTime(time.Now())
	a1 := enqueue(t, s, ctx, "k")
	a2 := enqueue(t, s, ctx, "k")
	got, err := s.claim(ctx, "r1", 2, now, time.Minute)
	require.NoError(t, err)
	require.Len(t, got, 2)
	_, err = s.releaseOwned(ctx, "r1", "runner stopped", now) // available again, attempt 1 spent, due at now
	require.NoError(t, err)
	b1 := enqueue(t, s, ctx, "k") // due a minute ago: claimed first
	b2 := enqueue(t, s, ctx, "k")
	got, err = s.claim(ctx, "r1", 4, now, time.Minute)
	require.NoError(t, err)
	attempt := map[int64]int{}
	for _, j := range got {
		attempt[j.ID] = j.Attempt
	}
	require.Equal(t, map[int64]int{a1: 2, a2: 2, b1: 1, b2: 1}, attempt)

	n, err := s.releaseUnstarted(ctx, "r1", []ref{{a1, 2}, {b1, 1}}, now)
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	n, err = s.complete(ctx, "r1", []ref{{a2, 2}, {b2, 1}}, now)
	require.NoError(t, err)
	require.EqualValues(t, 2, n)

	for id, want := range map[int64]struct {
		state   domain.JobState
		attempt int
	}{a1: {domain.JobAvailable, 1}, b1: {domain.JobAvailable, 0}, a2: {domain.JobCompleted, 2}, b2: {domain.JobCompleted, 1}} {
		j := get(t, s, id)
		require.Equal(t, want.state, j.State, "job %d", id)
		require.Equal(t, want.attempt, j.Attempt, "job %d", id)
	}
	require.Zero(t, countJobs(t, db, "state = ?", "running"))
}

func testReleaseOnShutdown(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	ctx := context.Background()
	now := dbTime(time.Now())
	a := enqueue(t, s, ctx, "k")
	b := enqueue(t, s, ctx, "k", func(n *domain.NewJob) { n.MaxAttempts = 1 })
	got, err := s.claim(ctx, "r1", 2, now, time.Minute)
	require.NoError(t, err)
	require.Len(t, got, 2)

	// a never started: back, attempt unspent.
	n, err := s.releaseUnstarted(ctx, "r1", []ref{{a, 1}}, now)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	ja := get(t, s, a)
	require.Equal(t, domain.JobAvailable, ja.State)
	require.Equal(t, 0, ja.Attempt)
	require.Empty(t, ja.LeaseOwner)

	// b started and hung: back, attempt spent but one more granted.
	n, err = s.releaseOwned(ctx, "r1", "runner stopped", now)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	jb := get(t, s, b)
	require.Equal(t, domain.JobAvailable, jb.State)
	require.Equal(t, 1, jb.Attempt)
	require.Equal(t, 2, jb.MaxAttempts)
	require.Equal(t, "runner stopped", jb.LastError)
	require.Zero(t, countJobs(t, db, "state = ?", "running"))
}

func testPrune(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	ctx := context.Background()
	now := dbTime(time.Now())
	var done []ref
	for range 5 {
		enqueue(t, s, ctx, "k")
	}
	got, err := s.claim(ctx, "r1", 3, now, time.Minute)
	require.NoError(t, err)
	for _, j := range got {
		done = append(done, ref{j.ID, j.Attempt})
	}
	_, err = s.complete(ctx, "r1", done, now)
	require.NoError(t, err)

	n, err := s.prune(ctx, domain.JobCompleted, now, 10)
	require.NoError(t, err)
	require.Zero(t, n, "finished at the cutoff, not before")
	n, err = s.prune(ctx, domain.JobCompleted, now.Add(time.Second), 2)
	require.NoError(t, err)
	require.EqualValues(t, 2, n)
	n, err = s.prune(ctx, domain.JobCompleted, now.Add(time.Second), 2)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	require.EqualValues(t, 2, countJobs(t, db, ""), "available jobs are never pruned")
}

// TestConcurrentClaimsNeverOverlap: eight claimers race for 400 jobs; each
// job is claimed exactly once.
func testConcurrentClaimsNeverOverlap(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	ctx := context.Background()
	batch := make([]domain.NewJob, 400)
	for i := range batch {
		batch[i] = domain.NewJob{Kind: "k"}
	}
	require.NoError(t, s.EnqueueMany(ctx, batch))
	var (
		mu  sync.Mutex
		all []int64
		wg  sync.WaitGroup
	)
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for {
				got, err := s.claim(ctx, fmt.Sprintf("r%d", w), 7, time.Now(), time.Minute)
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				all = append(all, ids(got)...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	require.Len(t, all, 400)
	for i := 1; i < len(all); i++ {
		require.NotEqual(t, all[i-1], all[i], "job claimed twice")
	}
	require.EqualValues(t, 400, countJobs(t, db, "state = ? AND attempt = 1", "running"))
}

func testInspectionAndAdmin(t *testing.T, db *persistence.DB) {
	s := NewStore(db, StoreOptions{})
	ctx := context.Background()
	svc := jobs.NewService(s)
	a := enqueue(t, s, ctx, "mail")
	b := enqueue(t, s, ctx, "pdf")
	c := enqueue(t, s, ctx, "mail")

	_, err := svc.Get(ctx, 999999)
	require.ErrorIs(t, err, domain.ErrNotFound)

	page, err := svc.List(ctx, jobs.Filter{Kind: "mail"})
	require.NoError(t, err)
	require.EqualValues(t, 2, page.Total)
	require.Equal(t, []int64{c, a}, ids(page.Jobs), "newest first")
	page, err = svc.List(ctx, jobs.Filter{State: domain.JobAvailable, Limit: 1, Offset: 1})
	require.NoError(t, err)
	require.EqualValues(t, 3, page.Total)
	require.Equal(t, []int64{b}, ids(page.Jobs))

	cancelled, err := svc.Cancel(ctx, a)
	require.NoError(t, err)
	require.Equal(t, domain.JobCanceled, cancelled.State)
	stored := get(t, s, a)
	require.Equal(t, domain.JobCanceled, stored.State)
	require.NotNil(t, stored.FinishedAt)
	_, err = svc.Cancel(ctx, a)
	require.ErrorIs(t, err, domain.ErrConflict)

	retried, err := svc.Retry(ctx, a)
	require.NoError(t, err)
	require.Equal(t, domain.JobAvailable, retried.State)
	stored = get(t, s, a)
	require.Equal(t, domain.JobAvailable, stored.State)
	require.Nil(t, stored.FinishedAt)

	// The guard: a stale read cannot overwrite a runner's move.
	j := get(t, s, b)
	require.Equal(t, b, claimOne(t, s, "r1", time.Now(), time.Minute).ID, "b is the oldest due job now")
	require.NoError(t, j.Cancel(time.Now()))
	require.ErrorIs(t, s.SaveTransition(ctx, j, domain.JobAvailable), domain.ErrConflict)
	require.Equal(t, domain.JobRunning, get(t, s, b).State)
}
