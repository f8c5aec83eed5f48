package mail

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/usecase/mailing"
)

// fakeClock is a clock that moves only when the test says so.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

var (
	errTransient = &mailing.SendError{Class: mailing.Transient, Attempts: 3, Code: 451, Err: errors.New("451 try later")}
	errPermanent = &mailing.SendError{Class: mailing.Permanent, Attempts: 1, Code: 550, Err: errors.New("550 no such user")}
)

// counted is a send function that counts its calls and returns err.
type counted struct {
	calls atomic.Int64
	err   error
}

func (c *counted) fn(context.Context) error {
	c.calls.Add(1)
	return c.err
}

const (
	testN     = 5
	testReset = time.Minute
)

func newTestBreaker(clock *fakeClock) (*Breaker, *atomic.Int64) {
	var openings atomic.Int64
	b := NewBreaker(testN, testReset, clock.Now, func(time.Time) { openings.Add(1) })
	return b, &openings
}

func TestBreakerNewIsClosedAndPassesResultsThrough(t *testing.T) {
	b, _ := newTestBreaker(newFakeClock())
	require.Equal(t, BreakerState{}, b.State())
	ok := &counted{}
	require.NoError(t, b.Do(context.Background(), ok.fn))
	fail := &counted{err: errTransient}
	require.Same(t, errTransient, b.Do(context.Background(), fail.fn), "fn's error comes back unchanged")
	require.EqualValues(t, 1, ok.calls.Load())
	require.EqualValues(t, 1, fail.calls.Load())
}

func TestBreakerNMinusOneFailuresStayClosedNthOpens(t *testing.T) {
	clock := newFakeClock()
	b, openings := newTestBreaker(clock)
	fail := &counted{err: errTransient}
	for i := 1; i < testN; i++ {
		require.ErrorIs(t, b.Do(context.Background(), fail.fn), errTransient)
		require.False(t, b.State().Open, "after %d failures", i)
		require.Equal(t, i, b.State().Consecutive)
	}
	require.EqualValues(t, 0, openings.Load())
	require.ErrorIs(t, b.Do(context.Background(), fail.fn), errTransient, "the n-th failure is returned as is")
	st := b.State()
	require.True(t, st.Open, "the n-th consecutive failure opens the circuit")
	require.Equal(t, clock.Now().Add(testReset), st.Until)
	require.EqualValues(t, 1, openings.Load())
	require.EqualValues(t, testN, fail.calls.Load())

	// While open: the known error at once, and the send function is not
	// called, whatever it would return.
	ok := &counted{}
	for range 10 {
		err := b.Do(context.Background(), ok.fn)
		require.ErrorIs(t, err, mailing.ErrMailCircuitOpen)
		var open *mailing.CircuitOpenError
		require.ErrorAs(t, err, &open)
		require.Equal(t, clock.Now().Add(testReset), open.Until)
	}
	require.Zero(t, ok.calls.Load(), "no send while open")
	require.EqualValues(t, testN, fail.calls.Load())
	require.ErrorIs(t, b.Check(), mailing.ErrMailCircuitOpen)
}

func TestBreakerSuccessResetsTheCount(t *testing.T) {
	b, openings := newTestBreaker(newFakeClock())
	fail, ok := &counted{err: errTransient}, &counted{}
	for range testN - 1 {
		_ = b.Do(context.Background(), fail.fn)
	}
	require.NoError(t, b.Do(context.Background(), ok.fn))
	require.Zero(t, b.State().Consecutive, "a success resets the count")
	for range testN - 1 {
		_ = b.Do(context.Background(), fail.fn)
	}
	require.False(t, b.State().Open, "fail×(n-1), ok, fail×(n-1): still closed")
	require.Zero(t, openings.Load())
}

func TestBreakerPermanentFailuresNeverOpenIt(t *testing.T) {
	b, openings := newTestBreaker(newFakeClock())
	perm := &counted{err: errPermanent}
	for range 10 * testN {
		require.Same(t, errPermanent, b.Do(context.Background(), perm.fn), "permanent errors come back unchanged")
	}
	require.Equal(t, BreakerState{}, b.State(), "permanent failures neither count nor open")
	require.Zero(t, openings.Load())
	require.EqualValues(t, 10*testN, perm.calls.Load(), "one call each: the breaker itself never retries")

	// Nor do they reset the count of transient failures around them.
	fail := &counted{err: errTransient}
	for range testN - 1 {
		_ = b.Do(context.Background(), fail.fn)
		_ = b.Do(context.Background(), perm.fn)
	}
	require.Equal(t, testN-1, b.State().Consecutive)
	_ = b.Do(context.Background(), fail.fn)
	require.True(t, b.State().Open)
}

func TestBreakerCancellationIsNotCounted(t *testing.T) {
	b, _ := newTestBreaker(newFakeClock())
	cancelled := &counted{err: fmt.Errorf("mail send interrupted: %w", context.Canceled)}
	for range 2 * testN {
		require.ErrorIs(t, b.Do(context.Background(), cancelled.fn), context.Canceled)
	}
	require.Equal(t, BreakerState{}, b.State())
}

