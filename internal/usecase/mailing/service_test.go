package mailing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/printing"
)

// Hand-written fakes of the ports.

type fakeTx struct{}

func (fakeTx) Do(ctx context.Context, fn func(ctx context.Context) error) error { return fn(ctx) }

type fakeStore struct {
	mu     sync.Mutex
	sends  map[int64]domain.DocumentSend
	events []domain.DocEvent
	failOn string // "save": SaveSend fails
}

func newFakeStore() *fakeStore { return &fakeStore{sends: map[int64]domain.DocumentSend{}} }

func (f *fakeStore) CreateSend(_ context.Context, s *domain.DocumentSend) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s.ID = int64(len(f.sends) + 1)
	f.sends[s.ID] = *s
	return nil
}

func (f *fakeStore) Send(_ context.Context, id int64, _ bool) (*domain.DocumentSend, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sends[id]
	if !ok {
		return nil, domain.E(domain.ErrNotFound, "not_found", "send request %d not found", id)
	}
	return &s, nil
}

func (f *fakeStore) SaveSend(_ context.Context, s *domain.DocumentSend) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failOn == "save" {
		return errors.New("database unavailable")
	}
	f.sends[s.ID] = *s
	return nil
}

func (f *fakeStore) Sends(_ context.Context, kind domain.DocKind, id int64) ([]domain.DocumentSend, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []domain.DocumentSend
	for i := int64(1); i <= int64(len(f.sends)); i++ {
		if s := f.sends[i]; s.Kind == kind && s.DocumentID == id {
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *fakeStore) AddEvent(_ context.Context, e *domain.DocEvent) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, *e)
	return nil
}

func (f *fakeStore) get(id int64) domain.DocumentSend {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sends[id]
}

type fakeJobs struct {
	jobs []domain.NewJob
	err  error
}

func (f *fakeJobs) Enqueue(_ context.Context, j domain.NewJob) (domain.EnqueueResult, error) {
	if f.err != nil {
		return domain.EnqueueResult{}, f.err
	}
	f.jobs = append(f.jobs, j)
	return domain.EnqueueResult{ID: int64(100 + len(f.jobs))}, nil
}

type fakeSales struct {
	invoices  map[int64]*domain.Invoice
	orders    map[int64]*domain.Order
	proposals map[int64]*domain.Proposal
}

func notFound(kind string, id int64) error {
	return domain.E(domain.ErrNotFound, "not_found", "%s %d not found", kind, id)
}

func (f *fakeSales) Invoice(_ context.Context, id int64) (*domain.Invoice, error) {
	if d, ok := f.invoices[id]; ok {
		c := *d
		return &c, nil
	}
	return nil, notFound("invoice", id)
}

func (f *fakeSales) Order(_ context.Context, id int64) (*domain.Order, error) {
	if d, ok := f.orders[id]; ok {
		c := *d
		return &c, nil
	}
	return nil, notFound("order", id)
}

func (f *fakeSales) Proposal(_ context.Context, id int64) (*domain.Proposal, error) {
	if d, ok := f.proposals[id]; ok {
		c := *d
		return &c, nil
	}
	return nil, notFound("proposal", id)
}

type fakeCustomers map[int64]*domain.ThirdParty

func (f fakeCustomers) GetThirdParty(_ context.Context, id int64) (*domain.ThirdParty, error) {
	if c, ok := f[id]; ok {
		return c, nil
	}
	return nil, notFound("third party", id)
}

type fakeRenderer struct {
	reqs []printing.Printable
	err  error
}

func (f *fakeRenderer) RenderDocument(_ context.Context, req printing.Printable, w io.Writer) (printing.File, error) {
	if f.err != nil {
		return printing.File{}, f.err
	}
	f.reqs = append(f.reqs, req)
	_, _ = io.WriteString(w, "%PDF-1.7 "+string(req.Doc.Kind())+" "+req.Language)
	return printing.File{Name: "FA2611-0042.pdf", ContentType: "application/pdf", Ref: "FA2611-0042"}, nil
}

