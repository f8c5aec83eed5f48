package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/mail"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/mail/mailtest"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/pdf/pdftext"
)

// mailFix is a customer with an e-mail address, one without, a service
// product and helpers to make validated documents, through the API.
type mailFix struct {
	a       *apptest.App
	admin   string
	cust    int64
	noMail  int64
	product int64
}

func newMailFix(t *testing.T, a *apptest.App) *mailFix {
	t.Helper()
	f := &mailFix{a: a, admin: a.AdminToken(t)}
	f.cust = docCreate(t, a, f.admin, "/api/v1/thirdparties", docJSON{"name": "Élodie Martin SARL", "customer": true, "email": "elodie@martin.test"})
	f.noMail = docCreate(t, a, f.admin, "/api/v1/thirdparties", docJSON{"name": "No Mail Ltd", "customer": true})
	f.product = docCreate(t, a, f.admin, "/api/v1/products", docJSON{"ref": "SUPPORT", "label": "Support", "type": "service", "price": "1000", "vat_rate": "20"})
	return f
}

// invoice creates and validates an invoice of 1,200.00 incl. tax due on
// 2026-12-30, and returns its id and ref.
func (f *mailFix) invoice(t *testing.T, customer int64) (int64, string) {
	t.Helper()
	id := docCreate(t, f.a, f.admin, "/api/v1/invoices", docJSON{"customer_id": customer, "date": "2026-11-30", "due_date": "2026-12-30",
		"lines": []docJSON{{"product_id": f.product, "quantity": "1"}}})
	res := f.a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/validate", id), nil, f.admin)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var inv api.InvoiceResponse
	res.JSON(t, &inv)
	return id, inv.Ref
}

func (f *mailFix) send(t *testing.T, path string, body any) api.SendResponse {
	t.Helper()
	res := f.a.Do(t, http.MethodPost, path, body, f.admin)
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	var s api.SendResponse
	res.JSON(t, &s)
	require.Equal(t, fmt.Sprintf("/api/v1/jobs/%d", s.JobID), res.Header.Get("Location"))
	return s
}

func (f *mailFix) job(t *testing.T, id int64) api.JobResponse {
	t.Helper()
	res := f.a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/jobs/%d", id), nil, f.admin)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var j api.JobResponse
	res.JSON(t, &j)
	return j
}

func (f *mailFix) sends(t *testing.T, path string) []api.SendResponse {
	t.Helper()
	res := f.a.Do(t, http.MethodGet, path+"/sends", nil, f.admin)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var out struct {
		Data []api.SendResponse `json:"data"`
	}
	res.JSON(t, &out)
	return out.Data
}

func (f *mailFix) events(t *testing.T, path, action string) []api.EventResponse {
	t.Helper()
	res := f.a.Do(t, http.MethodGet, path+"/events", nil, f.admin)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var out struct {
		Data []api.EventResponse `json:"data"`
	}
	res.JSON(t, &out)
	var evs []api.EventResponse
	for _, e := range out.Data {
		if e.Action == action {
			evs = append(evs, e)
		}
	}
	return evs
}

