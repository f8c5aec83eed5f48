package app_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/mail/mailtest"
)

// runJobsUntil runs a runner built as the binaries build it, with
// configuration cfg, until done holds, and stops it.
func runJobsUntil(t *testing.T, a *apptest.App, cfg app.Config, done func() bool, opts ...app.TestOption) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r, err := app.NewTestRunner(ctx, cfg, a.DB, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)), opts...)
	require.NoError(t, err)
	stopped := make(chan error, 1)
	go func() { stopped <- r.Run(ctx) }()
	defer func() {
		cancel()
		require.NoError(t, <-stopped)
	}()
	require.Eventually(t, done, 30*time.Second, 20*time.Millisecond)
}

// TestSendWrittenToOutboxIsNotSent is issue 21's defect 14, on every
// engine: a message the runner writes to the outbox folder (the
// all-in-one without SMTP) was reported as sent with a sent_by_mail event.
// Its send is written_to_outbox and so is its event, through the API;
// the same document sent through an SMTP server is still sent, with
// sent_by_mail.
func TestSendWrittenToOutboxIsNotSent(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newMailFix(t, a)
		inv, ref := f.invoice(t, f.cust)
		path := fmt.Sprintf("/api/v1/invoices/%d", inv)
		cfg := a.Config
		cfg.Company.Name = "Acme"
		cfg.Runner.PollInterval, cfg.Runner.MaintenanceInterval, cfg.Runner.Listen = 20*time.Millisecond, 50*time.Millisecond, false

		// No SMTP server: the message goes to the outbox folder.
		outbox := t.TempDir()
		first := f.send(t, path+"/send", nil)
		runJobsUntil(t, a, cfg, func() bool { return f.job(t, first.JobID).State == domain.JobCompleted }, app.WithMailOutbox(outbox))
		files, err := os.ReadDir(outbox)
		require.NoError(t, err)
		require.Len(t, files, 1)
		require.True(t, strings.HasSuffix(files[0].Name(), ".eml"))
		got := f.sends(t, path)[0]
		require.Equal(t, first.ID, got.ID)
		require.Equal(t, "written_to_outbox", got.Status)
		require.NotNil(t, got.MessageID)
		require.Contains(t, files[0].Name(), strings.NewReplacer("@", "_").Replace(*got.MessageID))
		require.NotNil(t, got.SentAt, "when it was written")
		evs := f.events(t, path, domain.EventWrittenToOutbox)
		require.Len(t, evs, 1)
		require.Contains(t, evs[0].Note, "not sent")
		require.Empty(t, f.events(t, path, domain.EventSentByMail), "nothing was sent")

		// An SMTP server: the message is sent.
		srv := mailtest.Start(t, mailtest.Options{})
		cfg.SMTP = app.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", From: "Acme Billing <billing@acme.test>"}
		second := f.send(t, path+"/send", nil)
		runJobsUntil(t, a, cfg, func() bool { return f.job(t, second.JobID).State == domain.JobCompleted })
		msgs := srv.WaitMessages(t, 1, 10*time.Second)
		p, err := msgs[0].Parse()
		require.NoError(t, err)
		require.Contains(t, p.Subject, ref)
		got = f.sends(t, path)[1]
		require.Equal(t, second.ID, got.ID)
		require.Equal(t, "sent", got.Status)
		require.Len(t, f.events(t, path, domain.EventSentByMail), 1)
		require.Len(t, f.events(t, path, domain.EventWrittenToOutbox), 1, "the outbox event stays as it was")
	})
}