type fakeMailer struct {
	sent   []Message
	err    error
	check  error
	outbox bool // the transport writes to the outbox folder
}

func (f *fakeMailer) Check() error { return f.check }

func (f *fakeMailer) Send(_ context.Context, m Message) (Receipt, error) {
	if f.err != nil {
		return Receipt{}, f.err
	}
	f.sent = append(f.sent, m)
	return Receipt{MessageID: m.MessageID, Attempts: 1, Outbox: f.outbox}, nil
}

// fixture: a validated invoice (FA2611-0042, 1234.56 incl. tax, due on
// 2026-12-30) of customer 7, a draft invoice, a validated order and
// proposal, and a credit note.
type fixture struct {
	svc      *Service
	store    *fakeStore
	jobs     *fakeJobs
	sales    *fakeSales
	renderer *fakeRenderer
	mailer   *fakeMailer
	now      time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	doc := func(id int64, ref string) domain.Document {
		return domain.Document{ID: id, Ref: ref, CustomerID: 7, RefCustomer: "PO-77", Date: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
			TotalInclTax: domain.MustDecimal("1234.56")}
	}
	f := &fixture{
		store: newFakeStore(), jobs: &fakeJobs{}, renderer: &fakeRenderer{}, mailer: &fakeMailer{},
		now: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC),
		sales: &fakeSales{
			invoices: map[int64]*domain.Invoice{
				1: {Document: doc(1, "FA2611-0042"), Status: domain.InvoiceValidated, DueDate: time.Date(2026, 12, 30, 0, 0, 0, 0, time.UTC)},
				2: {Document: doc(2, ""), Status: domain.InvoiceDraft},
				3: {Document: doc(3, "AV2611-0001"), Status: domain.InvoiceValidated, Type: domain.InvoiceCreditNote},
				4: {Document: doc(4, "FA2611-0043"), Status: domain.InvoiceAbandoned},
			},
			orders:    map[int64]*domain.Order{1: {Document: doc(1, "CO2611-0001"), Status: domain.OrderValidated}},
			proposals: map[int64]*domain.Proposal{1: {Document: doc(1, "PR2611-0001"), Status: domain.ProposalValidated, ValidUntil: time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC)}},
		},
	}
	var err error
	f.svc, err = New(Deps{
		Tx: fakeTx{}, Store: f.store, Jobs: f.jobs, Sources: map[domain.DocKind]Source{
			domain.KindInvoice: Invoices(f.sales.Invoice), domain.KindOrder: Orders(f.sales.Order), domain.KindProposal: Proposals(f.sales.Proposal)},
		Customers: fakeCustomers{7: {ID: 7, Name: "Élodie Martin SARL", Email: "elodie@martin.test", Customer: true, Active: true}},
		Renderer:  f.renderer, Mailer: f.mailer,
		Config: Config{Company: "Acme", Currency: "EUR", Language: "en"},
		Now:    func() time.Time { return f.now },
	})
	require.NoError(t, err)
	return f
}

// request asks for a send and returns it with its job as the runner
// would claim it (first attempt of 5).
func (f *fixture) request(t *testing.T, r Request) (domain.DocumentSend, *domain.Job) {
	t.Helper()
	s, err := f.svc.RequestSend(context.Background(), r)
	require.NoError(t, err)
	nj := f.jobs.jobs[len(f.jobs.jobs)-1]
	return s, &domain.Job{ID: s.JobID, Kind: nj.Kind, Payload: nj.Payload, Attempt: 1, MaxAttempts: domain.DefaultJobMaxAttempts}
}

