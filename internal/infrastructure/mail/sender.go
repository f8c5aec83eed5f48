// Package mail is the mail service: it delivers messages over SMTP (or, in
// the all-in-one without SMTP settings, as .eml files in a folder) with a
// limited retry, a simple fixed backoff, a classification of failures into
// transient and permanent, and a deterministic circuit breaker. Everything
// runs synchronously in the caller's goroutine; the policy is fixed in code
// (see docs/resilience/mail-breaker.md).
package mail

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/usecase/mailing"
)

// The policy. It is fixed on purpose (the specification forbids dynamic
// configuration): changing it is a code change, reviewed and tested.
const (
	// MaxAttempts bounds the delivery attempts of one send.
	MaxAttempts = 3
	// BackoffStep is the linear backoff: after the n-th failed attempt the
	// sender waits n × BackoffStep (1 s, then 2 s). No jitter: the job
	// queue already spreads the retries of jobs that failed together.
	BackoffStep = time.Second
	// AttemptTimeout bounds one attempt: connect, dialogue and transfer.
	AttemptTimeout = 8 * time.Second
	// SendBudget is the longest a send can take, attempts and waits
	// included (27 s): it fits the 30 s budget of an IO job.
	SendBudget = MaxAttempts*AttemptTimeout + (MaxAttempts*(MaxAttempts-1)/2)*BackoffStep
	// FailureThreshold is the number of consecutive transiently failed
	// sends that opens the circuit.
	FailureThreshold = 5
	// ResetAfter is how long the circuit stays open.
	ResetAfter = time.Minute
	// minAttempt is the least time worth starting another attempt with.
	minAttempt = time.Second
)

// Transport makes one delivery attempt of a message and returns the
// Message-ID it was given. It must return by ctx's deadline.
type Transport interface {
	Deliver(ctx context.Context, m mailing.Message) (messageID string, err error)
}

// Options are the Sender's collaborators; zero fields take the defaults.
type Options struct {
	// Breaker is the circuit; nil: NewDefaultBreaker(Now, Log).
	Breaker *Breaker
	// Now is the clock (time.Now).
	Now func() time.Time
	// Sleep waits d or until ctx ends (a timer; tests pass a fake).
	Sleep func(ctx context.Context, d time.Duration) error
	Log   *zap.Logger
}

// Sender is the resilient mail service: it implements mailing.Mailer over
// a Transport.
type Sender struct {
	t Transport
	// outbox: t keeps the messages (Dir) instead of handing them to a mail
	// server, and the receipts say so.
	outbox bool
	b      *Breaker
	sleep  func(ctx context.Context, d time.Duration) error
	log    *zap.Logger
}

var _ mailing.Mailer = (*Sender)(nil)

// NewSender returns the mail service over t.
func NewSender(t Transport, o Options) *Sender {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
	if o.Breaker == nil {
		o.Breaker = NewDefaultBreaker(o.Now, o.Log)
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	_, outbox := t.(*Dir)
	return &Sender{t: t, outbox: outbox, b: o.Breaker, sleep: o.Sleep, log: o.Log}
}

// NewDefaultBreaker returns the breaker of the fixed policy
// (FailureThreshold, ResetAfter), logging each opening.
func NewDefaultBreaker(now func() time.Time, log *zap.Logger) *Breaker {
	return NewBreaker(FailureThreshold, ResetAfter, now, func(until time.Time) {
		log.Warn("mail circuit opened: sends are refused until it closes",
			zap.Int("consecutive_failures", FailureThreshold), zap.Time("until", until))
	})
}

// Breaker returns the sender's circuit breaker.
func (s *Sender) Breaker() *Breaker { return s.b }

// Check returns a *mailing.CircuitOpenError while the circuit is open.
func (s *Sender) Check() error { return s.b.Check() }

// Send delivers m: see mailing.Mailer for the errors. An invalid message
// fails at once as permanent, before the circuit is consulted.
func (s *Sender) Send(ctx context.Context, m mailing.Message) (mailing.Receipt, error) {
	if err := Validate(m); err != nil {
		return mailing.Receipt{}, &mailing.SendError{Class: mailing.Permanent, Err: err}
	}
	var rec mailing.Receipt
	err := s.b.Do(ctx, func(ctx context.Context) error {
		var err error
		rec, err = s.attempts(ctx, m)
		return err
	})
	return rec, err
}

// attempts makes up to MaxAttempts delivery attempts, waiting n ×
// BackoffStep after the n-th transient failure, within SendBudget.
func (s *Sender) attempts(parent context.Context, m mailing.Message) (mailing.Receipt, error) {
	ctx, cancel := context.WithTimeout(parent, SendBudget)
	defer cancel()
	for n := 1; ; n++ {
		if n > 1 {
			// Other sends may have opened the circuit meanwhile: do not
			// insist against a server known to be failing.
			if err := s.b.Check(); err != nil {
				return mailing.Receipt{}, err
			}
		}
		actx, acancel := context.WithTimeout(ctx, AttemptTimeout)
		id, err := s.t.Deliver(actx, m)
		acancel()
		if err == nil {
			return mailing.Receipt{MessageID: id, Attempts: n, Outbox: s.outbox}, nil
		}
		if cerr := parent.Err(); errors.Is(cerr, context.Canceled) {
			// The caller gave up (shutdown): not the server's fault.
			return mailing.Receipt{}, fmt.Errorf("mail send interrupted after %d attempt(s): %w (last error: %w)", n, cerr, err)
		}
		class, code := Classify(err)
		fail := &mailing.SendError{Class: class, Attempts: n, Code: code, Err: err}
		s.log.Warn("mail delivery attempt failed", zap.Int("attempt", n), zap.String("class", string(class)),
			zap.Int("smtp_code", code), zap.Error(err))
		if class == mailing.Permanent || n == MaxAttempts {
			return mailing.Receipt{}, fail
		}
		wait := time.Duration(n) * BackoffStep
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait+minAttempt {
			fail.Err = fmt.Errorf("%w (no time left for attempt %d)", err, n+1)
			return mailing.Receipt{}, fail
		}
		if serr := s.sleep(ctx, wait); serr != nil {
			if errors.Is(parent.Err(), context.Canceled) {
				return mailing.Receipt{}, fmt.Errorf("mail send interrupted after %d attempt(s): %w", n, parent.Err())
			}
			return mailing.Receipt{}, fail
		}
	}
}

// sleep waits d or until ctx ends; a timer, not a goroutine.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
