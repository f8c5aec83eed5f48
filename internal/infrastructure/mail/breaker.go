package mail

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/usecase/mailing"
)

// Breaker is the mail circuit breaker: synchronous and deterministic.
//
//	closed --threshold consecutive transient failures--> open
//	open   --resetAfter has passed (read on the next call)--> closed
//
// There is no half-open state: once resetAfter has passed, the next call
// finds the circuit closed with a zero count, and it takes threshold new
// consecutive transient failures to open it again. A success resets the
// count; permanent failures, cancellations and refusals of an open circuit
// neither count nor reset it.
//
// The state lives in memory, behind one mutex held only to read or update
// it, never during a send. The Breaker starts no goroutine and keeps no
// queue; its state is lost on restart (by design: a restart closes the
// circuit), and it exports nothing but the error it returns.
//
// Every transition bumps a generation, and a call's outcome is recorded
// only if the generation has not moved since the call was let through, so
// slow sends started before the circuit opened cannot re-open it, reset
// it or extend it once they finish (the idea of gobreaker's generations).
type Breaker struct {
	threshold  int
	resetAfter time.Duration
	now        func() time.Time
	onOpen     func(until time.Time)

	mu          sync.Mutex
	gen         uint64
	consecutive int
	open        bool
	openedAt    time.Time
}

// NewBreaker returns a closed breaker that opens after threshold
// consecutive transient failures and closes resetAfter after opening,
// reading time from now. onOpen, if not nil, is called once per opening,
// outside the lock, with the time the circuit will close (for a log line).
func NewBreaker(threshold int, resetAfter time.Duration, now func() time.Time, onOpen func(until time.Time)) *Breaker {
	if threshold < 1 {
		threshold = 1
	}
	if now == nil {
		now = time.Now
	}
	return &Breaker{threshold: threshold, resetAfter: resetAfter, now: now, onOpen: onOpen}
}

// BreakerState is a snapshot of the breaker, for logs and tests.
type BreakerState struct {
	Open        bool
	Consecutive int
	// Until is when an open circuit closes; zero when closed.
	Until time.Time
}

// State returns the breaker's state at the current time, closing the
// circuit if its reset time has passed.
func (b *Breaker) State() BreakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expireLocked()
	s := BreakerState{Open: b.open, Consecutive: b.consecutive}
	if b.open {
		s.Until = b.openedAt.Add(b.resetAfter)
	}
	return s
}

// Do runs fn unless the circuit is open, in which case it returns a
// *mailing.CircuitOpenError at once without calling fn. fn's error is then
// recorded: nil resets the count; a transient failure counts, and the
// threshold-th in a row opens the circuit. fn's error is returned as is.
func (b *Breaker) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	gen, err := b.enter()
	if err != nil {
		return err
	}
	err = fn(ctx)
	b.record(gen, err)
	return err
}

// Check returns a *mailing.CircuitOpenError if the circuit is open now, nil
// otherwise. The sender calls it before each retry, so a send does not
// insist once other sends have opened the circuit.
func (b *Breaker) Check() error {
	_, err := b.enter()
	return err
}

func (b *Breaker) enter() (uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.expireLocked()
	if b.open {
		return 0, &mailing.CircuitOpenError{Until: b.openedAt.Add(b.resetAfter)}
	}
	return b.gen, nil
}

// expireLocked closes an open circuit whose reset time has come: at
// exactly openedAt+resetAfter it is closed, one tick before still open.
func (b *Breaker) expireLocked() {
	if b.open && !b.now().Before(b.openedAt.Add(b.resetAfter)) {
		b.open = false
		b.consecutive = 0
		b.gen++
	}
}

// outcome is how a call's result weighs on the circuit.
type outcome int

const (
	neutral outcome = iota // neither counts nor resets
	success
	failure
)

// weigh classifies a call's error for the breaker. Only transient failures
// count: a permanent failure says the message is wrong, not the server; a
// cancellation says the caller gave up (shutdown), not the server; a
// refusal of the open circuit was no attempt at all.
func weigh(err error) outcome {
	var se *mailing.SendError
	switch {
	case err == nil:
		return success
	case errors.Is(err, mailing.ErrMailCircuitOpen), errors.Is(err, context.Canceled):
		return neutral
	case errors.As(err, &se) && se.Class == mailing.Permanent:
		return neutral
	}
	return failure
}

func (b *Breaker) record(gen uint64, err error) {
	o := weigh(err)
	if o == neutral {
		return
	}
	b.mu.Lock()
	if gen != b.gen {
		// The circuit opened or closed since this call started: its
		// outcome belongs to a period that is over.
		b.mu.Unlock()
		return
	}
	if o == success {
		b.consecutive = 0
		b.mu.Unlock()
		return
	}
	b.consecutive++
	if b.consecutive < b.threshold {
		b.mu.Unlock()
		return
	}
	b.open = true
	b.openedAt = b.now()
	b.gen++
	until := b.openedAt.Add(b.resetAfter)
	b.mu.Unlock()
	if b.onOpen != nil {
		b.onOpen(until)
	}
}