func TestRequestSendRecordsAndEnqueuesForTheCustomer(t *testing.T) {
	f := newFixture(t)
	s, err := f.svc.RequestSend(context.Background(), Request{Kind: domain.KindInvoice, ID: 1, By: 3})
	require.NoError(t, err)
	require.Equal(t, []string{"elodie@martin.test"}, s.To, "the customer's address by default")
	require.Equal(t, domain.SendQueued, s.Status)
	require.EqualValues(t, 101, s.JobID)
	require.EqualValues(t, 3, s.RequestedBy)
	require.Len(t, f.jobs.jobs, 1)
	j := f.jobs.jobs[0]
	require.Equal(t, JobKind, j.Kind)
	require.JSONEq(t, `{"send_id":1}`, string(j.Payload), "the job carries the id, not the data")
	require.Equal(t, "send:1", j.UniqueKey)
	require.Equal(t, s, f.store.get(s.ID), "the stored request holds its job id")
	require.Empty(t, f.mailer.sent, "nothing is sent by the request itself")
}

func TestRequestSendRefusesBadInputBeforeEnqueuing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()

	_, err := f.svc.RequestSend(ctx, Request{Kind: domain.KindInvoice, ID: 1, To: []string{"ok@x.test", "not an address", "OK@x.test", ""},
		Subject: "two\nlines", Language: "français"})
	var v *domain.ValidationError
	require.ErrorAs(t, err, &v)
	fields := map[string]string{}
	for _, fe := range v.Fields {
		fields[fe.Field] = fe.Code
	}
	require.Equal(t, map[string]string{"to[1]": "invalid", "to[2]": "duplicate", "to[3]": "required", "subject": "invalid", "language": "invalid"}, fields)

	_, err = f.svc.RequestSend(ctx, Request{Kind: domain.KindInvoice, ID: 2})
	var it *domain.IllegalTransition
	require.ErrorAs(t, err, &it)
	require.Equal(t, "invoice_not_sendable", it.ErrorCode(), "a draft has no number yet")
	_, err = f.svc.RequestSend(ctx, Request{Kind: domain.KindInvoice, ID: 4})
	require.ErrorAs(t, err, &it, "nor is an abandoned invoice sent")

	_, err = f.svc.RequestSend(ctx, Request{Kind: domain.KindInvoice, ID: 99})
	require.ErrorIs(t, err, domain.ErrNotFound)

	many := make([]string, domain.MaxSendRecipients+1)
	for i := range many {
		many[i] = strings.Repeat("a", i+1) + "@x.test"
	}
	_, err = f.svc.RequestSend(ctx, Request{Kind: domain.KindInvoice, ID: 1, To: many})
	require.ErrorIs(t, err, domain.ErrInvalid)

	f.jobs.err = errors.New("queue unavailable")
	_, err = f.svc.RequestSend(ctx, Request{Kind: domain.KindInvoice, ID: 1})
	require.ErrorContains(t, err, "queue unavailable", "no job, no request: the caller's transaction rolls back")
	require.Empty(t, f.jobs.jobs)
}

func TestRequestSendWithoutAnyAddress(t *testing.T) {
	f := newFixture(t)
	f.svc.d.Customers = fakeCustomers{7: {ID: 7, Name: "No Mail Ltd"}}
	_, err := f.svc.RequestSend(context.Background(), Request{Kind: domain.KindInvoice, ID: 1})
	var v *domain.ValidationError
	require.ErrorAs(t, err, &v)
	require.Equal(t, "to", v.Fields[0].Field)
	require.Equal(t, "required", v.Fields[0].Code)
}

