// Package printing produces the printable documents: the PDF of a
// proposal, an order or an invoice. It owns a plain view model (Document),
// the port that renders it (Renderer, implemented with maroto in
// infrastructure/pdf) and, per kind of document, the Source that loads and
// maps it (Sources: a new kind of document plugs in with its Source). The
// use case adds the company block from configuration, chooses the language
// and bounds the work in time.
package printing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
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
	// KindPurchaseOrder is an order to a supplier: the third party block
	// names the supplier.
	KindPurchaseOrder Kind = "purchase_order"
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
	// Mentions are the legal mentions the company's country requires.
	Mentions []Mention
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
	// ProfIDs are the professional ids (France: SIREN, SIRET, ...),
	// printed with their country's names (domain.ProfIDLabels).
	ProfIDs domain.ProfIDs
	// Business is a customer trading as a business (B2B mentions).
	Business bool
}

// Mention is a legal mention printed at the foot of a document: a key of
// the renderer's catalogs and its values, as pairs.
type Mention struct {
	Key  string
	Args []string
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

// Source loads and maps the documents of one kind, as the customer should
// see them; the company block and the language may be left empty.
type Source interface {
	// Load reads document id and its customer and maps them; a missing
	// document is a domain.ErrNotFound error.
	Load(ctx context.Context, id int64) (Document, error)
	// Map turns a document of the kind and its customer, as the caller has
	// already read them, into the view model; it reads only what they do
	// not carry.
	Map(ctx context.Context, doc domain.CommercialDocument, customer *domain.ThirdParty) (Document, error)
}

// Sources are the sources by kind of document.
type Sources map[domain.DocKind]Source

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
	// Issued, when set, gives validated documents what they were issued
	// with: they print from it, never from the live records (decision
	// 0036).
	Issued IssuedRecords
	// Archive, when set, keeps the first printed copy of each issued
	// invoice and credit note per language and serves it from then on.
	Archive Archive
	// Now is the clock of archived files; nil is time.Now.
	Now func() time.Time
	// Legal tunes the legal mentions.
	Legal Legal
}

// Legal tunes the legal mentions of documents (decision 0038).
type Legal struct {
	// LatePenaltyRate is the yearly late-payment penalty rate printed on
	// French B2B invoices, a percentage ("12.5"); empty prints the legal
	// minimum's wording (three times the legal interest rate).
	LatePenaltyRate string
	// RecoveryFee is the fixed recovery fee (40 EUR by law in France).
	RecoveryFee domain.Decimal
	// VATExemptionReason is printed when a line has 0 % VAT ("art. 293 B
	// du CGI"); empty prints a generic wording.
	VATExemptionReason string
}

// IssuedRecords reads what documents were issued with.
type IssuedRecords interface {
	// IssuedRecord returns what document (kind, id) was issued with; nil
	// when it is not issued (a draft, or validated before records were
	// kept).
	IssuedRecord(ctx context.Context, kind domain.DocKind, id int64) (*domain.IssuedDocument, error)
}

// Archive keeps the printed copies of issued documents: the storage port
// (a database table today; files or object storage can implement it).
type Archive interface {
	// Archived returns the copy of document (kind, id) in lang; nil when
	// there is none.
	Archived(ctx context.Context, kind domain.DocKind, id int64, lang string) (*domain.ArchivedFile, error)
	// Archive stores f unless a copy of the same issue, document and
	// language is stored already, and returns the copy stored.
	Archive(ctx context.Context, f *domain.ArchivedFile) (*domain.ArchivedFile, error)
}

// ErrRenderFailed marks a document the renderer failed to draw (an error,
// or a panic it recovered, of the PDF library on this document's content),
// as opposed to a rendering stopped by its context. Rendering the same
// document again fails the same way, so a job that needs the PDF fails for
// good instead of being retried.
var ErrRenderFailed = errors.New("the document could not be rendered")

// DefaultTimeout is the rendering time budget of the specification.
const DefaultTimeout = 30 * time.Second

// Service renders documents.
type Service struct {
	src Sources
	r   Renderer
	cfg Config
}

