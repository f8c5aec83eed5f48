package documents

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// SalesReader reads the sales documents (sales.Service satisfies it).
type SalesReader interface {
	Proposal(ctx context.Context, id int64) (*domain.Proposal, error)
	Order(ctx context.Context, id int64) (*domain.Order, error)
	Invoice(ctx context.Context, id int64) (*domain.Invoice, error)
	InvoicePayments(ctx context.Context, id int64) ([]domain.Payment, error)
}

// Catalog looks up the customer and the products a document refers to
// (the catalogue repository satisfies it).
type Catalog interface {
	GetThirdParty(ctx context.Context, id int64) (*domain.ThirdParty, error)
	GetProduct(ctx context.Context, id int64) (*domain.Product, error)
}

// SalesSource is the Source of proposals, orders and invoices: it reads
// them through the sales use case and maps them to the view model.
type SalesSource struct {
	sales   SalesReader
	catalog Catalog
}

var _ Source = (*SalesSource)(nil)

// NewSalesSource returns the source.
func NewSalesSource(s SalesReader, c Catalog) *SalesSource {
	return &SalesSource{sales: s, catalog: c}
}

// Load reads the document, its customer, its products and, for an
// invoice, its payments, checking ctx between reads: a client that went
// away stops the loading too.
func (s *SalesSource) Load(ctx context.Context, kind Kind, id int64) (Document, error) {
	var (
		sd  domain.CommercialDocument
		err error
	)
	switch kind {
	case KindProposal:
		sd, err = nonNil(s.sales.Proposal(ctx, id))
	case KindOrder:
		sd, err = nonNil(s.sales.Order(ctx, id))
	case KindInvoice:
		sd, err = nonNil(s.sales.Invoice(ctx, id))
	default:
		return Document{}, domain.E(domain.ErrInvalid, "invalid_document_kind", "unknown document kind %q", kind)
	}
	if err != nil {
		return Document{}, err
	}
	if err := ctx.Err(); err != nil {
		return Document{}, err
	}
	customer, err := s.catalog.GetThirdParty(ctx, sd.Header().CustomerID)
	if err != nil {
		return Document{}, err
	}
	return s.Map(ctx, sd, customer)
}

// nonNil keeps a typed nil pointer out of the SalesDocument interface.
func nonNil[T domain.CommercialDocument](d T, err error) (domain.CommercialDocument, error) {
	if err != nil {
		return nil, err
	}
	return d, nil
}

// Map turns a document and its customer, as the caller has already read
// them, into the view model; it reads only what they do not carry: the
// products' references and, for an invoice, its payments.
func (s *SalesSource) Map(ctx context.Context, sd domain.CommercialDocument, customer *domain.ThirdParty) (Document, error) {
	var doc Document
	head := sd.Header()
	switch d := sd.(type) {
	case *domain.Proposal:
		doc = Document{Kind: KindProposal, Draft: d.Status == domain.ProposalDraft, DueDate: d.ValidUntil}
	case *domain.Order:
		doc = Document{Kind: KindOrder, Draft: d.Status == domain.OrderDraft, DueDate: d.DeliveryDate}
	case *domain.Invoice:
		doc = Document{Kind: KindInvoice, Draft: d.Status == domain.InvoiceDraft, DueDate: d.DueDate, Paid: d.Paid, CreditUsed: d.CreditUsed, Remaining: d.Remaining()}
		if d.Type == domain.InvoiceCreditNote {
			doc.Kind = KindCreditNote
		}
		if err := ctx.Err(); err != nil {
			return Document{}, err
		}
		pays, err := s.sales.InvoicePayments(ctx, d.ID)
		if err != nil {
			return Document{}, err
		}
		for _, p := range pays {
			doc.Payments = append(doc.Payments, Payment{Date: p.Date, Method: string(p.Method), Reference: p.Reference, Amount: p.Amount})
		}
	default:
		return Document{}, domain.E(domain.ErrInvalid, "invalid_document_kind", "unknown document kind %q", sd.Kind())
	}
	if err := ctx.Err(); err != nil {
		return Document{}, err
	}
	mapHeader(&doc, head)
	doc.Customer = Party{
		Name: customer.Name, Address: customer.Address, Zip: customer.Zip, Town: customer.Town,
		CountryCode: customer.CountryCode, VATID: customer.VATNumber, Code: customer.CustomerCode,
		Email: customer.Email, Phone: customer.Phone,
	}
	doc.PaymentTerms = string(customer.PaymentTerms)
	// The customer's language, if any: a request's language still wins,
	// none falls back to the configured default (Service.complete).
	doc.Language = customer.Language

	// The product reference of each line, one read per distinct product.
	refs := map[int64]string{}
	for i, l := range head.Lines {
		if l.ProductID == 0 {
			continue
		}
		ref, ok := refs[l.ProductID]
		if !ok {
			if err := ctx.Err(); err != nil {
				return Document{}, err
			}
			p, err := s.catalog.GetProduct(ctx, l.ProductID)
			if err != nil {
				return Document{}, err
			}
			ref = p.Ref
			refs[l.ProductID] = ref
		}
		doc.Lines[i].Ref = ref
	}
	return doc, ctx.Err()
}

// mapHeader copies what the three kinds share.
func mapHeader(doc *Document, d *domain.Document) {
	doc.Ref = d.DisplayRef()
	doc.CustomerRef = d.RefCustomer
	doc.IssueDate = d.Date
	doc.PublicNote = d.NotePublic
	doc.TotalExclTax, doc.TotalVAT, doc.TotalInclTax = d.TotalExclTax, d.TotalVAT, d.TotalInclTax
	for _, l := range d.Lines {
		doc.Lines = append(doc.Lines, Line{
			Description: l.Description, Qty: l.Quantity, UnitPrice: l.UnitPrice,
			DiscountPercent: l.DiscountPercent, VATRate: l.VATRate, TotalExclTax: l.TotalExclTax,
		})
	}
	for _, v := range d.Totals().ByRate {
		doc.VAT = append(doc.VAT, VATAmount{Rate: v.Rate, Base: v.Base, Amount: v.Amount})
	}
}