// TestSendDocumentAPI: the request records the send and enqueues its job
// in one transaction and answers 202; bad input gets clear 4xx. No runner
// runs here: the API never talks to the mail server.
func TestSendDocumentAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newMailFix(t, a)
		inv, _ := f.invoice(t, f.cust)
		path := fmt.Sprintf("/api/v1/invoices/%d", inv)

		s := f.send(t, path+"/send", nil)
		require.Equal(t, []string{"elodie@martin.test"}, s.To, "the customer's address by default")
		require.Equal(t, "queued", s.Status)
		require.Equal(t, "invoice", s.DocumentKind)
		require.Equal(t, inv, s.DocumentID)
		j := f.job(t, s.JobID)
		require.Equal(t, "send_document", j.Kind)
		require.Equal(t, domain.JobAvailable, j.State)
		require.JSONEq(t, fmt.Sprintf(`{"send_id":%d}`, s.ID), string(j.Payload))

		s2 := f.send(t, path+"/send", obj{"to": []string{"a@customer.test", "b@customer.test"}, "subject": "Facture __REF__", "language": "fr"})
		require.Equal(t, []string{"a@customer.test", "b@customer.test"}, s2.To)
		require.NotNil(t, s2.Language)
		require.Equal(t, "fr", *s2.Language)
		require.NotEqual(t, s.JobID, s2.JobID, "one job per request")
		list := f.sends(t, path)
		require.Len(t, list, 2)
		require.Equal(t, s.ID, list[0].ID)

		// 422 with one field error per bad address.
		res := a.Do(t, http.MethodPost, path+"/send", obj{"to": []string{"not an address", "Name <x@y.test>", "ok@x.test"}}, f.admin)
		p := requireProblem(t, res, http.StatusUnprocessableEntity, "validation_failed")
		fields := map[string]string{}
		for _, fe := range p.Errors {
			fields[fe.Field] = fe.Code
		}
		require.Equal(t, map[string]string{"to[0]": "invalid", "to[1]": "invalid"}, fields)
		requireProblem(t, a.Do(t, http.MethodPost, path+"/send", obj{"to": []string{}}, f.admin), http.StatusUnprocessableEntity, "validation_failed")
		requireProblem(t, a.Do(t, http.MethodPost, path+"/send", obj{"cc": []string{"x@y.test"}}, f.admin), http.StatusBadRequest, "unknown_field")

		// The customer without an address: recipients are required.
		other, _ := f.invoice(t, f.noMail)
		res = a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/send", other), nil, f.admin)
		p = requireProblem(t, res, http.StatusUnprocessableEntity, "validation_failed")
		require.Equal(t, "to", p.Errors[0].Field)

		// A draft has no number yet; a missing document is 404.
		draft := docCreate(t, a, f.admin, "/api/v1/invoices", docJSON{"customer_id": f.cust, "lines": []docJSON{{"product_id": f.product, "quantity": "1"}}})
		requireProblem(t, a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/send", draft), nil, f.admin), http.StatusConflict, "invoice_not_sendable")
		requireProblem(t, a.Do(t, http.MethodPost, "/api/v1/invoices/999999/send", nil, f.admin), http.StatusNotFound, "not_found")
		requireProblem(t, a.Do(t, http.MethodGet, "/api/v1/orders/999999/sends", nil, f.admin), http.StatusNotFound, "not_found")

		// Refused requests enqueued nothing.
		res = a.Do(t, http.MethodGet, "/api/v1/jobs?kind=send_document", nil, f.admin)
		var page api.List[api.JobResponse]
		res.JSON(t, &page)
		require.EqualValues(t, 2, page.Paging.Total)

		// The send right is its own: invoice:write is not enough.
		writer := a.Token(t, domain.PermInvoiceRead, domain.PermInvoiceWrite)
		requireProblem(t, a.Do(t, http.MethodPost, path+"/send", nil, writer), http.StatusForbidden, "forbidden")
		sender := a.Token(t, domain.PermInvoiceSend)
		res = a.Do(t, http.MethodPost, path+"/send", nil, sender)
		require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	})
}

// mailRun starts the runner built as the binaries build it, with the mail
// service's waits recorded instead of slept and its breaker on clock.
func mailRun(t *testing.T, a *apptest.App, clock func() time.Time) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var waits sync.Mutex
	opts := mail.Options{Sleep: func(ctx context.Context, _ time.Duration) error {
		waits.Lock()
		defer waits.Unlock()
		return ctx.Err()
	}}
	if clock != nil {
		opts.Now = clock
		opts.Breaker = mail.NewBreaker(mail.FailureThreshold, mail.ResetAfter, clock, nil)
	}
	r, err := app.NewTestRunner(ctx, a.Config, a.DB, zaptest.NewLogger(t, zaptest.Level(zap.InfoLevel)), app.WithMailOptions(opts))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
}

// mailConfig points the app at srv and makes the runner poll quickly.
func mailConfig(srv *mailtest.Server) apptest.Option {
	return apptest.WithConfig(func(c *app.Config) {
		c.SMTP = app.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", From: "Acme Billing <billing@acme.test>"}
		c.Company.Name = "Acme"
		c.Runner.PollInterval = 20 * time.Millisecond
		c.Runner.MaintenanceInterval = 50 * time.Millisecond
		c.Runner.Listen = false
	})
}

func eachMailEngine(t *testing.T, fn func(t *testing.T, driver string)) {
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) { fn(t, d) })
	}
}

