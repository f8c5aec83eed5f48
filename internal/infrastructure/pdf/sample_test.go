package pdf

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/pdf/pdftext"
	"github.com/dolibarr-go/dolibarr/internal/usecase/printing"
)

// sampleCompany is the sender of every sample document.
var sampleCompany = printing.Party{
	Name: "Atelier Lumière SARL", Address: "12 rue de l'Église", Zip: "69002", Town: "Lyon", CountryCode: "FR",
	VATID: "FR40123456789", LegalID: "SIRET 123 456 789 00012 · RCS Lyon", Email: "compta@atelier-lumiere.example",
	Phone: "+33 4 72 00 00 00", BankAccount: "IBAN FR76 3000 6000 0112 3456 7890 189 · BIC AGRIFRPP",
}

var products = []struct{ ref, desc, price, vat string }{
	{"LAMP-01", "Lampe de bureau « Étoile », laiton brossé", "89.90", "20"},
	{"BULB-E27", "Ampoule LED E27 806 lm, blanc chaud", "6.36", "20"},
	{"CABLE-3M", "Câble textile tressé, 3 m, coloris forêt", "12.5", "20"},
	{"BOOK-LUX", "Livre « L'art de l'éclairage » (édition reliée)", "34", "5.5"},
	{"SERV-INST", "Installation sur site, déplacement compris – forfait horaire", "55", "10"},
	{"", "Remise exceptionnelle accordée à la commande n° 42 pour fidélité", "15", "20"},
	{"SHADE-XL", "Abat-jour en lin naturel, diamètre 45 cm, fabriqué à São João del-Rei par une coopérative d'artisans, finition cousue main, livré avec sa notice de montage en français, português et español", "42.125", "20"},
}

// sampleInvoice builds an invoice of n lines whose totals are computed as
// the sales engine does (sum of lines rounded to 2 decimals, VAT per rate).
func sampleInvoice(n int, lang string) printing.Document {
	d := domain.MustDecimal
	doc := printing.Document{
		Kind: printing.KindInvoice, Ref: "FA2611-0042", CustomerRef: "PO-7781/B", Language: lang, Currency: "EUR",
		IssueDate: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), DueDate: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC),
		Company: sampleCompany,
		Customer: printing.Party{
			Name: "Société Générale d'Équipements Müller & Fils", Address: "Avenida Paulista, 1578 – 7º andar", Zip: "01310-200",
			Town: "São Paulo", CountryCode: "BR", VATID: "BR12345678000195", Code: "CU2611-00007", Email: "achats@sge-muller.example",
		},
		PaymentTerms: "30D",
		PublicNote:   "Merci de rappeler la référence de la facture lors de votre règlement.\nGarantie : deux ans pièces et main-d'œuvre.",
	}
	vat := map[string]*printing.VATAmount{}
	var rates []string
	for i := range n {
		p := products[i%len(products)]
		qty := domain.DecimalFromInt(int64(1 + i%9))
		price := d(p.price)
		disc := domain.Zero
		if i%5 == 3 {
			disc = d("10")
		}
		total := qty.Mul(price).Mul(domain.DecimalFromInt(100).Sub(disc)).Div(domain.DecimalFromInt(100), 2)
		ref := p.ref
		if ref != "" {
			ref = fmt.Sprintf("%s-%03d", p.ref, i+1)
		}
		desc := p.desc
		if ref == "" {
			desc = fmt.Sprintf("%s (%d)", p.desc, i+1)
		}
		doc.Lines = append(doc.Lines, printing.Line{
			Ref: ref, Description: desc, Qty: qty, UnitPrice: price, DiscountPercent: disc, VATRate: d(p.vat), TotalExclTax: total,
		})
		if vat[p.vat] == nil {
			vat[p.vat] = &printing.VATAmount{Rate: d(p.vat)}
			rates = append(rates, p.vat)
		}
		vat[p.vat].Base = vat[p.vat].Base.Add(total)
		doc.TotalExclTax = doc.TotalExclTax.Add(total)
	}
	sort.Slice(rates, func(i, j int) bool { return d(rates[i]).LessThan(d(rates[j])) })
	for _, r := range rates {
		v := vat[r]
		v.Amount = v.Base.Mul(v.Rate).Div(domain.DecimalFromInt(100), 2)
		doc.VAT = append(doc.VAT, *v)
		doc.TotalVAT = doc.TotalVAT.Add(v.Amount)
	}
	doc.TotalInclTax = doc.TotalExclTax.Add(doc.TotalVAT)
	first := doc.TotalInclTax.Div(domain.DecimalFromInt(3), 2)
	doc.Payments = []printing.Payment{
		{Date: time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC), Method: "transfer", Reference: "VIR-2026-1110", Amount: first},
		{Date: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), Method: "cheque", Reference: "CHQ 0004417", Amount: d("100")},
	}
	doc.Paid = first.Add(d("100"))
	doc.Remaining = doc.TotalInclTax.Sub(doc.Paid)
	return doc
}

// textCell and pageText are pdftext's, under the names the tests use.
type (
	textCell = pdftext.Cell
	pageText = pdftext.Page
)

// extractText reads every page of a PDF (see package pdftext).
func extractText(t *testing.T, b []byte) []pageText {
	t.Helper()
	pages, err := pdftext.Read(b)
	require.NoError(t, err)
	return pages
}