func TestBreakerOpenOneTickBeforeResetClosedAtIt(t *testing.T) {
	clock := newFakeClock()
	b, openings := newTestBreaker(clock)
	fail := &counted{err: errTransient}
	for range testN {
		_ = b.Do(context.Background(), fail.fn)
	}
	require.True(t, b.State().Open)

	clock.Advance(testReset - time.Nanosecond)
	ok := &counted{}
	require.ErrorIs(t, b.Do(context.Background(), ok.fn), mailing.ErrMailCircuitOpen, "one tick before the reset: still open")
	require.Zero(t, ok.calls.Load())

	clock.Advance(time.Nanosecond)
	require.False(t, b.State().Open, "at the reset time: closed")
	require.NoError(t, b.Do(context.Background(), ok.fn), "the next call goes through")
	require.EqualValues(t, 1, ok.calls.Load())

	// After the reset it takes n new consecutive failures to reopen: no
	// half-open state where one failure would do.
	for i := 1; i < testN; i++ {
		_ = b.Do(context.Background(), fail.fn)
		require.False(t, b.State().Open, "after reset, %d failures", i)
	}
	_ = b.Do(context.Background(), fail.fn)
	require.True(t, b.State().Open)
	require.EqualValues(t, 2, openings.Load())
}

func TestBreakerClosesWithoutTrafficAndStartsFromZero(t *testing.T) {
	clock := newFakeClock()
	b, _ := newTestBreaker(clock)
	fail := &counted{err: errTransient}
	for range testN {
		_ = b.Do(context.Background(), fail.fn)
	}
	clock.Advance(10 * testReset)
	_ = b.Do(context.Background(), fail.fn)
	require.Equal(t, BreakerState{Consecutive: 1}, b.State(), "the count restarts from zero after the reset")
}

// TestBreakerLateOutcomesBelongToTheirPeriod: a send let through before the
// circuit opened and finishing after it neither closes it (success) nor
// counts toward the next period (failure).
func TestBreakerLateOutcomesBelongToTheirPeriod(t *testing.T) {
	clock := newFakeClock()
	b, openings := newTestBreaker(clock)
	release := make(chan error)
	started := make(chan struct{})
	done := make(chan error)
	slow := func(context.Context) error {
		close(started)
		return <-release
	}
	go func() { done <- b.Do(context.Background(), slow) }()
	<-started

	fail := &counted{err: errTransient}
	for range testN {
		_ = b.Do(context.Background(), fail.fn)
	}
	require.True(t, b.State().Open)
	release <- nil // the slow send succeeds after the opening
	require.NoError(t, <-done)
	require.True(t, b.State().Open, "a success from before the opening does not close the circuit")

	// Same for a failure from a closed period that ends after the reset.
	clock.Advance(testReset)
	started = make(chan struct{})
	go func() { done <- b.Do(context.Background(), slow) }()
	<-started
	for range testN {
		_ = b.Do(context.Background(), fail.fn)
	}
	clock.Advance(testReset) // closed again, a new period
	require.False(t, b.State().Open)
	release <- errTransient
	require.ErrorIs(t, <-done, errTransient)
	require.Equal(t, BreakerState{}, b.State(), "a failure from an older period is not counted")
	require.EqualValues(t, 2, openings.Load())
}

// TestBreakerConcurrentCallersOpenItExactlyOnce: 100 callers let through
// together, all failing, produce one opening; the results that arrive
// after it are not counted again. Run with -race.
func TestBreakerConcurrentCallersOpenItExactlyOnce(t *testing.T) {
	for round := range 20 {
		clock := newFakeClock()
		b, openings := newTestBreaker(clock)
		const callers = 100
		var inside, refused atomic.Int64
		var wg sync.WaitGroup
		gate := make(chan struct{})
		allIn := make(chan struct{})
		for range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := b.Do(context.Background(), func(context.Context) error {
					if inside.Add(1) == callers {
						close(allIn)
					}
					<-gate // every caller is past the check before any fails
					return errTransient
				})
				if errors.Is(err, mailing.ErrMailCircuitOpen) {
					refused.Add(1)
				}
			}()
		}
		<-allIn
		close(gate)
		wg.Wait()
		require.EqualValues(t, 1, openings.Load(), "round %d", round)
		require.Zero(t, refused.Load(), "all were let through while closed")
		st := b.State()
		require.True(t, st.Open)
		require.Equal(t, clock.Now().Add(testReset), st.Until)

		// Mixed traffic while open and across the reset: one more opening
		// at most per period, never two at once.
		var mixed sync.WaitGroup
		for i := range callers {
			mixed.Add(1)
			go func() {
				defer mixed.Done()
				var err error
				if i%3 != 0 {
					err = errTransient
				}
				_ = b.Do(context.Background(), func(context.Context) error { return err })
			}()
		}
		mixed.Wait()
		require.EqualValues(t, 1, openings.Load(), "open: nobody got through, nothing recorded")
	}
}
