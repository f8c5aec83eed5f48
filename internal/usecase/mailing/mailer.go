// Package mailing sends documents (proposals, orders, invoices; one Source
// per kind) by e-mail. A send request is validated and recorded, and a send_document job
// is enqueued in the same transaction; the job renders the PDF, builds the
// message from an embedded template in the customer's language and hands
// it to the Mailer port: the mail service with its limited retry and its
// circuit breaker (internal/infrastructure/mail). The job's outcome follows
// the failure's class: a permanent failure fails the job at once, an open
// circuit reschedules it for when the circuit closes without spending an
// attempt, a transient failure lets the queue retry it with backoff.
package mailing

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Message is one e-mail, ready to go: the transport adds the sender
// (DOLIBARR_SMTP_FROM) and the date.
type Message struct {
	// To holds bare addresses ("name@example.com"), already validated.
	To      []string
	Subject string
	// Text is the plain-text body.
	Text        string
	Attachments []Attachment
	// MessageID, when set, is the Message-ID header (without the angle
	// brackets), so that every attempt of one send carries the same id and
	// receivers can recognise a duplicate; empty: the transport makes one.
	MessageID string
}

// Attachment is a file attached to a message.
type Attachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Receipt describes a delivered message, or one written to the outbox.
type Receipt struct {
	// MessageID is the Message-ID header given to the message, without
	// the angle brackets.
	MessageID string
	// Attempts is the number of delivery attempts made (1 to 3).
	Attempts int
	// Outbox is true when the message was written to the outbox folder
	// (the all-in-one without an SMTP server) rather than handed to a mail
	// server: nobody has received it.
	Outbox bool
}

// Mailer delivers messages: the mail service with its retries and circuit
// breaker (internal/infrastructure/mail). Send is synchronous and returns
// within the context's deadline. Besides a context error when ctx is
// cancelled, it fails with:
//   - a *CircuitOpenError (errors.Is ErrMailCircuitOpen): too many sends
//     failed in a row; nothing was attempted, try again at Until;
//   - a *SendError of class Permanent: retrying cannot help (invalid
//     address or payload, a 5xx reply to the message);
//   - a *SendError of class Transient: every attempt failed for reasons
//     that may pass (timeout, connection refused or reset, a 4xx reply).
type Mailer interface {
	Send(ctx context.Context, m Message) (Receipt, error)
	// Check returns a *CircuitOpenError while the circuit is open, nil
	// otherwise, so a caller can skip preparing a message (rendering its
	// PDF) that would be refused anyway.
	Check() error
}

// ErrMailCircuitOpen is the known error of a send refused at once because
// the mail circuit is open.
var ErrMailCircuitOpen = errors.New("mail circuit open")

// CircuitOpenError is returned while the mail circuit is open. It matches
// ErrMailCircuitOpen.
type CircuitOpenError struct {
	// Until is when the circuit closes again.
	Until time.Time
}

func (e *CircuitOpenError) Error() string {
	return fmt.Sprintf("mail circuit open until %s: too many consecutive transient failures; no send attempted",
		e.Until.UTC().Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrMailCircuitOpen) true.
func (e *CircuitOpenError) Is(target error) bool { return target == ErrMailCircuitOpen }

// FailureClass tells whether a failed send may succeed later.
type FailureClass string

// The failure classes.
const (
	// Transient failures may pass: timeouts, refused or reset
	// connections, 4xx replies. They are retried and count toward opening
	// the circuit.
	Transient FailureClass = "transient"
	// Permanent failures will not pass by themselves: an invalid address
	// or payload, a 5xx reply to the message. They are never retried and
	// never open the circuit.
	Permanent FailureClass = "permanent"
)

// SendError is a send that failed after Attempts attempts.
type SendError struct {
	Class    FailureClass
	Attempts int
	// Code is the SMTP reply code behind the failure, 0 when there was no
	// reply (validation, network, timeout).
	Code int
	Err  error
}

func (e *SendError) Error() string {
	return fmt.Sprintf("%s mail failure after %d attempt(s): %v", e.Class, e.Attempts, e.Err)
}

// Unwrap returns the last attempt's error.
func (e *SendError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a permanent send failure.
func IsPermanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Class == Permanent
}