// TestSendDocumentThroughTheRunner: validated invoices sent in English and
// French arrive at a real SMTP server with the PDF attached and the right
// subject and body; the send and the document record the delivery.
func TestSendDocumentThroughTheRunner(t *testing.T) {
	eachMailEngine(t, func(t *testing.T, driver string) {
		srv := mailtest.Start(t, mailtest.Options{})
		a := apptest.New(t, driver, mailConfig(srv))
		f := newMailFix(t, a)
		en, enRef := f.invoice(t, f.cust)
		fr, frRef := f.invoice(t, f.cust)
		sEN := f.send(t, fmt.Sprintf("/api/v1/invoices/%d/send", en), nil)
		sFR := f.send(t, fmt.Sprintf("/api/v1/invoices/%d/send", fr), obj{"language": "fr", "to": []string{"compta@martin.test"}})
		mailRun(t, a, nil)

		msgs := srv.WaitMessages(t, 2, 30*time.Second)
		byRef := map[string]mailtest.Parsed{}
		for _, m := range msgs {
			p, err := m.Parse()
			require.NoError(t, err)
			require.Len(t, p.Attachments, 1)
			for _, ref := range []string{enRef, frRef} {
				if strings.Contains(p.Subject, ref) {
					byRef[ref] = p
					require.Equal(t, ref+".pdf", p.Attachments[0].Name)
				}
			}
			require.Equal(t, "billing@acme.test", m.From)
		}
		require.Len(t, byRef, 2)
		require.Equal(t, "Invoice "+enRef+" from Acme", byRef[enRef].Subject)
		require.Contains(t, byRef[enRef].Text, "Hello Élodie Martin SARL,")
		require.Contains(t, byRef[enRef].Text, "1,200.00 EUR including tax, due on December 30, 2026")
		require.Equal(t, "Facture "+frRef+" de Acme", byRef[frRef].Subject)
		require.Contains(t, byRef[frRef].Text, "1\u202f200,00 EUR TTC, à régler avant le 30/12/2026")
		require.Equal(t, []string{"compta@martin.test"}, msgs[indexOf(t, msgs, frRef)].To)
		for ref, lang := range map[string]string{enRef: "Invoice", frRef: "Facture"} {
			pages, err := pdftext.Read(byRef[ref].Attachments[0].Data)
			require.NoError(t, err, "the attachment is a readable PDF")
			var text strings.Builder
			for _, p := range pages {
				text.WriteString(p.String())
			}
			require.Contains(t, text.String(), ref)
			require.Contains(t, strings.ToLower(text.String()), strings.ToLower(lang), "the PDF speaks the message's language")
		}

		for id, s := range map[int64]api.SendResponse{en: sEN, fr: sFR} {
			path := fmt.Sprintf("/api/v1/invoices/%d", id)
			require.Eventually(t, func() bool { return f.job(t, s.JobID).State == domain.JobCompleted }, 10*time.Second, 20*time.Millisecond)
			got := f.sends(t, path)[0]
			require.Equal(t, "sent", got.Status)
			require.NotNil(t, got.MessageID)
			require.NotNil(t, got.SentAt)
			evs := f.events(t, path, domain.EventSentByMail)
			require.Len(t, evs, 1)
			require.Contains(t, evs[0].Note, *got.MessageID)
		}
		require.Len(t, srv.Messages(), 2, "each exactly once")
	})
}

func indexOf(t *testing.T, msgs []mailtest.Received, ref string) int {
	t.Helper()
	for i, m := range msgs {
		p, err := m.Parse()
		require.NoError(t, err)
		if strings.Contains(p.Subject, ref) {
			return i
		}
	}
	t.Fatalf("no message about %s", ref)
	return -1
}

// TestSendDocumentPermanentFailure: a refused recipient fails the job at
// once, without retry; the reason is on the job, the send and the
// document's events.
func TestSendDocumentPermanentFailure(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{Rule: func(s mailtest.Stage, _ string) error {
		if s == mailtest.StageRcpt {
			return mailtest.Reply(550, "5.1.1 mailbox unknown")
		}
		return nil
	}})
	a := apptest.New(t, "sqlite", mailConfig(srv))
	f := newMailFix(t, a)
	inv, _ := f.invoice(t, f.cust)
	path := fmt.Sprintf("/api/v1/invoices/%d", inv)
	s := f.send(t, path+"/send", nil)
	mailRun(t, a, nil)

	require.Eventually(t, func() bool { return f.job(t, s.JobID).State == domain.JobFailed }, 10*time.Second, 20*time.Millisecond)
	j := f.job(t, s.JobID)
	require.Equal(t, 1, j.Attempt, "failed at the first attempt, no retry")
	require.Contains(t, j.LastError, "550")
	require.Contains(t, j.LastError, "5.1.1 mailbox unknown")
	require.Equal(t, 1, srv.Hits(mailtest.StageRcpt), "one delivery attempt")
	got := f.sends(t, path)[0]
	require.Equal(t, "failed", got.Status)
	require.Contains(t, *got.LastError, "5.1.1 mailbox unknown")
	evs := f.events(t, path, domain.EventSendFailed)
	require.Len(t, evs, 1)
	require.Contains(t, evs[0].Note, "5.1.1 mailbox unknown")
	require.Empty(t, f.events(t, path, domain.EventSentByMail))
}

