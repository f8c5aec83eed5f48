// Package documents produces the printable documents of sales: the PDF of
// a proposal, an order or an invoice. It owns a plain view model (Document),
// the port that renders it (Renderer, implemented with maroto in
// infrastructure/pdf) and the port that loads it (Source, implemented by
// mapping the sales entities). The use case adds the company block from
// configuration, chooses the language and bounds the work in time.
package documents

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Kind is the type of a printed document.
type Kind string

// The kinds of documents. A credit note is loaded as an invoice and printed
// under its own title.
const (
	KindProposal   Kind = "proposal"
	KindOrder      Kind = "order"
	KindInvoice    Kind = "invoice"
	KindCreditNote Kind = "credit_note"
)

// Document is everything a printed sales document shows, already computed:
// the renderer lays it out and formats it, it decides nothing. Amounts are
// exact decimals; the renderer rounds them only for display.
type Document struct {
	Kind Kind
	// Ref is the document's reference ("FA2611-0042", or "(PROV42)" for a
	// draft); CustomerRef the customer's own reference, if any.
	Ref         string
	CustomerRef string
	// Draft prints a watermark: the document has no final number yet.
	Draft bool
	// Language is a BCP 47 tag ("fr", "pt-BR"); the renderer uses the
	// closest catalog it has, English by default.
	Language string
	// Currency is an ISO 4217 code ("EUR").
	Currency string
	// IssueDate is the document date. DueDate is the payment due date of an
	// invoice, the end of validity of a proposal, the delivery date of an
	// order; zero when unknown.
	IssueDate time.Time
	DueDate   time.Time
	Company   Party
	Customer  Party
	Lines     []Line
	// VAT is the breakdown per rate, in the order to print.
	VAT          []VATAmount
	TotalExclTax domain.Decimal
	TotalVAT     domain.Decimal
	TotalInclTax domain.Decimal
	// Payments, Paid, CreditUsed and Remaining are printed for invoices
	// only. CreditUsed is the sum of the customer credits (credit notes)
	// used on the invoice, printed when non-zero; Remaining is
	// TotalInclTax - Paid - CreditUsed.
	Payments   []Payment
	Paid       domain.Decimal
	CreditUsed domain.Decimal
	Remaining  domain.Decimal
	// PaymentTerms is a code of domain.PaymentTermCodes (printed with its
	// label) or free text; empty prints nothing.
	PaymentTerms string
	PublicNote   string
}

// Party is a postal identity: the issuing company or the customer.
type Party struct {
	Name        string
	Address     string
	Zip         string
	Town        string
	CountryCode string
	VATID       string
	// LegalID is a free legal identification line ("SIRET 123 456 789 00012").
	LegalID string
	// Code is the customer code; BankAccount the company's IBAN/BIC line
	// printed with the payment terms.
	Code        string
	Email       string
	Phone       string
	Website     string
	BankAccount string
}

// Line is one line of the document.
type Line struct {
	// Ref is the product reference (empty for a free-text line).
	Ref         string
	Description string
	Qty         domain.Decimal
	// UnitPrice is excl. tax; DiscountPercent and VATRate are percentages.
	UnitPrice       domain.Decimal
	DiscountPercent domain.Decimal
	VATRate         domain.Decimal
	TotalExclTax    domain.Decimal
}

// VATAmount is one row of the VAT breakdown: the base excl. tax taxed at
// Rate and the VAT it yields.
type VATAmount struct {
	Rate   domain.Decimal
	Base   domain.Decimal
	Amount domain.Decimal
}

// Payment is a payment received against an invoice.
type Payment struct {
	Date time.Time
	// Method is a payment-method code (VIR, CHQ, CB, ...) or free text.
	Method    string
	Reference string
	Amount    domain.Decimal
}

// Renderer writes a document as PDF to w. Implementations check ctx between
// the units of work they control and return ctx.Err() (context.Canceled
// when the client went away) without writing anything.
type Renderer interface {
	Render(ctx context.Context, doc Document, w io.Writer) error
}

// Source loads the document of kind (KindProposal, KindOrder or
// KindInvoice) with id, as the customer should see it; the company block
// and the language may be left empty. A missing document is a
// domain.ErrNotFound error.
type Source interface {
	Load(ctx context.Context, kind Kind, id int64) (Document, error)
}

