package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/mail/mailtest"
	"github.com/dolibarr-go/dolibarr/internal/usecase/mailing"
)

// These tests talk SMTP to a real server (emersion/go-smtp) in the test
// process; the waits between attempts are recorded, not slept.

var pdf = append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0, 1, 2, 0xff, '\n'}, 4000)...)

func invoiceMessage(to ...string) mailing.Message {
	return mailing.Message{
		To: to, Subject: "Facture FA2611-0042 – échéance 30/12/2026",
		Text:        "Bonjour Élodie,\n\nVeuillez trouver ci-joint la facture FA2611-0042 d'un montant de 1 234,56 €.\n",
		Attachments: []mailing.Attachment{{Name: "FA2611-0042.pdf", ContentType: "application/pdf", Data: pdf}},
	}
}

func smtpSender(t *testing.T, cfg SMTPConfig) (*Sender, *fakeClock, *sleeps) {
	t.Helper()
	if cfg.From == "" {
		cfg.From = "Acme Billing <billing@acme.test>"
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSNone
	}
	tr, err := NewSMTP(cfg)
	require.NoError(t, err)
	clock := newFakeClock()
	sl := &sleeps{}
	return NewSender(tr, Options{Now: clock.Now, Sleep: sl.Sleep}), clock, sl
}

func TestSMTPDeliversTheMessageWithItsPDF(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	s, _, _ := smtpSender(t, SMTPConfig{Host: srv.Host, Port: srv.Port})
	rec, err := s.Send(context.Background(), invoiceMessage("elodie@customer.test", "compta@customer.test"))
	require.NoError(t, err)
	require.False(t, rec.Outbox)
	require.Equal(t, 1, rec.Attempts)

	msgs := srv.WaitMessages(t, 1, 5*time.Second)
	require.Len(t, msgs, 1)
	require.Equal(t, "billing@acme.test", msgs[0].From)
	require.Equal(t, []string{"elodie@customer.test", "compta@customer.test"}, msgs[0].To)
	p, err := msgs[0].Parse()
	require.NoError(t, err)
	require.Equal(t, "Facture FA2611-0042 – échéance 30/12/2026", p.Subject)
	require.Equal(t, "<"+rec.MessageID+">", p.Header.Get("Message-ID"))
	require.Contains(t, p.Header.Get("From"), "billing@acme.test")
	require.Contains(t, p.Text, "1 234,56 €")
	require.Len(t, p.Attachments, 1)
	require.Equal(t, "FA2611-0042.pdf", p.Attachments[0].Name)
	require.Equal(t, "application/pdf", p.Attachments[0].ContentType)
	require.Equal(t, pdf, p.Attachments[0].Data, "the PDF arrives byte for byte")
}

func TestSMTPKeepsTheGivenMessageID(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	s, _, _ := smtpSender(t, SMTPConfig{Host: srv.Host, Port: srv.Port})
	m := invoiceMessage("a@customer.test")
	m.MessageID = "send-7.abc@dolibarr-go"
	rec, err := s.Send(context.Background(), m)
	require.NoError(t, err)
	require.Equal(t, "send-7.abc@dolibarr-go", rec.MessageID)
	p, err := srv.WaitMessages(t, 1, 5*time.Second)[0].Parse()
	require.NoError(t, err)
	require.Equal(t, "<send-7.abc@dolibarr-go>", p.Header.Get("Message-ID"))
}

func TestSMTP4xxIsRetriedThreeTimesThenCounted(t *testing.T) {
	for _, stage := range []mailtest.Stage{mailtest.StageMail, mailtest.StageRcpt, mailtest.StageData} {
		t.Run(string(stage), func(t *testing.T) {
			srv := mailtest.Start(t, mailtest.Options{Rule: func(s mailtest.Stage, _ string) error {
				if s == stage {
					return mailtest.Reply(451, "4.3.0 try again later")
				}
				return nil
			}})
			s, _, sl := smtpSender(t, SMTPConfig{Host: srv.Host, Port: srv.Port})
			_, err := s.Send(context.Background(), invoiceMessage("a@customer.test"))
			var se *mailing.SendError
			require.ErrorAs(t, err, &se)
			require.Equal(t, mailing.Transient, se.Class)
			require.Equal(t, 451, se.Code)
			require.Equal(t, 3, se.Attempts)
			require.Equal(t, 3, srv.Hits(stage), "three attempts reached the server")
			require.Equal(t, 3, srv.Connections())
			require.Equal(t, []time.Duration{time.Second, 2 * time.Second}, sl.Waits())
			require.Equal(t, 1, s.Breaker().State().Consecutive, "then counted once")
			require.Empty(t, srv.Messages())
		})
	}
}