// testClock is the breaker's clock: it moves only when the test says.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestSendDocumentCircuitOpensThenDeliversEachOnce: with the SMTP server
// down, five sends fail transiently (three attempts each) and are retried
// by the queue; the fifth opens the circuit. Every send_document job run
// while it is open, new ones and retries, is rescheduled for when it
// closes, without spending an attempt and without a connection. Once the
// server is back and the circuit has closed, each message is delivered
// exactly once.
func TestSendDocumentCircuitOpensThenDeliversEachOnce(t *testing.T) {
	eachMailEngine(t, func(t *testing.T, driver string) {
		srv := mailtest.Start(t, mailtest.Options{})
		srv.Stop()
		a := apptest.New(t, driver, mailConfig(srv))
		f := newMailFix(t, a)
		clock := &testClock{t: time.Now().UTC().Truncate(time.Second)}
		until := clock.Now().Add(mail.ResetAfter)

		refs := map[int64]string{}
		var sends []api.SendResponse
		for range mail.FailureThreshold + 1 {
			id, ref := f.invoice(t, f.cust)
			refs[id] = ref
		}
		ids := make([]int64, 0, len(refs))
		for id := range refs {
			ids = append(ids, id)
		}
		// Five sends are queued before the runner starts, so they all run
		// (and fail) before any of them comes back for a retry.
		for _, id := range ids[:mail.FailureThreshold] {
			sends = append(sends, f.send(t, fmt.Sprintf("/api/v1/invoices/%d/send", id), nil))
		}
		mailRun(t, a, clock.Now)

		for _, s := range sends {
			require.Eventually(t, func() bool {
				j := f.job(t, s.JobID)
				return j.Attempt == 1 && (j.State == domain.JobRetryable || j.State == domain.JobAvailable && j.RunAt.Equal(until))
			}, 20*time.Second, 20*time.Millisecond)
			j := f.job(t, s.JobID)
			require.Len(t, j.Errors, 1, "one failed attempt of the job: the mail service's three attempts inside it")
			require.Contains(t, j.Errors[0].Error, "connection refused")
			require.Contains(t, j.Errors[0].Error, "after 3 attempt(s)")
		}

		// The circuit is open: a new send is rescheduled for its reset,
		// and so are the retries of the first five, attempts unspent.
		sends = append(sends, f.send(t, fmt.Sprintf("/api/v1/invoices/%d/send", ids[mail.FailureThreshold]), nil))
		for i, s := range sends {
			want := 1
			if i == mail.FailureThreshold {
				want = 0
			}
			require.Eventually(t, func() bool {
				j := f.job(t, s.JobID)
				return j.State == domain.JobAvailable && j.RunAt.Equal(until) && j.Attempt == want
			}, 20*time.Second, 20*time.Millisecond, "job %d snoozed until the circuit closes", s.JobID)
			got := f.sends(t, fmt.Sprintf("/api/v1/invoices/%d", s.DocumentID))[0]
			require.Equal(t, "queued", got.Status)
			require.Contains(t, *got.LastError, "mail circuit open")
		}

		// The server comes back; nothing connects while the circuit is open.
		srv.Restart(t)
		require.Zero(t, srv.Connections())
		// The reset time passes: for the breaker (its clock) and for the
		// queue (the snoozed jobs fall due).
		clock.Advance(mail.ResetAfter)
		require.NoError(t, a.DB.Gorm(context.Background()).Exec(
			"UPDATE jobs SET run_at = ? WHERE kind = ? AND state = ?", time.Now().UTC(), "send_document", "available").Error)

		msgs := srv.WaitMessages(t, len(sends), 30*time.Second)
		for _, s := range sends {
			require.Eventually(t, func() bool { return f.job(t, s.JobID).State == domain.JobCompleted }, 10*time.Second, 20*time.Millisecond)
		}
		seen := map[string]int{}
		for _, m := range srv.Messages() {
			p, err := m.Parse()
			require.NoError(t, err)
			for _, ref := range refs {
				if strings.Contains(p.Subject, ref) {
					seen[ref]++
				}
			}
		}
		require.Len(t, msgs, len(sends))
		for _, ref := range refs {
			require.Equal(t, 1, seen[ref], "%s delivered exactly once", ref)
		}
		for i, s := range sends {
			j := f.job(t, s.JobID)
			want := 2 // one transient failure, then the delivery
			if i == mail.FailureThreshold {
				want = 1
			}
			require.Equal(t, want, j.Attempt, "snoozes spent no attempt")
			require.Len(t, f.events(t, fmt.Sprintf("/api/v1/invoices/%d", s.DocumentID), domain.EventSentByMail), 1)
		}
	})
}
