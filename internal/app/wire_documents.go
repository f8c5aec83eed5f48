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

// documents are the commercial documents' use cases: the sales use cases
// and the printing of their documents. The API routes and the mail job
// both use them; the all-in-one builds them once for both, so API and
// runner share one PDF renderer and DOLIBARR_PDF_MAX_CONCURRENT bounds the
// process's renders, not each half's.
type documents struct {
	sales      api.Sales
	purchasing api.Purchasing
	printer    *printing.Service
}

// newDocuments builds the sales use cases, then the printing of their
// documents.
func newDocuments(d deps) (*documents, error) {
	s, err := newSales(d)
	if err != nil {
		return nil, err
	}
	p, err := newPurchasing(d)
	if err != nil {
		return nil, err
	}
	printer, err := newPrinting(d, s, p)
	if err != nil {
		return nil, err
	}
	return &documents{sales: s, purchasing: p, printer: printer}, nil
}

// wireDocuments builds the documents' use cases and adds their routes: the
// sales documents, their PDFs (GET /{proposals|orders|invoices}/{id}/pdf)
// and their sending by e-mail (POST .../{id}/send, which records a send
// request and enqueues its job; the API process never talks to the mail
// server). w keeps them for the all-in-one's runner.
func wireDocuments(_ context.Context, d deps, w *wiring) error {
	docs, err := newDocuments(d)
	if err != nil {
		return err
	}
	sender, err := newMailing(d, docs, nil)
	if err != nil {
		return err
	}
	w.documents = docs
	w.routes = append(w.routes, func(s *api.Server) {
		api.RegisterSales(s, docs.sales)
		api.RegisterDocuments(s, docs.printer)
		api.RegisterMailing(s, sender)
	})
	return nil
}

// newPrinting builds the PDF renderer (maroto, bounded by
// DOLIBARR_PDF_MAX_CONCURRENT) and the printing use case over one source
// per kind of document.
func newPrinting(d deps, s api.Sales, p api.Purchasing) (*printing.Service, error) {
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
			d.metrics.PDFRendered(rep.Duration, rep.Err, errors.Is(rep.Err, context.Canceled) || errors.Is(rep.Err, context.DeadlineExceeded))
			if hooks.Observe != nil {
				hooks.Observe(rep)
			}
		},
	})
	if err != nil {
		return nil, err
	}
	cat := persistence.NewCatalogRepo(d.db)
	c := d.cfg.Company
	issued := persistence.NewIssued(d.db)
	return printing.New(
		printing.Sources{
			domain.KindProposal:      printing.Proposals(s.Proposals.Get, cat),
			domain.KindOrder:         printing.Orders(s.Orders.Get, cat),
			domain.KindInvoice:       printing.Invoices(s.Invoices.Get, s.Payments.OfInvoice, cat),
			domain.KindPurchaseOrder: printing.PurchaseOrders(p.Orders.Get, cat),
		},
		r,
		printing.Config{
			Company:  companyParty(c),
			Language: d.cfg.PDF.Language, Currency: c.Currency, Timeout: d.cfg.PDF.Timeout,
			Issued: issued, Archive: issued, Now: d.now, Legal: legalConfig(c),
		},
	), nil
}

// companyParty is the company block of every document.
func companyParty(c CompanyConfig) printing.Party {
	return printing.Party{
		Name: c.Name, Address: c.Address, Zip: c.Zip, Town: c.Town, CountryCode: c.CountryCode,
		VATID: c.VATID, LegalID: c.LegalID, Email: c.Email, Phone: c.Phone, Website: c.Website, BankAccount: c.BankAccount,
		ProfIDs: c.ProfIDs(),
	}
}

// legalConfig tunes the legal mentions (validated with the configuration).
func legalConfig(c CompanyConfig) printing.Legal {
	fee, _ := domain.ParseDecimal(c.RecoveryFee)
	return printing.Legal{LatePenaltyRate: c.LatePenaltyRate, RecoveryFee: fee, VATExemptionReason: c.VATExemptionReason}
}