func TestHandleJobSendsTheRenderedPDFInTheRequestedLanguage(t *testing.T) {
	for _, c := range []struct {
		lang, subject string
		body          []string
	}{
		{"en", "Invoice FA2611-0042 from Acme", []string{"Hello Élodie Martin SARL,", "invoice FA2611-0042 (your reference PO-77)", "1,234.56 EUR", "due on December 30, 2026", "Acme"}},
		{"fr", "Facture FA2611-0042 de Acme", []string{"Bonjour Élodie Martin SARL,", "facture FA2611-0042 (votre référence PO-77)", "1\u202f234,56 EUR", "avant le 30/12/2026"}},
		{"fr-CA", "Facture FA2611-0042 de Acme", []string{"Bonjour"}},
		{"pt", "Fatura FA2611-0042 de Acme", []string{"Olá", "1.234,56 EUR", "vencimento em 30/12/2026"}},
		{"de", "Invoice FA2611-0042 from Acme", []string{"Hello"}},
	} {
		t.Run(c.lang, func(t *testing.T) {
			f := newFixture(t)
			s, job := f.request(t, Request{Kind: domain.KindInvoice, ID: 1, Language: c.lang, By: 3})
			require.NoError(t, f.svc.HandleJob(context.Background(), job))
			require.Len(t, f.mailer.sent, 1)
			m := f.mailer.sent[0]
			require.Equal(t, []string{"elodie@martin.test"}, m.To)
			require.Equal(t, c.subject, m.Subject)
			for _, want := range c.body {
				require.Contains(t, m.Text, want)
			}
			require.Len(t, m.Attachments, 1)
			require.Equal(t, "FA2611-0042.pdf", m.Attachments[0].Name)
			require.Equal(t, "application/pdf", m.Attachments[0].ContentType)
			require.Equal(t, "%PDF-1.7 invoice "+c.lang, string(m.Attachments[0].Data), "the PDF is rendered in the same language")
			require.Len(t, f.renderer.reqs, 1)
			require.Equal(t, f.sales.invoices[1], f.renderer.reqs[0].Doc, "the job hands the document it read to the rendering, which does not read it again")
			require.NotNil(t, f.renderer.reqs[0].Customer, "and the customer it read")
			require.Equal(t, "Élodie Martin SARL", f.renderer.reqs[0].Customer.Name)
			require.Equal(t, "invoice.1.1796032800000000@dolibarr-go", m.MessageID)

			got := f.store.get(s.ID)
			require.Equal(t, domain.SendSent, got.Status)
			require.Equal(t, m.MessageID, got.MessageID)
			require.Equal(t, f.now, got.SentAt)
			require.Len(t, f.store.events, 1)
			ev := f.store.events[0]
			require.Equal(t, domain.EventSentByMail, ev.Action)
			require.Equal(t, "validated", ev.From)
			require.Equal(t, "validated", ev.To)
			require.EqualValues(t, 3, ev.UserID)
			require.Contains(t, ev.Note, "elodie@martin.test")
		})
	}
}

// TestHandleJobSpeaksTheCustomersLanguage: a request naming no language is
// written, message and PDF, in the customer's language, else the
// configured default; a requested language still wins.
func TestHandleJobSpeaksTheCustomersLanguage(t *testing.T) {
	for _, c := range []struct {
		customer, requested, want, subject string
	}{
		{"fr", "", "fr", "Facture FA2611-0042 de Acme"},
		{"pt-BR", "", "pt-BR", "Fatura FA2611-0042 de Acme"},
		{"fr", "en", "en", "Invoice FA2611-0042 from Acme"},
		{"", "", "en", "Invoice FA2611-0042 from Acme"},
	} {
		t.Run(c.customer+"/"+c.requested, func(t *testing.T) {
			f := newFixture(t)
			f.svc.d.Customers.(fakeCustomers)[7].Language = c.customer
			s, job := f.request(t, Request{Kind: domain.KindInvoice, ID: 1, Language: c.requested, By: 3})
			require.Equal(t, c.requested, s.Language, "the send records the request's language only")
			require.NoError(t, f.svc.HandleJob(context.Background(), job))
			require.Len(t, f.mailer.sent, 1)
			m := f.mailer.sent[0]
			require.Equal(t, c.subject, m.Subject)
			require.Equal(t, "%PDF-1.7 invoice "+c.want, string(m.Attachments[0].Data), "the PDF is rendered in the same language")
		})
	}
}

