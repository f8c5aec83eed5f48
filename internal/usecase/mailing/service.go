package mailing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/jobs"
	"github.com/dolibarr-go/dolibarr/internal/usecase/printing"
)

// JobKind is the kind of the jobs that send a document.
const JobKind = "send_document"

// Source reads the documents of one kind and words their messages
// (sources.go: the sales kinds). A new kind of document plugs in with its
// Source and its templates.
type Source interface {
	// Document reads document id; a missing one is a domain.ErrNotFound
	// error.
	Document(ctx context.Context, id int64) (domain.CommercialDocument, error)
	// Template names the template of doc's message ("invoice",
	// "credit_note") and the date its __DATE_DUE__ shows (zero: none).
	Template(doc domain.CommercialDocument) (name string, due time.Time)
}

// Customers looks up a document's customer (the catalogue repository
// satisfies it).
type Customers interface {
	GetThirdParty(ctx context.Context, id int64) (*domain.ThirdParty, error)
}

// Store keeps the send requests and the documents' event log.
type Store interface {
	// CreateSend inserts s and sets its ID.
	CreateSend(ctx context.Context, s *domain.DocumentSend) error
	// Send returns a send request or a domain.ErrNotFound error; with
	// lock, inside a transaction, its row is locked FOR UPDATE first.
	Send(ctx context.Context, id int64, lock bool) (*domain.DocumentSend, error)
	// SaveSend writes s's job id, status, message id, error and dates.
	SaveSend(ctx context.Context, s *domain.DocumentSend) error
	// Sends lists a document's send requests, oldest first.
	Sends(ctx context.Context, kind domain.DocKind, docID int64) ([]domain.DocumentSend, error)
	AddEvent(ctx context.Context, e *domain.DocEvent) error
}

// Renderer writes the PDF of a document already read (printing.Service
// satisfies it).
type Renderer interface {
	RenderDocument(ctx context.Context, p printing.Printable, w io.Writer) (printing.File, error)
}

// Config is the use case's configuration.
type Config struct {
	// Company signs the messages (DOLIBARR_COMPANY_NAME).
	Company string
	// Currency is written after amounts (DOLIBARR_COMPANY_CURRENCY).
	Currency string
	// Language is used when neither the request nor the customer names one
	// (DOLIBARR_PDF_LANGUAGE, so the message and its PDF speak the same
	// language).
	Language string
}

// Deps are the Service's collaborators.
type Deps struct {
	Tx    domain.Transactor
	Store Store
	Jobs  jobs.Enqueuer
	// Sources are the kinds of documents that can be sent, by kind.
	Sources   map[domain.DocKind]Source
	Customers Customers
	// Renderer and Mailer are needed by the job handler only; the API
	// process leaves them nil.
	Renderer Renderer
	Mailer   Mailer
	Config   Config
	Now      func() time.Time
}

// Service sends documents by e-mail.
type Service struct {
	d   Deps
	cat catalog
}

// New returns the service; it fails if an embedded template is broken.
func New(d Deps) (*Service, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Config.Language == "" {
		d.Config.Language = DefaultLanguage
	}
	cat, err := loadCatalog()
	if err != nil {
		return nil, err
	}
	return &Service{d: d, cat: cat}, nil
}

func (s *Service) clock() time.Time { return s.d.Now().UTC().Truncate(time.Microsecond) }

// Request asks to send a document by e-mail.
type Request struct {
	Kind domain.DocKind
	ID   int64
	// To lists the recipients; nil means the customer's e-mail address.
	To []string
	// Subject and Body, when not empty, replace the template's.
	Subject  string
	Body     string
	Language string
	By       int64
}

// RequestSend validates the request, records it and enqueues its
// send_document job in one transaction, and returns it (status queued,
// with its job id). Mail trouble never fails this call: the job carries it.
func (s *Service) RequestSend(ctx context.Context, r Request) (domain.DocumentSend, error) {
	doc, err := s.load(ctx, r.Kind, r.ID)
	if err != nil {
		return domain.DocumentSend{}, err
	}
	if err := domain.CheckSendable(doc); err != nil {
		return domain.DocumentSend{}, err
	}
	to := r.To
	if to == nil {
		cust, err := s.d.Customers.GetThirdParty(ctx, doc.Header().CustomerID)
		if err != nil {
			return domain.DocumentSend{}, err
		}
		if cust.Email != "" {
			to = []string{cust.Email}
		}
	}
	now := s.clock()
	send := domain.DocumentSend{
		Kind: r.Kind, DocumentID: r.ID, To: to, Subject: r.Subject, Body: r.Body, Language: r.Language,
		Status: domain.SendQueued, RequestedBy: r.By, CreatedAt: now, UpdatedAt: now,
	}
	if err := send.Validate(); err != nil {
		return domain.DocumentSend{}, err
	}
	err = s.d.Tx.Do(ctx, func(ctx context.Context) error {
		if err := s.d.Store.CreateSend(ctx, &send); err != nil {
			return err
		}
		job, err := domain.NewJobFor(JobKind, jobPayload{SendID: send.ID})
		if err != nil {
			return err
		}
		job.UniqueKey = fmt.Sprintf("send:%d", send.ID)
		res, err := s.d.Jobs.Enqueue(ctx, job)
		if err != nil {
			return err
		}
		send.JobID = res.ID
		return s.d.Store.SaveSend(ctx, &send)
	})
	if err != nil {
		return domain.DocumentSend{}, err
	}
	return send, nil
}

