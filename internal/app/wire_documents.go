package app

import (
	"context"
	"errors"

	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/pdf"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/usecase/printing"
)

// pdfHooks let tests watch renders through the real router: Progress is
// called after each unit of work of a render, Observe when it ends.
type pdfHooks struct {
	Progress func(ctx context.Context, done, total int)
	Observe  func(pdf.Report)
}

// WithPDFHooks makes the server call progress after each unit of work of
// every PDF render and observe when a render ends (CT-03 uses them to act
// at a known point of a render and to see how it ended).
func WithPDFHooks(progress func(ctx context.Context, done, total int), observe func(pdf.Report)) TestOption {
	return func(d *deps) { d.pdf = pdfHooks{Progress: progress, Observe: observe} }
}

// wireDocuments builds the PDF renderer (maroto, bounded by
// DOLIBARR_PDF_MAX_CONCURRENT), the printing use case over one source per
// kind of sales document, and the GET /{proposals|orders|invoices}/{id}/pdf
// routes.
func wireDocuments(_ context.Context, d deps, w *wiring) error {
	if w.sales == nil {
		return errors.New("documents: wireSales must run first")
	}
	log := d.log.Named("pdf")
	hooks := d.pdf
	r, err := pdf.New(pdf.Options{
		MaxConcurrent: d.cfg.PDF.MaxConcurrent,
		Progress:      hooks.Progress,
		Observe: func(rep pdf.Report) {
			fields := []zap.Field{
				zap.String("kind", string(rep.Kind)), zap.String("ref", rep.Ref), zap.String("language", rep.Language),
				zap.Int("pages", rep.Pages), zap.Int("bytes", rep.Bytes), zap.Int("units", rep.Units), zap.Int("done", rep.Done),
				zap.Duration("waited", rep.Waited), zap.Duration("duration", rep.Duration),
			}
			switch {
			case rep.Err == nil:
				log.Debug("pdf rendered", fields...)
			case errors.Is(rep.Err, context.Canceled) || errors.Is(rep.Err, context.DeadlineExceeded):
				log.Info("pdf render stopped", append(fields, zap.Error(rep.Err))...)
			default:
				log.Error("pdf render failed", append(fields, zap.Error(rep.Err))...)
			}
			if hooks.Observe != nil {
				hooks.Observe(rep)
			}
		},
	})
	if err != nil {
		return err
	}
	cat := persistence.NewCatalogRepo(d.db)
	c := d.cfg.Company
	svc := printing.New(
		printing.Sources{
			domain.KindProposal: printing.Proposals(w.sales.Proposal, cat),
			domain.KindOrder:    printing.Orders(w.sales.Order, cat),
			domain.KindInvoice:  printing.Invoices(w.sales.Invoice, w.sales.InvoicePayments, cat),
		},
		r,
		printing.Config{
			Company: printing.Party{
				Name: c.Name, Address: c.Address, Zip: c.Zip, Town: c.Town, CountryCode: c.CountryCode,
				VATID: c.VATID, LegalID: c.LegalID, Email: c.Email, Phone: c.Phone, Website: c.Website, BankAccount: c.BankAccount,
			},
			Language: d.cfg.PDF.Language, Currency: c.Currency, Timeout: d.cfg.PDF.Timeout,
		},
	)
	w.documents = svc
	w.routes = append(w.routes, func(s *api.Server) { api.RegisterDocuments(s, svc) })
	return nil
}
