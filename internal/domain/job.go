package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// JobState is where a background job is in its life.
//
//	available --claim--> running --ok--> completed
//	    ^                   |  \--error, attempts left--> retryable --due--> available
//	    |                   |  \--error, no attempts left or permanent--> failed
//	    +---snooze, lease---+
//	        expired, shutdown
//
// An administrator can cancel an available or retryable job and retry a
// failed, cancelled or retryable one.
type JobState string

// The job states. Completed, failed and cancelled are final.
const (
	JobAvailable JobState = "available"
	JobRunning   JobState = "running"
	JobRetryable JobState = "retryable"
	JobCompleted JobState = "completed"
	JobFailed    JobState = "failed"
	JobCanceled  JobState = "canceled"
)

// JobStates lists every state in a stable order.
var JobStates = []JobState{JobAvailable, JobRunning, JobRetryable, JobCompleted, JobFailed, JobCanceled}

// Valid reports whether s is a known state.
func (s JobState) Valid() bool {
	for _, v := range JobStates {
		if s == v {
			return true
		}
	}
	return false
}

// Final reports whether a job in state s will never run again by itself.
func (s JobState) Final() bool {
	return s == JobCompleted || s == JobFailed || s == JobCanceled
}

// Limits on what a job may carry.
const (
	DefaultJobMaxAttempts = 5
	MaxJobMaxAttempts     = 100
	MaxJobKindLen         = 64
	MaxJobUniqueKeyLen    = 191 // fits a MySQL utf8mb4 index with the kind
	MaxJobPayloadLen      = 64 << 10
	MaxJobErrorLen        = 2000 // per recorded error message
	JobErrorHistory       = 5    // recorded errors kept per job, newest last
)

// Job is a unit of background work (render a PDF, send a mail) written to
// the jobs table in the same transaction as the business change that
// caused it, and worked by a runner.
type Job struct {
	ID          int64
	Kind        string
	Payload     json.RawMessage // a JSON object of ids, not copies of business data
	State       JobState
	Attempt     int // attempts started, counted when a runner claims the job
	MaxAttempts int
	RunAt       time.Time // not before this time
	UniqueKey   string    // optional; see NewJob.UniqueKey
	RequestID   string    // the API request that enqueued the job, for log correlation

	LeaseOwner     string     // the runner holding the job while running
	LeaseExpiresAt *time.Time // after this, any runner's rescue returns the job to available
	AttemptedAt    *time.Time
	FinishedAt     *time.Time
	LastError      string
	Errors         []JobError // the last JobErrorHistory errors, oldest first

	CreatedAt time.Time
	UpdatedAt time.Time
}

// JobError records one failed attempt.
type JobError struct {
	At      time.Time `json:"at"`
	Attempt int       `json:"attempt"`
	Error   string    `json:"error"`
}

