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
		doc  Document
		head *domain.Document
	)
	switch kind {
	case KindProposal:
		p, err := s.sales.Proposal(ctx, id)
		if err != nil {
			return Document{}, err
		}
		head = &p.Document
		doc = Document{Kind: KindProposal, Draft: p.Status == domain.ProposalDraft, DueDate: p.ValidUntil}
	case KindOrder:
		o, err := s.sales.Order(ctx, id)
		if err != nil {
			return Document{}, err
		}
		head = &o.Document
		doc = Document{Kind: KindOrder, Draft: o.Status == domain.OrderDraft, DueDate: o.DeliveryDate}
	case KindInvoice:
		inv, err := s.sales.Invoice(ctx, id)
		if err != nil {
			return Document{}, err
		}
		head = &inv.Document
		doc = Document{Kind: KindInvoice, Draft: inv.Status == domain.InvoiceDraft, DueDate: inv.DueDate, Paid: inv.Paid, CreditUsed: inv.CreditUsed, Remaining: inv.Remaining()}
		if inv.Type == domain.InvoiceCreditNote {
			doc.Kind = KindCreditNote
		}
		if err := ctx.Err(); err != nil {
			return Document{}, err
		}
		pays, err := s.sales.InvoicePayments(ctx, id)
		if err != nil {
			return Document{}, err
		}
		for _, p := range pays {
			doc.Payments = append(doc.Payments, Payment{Date: p.Date, Method: string(p.Method), Reference: p.Reference, Amount: p.Amount})
		}
	default:
		return Document{}, domain.E(domain.ErrInvalid, "invalid_document_kind", "unknown document kind %q", kind)
	}
	if err := ctx.Err(); err != nil {
		return Document{}, err
	}
	mapHeader(&doc, head)

	customer, err := s.catalog.GetThirdParty(ctx, head.CustomerID)
	if err != nil {
		return Document{}, err
	}
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
