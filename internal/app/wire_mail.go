package app

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/mail"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
	"github.com/dolibarr-go/dolibarr/internal/usecase/mailing"
)

// mailOutboxDir is the folder, in the data directory, where the all-in-one
// writes messages as .eml files when no SMTP server is set.
const mailOutboxDir = "mail-outbox"

// WithMailOptions makes the runner's mail service use o instead of the
// production defaults: a breaker on a test clock, a sleeper that records
// the backoff waits. The policy itself (attempts, backoff, threshold,
// reset) stays the code's.
func WithMailOptions(o mail.Options) TestOption {
	return func(d *deps) { d.mail = o }
}

// WithMailOutbox makes the runner write messages to the outbox folder dir
// when no SMTP server is set, on any engine, as the all-in-one does on
// SQLite: tests of the outbox path on PostgreSQL and MySQL.
func WithMailOutbox(dir string) TestOption {
	return func(d *deps) { d.outbox = dir }
}

// registerMailingJobs registers the send_document job: render the PDF,
// build the message, send it through the mail service (retries and
// circuit breaker). The runner reads and renders documents exactly as the
// API does, through the same use cases: the all-in-one's API built them
// already (w.documents), the runner binary builds them here.
func registerMailingJobs(_ context.Context, d deps, w *wiring, reg *queue.Registry) error {
	if w.documents == nil {
		docs, err := newDocuments(d)
		if err != nil {
			return err
		}
		w.documents = docs
	}
	mailer, err := newMailer(d)
	if err != nil {
		return err
	}
	svc, err := newMailing(d, w.documents, d.metrics.Mailer(mailer))
	if err != nil {
		return err
	}
	// Completed at once: the job table says a message went out as soon as
	// its send is recorded, not at the next batch of completions.
	return reg.Register(mailing.JobKind, svc.HandleJob, queue.CompleteAtOnce())
}

// newMailing builds the mailing use case over one source per kind of
// document. Only the runner renders and sends (mailer set); the API only
// records requests.
func newMailing(d deps, docs *documents, mailer mailing.Mailer) (*mailing.Service, error) {
	s := docs.sales
	md := mailing.Deps{
		Tx: d.db, Store: persistence.NewMailingRepo(d.db), Jobs: jobQueue(d),
		Sources: map[domain.DocKind]mailing.Source{
			domain.KindProposal:      mailing.Proposals(s.Proposals.Get),
			domain.KindOrder:         mailing.Orders(s.Orders.Get),
			domain.KindInvoice:       mailing.Invoices(s.Invoices.Get),
			domain.KindPurchaseOrder: mailing.PurchaseOrders(docs.purchasing.Orders.Get),
		},
		Customers: persistence.NewCatalogRepo(d.db),
		Config:    mailing.Config{Company: d.cfg.Company.Name, Currency: d.cfg.Company.Currency, Language: d.cfg.PDF.Language},
		Now:       d.now,
	}
	if mailer != nil {
		md.Renderer, md.Mailer = docs.printer, mailer
	}
	return mailing.New(md)
}

// newMailer returns the mail service over the configured transport: the
// SMTP server; without one, on SQLite, a folder of .eml files in the data
// directory; otherwise a transport that fails every send as not configured.
func newMailer(d deps) (*mail.Sender, error) {
	c := d.cfg.SMTP
	log := d.log.Named("mail")
	from := c.SenderAddress(d.cfg.Company)
	var tr mail.Transport
	switch {
	case c.Host != "":
		s, err := mail.NewSMTP(mail.SMTPConfig{
			Host: c.Host, Port: c.SMTPPort(), Username: c.Username, Password: c.Password, From: from, TLS: mail.TLSMode(c.TLS),
		})
		if err != nil {
			return nil, err
		}
		tr = s
		log.Info("mail goes through SMTP", zap.String("host", c.Host), zap.Int("port", c.SMTPPort()), zap.String("tls", c.TLS),
			zap.Bool("auth", c.Username != ""), zap.String("from", from))
	case d.db.Dialect().LocalFile() || d.outbox != "":
		if from == "" {
			from = d.cfg.Company.Name + " <noreply@localhost>"
		}
		dir := mailOutbox(d.cfg.DataDir)
		if d.outbox != "" {
			dir = d.outbox
		}
		out, err := mail.NewDir(dir, from, d.now)
		if err != nil {
			return nil, err
		}
		tr = out
		log.Warn("no SMTP server (DOLIBARR_SMTP_HOST): messages are written as .eml files to a folder instead of being sent",
			zap.String("folder", out.Path()))
	default:
		tr = mail.Unconfigured{}
		log.Warn("no SMTP server (DOLIBARR_SMTP_HOST): sending documents by e-mail fails until one is set")
	}
	o := d.mail
	if o.Now == nil {
		o.Now = d.now
	}
	if o.Log == nil {
		o.Log = log
	}
	return mail.NewSender(tr, o), nil
}

// mailOutbox is the .eml folder: in the data directory, or in the
// temporary directory for an in-memory database (which has none).
func mailOutbox(dataDir string) string {
	if dataDir != "" {
		return filepath.Join(dataDir, mailOutboxDir)
	}
	return filepath.Join(os.TempDir(), "dolibarr-"+mailOutboxDir)
}

// NewTestRunner builds the job runner exactly as the runner binary does,
// on db (already migrated), for tests that run jobs through the binaries'
// own handlers.
func NewTestRunner(ctx context.Context, cfg Config, db *persistence.DB, log *zap.Logger, opts ...TestOption) (*queue.Runner, error) {
	d := deps{cfg: cfg, db: db, log: log, now: time.Now}
	for _, o := range opts {
		o(&d)
	}
	return buildRunner(ctx, withMetrics(d), &wiring{}, nil)
}