func TestSMTP4xxThenAcceptedIsDeliveredOnce(t *testing.T) {
	first := true
	srv := mailtest.Start(t, mailtest.Options{Rule: func(s mailtest.Stage, _ string) error {
		if s == mailtest.StageRcpt && first {
			first = false
			return mailtest.Reply(450, "4.2.1 mailbox busy")
		}
		return nil
	}})
	s, _, _ := smtpSender(t, SMTPConfig{Host: srv.Host, Port: srv.Port})
	rec, err := s.Send(context.Background(), invoiceMessage("a@customer.test"))
	require.NoError(t, err)
	require.Equal(t, 2, rec.Attempts)
	require.Len(t, srv.WaitMessages(t, 1, 5*time.Second), 1)
	require.Zero(t, s.Breaker().State().Consecutive)
}

func TestSMTP5xxAndRejectedRecipientAreNotRetried(t *testing.T) {
	for name, c := range map[string]struct {
		stage mailtest.Stage
		reply error
		code  int
	}{
		"rejected recipient": {mailtest.StageRcpt, mailtest.Reply(550, "5.1.1 no such user"), 550},
		"bad address":        {mailtest.StageRcpt, mailtest.Reply(553, "5.1.3 mailbox name not allowed"), 553},
		"rejected content":   {mailtest.StageData, mailtest.Reply(554, "5.6.0 content refused"), 554},
		"rejected sender":    {mailtest.StageMail, mailtest.Reply(550, "5.7.1 sender refused"), 550},
	} {
		t.Run(name, func(t *testing.T) {
			srv := mailtest.Start(t, mailtest.Options{Rule: func(s mailtest.Stage, _ string) error {
				if s == c.stage {
					return c.reply
				}
				return nil
			}})
			s, _, sl := smtpSender(t, SMTPConfig{Host: srv.Host, Port: srv.Port})
			for range FailureThreshold + 1 {
				_, err := s.Send(context.Background(), invoiceMessage("nobody@customer.test"))
				var se *mailing.SendError
				require.ErrorAs(t, err, &se)
				require.Equal(t, mailing.Permanent, se.Class, "%v", err)
				require.Equal(t, c.code, se.Code)
				require.Equal(t, 1, se.Attempts)
			}
			require.Equal(t, FailureThreshold+1, srv.Hits(c.stage), "one attempt per send")
			require.Empty(t, sl.Waits())
			require.Equal(t, BreakerState{}, s.Breaker().State(), "never opens the circuit")
		})
	}
}

// TestSMTPOneRejectedRecipientFailsTheSend: the message goes to all its
// recipients or to none, so one refused mailbox is a permanent failure.
func TestSMTPOneRejectedRecipientFailsTheSend(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Rule: func(s mailtest.Stage, arg string) error {
		if s == mailtest.StageRcpt && strings.Contains(arg, "gone@") {
			return mailtest.Reply(550, "5.1.1 no such user")
		}
		return nil
	}})
	s, _, _ := smtpSender(t, SMTPConfig{Host: srv.Host, Port: srv.Port})
	_, err := s.Send(context.Background(), invoiceMessage("ok@customer.test", "gone@customer.test"))
	require.True(t, mailing.IsPermanent(err), "%v", err)
	require.Empty(t, srv.Messages())
}

func TestSMTPServerDownIsTransient(t *testing.T) {
	host, port := mailtest.RefusedAddr(t)
	s, _, sl := smtpSender(t, SMTPConfig{Host: host, Port: port})
	_, err := s.Send(context.Background(), invoiceMessage("a@customer.test"))
	var se *mailing.SendError
	require.ErrorAs(t, err, &se)
	require.Equal(t, mailing.Transient, se.Class)
	require.Equal(t, 3, se.Attempts)
	require.Contains(t, err.Error(), "connection refused")
	require.Len(t, sl.Waits(), 2)
}

