package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/usecase/mailing"
)

// scripted is a transport whose n-th attempt returns errs[n] (the last
// entry repeats; none: success).
type scripted struct {
	mu    sync.Mutex
	errs  []error
	calls int
}

func (s *scripted) Deliver(ctx context.Context, _ mailing.Message) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if len(s.errs) == 0 {
		return fmt.Sprintf("id-%d@test", s.calls), nil
	}
	err := s.errs[min(s.calls, len(s.errs))-1]
	if err == nil {
		return fmt.Sprintf("id-%d@test", s.calls), nil
	}
	return "", err
}

func (s *scripted) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// sleeps records the backoff waits instead of waiting.
type sleeps struct {
	mu     sync.Mutex
	waits  []time.Duration
	during func() // runs during a wait, to act "meanwhile"
}

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	fn := s.during
	s.mu.Unlock()
	if fn != nil {
		fn()
	}
	return ctx.Err()
}

func (s *sleeps) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

func reply(code int, msg string) error { return &textproto.Error{Code: code, Msg: msg} }

var (
	tempReply = &SessionError{Err: reply(421, "4.3.2 service not available")}
	refused   = &SessionError{Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
)

func testMessage() mailing.Message {
	return mailing.Message{To: []string{"customer@example.com"}, Subject: "Invoice FA2611-0001", Text: "Hello",
		Attachments: []mailing.Attachment{{Name: "FA2611-0001.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4")}}}
}

func newTestSender(tr Transport) (*Sender, *fakeClock, *sleeps) {
	clock := newFakeClock()
	sl := &sleeps{}
	return NewSender(tr, Options{Now: clock.Now, Sleep: sl.Sleep}), clock, sl
}

func TestSendBudgetFitsTheIOTimeout(t *testing.T) {
	require.Equal(t, 3, MaxAttempts)
	require.Equal(t, 27*time.Second, SendBudget, "3 attempts of 8 s, waits of 1 s and 2 s")
	require.LessOrEqual(t, SendBudget, 30*time.Second, "the whole send fits the 30 s IO budget")
}

func TestSenderDeliversOnFirstAttempt(t *testing.T) {
	tr := &scripted{}
	s, _, sl := newTestSender(tr)
	rec, err := s.Send(context.Background(), testMessage())
	require.NoError(t, err)
	require.Equal(t, mailing.Receipt{MessageID: "id-1@test", Attempts: 1}, rec)
	require.Empty(t, sl.Waits())
}

func TestSenderRetriesTransientFailuresThreeTimesWithLinearBackoff(t *testing.T) {
	for name, cause := range map[string]error{"4xx": tempReply, "refused": refused} {
		t.Run(name, func(t *testing.T) {
			tr := &scripted{errs: []error{cause}}
			s, _, sl := newTestSender(tr)
			_, err := s.Send(context.Background(), testMessage())
			var se *mailing.SendError
			require.ErrorAs(t, err, &se)
			require.Equal(t, mailing.Transient, se.Class)
			require.Equal(t, 3, se.Attempts)
			require.ErrorIs(t, err, cause)
			require.Equal(t, 3, tr.Calls(), "exactly three attempts")
			require.Equal(t, []time.Duration{time.Second, 2 * time.Second}, sl.Waits(), "fixed linear backoff, no jitter")
			require.Equal(t, 1, s.Breaker().State().Consecutive, "the send counts once, after its attempts")
		})
	}
}

func TestSenderSecondAttemptSucceedsAndResetsTheCount(t *testing.T) {
	tr := &scripted{errs: []error{tempReply, tempReply, tempReply, tempReply, nil}}
	s, _, sl := newTestSender(tr)
	_, err := s.Send(context.Background(), testMessage())
	require.Error(t, err, "attempts 1-3 fail")
	require.Equal(t, 1, s.Breaker().State().Consecutive)
	rec, err := s.Send(context.Background(), testMessage())
	require.NoError(t, err, "attempt 4 fails, attempt 5 (the 2nd of this send) succeeds")
	require.Equal(t, 2, rec.Attempts)
	require.Equal(t, 5, tr.Calls())
	require.Equal(t, []time.Duration{time.Second, 2 * time.Second, time.Second}, sl.Waits())
	require.Zero(t, s.Breaker().State().Consecutive, "the success resets the count")
}

func TestSenderPermanentFailureIsNotRetried(t *testing.T) {
	tr := &scripted{errs: []error{reply(550, "5.1.1 no such user")}}
	s, _, sl := newTestSender(tr)
	for range 2 * FailureThreshold {
		_, err := s.Send(context.Background(), testMessage())
		var se *mailing.SendError
		require.ErrorAs(t, err, &se)
		require.Equal(t, mailing.Permanent, se.Class)
		require.Equal(t, 550, se.Code)
		require.Equal(t, 1, se.Attempts)
	}
	require.Equal(t, 2*FailureThreshold, tr.Calls(), "one attempt per send")
	require.Empty(t, sl.Waits())
	require.Equal(t, BreakerState{}, s.Breaker().State(), "permanent failures never open the circuit")
}