// TestDocumentLanguagesHaveTemplates: every language a third party may
// prefer has mail templates.
func TestDocumentLanguagesHaveTemplates(t *testing.T) {
	require.ElementsMatch(t, domain.DocumentLanguages, slices.Collect(maps.Keys(locales)))
}

func TestHandleJobTemplatesOfEachKind(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		kind    domain.DocKind
		id      int64
		subject string
		body    string
	}{
		{domain.KindOrder, 1, "Order CO2611-0001 from Acme", "order confirmation CO2611-0001"},
		{domain.KindProposal, 1, "Proposal PR2611-0001 from Acme", "valid until December 15, 2026"},
		{domain.KindInvoice, 3, "Credit note AV2611-0001 from Acme", "credit note AV2611-0001"},
	} {
		_, job := f.request(t, Request{Kind: c.kind, ID: c.id})
		require.NoError(t, f.svc.HandleJob(context.Background(), job))
		m := f.mailer.sent[len(f.mailer.sent)-1]
		require.Equal(t, c.subject, m.Subject)
		require.Contains(t, m.Text, c.body)
	}
	require.NotContains(t, f.mailer.sent[2].Text, "due", "a credit note has no due date")
}

func TestHandleJobOverridesUseSubstitutionKeys(t *testing.T) {
	f := newFixture(t)
	_, job := f.request(t, Request{Kind: domain.KindInvoice, ID: 1, Language: "fr",
		Subject: "Votre facture __REF__ (__REF_CLIENT__)", Body: "Cher __THIRDPARTY_NAME__, __AMOUNT__ avant le __DATE_DUE__. __MYCOMPANY_NAME__"})
	require.NoError(t, f.svc.HandleJob(context.Background(), job))
	m := f.mailer.sent[0]
	require.Equal(t, "Votre facture FA2611-0042 (PO-77)", m.Subject)
	require.Equal(t, "Cher Élodie Martin SARL, 1\u202f234,56 EUR avant le 30/12/2026. Acme", m.Text)
}

func TestHandleJobOutcomeFollowsTheFailureClass(t *testing.T) {
	until := time.Date(2026, 11, 30, 10, 1, 0, 0, time.UTC)
	t.Run("permanent fails the job at once, visible on the request and the document", func(t *testing.T) {
		f := newFixture(t)
		s, job := f.request(t, Request{Kind: domain.KindInvoice, ID: 1})
		f.mailer.err = &SendError{Class: Permanent, Attempts: 1, Code: 550, Err: errors.New("550 5.1.1 no such user")}
		err := f.svc.HandleJob(context.Background(), job)
		var perm *domain.JobPermanentError
		require.ErrorAs(t, err, &perm)
		require.ErrorContains(t, err, "550 5.1.1 no such user")
		got := f.store.get(s.ID)
		require.Equal(t, domain.SendFailed, got.Status)
		require.Contains(t, got.LastError, "550 5.1.1 no such user")
		require.Len(t, f.store.events, 1)
		require.Equal(t, domain.EventSendFailed, f.store.events[0].Action)
		require.Contains(t, f.store.events[0].Note, "550 5.1.1 no such user")
	})
	t.Run("open circuit snoozes until it closes", func(t *testing.T) {
		f := newFixture(t)
		s, job := f.request(t, Request{Kind: domain.KindInvoice, ID: 1})
		f.mailer.err = &CircuitOpenError{Until: until}
		err := f.svc.HandleJob(context.Background(), job)
		var snooze *domain.JobSnoozeError
		require.ErrorAs(t, err, &snooze)
		require.Equal(t, until, snooze.Until)
		got := f.store.get(s.ID)
		require.Equal(t, domain.SendQueued, got.Status)
		require.Contains(t, got.LastError, "mail circuit open")
		require.Empty(t, f.store.events)
	})
	t.Run("an open circuit is seen before rendering", func(t *testing.T) {
		f := newFixture(t)
		_, job := f.request(t, Request{Kind: domain.KindInvoice, ID: 1})
		f.mailer.check = &CircuitOpenError{Until: until}
		var snooze *domain.JobSnoozeError
		require.ErrorAs(t, f.svc.HandleJob(context.Background(), job), &snooze)
		require.Equal(t, until, snooze.Until)
		require.Empty(t, f.renderer.reqs, "no PDF rendered for a refused send")
	})
	t.Run("transient lets the queue retry, and fails on the last attempt", func(t *testing.T) {
		f := newFixture(t)
		s, job := f.request(t, Request{Kind: domain.KindInvoice, ID: 1})
		f.mailer.err = &SendError{Class: Transient, Attempts: 3, Code: 451, Err: errors.New("451 try later")}
		err := f.svc.HandleJob(context.Background(), job)
		require.ErrorIs(t, err, f.mailer.err)
		var perm *domain.JobPermanentError
		var snooze *domain.JobSnoozeError
		require.False(t, errors.As(err, &perm) || errors.As(err, &snooze), "a plain error: retried with backoff")
		require.Equal(t, domain.SendQueued, f.store.get(s.ID).Status)
		require.Contains(t, f.store.get(s.ID).LastError, "451 try later")
		require.Empty(t, f.store.events)

		job.Attempt = job.MaxAttempts
		err = f.svc.HandleJob(context.Background(), job)
		require.ErrorAs(t, err, &perm)
		require.Equal(t, domain.SendFailed, f.store.get(s.ID).Status)
		require.Len(t, f.store.events, 1)
		require.Equal(t, domain.EventSendFailed, f.store.events[0].Action)
	})
	t.Run("shutdown hands the job back", func(t *testing.T) {
		f := newFixture(t)
		_, job := f.request(t, Request{Kind: domain.KindInvoice, ID: 1})
		f.mailer.err = context.Canceled
		err := f.svc.HandleJob(context.Background(), job)
		require.ErrorIs(t, err, context.Canceled)
		require.Empty(t, f.store.events)
	})
}

