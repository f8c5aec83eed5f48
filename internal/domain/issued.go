package domain

import "time"

// IssuedParty is a postal and legal identity as a document was issued
// with: the customer's (or the supplier's) and the issuing company's.
type IssuedParty struct {
	Name        string `json:"name"`
	Address     string `json:"address,omitempty"`
	Zip         string `json:"zip,omitempty"`
	Town        string `json:"town,omitempty"`
	CountryCode string `json:"country_code,omitempty"`
	VATID       string `json:"vat_id,omitempty"`
	LegalID     string `json:"legal_id,omitempty"`
	Code        string `json:"code,omitempty"`
	Email       string `json:"email,omitempty"`
	Phone       string `json:"phone,omitempty"`
	Website     string `json:"website,omitempty"`
	BankAccount string `json:"bank_account,omitempty"`
	// ProfIDs are idprof1..6.
	ProfIDs ProfIDs `json:"prof_ids"`
	// Business is a party that trades as a business (it has a VAT
	// number or a professional id): B2B mentions apply to it.
	Business bool `json:"business,omitempty"`
}

// IssuedLine is a line as issued, with the product reference it had.
type IssuedLine struct {
	ProductRef      string  `json:"product_ref,omitempty"`
	Description     string  `json:"description"`
	Quantity        Decimal `json:"quantity"`
	UnitPrice       Decimal `json:"unit_price"`
	DiscountPercent Decimal `json:"discount_percent"`
	VATRate         Decimal `json:"vat_rate"`
	TotalExclTax    Decimal `json:"total_excl_tax"`
}

// IssuedVAT is one rate of the VAT breakdown as issued.
type IssuedVAT struct {
	Rate   Decimal `json:"rate"`
	Base   Decimal `json:"base"`
	Amount Decimal `json:"amount"`
}

// IssuedDocument is what a document was issued with, kept at its
// validation (decision 0036): what a printed copy shows must never change
// afterwards, whatever happens to the customer record, the company
// settings or the products. The document's own reference and dates cannot
// change once it is validated, so they are not repeated here.
type IssuedDocument struct {
	Kind         DocKind      `json:"kind"`
	DocumentID   int64        `json:"document_id"`
	Ref          string       `json:"ref"`
	Date         time.Time    `json:"date"`
	IssuedAt     time.Time    `json:"issued_at"`
	Customer     IssuedParty  `json:"customer"`
	Company      IssuedParty  `json:"company"`
	Language     string       `json:"language,omitempty"`
	PaymentTerms string       `json:"payment_terms,omitempty"`
	Lines        []IssuedLine `json:"lines"`
	VAT          []IssuedVAT  `json:"vat"`
	TotalExclTax Decimal      `json:"total_excl_tax"`
	TotalVAT     Decimal      `json:"total_vat"`
	TotalInclTax Decimal      `json:"total_incl_tax"`
}

// CustomerParty is the identity of a third party as documents print it.
func CustomerParty(t *ThirdParty) IssuedParty {
	return IssuedParty{
		Name: t.Name, Address: t.Address, Zip: t.Zip, Town: t.Town, CountryCode: t.CountryCode,
		VATID: t.VATNumber, Code: t.CustomerCode, Email: t.Email, Phone: t.Phone, ProfIDs: t.ProfIDs,
		Business: t.IsBusiness(),
	}
}

// Issue builds the record of d as issued to customer by company, with the
// product references refs gives by product id, at at.
func Issue(d CommercialDocument, customer *ThirdParty, company IssuedParty, refs map[int64]string, at time.Time) *IssuedDocument {
	h := d.Header()
	out := &IssuedDocument{
		Kind: d.Kind(), DocumentID: h.ID, IssuedAt: at,
		Customer: CustomerParty(customer), Company: company, Language: customer.Language,
		PaymentTerms: string(customer.PaymentTerms),
		TotalExclTax: h.TotalExclTax, TotalVAT: h.TotalVAT, TotalInclTax: h.TotalInclTax,
		Lines: make([]IssuedLine, 0, len(h.Lines)),
	}
	for _, l := range h.Lines {
		out.Lines = append(out.Lines, IssuedLine{
			ProductRef: refs[l.ProductID], Description: l.Description, Quantity: l.Quantity, UnitPrice: l.UnitPrice,
			DiscountPercent: l.DiscountPercent, VATRate: l.VATRate, TotalExclTax: l.TotalExclTax,
		})
	}
	for _, v := range h.Totals().ByRate {
		out.VAT = append(out.VAT, IssuedVAT(v))
	}
	return out
}

// ArchivedFile is the printed copy of an issued document, kept the first
// time it is printed in a language and served from then on.
type ArchivedFile struct {
	Kind        DocKind
	DocumentID  int64
	Language    string
	Name        string
	ContentType string
	SHA256      string
	Content     []byte
	// IssuedAt is the IssuedAt of the record it was printed from: a copy
	// of an earlier issue of a reopened document is never served.
	IssuedAt  time.Time
	CreatedAt time.Time
}

// Event actions of issued documents.
const (
	EventArchiveDiscarded = "archive_discarded"
)
