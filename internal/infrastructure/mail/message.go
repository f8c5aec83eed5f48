package mail

import (
	"bytes"
	"fmt"
	"mime"
	netmail "net/mail"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/dolibarr-go/dolibarr/internal/usecase/mailing"
)

// Limits of a message. A message beyond them is an invalid payload: the
// send fails permanently without contacting the server.
const (
	MaxRecipients   = 50
	MaxSubjectLen   = 998 // RFC 5322 line length
	MaxMessageBytes = 20 << 20
)

// PayloadError is an invalid message: a permanent failure.
type PayloadError struct{ Reason string }

func (e *PayloadError) Error() string { return "invalid message: " + e.Reason }

// Validate checks a message before any connection: recipients are bare,
// parseable addresses; the subject is one line; attachments are named,
// typed and, with the text, within MaxMessageBytes.
func Validate(m mailing.Message) error {
	if len(m.To) == 0 {
		return &PayloadError{Reason: "no recipient"}
	}
	if len(m.To) > MaxRecipients {
		return &PayloadError{Reason: fmt.Sprintf("%d recipients, at most %d", len(m.To), MaxRecipients)}
	}
	for _, to := range m.To {
		if err := CheckAddress(to); err != nil {
			return &PayloadError{Reason: err.Error()}
		}
	}
	if strings.ContainsAny(m.Subject, "\r\n") || len(m.Subject) > MaxSubjectLen {
		return &PayloadError{Reason: fmt.Sprintf("the subject must be one line of at most %d bytes", MaxSubjectLen)}
	}
	if m.MessageID != "" && (strings.ContainsAny(m.MessageID, "<> \t\r\n") || !strings.Contains(m.MessageID, "@") || len(m.MessageID) > 250) {
		return &PayloadError{Reason: fmt.Sprintf("message id %q is not of the form left@right", m.MessageID)}
	}
	size := len(m.Text)
	for _, a := range m.Attachments {
		if a.Name == "" || strings.ContainsAny(a.Name, "\r\n/\\") {
			return &PayloadError{Reason: fmt.Sprintf("attachment name %q is empty or not a plain file name", a.Name)}
		}
		if _, _, err := mime.ParseMediaType(a.ContentType); err != nil {
			return &PayloadError{Reason: fmt.Sprintf("attachment %s: content type %q: %v", a.Name, a.ContentType, err)}
		}
		size += len(a.Data)
	}
	if size > MaxMessageBytes {
		return &PayloadError{Reason: fmt.Sprintf("%d bytes of text and attachments, at most %d", size, MaxMessageBytes)}
	}
	return nil
}

// CheckAddress accepts one bare address of at most 254 bytes
// ("name@example.com", no display name, no angle brackets).
func CheckAddress(s string) error {
	a, err := netmail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || !strings.Contains(s, "@") {
		return fmt.Errorf("%q is not a valid e-mail address", s)
	}
	return nil
}

// build turns a validated message into a go-mail message from sender.
func build(from string, m mailing.Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.From(from); err != nil {
		return nil, &PayloadError{Reason: "sender: " + err.Error()}
	}
	if err := msg.To(m.To...); err != nil {
		return nil, &PayloadError{Reason: "recipients: " + err.Error()}
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	if m.MessageID != "" {
		msg.SetMessageIDWithValue(m.MessageID)
	} else {
		msg.SetMessageID()
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	for _, a := range m.Attachments {
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return nil, &PayloadError{Reason: fmt.Sprintf("attachment %s: %v", a.Name, err)}
		}
	}
	return msg, nil
}

// messageID returns msg's Message-ID without the angle brackets.
func messageID(msg *gomail.Msg) string {
	return strings.Trim(msg.GetMessageID(), "<>")
}