func TestHandleJobNeverSendsTwice(t *testing.T) {
	f := newFixture(t)
	_, job := f.request(t, Request{Kind: domain.KindInvoice, ID: 1})
	require.NoError(t, f.svc.HandleJob(context.Background(), job))
	require.NoError(t, f.svc.HandleJob(context.Background(), job), "a job run again after a delivery")
	require.Len(t, f.mailer.sent, 1)
	require.Len(t, f.store.events, 1)
}

// TestHandleJobWrittenToOutbox is issue 21's defect 14: a message the
// all-in-one without SMTP writes to its outbox folder was reported as sent
// with a sent_by_mail event. It is written_to_outbox, on the send and as
// the event, and a job run again does not write it twice.
func TestHandleJobWrittenToOutbox(t *testing.T) {
	f := newFixture(t)
	f.mailer.outbox = true
	s, job := f.request(t, Request{Kind: domain.KindInvoice, ID: 1})
	require.NoError(t, f.svc.HandleJob(context.Background(), job))
	got := f.store.get(s.ID)
	require.Equal(t, domain.SendWrittenToOutbox, got.Status)
	require.NotEmpty(t, got.MessageID)
	require.Equal(t, f.now, got.SentAt, "when it was written")
	require.Len(t, f.store.events, 1)
	require.Equal(t, domain.EventWrittenToOutbox, f.store.events[0].Action)
	require.Contains(t, f.store.events[0].Note, "not sent")
	require.Contains(t, f.store.events[0].Note, got.MessageID)

	require.NoError(t, f.svc.HandleJob(context.Background(), job), "a job run again after the write")
	require.Len(t, f.mailer.sent, 1)
	require.Len(t, f.store.events, 1)
}