func TestSenderInvalidMessageFailsWithoutConnecting(t *testing.T) {
	tr := &scripted{}
	s, _, _ := newTestSender(tr)
	for _, m := range []mailing.Message{
		{Subject: "no recipient"},
		{To: []string{"not an address"}, Subject: "x"},
		{To: []string{"Name <a@example.com>"}, Subject: "display names are not bare addresses"},
		{To: []string{"a@example.com"}, Subject: "two\r\nlines"},
		{To: []string{"a@example.com"}, Attachments: []mailing.Attachment{{Name: "../x.pdf", ContentType: "application/pdf"}}},
		{To: []string{"a@example.com"}, Attachments: []mailing.Attachment{{Name: "x.pdf", ContentType: "not a type"}}},
		{To: []string{"a@example.com"}, MessageID: "no-at-sign"},
	} {
		_, err := s.Send(context.Background(), m)
		require.True(t, mailing.IsPermanent(err), "%+v: %v", m, err)
		var pe *PayloadError
		require.ErrorAs(t, err, &pe)
	}
	require.Zero(t, tr.Calls())
}

func TestSenderOpensAfterFiveFailedSendsThenRefusesWithoutConnecting(t *testing.T) {
	tr := &scripted{errs: []error{refused}}
	s, clock, _ := newTestSender(tr)
	for i := 1; i <= FailureThreshold; i++ {
		_, err := s.Send(context.Background(), testMessage())
		require.False(t, errors.Is(err, mailing.ErrMailCircuitOpen), "send %d was attempted", i)
	}
	require.Equal(t, FailureThreshold*MaxAttempts, tr.Calls())
	_, err := s.Send(context.Background(), testMessage())
	var open *mailing.CircuitOpenError
	require.ErrorAs(t, err, &open)
	require.Equal(t, clock.Now().Add(ResetAfter), open.Until)
	require.Equal(t, FailureThreshold*MaxAttempts, tr.Calls(), "no connection while open")

	clock.Advance(ResetAfter)
	tr.mu.Lock()
	tr.errs = nil
	tr.mu.Unlock()
	rec, err := s.Send(context.Background(), testMessage())
	require.NoError(t, err, "closed again after the fixed reset time")
	require.Equal(t, 1, rec.Attempts)
}

// TestSenderStopsRetryingOnceTheCircuitOpens: other sends open the circuit
// while this one waits between attempts; it does not try again.
func TestSenderStopsRetryingOnceTheCircuitOpens(t *testing.T) {
	tr := &scripted{errs: []error{tempReply}}
	s, _, sl := newTestSender(tr)
	sl.during = func() {
		sl.during = nil
		for range FailureThreshold {
			_ = s.Breaker().Do(context.Background(), func(context.Context) error { return errTransient })
		}
	}
	_, err := s.Send(context.Background(), testMessage())
	require.ErrorIs(t, err, mailing.ErrMailCircuitOpen)
	require.Equal(t, 1, tr.Calls())
}

func TestSenderCancelledSendIsNotCounted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	tr := &scripted{errs: []error{tempReply}}
	s, _, sl := newTestSender(tr)
	sl.during = cancel // shutdown during the first wait
	_, err := s.Send(ctx, testMessage())
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, tr.Calls())
	require.Equal(t, BreakerState{}, s.Breaker().State())
}

func TestSenderGivesUpWhenNoTimeIsLeftForAnotherAttempt(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	tr := &scripted{errs: []error{tempReply}}
	s, _, sl := newTestSender(tr)
	_, err := s.Send(ctx, testMessage())
	var se *mailing.SendError
	require.ErrorAs(t, err, &se)
	require.Equal(t, mailing.Transient, se.Class)
	require.Equal(t, 1, se.Attempts, "a 1 s wait plus a 1 s attempt do not fit in 1.5 s")
	require.Empty(t, sl.Waits())
	require.Equal(t, 1, s.Breaker().State().Consecutive)
}

// TestSenderAttemptsGetTheAttemptTimeout: each attempt's context ends
// within AttemptTimeout, and within the caller's deadline.
func TestSenderAttemptsGetTheAttemptTimeout(t *testing.T) {
	var deadlines []time.Duration
	tr := transportFunc(func(ctx context.Context, _ mailing.Message) (string, error) {
		dl, ok := ctx.Deadline()
		require.True(t, ok)
		deadlines = append(deadlines, time.Until(dl))
		return "", tempReply
	})
	s, _, _ := newTestSender(tr)
	_, _ = s.Send(context.Background(), testMessage())
	require.Len(t, deadlines, 3)
	for _, d := range deadlines {
		require.LessOrEqual(t, d, AttemptTimeout)
		require.Greater(t, d, AttemptTimeout-time.Second)
	}
}

type transportFunc func(ctx context.Context, m mailing.Message) (string, error)

func (f transportFunc) Deliver(ctx context.Context, m mailing.Message) (string, error) {
	return f(ctx, m)
}
