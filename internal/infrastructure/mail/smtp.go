package mail

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/dolibarr-go/dolibarr/internal/usecase/mailing"
)

// TLSMode is how the SMTP connection is protected (DOLIBARR_SMTP_TLS).
type TLSMode string

// The TLS modes.
const (
	// TLSNone speaks plain SMTP (a local relay, a test server). With
	// credentials, only challenge mechanisms (CRAM-MD5, SCRAM) are used, so
	// the password never crosses the network in clear.
	TLSNone TLSMode = "none"
	// TLSStartTLS upgrades the connection with STARTTLS, and refuses a
	// server that does not offer it (port 587).
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit opens a TLS connection from the start (port 465).
	TLSImplicit TLSMode = "tls"
)

// ParseTLSMode reads a TLS mode name.
func ParseTLSMode(s string) (TLSMode, bool) {
	switch m := TLSMode(s); m {
	case TLSNone, TLSStartTLS, TLSImplicit:
		return m, true
	}
	return "", false
}

// SMTPConfig is the SMTP server to deliver to.
type SMTPConfig struct {
	Host string
	Port int
	// Username and Password, when Username is set, authenticate with the
	// strongest mechanism both sides support.
	Username string
	Password string
	// From is the sender address ("Company <billing@example.com>" or a
	// bare address).
	From string
	TLS  TLSMode
	// TLSConfig overrides the TLS settings (tests trust their own CA);
	// nil verifies the server's certificate against the system roots.
	TLSConfig *tls.Config
	// HELO is the name announced in EHLO; empty: go-mail's default
	// (localhost).
	HELO string
}

// SMTP delivers messages to an SMTP server, one connection per attempt.
type SMTP struct {
	cfg SMTPConfig
}

var _ Transport = (*SMTP)(nil)

// NewSMTP checks cfg and returns the transport.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, fmt.Errorf("smtp: no host")
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("smtp: port %d out of range", cfg.Port)
	}
	if _, ok := ParseTLSMode(string(cfg.TLS)); !ok {
		return nil, fmt.Errorf("smtp: TLS mode %q is not none, starttls or tls", cfg.TLS)
	}
	if _, err := build(cfg.From, mailing.Message{To: []string{"probe@example.com"}}); err != nil {
		return nil, fmt.Errorf("smtp: sender %q: %w", cfg.From, err)
	}
	if cfg.TLSConfig == nil {
		cfg.TLSConfig = &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	}
	return &SMTP{cfg: cfg}, nil
}

// Deliver makes one attempt: connect, open the session, send the message,
// hang up (hangUp). It returns as soon as the server has accepted the
// message, and by ctx's deadline: go-mail puts one deadline on the
// connection when it dials, and it is set here to the time left in ctx.
func (s *SMTP) Deliver(ctx context.Context, m mailing.Message) (string, error) {
	msg, err := build(s.cfg.From, m)
	if err != nil {
		return "", err
	}
	timeout := AttemptTimeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	if timeout <= 0 {
		return "", &SessionError{Err: context.DeadlineExceeded}
	}
	opts := []gomail.Option{
		gomail.WithPort(s.cfg.Port), gomail.WithTimeout(timeout), gomail.WithTLSConfig(s.cfg.TLSConfig),
		// One message per connection: no NOOP before and no RSET after it,
		// which would also push the connection's deadline further.
		gomail.WithoutNoop(), gomail.WithoutRset(),
	}
	switch s.cfg.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	}
	if s.cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(s.cfg.HELO))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	client, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return "", &SessionError{Err: err}
	}
	// Dial and send separately (not DialAndSendWithContext) to know the
	// stage that failed: the session, or the message.
	sc, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return "", &SessionError{Err: err}
	}
	defer hangUp(sc)
	if err := client.SendWithSMTPClient(sc, msg); err != nil {
		if msg.IsDelivered() {
			// The server accepted the data; what failed came after it.
			// Sending again would deliver twice.
			return messageID(msg), nil
		}
		return "", err
	}
	return messageID(msg), nil
}

// hangUp ends the session: it sends QUIT, as RFC 5321 requires before
// closing, and closes the connection without waiting for the reply. Once
// the server has answered 250 to the data it has taken responsibility for
// the message, so nothing the reply to QUIT could say changes the outcome;
// waiting for it (go-mail's Quit) only delayed the report of a delivery,
// and a runner killed during that wait, on a slow server, left a sent
// message unrecorded, to be sent again (issue 21). Errors are moot here.
func hangUp(sc *smtp.Client) {
	if sc == nil || !sc.HasConnection() {
		return
	}
	_, _ = sc.Text.Cmd("QUIT")
	_ = sc.Close()
}