// TestSMTPServerThatNeverAnswersIsTransient: the greeting never comes; the
// attempt ends at its deadline and counts as a transient failure.
func TestSMTPServerThatNeverAnswersIsTransient(t *testing.T) {
	host, port := mailtest.Silent(t)
	s, _, _ := smtpSender(t, SMTPConfig{Host: host, Port: port})
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.Send(ctx, invoiceMessage("a@customer.test"))
	require.Less(t, time.Since(start), 3*time.Second, "the attempt ends at the deadline")
	var se *mailing.SendError
	require.ErrorAs(t, err, &se)
	require.Equal(t, mailing.Transient, se.Class, "%v", err)
	require.True(t, errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded), "%v", err)
	require.Equal(t, 1, s.Breaker().State().Consecutive)
}

// TestSMTPCircuitOpensAfterFiveSendsToADeadServer: refused and silent
// servers open the circuit after FailureThreshold sends; then nothing is
// attempted until the reset, and once the server is back mail flows.
func TestSMTPCircuitOpensAfterFiveSendsToADeadServer(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	srv.Stop()
	s, clock, _ := smtpSender(t, SMTPConfig{Host: srv.Host, Port: srv.Port})
	for range FailureThreshold {
		_, err := s.Send(context.Background(), invoiceMessage("a@customer.test"))
		var se *mailing.SendError
		require.ErrorAs(t, err, &se)
		require.Equal(t, mailing.Transient, se.Class)
		require.Contains(t, err.Error(), "connection refused")
	}
	_, err := s.Send(context.Background(), invoiceMessage("a@customer.test"))
	require.ErrorIs(t, err, mailing.ErrMailCircuitOpen)

	srv.Restart(t)
	_, err = s.Send(context.Background(), invoiceMessage("a@customer.test"))
	require.ErrorIs(t, err, mailing.ErrMailCircuitOpen, "still open although the server is back")
	require.Zero(t, srv.Connections(), "no connection while open")
	clock.Advance(ResetAfter)
	_, err = s.Send(context.Background(), invoiceMessage("a@customer.test"))
	require.NoError(t, err)
	require.Len(t, srv.WaitMessages(t, 1, 5*time.Second), 1)
}

func TestSMTPStartTLSWithAuthentication(t *testing.T) {
	serverTLS, clientTLS := mailtest.TLSPair(t)
	srv := mailtest.Start(t, mailtest.Options{TLS: serverTLS, Username: "billing", Password: "s3cret"})
	s, _, _ := smtpSender(t, SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: TLSStartTLS, TLSConfig: clientTLS,
		Username: "billing", Password: "s3cret"})
	_, err := s.Send(context.Background(), invoiceMessage("a@customer.test"))
	require.NoError(t, err)
	require.Len(t, srv.WaitMessages(t, 1, 5*time.Second), 1)

	// Wrong credentials: our configuration is wrong, for every message
	// alike; transient, so the circuit opens and the mail waits.
	bad, _, _ := smtpSender(t, SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: TLSStartTLS, TLSConfig: clientTLS,
		Username: "billing", Password: "wrong"})
	_, err = bad.Send(context.Background(), invoiceMessage("a@customer.test"))
	var se *mailing.SendError
	require.ErrorAs(t, err, &se)
	require.Equal(t, mailing.Transient, se.Class, "%v", err)
	require.Equal(t, 535, se.Code)
}

func TestSMTPImplicitTLS(t *testing.T) {
	serverTLS, clientTLS := mailtest.TLSPair(t)
	srv := mailtest.Start(t, mailtest.Options{TLS: serverTLS, Implicit: true, Username: "billing", Password: "s3cret"})
	s, _, _ := smtpSender(t, SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: TLSImplicit, TLSConfig: clientTLS,
		Username: "billing", Password: "s3cret"})
	_, err := s.Send(context.Background(), invoiceMessage("a@customer.test"))
	require.NoError(t, err)
	require.Len(t, srv.WaitMessages(t, 1, 5*time.Second), 1)
}

