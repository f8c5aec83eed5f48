package printing

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Catalog looks up the customer and the products a document refers to
// (the catalogue repository satisfies it).
type Catalog interface {
	GetThirdParty(ctx context.Context, id int64) (*domain.ThirdParty, error)
	GetProduct(ctx context.Context, id int64) (*domain.Product, error)
}

// Proposals prints the proposals read reads.
func Proposals(read func(ctx context.Context, id int64) (*domain.Proposal, error), cat Catalog) Source {
	return kindSource[*domain.Proposal]{read: read, cat: cat, view: func(_ context.Context, p *domain.Proposal) (Document, error) {
		return Document{Kind: KindProposal, Draft: p.Status == domain.ProposalDraft, DueDate: p.ValidUntil}, nil
	}}
}

// Orders prints the orders read reads.
func Orders(read func(ctx context.Context, id int64) (*domain.Order, error), cat Catalog) Source {
	return kindSource[*domain.Order]{read: read, cat: cat, view: func(_ context.Context, o *domain.Order) (Document, error) {
		return Document{Kind: KindOrder, Draft: o.Status == domain.OrderDraft, DueDate: o.DeliveryDate}, nil
	}}
}

// PurchaseOrders prints the purchase orders read reads, to their
// supplier.
func PurchaseOrders(read func(ctx context.Context, id int64) (*domain.PurchaseOrder, error), cat Catalog) Source {
	return kindSource[*domain.PurchaseOrder]{read: read, cat: cat, view: func(_ context.Context, o *domain.PurchaseOrder) (Document, error) {
		return Document{Kind: KindPurchaseOrder, Draft: o.Status == domain.PurchaseDraft, DueDate: o.DeliveryDate}, nil
	}}
}

// Invoices prints the invoices and credit notes read reads, with the
// payments payments lists.
func Invoices(read func(ctx context.Context, id int64) (*domain.Invoice, error),
	payments func(ctx context.Context, invoiceID int64) ([]domain.Payment, error), cat Catalog) Source {
	return kindSource[*domain.Invoice]{read: read, cat: cat, view: func(ctx context.Context, inv *domain.Invoice) (Document, error) {
		doc := Document{Kind: KindInvoice, Draft: inv.Status == domain.InvoiceDraft, DueDate: inv.DueDate, Paid: inv.Paid,
			CreditUsed: inv.CreditUsed, Remaining: inv.Remaining()}
		if inv.Type == domain.InvoiceCreditNote {
			doc.Kind = KindCreditNote
		}
		if err := ctx.Err(); err != nil {
			return Document{}, err
		}
		pays, err := payments(ctx, inv.ID)
		if err != nil {
			return Document{}, err
		}
		for _, p := range pays {
			doc.Payments = append(doc.Payments, Payment{Date: p.Date, Method: domain.LegacyMethodName(string(p.Method)), Reference: p.Reference, Amount: p.Amount})
		}
		return doc, nil
	}}
}

// kindSource is the Source of one kind D: it reads D through read and
// maps what is particular to the kind with view; the rest (header, lines,
// VAT breakdown, customer, product references) is mapped the same way for
// every kind.
type kindSource[D domain.CommercialDocument] struct {
	read func(ctx context.Context, id int64) (D, error)
	view func(ctx context.Context, d D) (Document, error)
	cat  Catalog
}

// Load reads the document, its customer and its products, checking ctx
// between reads: a client that went away stops the loading too.
func (k kindSource[D]) Load(ctx context.Context, id int64) (Document, error) {
	d, err := k.read(ctx, id)
	if err != nil {
		return Document{}, err
	}
	if err := ctx.Err(); err != nil {
		return Document{}, err
	}
	customer, err := k.cat.GetThirdParty(ctx, d.Header().CustomerID)
	if err != nil {
		return Document{}, err
	}
	return k.mapDoc(ctx, d, customer)
}

// Map maps a document of kind D already read, with its customer.
func (k kindSource[D]) Map(ctx context.Context, doc domain.CommercialDocument, customer *domain.ThirdParty) (Document, error) {
	d, ok := doc.(D)
	if !ok {
		return Document{}, domain.E(domain.ErrInvalid, "invalid_document_kind", "unexpected %s document", doc.Kind())
	}
	return k.mapDoc(ctx, d, customer)
}

// mapDoc reads only what d and its customer do not carry: the kind's
// extras (an invoice's payments) and the products' references.
func (k kindSource[D]) mapDoc(ctx context.Context, d D, customer *domain.ThirdParty) (Document, error) {
	doc, err := k.view(ctx, d)
	if err != nil {
		return Document{}, err
	}
	if err := ctx.Err(); err != nil {
		return Document{}, err
	}
	head := d.Header()
	mapHeader(&doc, head)
	doc.Customer = Party{
		Name: customer.Name, Address: customer.Address, Zip: customer.Zip, Town: customer.Town,
		CountryCode: customer.CountryCode, VATID: customer.VATNumber, Code: customer.CustomerCode,
		Email: customer.Email, Phone: customer.Phone, ProfIDs: customer.ProfIDs, Business: customer.IsBusiness(),
	}
	if doc.Kind == KindPurchaseOrder {
		doc.Customer.Code = customer.SupplierCode
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
			p, err := k.cat.GetProduct(ctx, l.ProductID)
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

// mapHeader copies what every kind shares.
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