// DecodePayload unmarshals the payload into v. A payload that does not fit
// v will not fit it on the next attempt either, so the error is permanent.
func (j *Job) DecodePayload(v any) error {
	dec := json.NewDecoder(bytes.NewReader(j.Payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return JobPermanent(fmt.Errorf("job %d (%s): payload does not decode: %w", j.ID, j.Kind, err))
	}
	return nil
}

// RecordError appends a failed attempt's error to the history, keeping the
// newest JobErrorHistory entries, and sets LastError.
func (j *Job) RecordError(now time.Time, msg string) {
	msg = TruncateJobError(msg)
	j.LastError = msg
	j.Errors = append(j.Errors, JobError{At: now, Attempt: j.Attempt, Error: msg})
	if n := len(j.Errors); n > JobErrorHistory {
		j.Errors = append([]JobError(nil), j.Errors[n-JobErrorHistory:]...)
	}
}

// Retry makes a failed, cancelled or retryable job available now. A job that
// has used all its attempts is granted one more, as River's JobRetry does, so
// an administrator's retry always runs once more.
func (j *Job) Retry(now time.Time) error {
	switch j.State {
	case JobFailed, JobCanceled, JobRetryable:
	default:
		return E(ErrConflict, "job_not_retryable", "job %d is %s; only failed, canceled or retryable jobs can be retried", j.ID, j.State)
	}
	j.State = JobAvailable
	j.RunAt = now
	j.FinishedAt = nil
	if j.Attempt >= j.MaxAttempts {
		j.MaxAttempts = j.Attempt + 1
	}
	j.UpdatedAt = now
	return nil
}

// Cancel stops a job that has not started: available or retryable. A
// running job cannot be cancelled from outside; its handler owns it until
// it returns or its lease expires.
func (j *Job) Cancel(now time.Time) error {
	switch j.State {
	case JobAvailable, JobRetryable:
	default:
		return E(ErrConflict, "job_not_cancelable", "job %d is %s; only available or retryable jobs can be canceled", j.ID, j.State)
	}
	j.State = JobCanceled
	j.FinishedAt = &now
	j.UpdatedAt = now
	return nil
}

// NewJob is what a use case asks to be done in the background.
type NewJob struct {
	Kind    string
	Payload json.RawMessage // a JSON object; nil means {}
	// RunAt delays the job; zero means now.
	RunAt time.Time
	// MaxAttempts bounds the attempts; zero means DefaultJobMaxAttempts.
	MaxAttempts int
	// UniqueKey makes the enqueue idempotent: while a job of the same kind
	// with the same key exists (until completed jobs are pruned), enqueuing
	// again returns the existing job instead of adding one.
	UniqueKey string
}

// NewJobFor builds a NewJob whose payload is v encoded as JSON.
func NewJobFor(kind string, v any) (NewJob, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return NewJob{}, fmt.Errorf("job %s: encode payload: %w", kind, err)
	}
	return NewJob{Kind: kind, Payload: b}, nil
}

// Validate checks a new job and fills its defaults.
func (n *NewJob) Validate() error {
	var v ValidationError
	switch {
	case n.Kind == "":
		v.Add("kind", "required", "a job kind is required")
	case len(n.Kind) > MaxJobKindLen || !validKind(n.Kind):
		v.Add("kind", "invalid", "a job kind is at most %d characters of a-z, 0-9, '.', '_' and '-'", MaxJobKindLen)
	}
	if len(n.Payload) == 0 {
		n.Payload = json.RawMessage("{}")
	}
	if len(n.Payload) > MaxJobPayloadLen {
		v.Add("payload", "too_large", "a job payload is at most %d bytes; carry ids, not data", MaxJobPayloadLen)
	} else if t := bytes.TrimSpace(n.Payload); len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		v.Add("payload", "invalid", "a job payload must be a JSON object")
	}
	if n.MaxAttempts == 0 {
		n.MaxAttempts = DefaultJobMaxAttempts
	}
	if n.MaxAttempts < 1 || n.MaxAttempts > MaxJobMaxAttempts {
		v.Add("max_attempts", "out_of_range", "max attempts must be between 1 and %d", MaxJobMaxAttempts)
	}
	if len(n.UniqueKey) > MaxJobUniqueKeyLen || !utf8.ValidString(n.UniqueKey) {
		v.Add("unique_key", "invalid", "a unique key is at most %d bytes of UTF-8", MaxJobUniqueKeyLen)
	}
	return v.Err()
}

func validKind(s string) bool {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// EnqueueResult tells the caller which job holds the work.
type EnqueueResult struct {
	ID int64
	// Duplicate is true when a job with the same kind and unique key
	// already existed and no job was added.
	Duplicate bool
}

// RetryDelay is the wait before attempt+1 after attempt failed: attempt⁴
// seconds (1 s, 16 s, 81 s, 256 s, 625 s ...) capped at one hour, plus a
// spread of up to 9 % derived from the job id, so jobs that failed together
// (an SMTP outage) do not all come back in the same second, while the
// schedule stays deterministic and testable.
func RetryDelay(attempt int, id int64) time.Duration {
	const ceiling = time.Hour
	if attempt < 1 {
		attempt = 1
	}
	d := ceiling
	if attempt < 44 { // 44⁴ s > 1 h; avoids overflow for absurd attempts
		d = min(time.Duration(attempt*attempt*attempt*attempt)*time.Second, ceiling)
	}
	spread := id % 10
	if spread < 0 {
		spread = -spread
	}
	return d + d*time.Duration(spread)/100
}

// TruncateJobError bounds an error message kept on a job.
func TruncateJobError(msg string) string {
	if len(msg) <= MaxJobErrorLen {
		return msg
	}
	cut := MaxJobErrorLen
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}