func TestSMTPStartTLSRequiredButNotOffered(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	s, _, _ := smtpSender(t, SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: TLSStartTLS,
		TLSConfig: &tls.Config{ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}})
	_, err := s.Send(context.Background(), invoiceMessage("a@customer.test"))
	var se *mailing.SendError
	require.ErrorAs(t, err, &se)
	require.Equal(t, mailing.Transient, se.Class, "a session problem, not the message's")
	require.Contains(t, err.Error(), "STARTTLS")
	require.Empty(t, srv.Messages(), "nothing sent in clear")
}

// TestSMTPReportsTheDeliveryBeforeTheReplyToQuit: once the server has
// answered 250 to the data, Deliver returns the message id; it sends QUIT
// but does not wait for the reply. A server slow to answer QUIT used to
// hold the report of a delivery it had already accepted, and a runner
// killed meanwhile sent the message again (issue 21, defect 6).
func TestSMTPReportsTheDeliveryBeforeTheReplyToQuit(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{HoldQuit: true})
	tr, err := NewSMTP(SMTPConfig{Host: srv.Host, Port: srv.Port, From: "billing@acme.test", TLS: TLSNone})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	type result struct {
		id  string
		err error
	}
	done := make(chan result, 1)
	go func() {
		id, err := tr.Deliver(ctx, invoiceMessage("a@customer.test"))
		done <- result{id, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("Deliver still waits (%d QUIT reply withheld) for a message the server accepted: %d received", srv.QuitsHeld(), len(srv.Messages()))
	}
	require.NoError(t, res.err)
	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	p, err := msgs[0].Parse()
	require.NoError(t, err)
	require.Equal(t, "<"+res.id+">", p.Header.Get("Message-ID"))
	require.Eventually(t, func() bool { return srv.QuitsHeld() == 1 }, 5*time.Second, 5*time.Millisecond,
		"the session still ends with QUIT")
}

func TestNewSMTPRefusesABadConfiguration(t *testing.T) {
	for _, cfg := range []SMTPConfig{
		{Port: 25, From: "a@b.test", TLS: TLSNone},
		{Host: "h", Port: 0, From: "a@b.test", TLS: TLSNone},
		{Host: "h", Port: 25, From: "not an address", TLS: TLSNone},
		{Host: "h", Port: 25, From: "a@b.test", TLS: "ssl"},
	} {
		_, err := NewSMTP(cfg)
		require.Error(t, err, "%+v", cfg)
	}
}

func TestDirWritesEMLFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	tr, err := NewDir(dir, "Acme <billing@acme.test>", nil)
	require.NoError(t, err)
	s := NewSender(tr, Options{})
	rec, err := s.Send(context.Background(), invoiceMessage("a@customer.test"))
	require.NoError(t, err)
	require.True(t, rec.Outbox, "the receipt says the message went to the outbox, not to anyone")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.True(t, strings.HasSuffix(entries[0].Name(), ".eml"))
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	b, err := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	require.NoError(t, err)
	p, err := mailtest.Parse(b)
	require.NoError(t, err)
	require.Equal(t, "Facture FA2611-0042 – échéance 30/12/2026", p.Subject)
	require.Equal(t, "<"+rec.MessageID+">", p.Header.Get("Message-ID"))
	require.Equal(t, pdf, p.Attachments[0].Data)
}

func TestSMTPCircuitOpensAfterFiveSendsToAServerThatNeverAnswers(t *testing.T) {
	host, port := mailtest.Silent(t)
	s, clock, _ := smtpSender(t, SMTPConfig{Host: host, Port: port})
	for range FailureThreshold {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_, err := s.Send(ctx, invoiceMessage("a@customer.test"))
		cancel()
		var se *mailing.SendError
		require.ErrorAs(t, err, &se)
		require.Equal(t, mailing.Transient, se.Class)
	}
	start := time.Now()
	_, err := s.Send(context.Background(), invoiceMessage("a@customer.test"))
	var open *mailing.CircuitOpenError
	require.ErrorAs(t, err, &open)
	require.Less(t, time.Since(start), 100*time.Millisecond, "refused at once")
	require.Equal(t, clock.Now().Add(ResetAfter), open.Until)
}