func TestHandleJobDocumentChangedMeanwhile(t *testing.T) {
	f := newFixture(t)
	_, job := f.request(t, Request{Kind: domain.KindInvoice, ID: 1})
	f.sales.invoices[1].Status = domain.InvoiceDraft // reopened before the job ran
	err := f.svc.HandleJob(context.Background(), job)
	var perm *domain.JobPermanentError
	require.ErrorAs(t, err, &perm)
	require.Empty(t, f.mailer.sent)

	s, job := f.request(t, Request{Kind: domain.KindOrder, ID: 1})
	delete(f.sales.orders, 1)
	err = f.svc.HandleJob(context.Background(), job)
	require.ErrorAs(t, err, &perm)
	require.Equal(t, domain.SendFailed, f.store.get(s.ID).Status)
}

func TestHandleJobRenderFailures(t *testing.T) {
	f := newFixture(t)
	_, job := f.request(t, Request{Kind: domain.KindInvoice, ID: 1})
	f.renderer.err = errors.New("font cache busy")
	err := f.svc.HandleJob(context.Background(), job)
	var perm *domain.JobPermanentError
	require.False(t, errors.As(err, &perm), "an unexpected render error is retried")
	require.Empty(t, f.mailer.sent)

	f.renderer.err = notFound("invoice", 1)
	require.ErrorAs(t, f.svc.HandleJob(context.Background(), job), &perm)
}

// TestHandleJobRendererFailureIsPermanent: the PDF library failing on the
// document (issue 21: an emoji made it panic) fails the job at once, with
// the reason on the send and the document, instead of five retries over
// six minutes that all fail the same way.
func TestHandleJobRendererFailureIsPermanent(t *testing.T) {
	f := newFixture(t)
	s, job := f.request(t, Request{Kind: domain.KindInvoice, ID: 1})
	f.renderer.err = fmt.Errorf("rendering invoice FA2611-0042: %w: pdf: rendering panicked: index out of range", printing.ErrRenderFailed)
	err := f.svc.HandleJob(context.Background(), job)
	var perm *domain.JobPermanentError
	require.ErrorAs(t, err, &perm)
	require.Empty(t, f.mailer.sent)
	got := f.store.get(s.ID)
	require.Equal(t, domain.SendFailed, got.Status)
	require.Contains(t, got.LastError, "index out of range")
	require.Len(t, f.store.events, 1)
	require.Equal(t, domain.EventSendFailed, f.store.events[0].Action)
}

func TestHandleJobBadPayloadIsPermanent(t *testing.T) {
	f := newFixture(t)
	job := &domain.Job{ID: 1, Kind: JobKind, Payload: json.RawMessage(`{"sendid":1}`), Attempt: 1, MaxAttempts: 5}
	var perm *domain.JobPermanentError
	require.ErrorAs(t, f.svc.HandleJob(context.Background(), job), &perm)
	job.Payload = json.RawMessage(`{"send_id":42}`)
	require.ErrorAs(t, f.svc.HandleJob(context.Background(), job), &perm, "a request that no longer exists")
}

func TestLanguage(t *testing.T) {
	for tag, want := range map[string]string{
		"en": "en", "fr": "fr", "FR": "fr", "fr-BE": "fr", "pt": "pt-BR", "pt-br": "pt-BR", "pt-PT": "pt-BR",
		"es-MX": "es", "de": "en", "": "en", "zz-ZZ": "en",
	} {
		require.Equal(t, want, Language(tag), tag)
	}
}

func TestFormatAmount(t *testing.T) {
	en, fr := locales["en"], locales["fr"]
	require.Equal(t, "0.00 EUR", en.formatAmount(domain.MustDecimal("0"), "EUR"))
	require.Equal(t, "999.99", en.formatAmount(domain.MustDecimal("999.99"), ""))
	require.Equal(t, "1,000.00 USD", en.formatAmount(domain.MustDecimal("1000"), "USD"))
	require.Equal(t, "-1,234,567.01 EUR", en.formatAmount(domain.MustDecimal("-1234567.005"), "EUR"), "half away from zero")
	require.Equal(t, "12\u202f345,68 EUR", fr.formatAmount(domain.MustDecimal("12345.675"), "EUR"))
}
