package mail

import (
	"context"
	"errors"
	"net/textproto"

	gomail "github.com/wneessen/go-mail"

	"github.com/dolibarr-go/dolibarr/internal/usecase/mailing"
)

// SessionError is a failure while opening the SMTP session, before the
// message was offered: connect, greeting, EHLO, STARTTLS or AUTH.
type SessionError struct{ Err error }

func (e *SessionError) Error() string { return "smtp session: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *SessionError) Unwrap() error { return e.Err }

// ErrNotConfigured is the failure of every send when no SMTP server is
// configured and no folder stands in for one: permanent, since no retry
// will find a server (an administrator retries the jobs once it is set).
var ErrNotConfigured = errors.New("mail is not configured: no SMTP server (DOLIBARR_SMTP_HOST) is set")

// Unconfigured is the transport without an SMTP server: every attempt
// fails with ErrNotConfigured.
type Unconfigured struct{}

// Deliver fails with ErrNotConfigured.
func (Unconfigured) Deliver(context.Context, mailing.Message) (string, error) {
	return "", ErrNotConfigured
}

// authCodes are the replies that refuse our credentials or demand them
// (RFC 4954): 530 authentication required, 534 mechanism too weak, 535
// invalid credentials, 538 encryption required. They say the sender's
// configuration is wrong, for every message alike.
var authCodes = map[int]bool{530: true, 534: true, 535: true, 538: true}

// Classify tells whether a delivery error may pass (transient) or not
// (permanent), and returns the SMTP reply code behind it (0 when the error
// carries none). In order:
//
//  1. an invalid message (*PayloadError, go-mail's sender, recipient or
//     encoding errors) or a missing configuration (ErrNotConfigured) is
//     permanent;
//  2. a failure while opening the session (*SessionError: connection
//     refused or reset, timeout, greeting, EHLO, STARTTLS, AUTH, whatever
//     the code) is transient: it concerns the server or our configuration,
//     not this message, so it counts toward opening the circuit and the
//     mail waits instead of being dropped;
//  3. a reply to the message (MAIL FROM, RCPT TO, DATA): 4xx transient;
//     530/534/535/538 transient (credentials, as in 2); any other 5xx
//     permanent (bad or unknown mailbox, rejected content);
//  4. a go-mail SendError without a code (the connection broke during
//     the transaction), a timeout or a network error is transient;
//  5. anything else is transient too: the 3 attempts bound it.
//
// go-mail's SendError.IsTemp is not used: it only looks at the first
// character of the message, so network and timeout errors read as
// "not temporary" (runtime.md §3.4). The code is read with ErrorCode.
func Classify(err error) (mailing.FailureClass, int) {
	var (
		pe  *PayloadError
		se  *SessionError
		gse *gomail.SendError
		te  *textproto.Error
	)
	switch {
	case err == nil:
		return "", 0
	case errors.As(err, &pe), errors.Is(err, ErrNotConfigured):
		return mailing.Permanent, 0
	case errors.As(err, &se):
		code := 0
		if errors.As(err, &te) {
			code = te.Code
		}
		return mailing.Transient, code
	case errors.As(err, &gse):
		switch gse.Reason {
		case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
			return mailing.Permanent, gse.ErrorCode()
		default: // a failed SMTP command: its reply code decides
		}
		code := gse.ErrorCode()
		switch {
		case code/100 == 4, authCodes[code]:
			return mailing.Transient, code
		case code/100 == 5:
			return mailing.Permanent, code
		}
		return mailing.Transient, code
	case errors.As(err, &te):
		if te.Code/100 == 5 && !authCodes[te.Code] {
			return mailing.Permanent, te.Code
		}
		return mailing.Transient, te.Code
	}
	// Timeouts (context.DeadlineExceeded, os.ErrDeadlineExceeded), other
	// net.Error values and unknown errors: transient, bounded by the
	// attempts.
	return mailing.Transient, 0
}
