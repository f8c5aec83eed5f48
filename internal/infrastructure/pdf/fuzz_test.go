package pdf

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/pdf/pdftext"
	"github.com/dolibarr-go/dolibarr/internal/usecase/printing"
)

// fuzzKinds are the document kinds a fuzzed document takes in turn.
var fuzzKinds = []printing.Kind{printing.KindInvoice, printing.KindProposal, printing.KindOrder, printing.KindCreditNote}

// fuzzDocument is a two-line invoice (or proposal, order, credit note)
// whose every text field holds one of the fuzzer's strings: the customer's
// in the customer's fields, line's in the lines and payments, other's in
// the company's fields, the references, terms, note, language and
// currency; some also mixed with ordinary text, so that arbitrary text is
// measured and wrapped next to text the fonts draw.
func fuzzDocument(customer, line, other string) printing.Document {
	doc := sampleInvoice(2, "fr")
	doc.Kind = fuzzKinds[len(line)%len(fuzzKinds)]
	doc.Draft = len(other)%2 == 1
	doc.Ref, doc.CustomerRef = other, "PO "+customer
	doc.Language, doc.Currency = other, other
	doc.PaymentTerms, doc.PublicNote = other, "Note : "+other+"\n"+line
	c := &doc.Company
	c.Name, c.Address, c.Zip, c.Town, c.CountryCode = other, other+"\n"+other, other, other, other
	c.VATID, c.LegalID, c.Code, c.Email, c.Phone, c.Website, c.BankAccount = other, other, other, other, other, other, other
	p := &doc.Customer
	p.Name, p.Address, p.Zip, p.Town, p.CountryCode = customer, "1 rue "+customer+"\n"+customer, customer, customer, customer
	p.VATID, p.LegalID, p.Code, p.Email, p.Phone, p.Website, p.BankAccount = customer, customer, customer, customer, customer, customer, customer
	doc.Lines[0].Ref, doc.Lines[0].Description = line, line
	doc.Lines[1].Description = "Lampe " + line + " laiton"
	doc.Payments[0].Method, doc.Payments[0].Reference = line, line
	doc.Payments[1].Reference = other
	return doc
}

// maxFuzzText bounds the fuzzed text per document: enough for words longer
// than any column and notes of several pages.
const maxFuzzText = 4 << 10

// FuzzRenderText renders documents with arbitrary text (any Unicode, code
// points beyond the fonts and beyond U+FFFF, invalid UTF-8, controls,
// combining marks, right-to-left text, words longer than a line) in every
// text field. Each must render without error or panic to a PDF that
// pdfcpu validates and whose text reads back, made only of glyphs the
// embedded fonts have. Seeds, emoji among them, are in
// testdata/fuzz/FuzzRenderText and run with every go test.
func FuzzRenderText(f *testing.F) {
	r, err := New(Options{MaxConcurrent: 1})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = r.Drain(context.Background()) })
	f.Fuzz(func(t *testing.T, customer, line, other string) {
		// Longer texts only make more rows of the same kinds, more slowly.
		if len(customer)+len(line)+len(other) > maxFuzzText {
			t.Skip()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var buf bytes.Buffer
		if err := r.Render(ctx, fuzzDocument(customer, line, other), &buf); err != nil {
			t.Fatalf("render: %v", err)
		}
		if err := api.Validate(bytes.NewReader(buf.Bytes()), nil); err != nil {
			t.Fatalf("pdfcpu rejects the file: %v", err)
		}
		pages, err := pdftext.Read(buf.Bytes())
		if err != nil || len(pages) == 0 {
			t.Fatalf("the text does not read back (%d pages): %v", len(pages), err)
		}
		for _, p := range pages {
			for _, row := range p {
				for _, c := range row {
					for _, ch := range c.S {
						if !r.glyphs.covers(ch) {
							t.Fatalf("printed %U, which the fonts lack, in %q", ch, c.S)
						}
					}
				}
			}
		}
	})
}