// Sends lists a document's send requests, oldest first.
func (s *Service) Sends(ctx context.Context, kind domain.DocKind, id int64) ([]domain.DocumentSend, error) {
	if _, err := s.load(ctx, kind, id); err != nil {
		return nil, err
	}
	return s.d.Store.Sends(ctx, kind, id)
}

func (s *Service) load(ctx context.Context, kind domain.DocKind, id int64) (domain.CommercialDocument, error) {
	src, ok := s.d.Sources[kind]
	if !ok {
		return nil, domain.E(domain.ErrInvalid, "invalid_document_kind", "unknown document kind %q", kind)
	}
	return src.Document(ctx, id)
}

type jobPayload struct {
	SendID int64 `json:"send_id"`
}

// HandleJob works a send_document job: it renders the PDF, builds the
// message and sends it through the Mailer, then records the outcome on the
// send request and, for a delivery or a final failure, on the document's
// events. The job's outcome follows the failure's class:
//   - delivered, or written to the outbox folder (or already, by an
//     earlier run): done;
//   - permanent: the job fails at once with the reason;
//   - mail circuit open: the job is snoozed until the circuit closes,
//     without spending an attempt;
//   - transient after the mail service's attempts: an error, so the queue
//     retries the job with its backoff; once the job's attempts are spent
//     the send is marked failed too.
func (s *Service) HandleJob(ctx context.Context, job *domain.Job) error {
	var p jobPayload
	if err := job.DecodePayload(&p); err != nil {
		return err
	}
	send, err := s.d.Store.Send(ctx, p.SendID, false)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return domain.JobPermanent(fmt.Errorf("send request %d no longer exists", p.SendID))
	case err != nil:
		return err
	}
	if send.Status.Done() {
		return nil // an earlier run delivered it; never send twice
	}
	doc, err := s.load(ctx, send.Kind, send.DocumentID)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return s.fail(ctx, send, nil, fmt.Errorf("%s %d no longer exists", send.Kind, send.DocumentID))
	case err != nil:
		return err
	}
	if err := domain.CheckSendable(doc); err != nil {
		return s.fail(ctx, send, doc, err)
	}
	var open *CircuitOpenError
	if err := s.d.Mailer.Check(); errors.As(err, &open) {
		// Rendering a PDF the mail service would refuse is waste.
		_ = s.note(ctx, send, err)
		return domain.JobSnoozeUntil(open.Until)
	}
	msg, err := s.message(ctx, send, doc)
	if err != nil {
		if ctx.Err() != nil || !permanentPrep(err) {
			return s.wait(ctx, send, err)
		}
		return s.fail(ctx, send, doc, err)
	}
	rec, err := s.d.Mailer.Send(ctx, msg)
	switch {
	case err == nil:
		return s.sent(ctx, send, doc, rec)
	case errors.As(err, &open):
		_ = s.note(ctx, send, err) // visibility only; the snooze matters
		return domain.JobSnoozeUntil(open.Until)
	case IsPermanent(err):
		return s.fail(ctx, send, doc, err)
	case errors.Is(err, context.Canceled):
		return err // shutdown: the runner hands the job back unspent
	case job.Attempt >= job.MaxAttempts:
		// The queue will not try again: say so on the document too.
		return s.fail(ctx, send, doc, err)
	}
	return s.wait(ctx, send, err)
}

// permanentPrep tells whether preparing the message failed for good: the
// document or its customer is gone, the input is refused, or the PDF
// renderer failed on the document (it would fail again on every attempt).
func permanentPrep(err error) bool {
	return errors.Is(err, domain.ErrNotFound) || errors.Is(err, domain.ErrInvalid) || errors.Is(err, printing.ErrRenderFailed)
}

