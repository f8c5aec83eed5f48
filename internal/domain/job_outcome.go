package domain

import (
	"errors"
	"fmt"
	"time"
)

// A job handler returns nil (done), a plain error (retry with backoff while
// attempts remain), or one of the two outcomes below.

// JobPermanentError fails a job at once: retrying cannot help (the invoice
// is gone, the address is invalid, the payload does not decode).
type JobPermanentError struct{ Err error }

// JobPermanent wraps err so the runner fails the job without retrying.
func JobPermanent(err error) error {
	if err == nil {
		err = errors.New("permanent failure")
	}
	return &JobPermanentError{Err: err}
}

func (e *JobPermanentError) Error() string { return "permanent: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *JobPermanentError) Unwrap() error { return e.Err }

// JobSnoozeError reschedules a job without spending an attempt: the work is
// not possible yet (a breaker is open, a document is still being prepared).
type JobSnoozeError struct{ Until time.Time }

// JobSnooze asks the runner to run the job again after d, without counting
// this attempt.
func JobSnooze(d time.Duration) error {
	return &JobSnoozeError{Until: time.Now().Add(d)}
}

// JobSnoozeUntil asks the runner to run the job again at t, without counting
// this attempt.
func JobSnoozeUntil(t time.Time) error { return &JobSnoozeError{Until: t} }

func (e *JobSnoozeError) Error() string {
	return fmt.Sprintf("snoozed until %s", e.Until.UTC().Format(time.RFC3339Nano))
}
