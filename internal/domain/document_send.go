package domain

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// SendStatus is where a request to e-mail a document is.
//
//	queued --delivered--> sent
//	   |\---written to the outbox folder--> written_to_outbox
//	   \----permanent failure, or retries exhausted--> failed --job retried--> queued
type SendStatus string

// The send statuses. SendWrittenToOutbox is the all-in-one without an SMTP
// server: the message was written as an .eml file to its outbox folder,
// and nobody has received it.
const (
	SendQueued          SendStatus = "queued"
	SendSent            SendStatus = "sent"
	SendWrittenToOutbox SendStatus = "written_to_outbox"
	SendFailed          SendStatus = "failed"
)

// Done reports whether the message has left the job's hands (sent, or
// written to the outbox): a job run again must not produce it twice.
func (s SendStatus) Done() bool { return s == SendSent || s == SendWrittenToOutbox }

// Document event actions of e-mail sends (Dolibarr's BILL_SENTBYMAIL and
// friends): they do not change the document's status.
const (
	EventSentByMail      = "sent_by_mail"
	EventWrittenToOutbox = "written_to_outbox"
	EventSendFailed      = "send_failed"
)

// Limits of a send request.
const (
	MaxSendRecipients = 50
	MaxSendSubjectLen = 200 // characters; stays within one header line (998 bytes)
	MaxSendBodyLen    = 100_000
)

// DocumentSend is a request to send a sales document by e-mail, with its
// PDF attached, and what became of it.
type DocumentSend struct {
	ID         int64
	Kind       DocKind
	DocumentID int64
	// To holds bare addresses.
	To []string
	// Subject and Body replace the template's when not empty; they may use
	// the substitution keys of SendSubstitutionKeys.
	Subject string
	Body    string
	// Language of the message and the PDF; empty: the default.
	Language    string
	Status      SendStatus
	JobID       int64
	MessageID   string // once sent
	LastError   string // why the last attempt failed, or why it waits
	RequestedBy int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SentAt      time.Time // zero until sent
}

// SendSubstitutionKeys are the Dolibarr substitution keys an overriding
// subject or body may contain.
var SendSubstitutionKeys = []string{
	"__REF__", "__REF_CLIENT__", "__THIRDPARTY_NAME__", "__AMOUNT__", "__DATE_DUE__", "__MYCOMPANY_NAME__",
}

var languageTag = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// Validate reports every problem of a new send request: at least one and
// at most MaxSendRecipients valid, distinct bare addresses; a one-line
// subject; a bounded body; a language tag.
func (s *DocumentSend) Validate() error {
	v := &ValidationError{}
	switch {
	case len(s.To) == 0:
		v.Add("to", "required", "give at least one recipient (the customer has no e-mail address)")
	case len(s.To) > MaxSendRecipients:
		v.Add("to", "too_many", "at most %d recipients", MaxSendRecipients)
	}
	seen := map[string]bool{}
	for i, a := range s.To {
		field := fmt.Sprintf("to[%d]", i)
		before := len(v.Fields)
		checkEmail(v, field, a) // accepts "" (an optional field elsewhere)
		switch {
		case a == "":
			v.Add(field, "required", "must be an e-mail address such as name@example.com")
		case len(v.Fields) == before && seen[strings.ToLower(a)]:
			v.Add(field, "duplicate", "%s is already a recipient", a)
		}
		seen[strings.ToLower(a)] = true
	}
	if strings.ContainsAny(s.Subject, "\r\n") {
		v.Add("subject", "invalid", "must be one line")
	}
	checkText(v, "subject", s.Subject, MaxSendSubjectLen, false)
	checkText(v, "body", s.Body, MaxSendBodyLen, false)
	if s.Language != "" && (len(s.Language) > MaxSendLanguageLen || !languageTag.MatchString(s.Language)) {
		v.Add("language", "invalid", "must be a language tag such as en, fr or pt-BR")
	}
	return v.Err()
}

// MarkSent records the delivery to a mail server.
func (s *DocumentSend) MarkSent(messageID string, at time.Time) {
	s.Status, s.MessageID, s.LastError, s.SentAt, s.UpdatedAt = SendSent, messageID, "", at, at
}

// MarkWrittenToOutbox records that the message was written to the outbox
// folder instead of being sent; SentAt is when it was written.
func (s *DocumentSend) MarkWrittenToOutbox(messageID string, at time.Time) {
	s.Status, s.MessageID, s.LastError, s.SentAt, s.UpdatedAt = SendWrittenToOutbox, messageID, "", at, at
}

// MarkFailed records that the send gave up, and why.
func (s *DocumentSend) MarkFailed(reason string, at time.Time) {
	s.Status, s.LastError, s.UpdatedAt = SendFailed, TruncateJobError(reason), at
}

// MarkWaiting records why a queued send has not gone yet (a transient
// failure, an open mail circuit). A failed send retried by an
// administrator is queued again.
func (s *DocumentSend) MarkWaiting(reason string, at time.Time) {
	s.Status, s.LastError, s.UpdatedAt = SendQueued, TruncateJobError(reason), at
}

// CheckSendable refuses to e-mail a draft (it has no definitive number
// yet) or a cancelled document, as Dolibarr hides its "Send by e-mail"
// button for them. The error is an *IllegalTransition with code
// "<kind>_not_sendable" (409).
func CheckSendable(d CommercialDocument) error {
	if !d.Sendable() {
		return illegal(d, "send", "not_sendable", "it is %s; only a validated (or later) document can be sent by e-mail", d.StatusName())
	}
	return nil
}