// message renders the PDF and composes the message.
func (s *Service) message(ctx context.Context, send *domain.DocumentSend, doc domain.CommercialDocument) (Message, error) {
	h := doc.Header()
	cust, err := s.d.Customers.GetThirdParty(ctx, h.CustomerID)
	if err != nil {
		return Message{}, err
	}
	// The request's language, else the customer's, else the default; the
	// PDF is rendered in the same one as the message.
	lang := send.Language
	if lang == "" {
		lang = cust.Language
	}
	if lang == "" {
		lang = s.d.Config.Language
	}
	var pdf bytes.Buffer
	// The document and customer already read are handed over, so the
	// rendering does not read them again.
	file, err := s.d.Renderer.RenderDocument(ctx, printing.Printable{Doc: doc, Customer: cust, Language: lang}, &pdf)
	if err != nil {
		return Message{}, err
	}
	loc := locales[Language(lang)]
	kind, due := s.d.Sources[send.Kind].Template(doc)
	vars := Vars{
		Ref: h.DisplayRef(), CustomerRef: h.RefCustomer, CustomerName: cust.Name,
		Amount: loc.formatAmount(h.TotalInclTax, s.d.Config.Currency), DueDate: loc.formatDate(due), Company: s.d.Config.Company,
	}
	subject, body, err := s.cat.compose(lang, kind, vars, send.Subject, send.Body)
	if err != nil {
		return Message{}, domain.E(domain.ErrInvalid, "mail_template", "%v", err)
	}
	return Message{
		To: send.To, Subject: subject, Text: body,
		Attachments: []Attachment{{Name: file.Name, ContentType: file.ContentType, Data: pdf.Bytes()}},
		// The same id on every attempt and every run of this send, so a
		// receiver can recognise a duplicate.
		MessageID: fmt.Sprintf("%s.%d.%d@dolibarr-go", send.Kind, send.ID, send.CreatedAt.UnixMicro()),
	}, nil
}

// sent records the delivery, or the message written to the outbox folder,
// on the request and the document.
func (s *Service) sent(ctx context.Context, send *domain.DocumentSend, doc domain.CommercialDocument, rec Receipt) error {
	now := s.clock()
	return s.d.Tx.Do(ctx, func(ctx context.Context) error {
		cur, err := s.d.Store.Send(ctx, send.ID, true)
		if err != nil {
			return err
		}
		to := strings.Join(cur.To, ", ")
		action, note := domain.EventSentByMail, fmt.Sprintf("sent to %s (message id %s, send %d)", to, rec.MessageID, cur.ID)
		if rec.Outbox {
			cur.MarkWrittenToOutbox(rec.MessageID, now)
			action = domain.EventWrittenToOutbox
			note = fmt.Sprintf("written to the outbox folder for %s, not sent: no SMTP server is configured (message id %s, send %d)", to, rec.MessageID, cur.ID)
		} else {
			cur.MarkSent(rec.MessageID, now)
		}
		if err := s.d.Store.SaveSend(ctx, cur); err != nil {
			return err
		}
		ev := domain.Event(doc, action, doc.StatusName(), cur.RequestedBy, note, now)
		return s.d.Store.AddEvent(ctx, &ev)
	})
}

// fail records a final failure on the request and, when the document
// exists, on its events, and fails the job for good.
func (s *Service) fail(ctx context.Context, send *domain.DocumentSend, doc domain.CommercialDocument, cause error) error {
	now := s.clock()
	reason := cause.Error()
	err := s.d.Tx.Do(ctx, func(ctx context.Context) error {
		cur, err := s.d.Store.Send(ctx, send.ID, true)
		if err != nil {
			return err
		}
		cur.MarkFailed(reason, now)
		if err := s.d.Store.SaveSend(ctx, cur); err != nil {
			return err
		}
		if doc == nil {
			return nil
		}
		note := fmt.Sprintf("sending to %s failed (send %d): %s", strings.Join(cur.To, ", "), cur.ID, reason)
		ev := domain.Event(doc, domain.EventSendFailed, doc.StatusName(), cur.RequestedBy, domain.TruncateJobError(note), now)
		return s.d.Store.AddEvent(ctx, &ev)
	})
	if err != nil {
		// Not recorded: let the queue run the job again, which will reach
		// the same verdict and try to record it again.
		return fmt.Errorf("recording the failure (%w): %w", cause, err)
	}
	return domain.JobPermanent(cause)
}

// wait records why a send waits and returns cause, so the queue retries.
func (s *Service) wait(ctx context.Context, send *domain.DocumentSend, cause error) error {
	_ = s.note(ctx, send, cause) // visibility only; the retry matters
	return cause
}

func (s *Service) note(ctx context.Context, send *domain.DocumentSend, cause error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	now := s.clock()
	return s.d.Tx.Do(ctx, func(ctx context.Context) error {
		cur, err := s.d.Store.Send(ctx, send.ID, true)
		if err != nil {
			return err
		}
		if cur.Status.Done() {
			return nil
		}
		cur.MarkWaiting(cause.Error(), now)
		return s.d.Store.SaveSend(ctx, cur)
	})
}
