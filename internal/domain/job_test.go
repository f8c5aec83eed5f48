package domain_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

func TestJobTransitions(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		from                domain.JobState
		canRetry, canCancel bool
	}{
		{domain.JobAvailable, false, true},
		{domain.JobRunning, false, false},
		{domain.JobRetryable, true, true},
		{domain.JobCompleted, false, false},
		{domain.JobFailed, true, false},
		{domain.JobCanceled, true, false},
	}
	require.Len(t, cases, len(domain.JobStates), "every state is covered")
	for _, c := range cases {
		t.Run(string(c.from), func(t *testing.T) {
			j := domain.Job{ID: 1, State: c.from, Attempt: 2, MaxAttempts: 5}
			err := j.Retry(now)
			if c.canRetry {
				require.NoError(t, err)
				require.Equal(t, domain.JobAvailable, j.State)
				require.Equal(t, now, j.RunAt)
				require.Nil(t, j.FinishedAt)
			} else {
				require.ErrorIs(t, err, domain.ErrConflict)
				require.Equal(t, c.from, j.State, "a refused transition changes nothing")
			}
			j = domain.Job{ID: 1, State: c.from}
			err = j.Cancel(now)
			if c.canCancel {
				require.NoError(t, err)
				require.Equal(t, domain.JobCanceled, j.State)
				require.Equal(t, now, *j.FinishedAt)
			} else {
				require.ErrorIs(t, err, domain.ErrConflict)
				require.Equal(t, c.from, j.State)
			}
		})
	}
}

func TestRetryGrantsOneMoreAttemptWhenExhausted(t *testing.T) {
	j := domain.Job{State: domain.JobFailed, Attempt: 5, MaxAttempts: 5}
	require.NoError(t, j.Retry(time.Now()))
	require.Equal(t, 6, j.MaxAttempts)
	j = domain.Job{State: domain.JobCanceled, Attempt: 1, MaxAttempts: 5}
	require.NoError(t, j.Retry(time.Now()))
	require.Equal(t, 5, j.MaxAttempts)
}

func TestStates(t *testing.T) {
	for _, s := range domain.JobStates {
		require.True(t, s.Valid())
	}
	require.False(t, domain.JobState("lost").Valid())
	require.True(t, domain.JobCompleted.Final())
	require.True(t, domain.JobFailed.Final())
	require.True(t, domain.JobCanceled.Final())
	require.False(t, domain.JobRetryable.Final())
}

func TestRetryDelay(t *testing.T) {
	// attempt⁴ seconds, with a spread of id%10 percent.
	require.Equal(t, time.Second, domain.RetryDelay(1, 10))
	require.Equal(t, 16*time.Second, domain.RetryDelay(2, 20))
	require.Equal(t, 81*time.Second, domain.RetryDelay(3, 0))
	require.Equal(t, 256*time.Second+256*time.Second*9/100, domain.RetryDelay(4, 9))
	require.Equal(t, time.Hour, domain.RetryDelay(8, 0), "capped at one hour")
	require.Equal(t, time.Hour, domain.RetryDelay(1000, 0), "no overflow")
	require.Equal(t, time.Second, domain.RetryDelay(0, 0))
	require.Equal(t, domain.RetryDelay(3, 7), domain.RetryDelay(3, 7), "deterministic")
	require.Greater(t, domain.RetryDelay(3, 7), domain.RetryDelay(3, 1), "spread by id")
}

func TestNewJobValidate(t *testing.T) {
	n := domain.NewJob{Kind: "invoice.email"}
	require.NoError(t, n.Validate())
	require.Equal(t, `{}`, string(n.Payload))
	require.Equal(t, domain.DefaultJobMaxAttempts, n.MaxAttempts)

	bad := domain.NewJob{Kind: "Invoice Email", Payload: json.RawMessage(`[1]`), MaxAttempts: -1, UniqueKey: strings.Repeat("k", 200)}
	err := bad.Validate()
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve)
	fields := map[string]bool{}
	for _, f := range ve.Fields {
		fields[f.Field] = true
	}
	require.Equal(t, map[string]bool{"kind": true, "payload": true, "max_attempts": true, "unique_key": true}, fields, "every problem at once")

	big := domain.NewJob{Kind: "k", Payload: json.RawMessage(`{"x":"` + strings.Repeat("a", domain.MaxJobPayloadLen) + `"}`)}
	require.Error(t, big.Validate())
	require.Error(t, (&domain.NewJob{}).Validate())

	n, err = domain.NewJobFor("invoice.pdf", map[string]int64{"invoice_id": 7})
	require.NoError(t, err)
	require.JSONEq(t, `{"invoice_id":7}`, string(n.Payload))
	_, err = domain.NewJobFor("x", func() {})
	require.Error(t, err)
}

func TestDecodePayloadFailsPermanently(t *testing.T) {
	j := domain.Job{ID: 3, Kind: "k", Payload: json.RawMessage(`{"invoice_id":7}`)}
	var ok struct {
		InvoiceID int64 `json:"invoice_id"`
	}
	require.NoError(t, j.DecodePayload(&ok))
	require.EqualValues(t, 7, ok.InvoiceID)
	var other struct {
		OrderID int64 `json:"order_id"`
	}
	err := j.DecodePayload(&other)
	var perm *domain.JobPermanentError
	require.ErrorAs(t, err, &perm, "a payload that does not fit will never fit")
}

func TestRecordErrorKeepsABoundedHistory(t *testing.T) {
	var j domain.Job
	now := time.Now()
	for i := 1; i <= 8; i++ {
		j.Attempt = i
		j.RecordError(now, fmt.Sprintf("err %d", i))
	}
	require.Len(t, j.Errors, domain.JobErrorHistory)
	require.Equal(t, "err 4", j.Errors[0].Error)
	require.Equal(t, 8, j.Errors[4].Attempt)
	require.Equal(t, "err 8", j.LastError)

	j.RecordError(now, strings.Repeat("é", domain.MaxJobErrorLen))
	require.LessOrEqual(t, len(j.LastError), domain.MaxJobErrorLen+len("…"))
	require.True(t, strings.HasSuffix(j.LastError, "…"))
	require.True(t, json.Valid([]byte(fmt.Sprintf("%q", j.LastError))))
}

func TestOutcomeErrors(t *testing.T) {
	cause := errors.New("no such invoice")
	err := fmt.Errorf("send: %w", domain.JobPermanent(cause))
	var perm *domain.JobPermanentError
	require.ErrorAs(t, err, &perm)
	require.ErrorIs(t, err, cause)
	require.Equal(t, "permanent: no such invoice", perm.Error())
	require.Error(t, domain.JobPermanent(nil))

	until := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var snooze *domain.JobSnoozeError
	require.ErrorAs(t, fmt.Errorf("wrap: %w", domain.JobSnoozeUntil(until)), &snooze)
	require.Equal(t, until, snooze.Until)
	require.ErrorAs(t, domain.JobSnooze(time.Minute), &snooze)
	require.WithinDuration(t, time.Now().Add(time.Minute), snooze.Until, time.Second)
}