// Config is the use case's configuration.
type Config struct {
	// Company is printed as the sender on every document.
	Company Party
	// Language is used when neither the request nor the document names one.
	Language string
	// Currency is used when the document names none.
	Currency string
	// Timeout bounds one rendering, on top of the caller's context.
	Timeout time.Duration
}

// DefaultTimeout is the rendering time budget of the specification.
const DefaultTimeout = 30 * time.Second

// Service renders sales documents.
type Service struct {
	src Source
	r   Renderer
	cfg Config
}

// New returns the service.
func New(src Source, r Renderer, cfg Config) *Service {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	if cfg.Currency == "" {
		cfg.Currency = "EUR"
	}
	return &Service{src: src, r: r, cfg: cfg}
}

// Request names the document to render.
type Request struct {
	Kind Kind
	ID   int64
	// Language, when set, overrides the document's language.
	Language string
	// Doc and Customer, when both set, are the document of Kind and ID and
	// its customer as the caller has already read them: a source that can
	// map them (a Mapper, such as SalesSource) does not read them again.
	Doc      domain.CommercialDocument
	Customer *domain.ThirdParty
}

// Mapper is a Source that can also turn a document and its customer,
// already read, into the view model.
type Mapper interface {
	Map(ctx context.Context, doc domain.CommercialDocument, customer *domain.ThirdParty) (Document, error)
}

// File describes a rendered document.
type File struct {
	// Name is the file name to offer ("FA2611-0042.pdf").
	Name string
	// ContentType is "application/pdf".
	ContentType string
	Ref         string
}

// Render loads the requested document and writes its PDF to w. Loading and
// rendering share one deadline, cfg.Timeout after the call; when ctx ends
// first (the client closed the connection) the error is ctx.Err() and
// nothing has been written to w.
func (s *Service) Render(ctx context.Context, req Request, w io.Writer) (File, error) {
	switch req.Kind {
	case KindProposal, KindOrder, KindInvoice:
	default:
		return File{}, domain.E(domain.ErrInvalid, "invalid_document_kind", "unknown document kind %q", req.Kind)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	doc, err := s.load(ctx, req)
	if err != nil {
		return File{}, err
	}
	// A load that ignored ctx must not start a render nobody waits for.
	if err := ctx.Err(); err != nil {
		return File{}, err
	}
	s.complete(&doc, req.Language)
	if err := s.r.Render(ctx, doc, w); err != nil {
		return File{}, fmt.Errorf("rendering %s %s: %w", doc.Kind, doc.Ref, err)
	}
	return File{Name: FileName(doc.Ref), ContentType: "application/pdf", Ref: doc.Ref}, nil
}

// load reads the document through the source, or maps the one the caller
// has already read when the source can.
func (s *Service) load(ctx context.Context, req Request) (Document, error) {
	if m, ok := s.src.(Mapper); ok && req.Doc != nil && req.Customer != nil {
		return m.Map(ctx, req.Doc, req.Customer)
	}
	return s.src.Load(ctx, req.Kind, req.ID)
}

// complete fills what the source leaves to the use case.
func (s *Service) complete(doc *Document, lang string) {
	if doc.Company == (Party{}) {
		doc.Company = s.cfg.Company
	}
	switch {
	case lang != "":
		doc.Language = lang
	case doc.Language == "":
		doc.Language = s.cfg.Language
	}
	if doc.Currency == "" {
		doc.Currency = s.cfg.Currency
	}
}

// FileName turns a reference into a safe file name: letters, digits, '-',
// '_' and '.' are kept, any other run of characters becomes one '_', and
// the ends are trimmed ("(PROV42)" -> "PROV42.pdf").
func FileName(ref string) string {
	var b strings.Builder
	under := false
	for _, r := range ref {
		ok := r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
		if ok {
			b.WriteRune(r)
			under = false
		} else if !under {
			b.WriteByte('_')
			under = true
		}
	}
	name := strings.Trim(b.String(), "_.")
	if name == "" {
		name = "document"
	}
	return name + ".pdf"
}