// New returns the service, rendering the kinds of documents src has.
func New(src Sources, r Renderer, cfg Config) *Service {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	if cfg.Currency == "" {
		cfg.Currency = "EUR"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{src: src, r: r, cfg: cfg}
}

// Request names the document to render.
type Request struct {
	Kind domain.DocKind
	ID   int64
	// Language, when set, overrides the document's language.
	Language string
}

// Printable is a document its caller has already read, with its customer
// (the mail job): RenderDocument does not read them again.
type Printable struct {
	Doc      domain.CommercialDocument
	Customer *domain.ThirdParty
	// Language, when set, overrides the document's language.
	Language string
}

// File describes a rendered document.
type File struct {
	// Name is the file name to offer ("FA2611-0042.pdf").
	Name string
	// ContentType is "application/pdf".
	ContentType string
	Ref         string
	// SHA256 is the hex digest of an archived copy; empty for a live
	// rendering.
	SHA256 string
}

// Render loads the requested document and writes its PDF to w. Loading and
// rendering share one deadline, cfg.Timeout after the call; when ctx ends
// first (the client closed the connection) the error is ctx.Err() and
// nothing has been written to w.
func (s *Service) Render(ctx context.Context, req Request, w io.Writer) (File, error) {
	src, err := s.source(req.Kind)
	if err != nil {
		return File{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	doc, err := src.Load(ctx, req.ID)
	if err != nil {
		return File{}, err
	}
	return s.render(ctx, req.Kind, req.ID, doc, req.Language, w)
}

// RenderDocument writes the PDF of a document already read, as Render
// does; only what the document and its customer do not carry is read.
func (s *Service) RenderDocument(ctx context.Context, p Printable, w io.Writer) (File, error) {
	src, err := s.source(p.Doc.Kind())
	if err != nil {
		return File{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	doc, err := src.Map(ctx, p.Doc, p.Customer)
	if err != nil {
		return File{}, err
	}
	return s.render(ctx, p.Doc.Kind(), p.Doc.Header().ID, doc, p.Language, w)
}

func (s *Service) source(kind domain.DocKind) (Source, error) {
	src, ok := s.src[kind]
	if !ok {
		return nil, domain.E(domain.ErrInvalid, "invalid_document_kind", "unknown document kind %q", kind)
	}
	return src, nil
}

// render completes the loaded doc (document id of kind) and writes its
// PDF. A validated document prints what it was issued with; an issued
// invoice or credit note is served from its archived copy in the language,
// archived by its first printing.
func (s *Service) render(ctx context.Context, kind domain.DocKind, id int64, doc Document, lang string, w io.Writer) (File, error) {
	// A load that ignored ctx must not start a render nobody waits for.
	if err := ctx.Err(); err != nil {
		return File{}, err
	}
	var rec *domain.IssuedDocument
	if !doc.Draft && s.cfg.Issued != nil {
		var err error
		if rec, err = s.cfg.Issued.IssuedRecord(ctx, kind, id); err != nil {
			return File{}, err
		}
		if rec != nil {
			asIssued(&doc, rec)
		}
	}
	s.complete(&doc, lang)
	s.mentions(&doc)
	archived := rec != nil && s.cfg.Archive != nil && (doc.Kind == KindInvoice || doc.Kind == KindCreditNote)
	if archived {
		f, err := s.cfg.Archive.Archived(ctx, kind, id, doc.Language)
		if err != nil {
			return File{}, err
		}
		if f != nil && f.IssuedAt.Equal(rec.IssuedAt) {
			return s.serve(f, doc.Ref, w)
		}
	}
	var buf bytes.Buffer
	if err := s.r.Render(ctx, doc, &buf); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return File{}, fmt.Errorf("rendering %s %s: %w", doc.Kind, doc.Ref, err)
		}
		return File{}, fmt.Errorf("rendering %s %s: %w: %w", doc.Kind, doc.Ref, ErrRenderFailed, err)
	}
	file := File{Name: FileName(doc.Ref), ContentType: "application/pdf", Ref: doc.Ref}
	if !archived {
		_, err := w.Write(buf.Bytes())
		return file, err
	}
	sum := sha256.Sum256(buf.Bytes())
	f, err := s.cfg.Archive.Archive(ctx, &domain.ArchivedFile{
		Kind: kind, DocumentID: id, Language: doc.Language, Name: file.Name, ContentType: file.ContentType,
		SHA256: hex.EncodeToString(sum[:]), Content: buf.Bytes(), IssuedAt: rec.IssuedAt, CreatedAt: s.cfg.Now(),
	})
	if err != nil {
		return File{}, err
	}
	return s.serve(f, doc.Ref, w)
}

// mentions adds the legal mentions of the company's country: in France,
// on an invoice to a business, the late-payment penalty rate and the fixed
// recovery fee (Code de commerce L441-10, D441-5); on a proposal, the
// line the customer signs; on any document with a line at 0 % VAT, the
// exemption's reason.
func (s *Service) mentions(doc *Document) {
	if doc.Kind == KindInvoice && doc.Company.CountryCode == "FR" && doc.Customer.Business {
		rate := s.cfg.Legal.LatePenaltyRate
		if rate == "" {
			doc.Mentions = append(doc.Mentions, Mention{Key: "mention.late_penalty", Args: []string{"rate", "@mention.late_penalty_legal", "fee", "$" + s.recoveryFee().String()}})
		} else {
			doc.Mentions = append(doc.Mentions, Mention{Key: "mention.late_penalty", Args: []string{"rate", "%" + rate, "fee", "$" + s.recoveryFee().String()}})
		}
	}
	if doc.Kind == KindProposal {
		// The customer signs a proposal to accept it.
		doc.Mentions = append(doc.Mentions, Mention{Key: "mention.signature"})
	}
	for _, l := range doc.Lines {
		if l.VATRate.IsZero() {
			if r := s.cfg.Legal.VATExemptionReason; r != "" {
				doc.Mentions = append(doc.Mentions, Mention{Key: "mention.vat_exempt", Args: []string{"reason", r}})
			} else {
				doc.Mentions = append(doc.Mentions, Mention{Key: "mention.vat_exempt", Args: []string{"reason", "@mention.vat_exempt_generic"}})
			}
			break
		}
	}
}

func (s *Service) recoveryFee() domain.Decimal {
	if s.cfg.Legal.RecoveryFee.IsZero() {
		return domain.DecimalFromInt(40)
	}
	return s.cfg.Legal.RecoveryFee
}

// serve writes an archived copy.
func (s *Service) serve(f *domain.ArchivedFile, ref string, w io.Writer) (File, error) {
	_, err := w.Write(f.Content)
	return File{Name: f.Name, ContentType: f.ContentType, Ref: ref, SHA256: f.SHA256}, err
}

// asIssued replaces in doc what may have changed since its document was
// issued by what it was issued with.
func asIssued(doc *Document, rec *domain.IssuedDocument) {
	doc.Customer = party(rec.Customer)
	doc.Company = party(rec.Company)
	doc.Language = rec.Language
	doc.PaymentTerms = rec.PaymentTerms
	doc.TotalExclTax, doc.TotalVAT, doc.TotalInclTax = rec.TotalExclTax, rec.TotalVAT, rec.TotalInclTax
	doc.Lines = doc.Lines[:0]
	for _, l := range rec.Lines {
		doc.Lines = append(doc.Lines, Line{Ref: l.ProductRef, Description: l.Description, Qty: l.Quantity, UnitPrice: l.UnitPrice,
			DiscountPercent: l.DiscountPercent, VATRate: l.VATRate, TotalExclTax: l.TotalExclTax})
	}
	doc.VAT = doc.VAT[:0]
	for _, v := range rec.VAT {
		doc.VAT = append(doc.VAT, VATAmount{Rate: v.Rate, Base: v.Base, Amount: v.Amount})
	}
}

func party(p domain.IssuedParty) Party {
	return Party{Name: p.Name, Address: p.Address, Zip: p.Zip, Town: p.Town, CountryCode: p.CountryCode, VATID: p.VATID,
		LegalID: p.LegalID, Code: p.Code, Email: p.Email, Phone: p.Phone, Website: p.Website, BankAccount: p.BankAccount,
		ProfIDs: p.ProfIDs, Business: p.Business}
}

// CompanyParty is the company block as documents are issued with it.
func CompanyParty(p Party) domain.IssuedParty {
	return domain.IssuedParty{Name: p.Name, Address: p.Address, Zip: p.Zip, Town: p.Town, CountryCode: p.CountryCode, VATID: p.VATID,
		LegalID: p.LegalID, Email: p.Email, Phone: p.Phone, Website: p.Website, BankAccount: p.BankAccount, ProfIDs: p.ProfIDs}
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
