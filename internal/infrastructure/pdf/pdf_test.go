package pdf

import (
	"bytes"
	"context"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dslipak/pdf"
	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/pdf/i18n"
	"github.com/dolibarr-go/dolibarr/internal/usecase/printing"
)

// sampleOut, when set, receives the sample invoice of TestSampleInvoice:
// the README's picture is page 1 of it (see docs/images/README.md).
var sampleOut = flag.String("sample", "", "write the sample invoice PDF to this file")

// TestSampleInvoice renders the README's sample, a one-page invoice in
// English with every block, and writes it out when -sample is given.
func TestSampleInvoice(t *testing.T) {
	r := newRenderer(t, Options{})
	b, rep := render(t, r, sampleInvoice(10, "en"))
	require.Equal(t, 1, rep.Pages)
	text := extractText(t, b)[0].String()
	requireHas(t, text, "Remaining to pay | ")
	if *sampleOut != "" {
		require.NoError(t, os.WriteFile(*sampleOut, b, 0o600))
	}
}

// TestMain fails the package when a test leaves a goroutine running: every
// render goroutine, abandoned or not, must have ended.
func TestMain(m *testing.M) {
	model.ConfigPath = "disable" // pdfcpu: built-in defaults, no config file in $HOME
	goleak.VerifyTestMain(m)
}

func newRenderer(t testing.TB, opts Options) *Renderer {
	t.Helper()
	r, err := New(opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, r.Drain(context.Background())) })
	return r
}

// render renders doc and returns the PDF and the render's report.
func render(t *testing.T, r *Renderer, doc printing.Document) ([]byte, Report) {
	t.Helper()
	reports := make(chan Report, 1)
	r.opts.Observe = func(rep Report) { reports <- rep }
	var buf bytes.Buffer
	require.NoError(t, r.Render(context.Background(), doc, &buf))
	rep := <-reports
	require.NoError(t, rep.Err)
	require.Equal(t, rep.Units, rep.Done, "a finished render did every unit")
	require.NoError(t, api.Validate(bytes.NewReader(buf.Bytes()), nil), "pdfcpu validates the file")
	return buf.Bytes(), rep
}

// leftColumn joins, in reading order, the cells that start in the line
// table's description column: a wrapped description reads back whole.
func leftColumn(page pageText) []string {
	var out []string
	for _, row := range page {
		if c := row[0]; c.X < (marginLeft+colW(spanDesc))/ptToMM {
			out = append(out, c.S)
		}
	}
	return out
}

func rowWith(pages []pageText, first string) ([]textCell, int) {
	for i, p := range pages {
		for _, row := range p {
			if row[0].S == first {
				return row, i
			}
		}
	}
	return nil, -1
}

func texts(row []textCell) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = c.S
	}
	return out
}

// TestMultiPageInvoiceContent renders a long invoice in two languages and
// reads the text back: every page has the header, the table header and a
// page number; every line is there once, in order, with its numbers; the
// customer, totals, VAT breakdown, payments and remainder are printed.
func TestMultiPageInvoiceContent(t *testing.T) {
	r := newRenderer(t, Options{})
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			doc := sampleInvoice(150, lang)
			loc := i18n.For(lang)
			b, rep := render(t, r, doc)
			pages := extractText(t, b)
			require.GreaterOrEqual(t, len(pages), 6, "a multi-page invoice")
			require.Equal(t, rep.Pages, len(pages), "the pager's count is the file's")

			label := func(key, value string) string {
				return loc.T("format.label", "label", loc.T(key), "value", value)
			}
			head := []string{loc.T("col.description"), loc.T("col.qty"), loc.T("col.unit_price"), loc.T("col.discount"), loc.T("col.vat"), loc.T("col.total")}
			refs := map[string]bool{}
			for _, ln := range doc.Lines {
				refs[ln.Ref] = ln.Ref != ""
			}
			var whole strings.Builder
			for i, p := range pages {
				all := p.String()
				require.Equal(t, []string{doc.Company.Name, loc.T("title.invoice")}, texts(p[0]), "page %d starts with the header", i+1)
				requireHas(t, all, label("label.ref", doc.Ref)+"\n", "page %d", i+1)
				requireHas(t, all, label("label.due_date", loc.Date(doc.DueDate))+"\n")
				requireHas(t, all, loc.T("footer.page", "current", itoa(i+1), "total", itoa(len(pages)))+"\n")
				requireHas(t, all, "SIRET 123 456 789 00012", "the footer's legal line")
				hasLine := false
				for _, row := range p {
					hasLine = hasLine || refs[row[0].S]
				}
				require.Equal(t, hasLine, strings.Contains(all, strings.Join(head, " | ")+"\n"), "page %d repeats the table header", i+1)
				whole.WriteString(all)
			}
			first := pages[0].String()
			for _, s := range []string{doc.Customer.Name, "Avenida Paulista, 1578 – 7º andar", "01310-200 São Paulo", label("label.customer_code", "CU2611-00007"), label("label.customer_ref", "PO-7781/B")} {
				requireHas(t, first, s+"\n")
			}

			// Every line once, in order, with its numbers on its first row.
			var stream []string
			for _, p := range pages {
				stream = append(stream, leftColumn(p)...)
			}
			joined := strings.Join(stream, " ")
			at := 0
			for i, ln := range doc.Lines {
				text := strings.TrimSpace(ln.Ref + " " + ln.Description)
				idx := strings.Index(joined[at:], text)
				require.GreaterOrEqual(t, idx, 0, "line %d (%s) in order", i+1, text)
				at += idx + len(text)
				require.Equal(t, 1, strings.Count(joined, text+" "), "line %d printed once", i+1)

				if ln.Ref == "" {
					continue // free-text lines share their first word; their numbers add up in the totals
				}
				row, _ := rowWith(pages, ln.Ref)
				want := []string{ln.Ref, loc.Number(ln.Qty, 0), loc.Number(ln.UnitPrice, 2)}
				if !ln.DiscountPercent.IsZero() {
					want = append(want, loc.Percent(ln.DiscountPercent))
				}
				want = append(want, loc.Percent(ln.VATRate), loc.Amount(ln.TotalExclTax, 2))
				require.Equal(t, want, texts(row), "line %d", i+1)
			}

			last := whole.String()
			money := func(d domain.Decimal) string { return loc.Money(d, "EUR") }
			for _, want := range []string{
				loc.T("vat.title"),
				loc.T("totals.excl_tax") + " | " + money(doc.TotalExclTax),
				loc.T("totals.vat") + " | " + money(doc.TotalVAT),
				loc.T("totals.incl_tax") + " | " + money(doc.TotalInclTax),
				loc.T("totals.paid") + " | " + money(doc.Paid),
				loc.T("totals.remaining") + " | " + money(doc.Remaining),
				loc.T("payments.title"),
				loc.Date(doc.Payments[0].Date) + " | " + loc.T("payment_method.transfer") + " | VIR-2026-1110 | " + money(doc.Payments[0].Amount),
				loc.Date(doc.Payments[1].Date) + " | " + loc.T("payment_method.cheque") + " | CHQ 0004417 | " + money(doc.Payments[1].Amount),
				label("terms.title", loc.T("payment_terms.30D")),
				label("terms.bank", doc.Company.BankAccount),
				"Garantie : deux ans pièces et main-d'œuvre.",
			} {
				requireHas(t, last, want)
			}
			for _, v := range doc.VAT {
				requireHas(t, last, loc.Percent(v.Rate)+" | "+loc.Amount(v.Base, 2)+" | "+loc.Amount(v.Amount, 2)+" | ", "VAT %s", v.Rate)
			}
			require.False(t, strings.Contains(last, loc.T("totals.credit_used")), "no credit used, no credit line")
			sum := domain.Zero
			for _, v := range doc.VAT {
				sum = sum.Add(v.Amount)
			}
			require.True(t, sum.Equal(doc.TotalVAT), "the sample's breakdown adds up")
		})
	}
}

func itoa(i int) string { return domain.DecimalFromInt(int64(i)).String() }

// TestFormattedFiguresAreLocal pins the printed text of a small invoice
// with literal strings, so the content test above is not only
// self-consistent: amounts, dates and separators as each language writes
// them.
func TestFormattedFiguresAreLocal(t *testing.T) {
	r := newRenderer(t, Options{})
	nb := "\u00a0"
	for lang, want := range map[string][]string{
		"en": {"Ref.: FA2611-0042", "Due date: 12/03/2026", "SHADE-XL-007 | 7 | 42.125 | 20% | 294.88", "BOOK-LUX-004 | 4 | 34.00 | 10% | 5.5% | 122.40",
			"Total VAT | €139.23", "5.5% | 122.40 | 6.73 | Total incl. tax | €1,061.63", "Total incl. tax | €1,061.63", "Remaining to pay | €607.75", "Page 1 of 1"},
		"fr": {"Réf." + nb + ": FA2611-0042", "Date d'échéance" + nb + ": 03/12/2026", "SHADE-XL-007 | 7 | 42,125 | 20" + nb + "% | 294,88",
			"5,5" + nb + "% | 122,40 | 6,73 | Total TTC | 1" + nb + "061,63" + nb + "€", "Total TTC | 1" + nb + "061,63" + nb + "€", "Reste à payer | 607,75" + nb + "€", "Page 1 sur 1"},
		"es":    {"Vencimiento: 03/12/2026", "Total (IVA incl.) | 1.061,63" + nb + "€", "Pendiente de pago | 607,75" + nb + "€", "Página 1 de 1"},
		"pt-BR": {"Vencimento: 03/12/2026", "Total com impostos | €" + nb + "1.061,63", "Saldo a pagar | €" + nb + "607,75", "Página 1 de 1"},
	} {
		b, _ := render(t, r, sampleInvoice(7, lang))
		pages := extractText(t, b)
		require.Len(t, pages, 1, lang)
		for _, s := range want {
			requireHas(t, pages[0].String(), s, lang)
		}
	}
}

// TestDocumentKinds checks the title and the date label of each kind, and
// that only invoices print payments and the remainder.
func TestDocumentKinds(t *testing.T) {
	r := newRenderer(t, Options{})
	cases := []struct {
		kind             printing.Kind
		lang, title, due string
		remainder        bool
	}{
		{printing.KindProposal, "es", "Presupuesto", "Válido hasta: 03/12/2026", false},
		{printing.KindOrder, "pt-BR", "Pedido de venda", "Data de entrega: 03/12/2026", false},
		{printing.KindInvoice, "de-DE", "Invoice", "Due date: 12/03/2026", true},
		{printing.KindCreditNote, "fr-CA", "Avoir", "Date d'échéance\u00a0: 03/12/2026", false},
	}
	for _, c := range cases {
		doc := sampleInvoice(3, c.lang)
		doc.Kind = c.kind
		doc.CreditUsed = domain.MustDecimal("50")
		b, rep := render(t, r, doc)
		text := extractText(t, b)[0].String()
		requireHas(t, text, c.title+"\n", c.kind)
		requireHas(t, text, c.due+"\n", c.kind)
		loc := i18n.For(c.lang)
		require.Equal(t, loc.Tag(), rep.Language)
		require.Equal(t, c.remainder, strings.Contains(text, loc.T("totals.remaining")), c.kind)
		require.Equal(t, c.remainder, strings.Contains(text, loc.T("payments.title")), c.kind)
		require.Equal(t, c.remainder, strings.Contains(text, loc.T("totals.credit_used")), c.kind)
	}
}

// TestCreditUsedLine checks that the customer credits used on an invoice
// (credit notes turned into credits) print as their own line of the totals,
// after the payments and before the remainder, so that total - paid -
// credits used = remaining reads on the page; and that an invoice without
// credit has no such line. en and fr are pinned with literal strings, every
// catalog is checked through its own labels.
func TestCreditUsedLine(t *testing.T) {
	r := newRenderer(t, Options{})
	d := domain.MustDecimal
	nb := "\u00a0"
	// An invoice of 200 incl. tax with nothing paid and a credit of 120
	// used on it: 80 remain.
	unpaid := func(lang string) printing.Document {
		return printing.Document{
			Kind: printing.KindInvoice, Ref: "FA2611-0043", Language: lang, Currency: "EUR",
			IssueDate: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), Company: sampleCompany,
			Customer:     printing.Party{Name: "Zoë Müller"},
			Lines:        []printing.Line{{Ref: "SERV-INST", Description: "Installation", Qty: d("1"), UnitPrice: d("200"), VATRate: d("0"), TotalExclTax: d("200")}},
			VAT:          []printing.VATAmount{{Rate: d("0"), Base: d("200"), Amount: d("0")}},
			TotalExclTax: d("200"), TotalVAT: d("0"), TotalInclTax: d("200"),
			CreditUsed: d("120"), Remaining: d("80"),
		}
	}
	// The sample invoice (1,061.63, 453.88 paid) with a credit of 120:
	// 487.75 remain instead of 607.75.
	paid := func(lang string) printing.Document {
		doc := sampleInvoice(7, lang)
		doc.CreditUsed = d("120")
		doc.Remaining = doc.TotalInclTax.Sub(doc.Paid).Sub(doc.CreditUsed)
		return doc
	}
	pinned := map[string]struct{ unpaid, paid []string }{
		"en": {
			unpaid: []string{"Total incl. tax | €200.00\n", "Credit notes used | €120.00\n", "Remaining to pay | €80.00\n"},
			paid:   []string{"Total incl. tax | €1,061.63\n", "Already paid | €453.88\n", "Credit notes used | €120.00\n", "Remaining to pay | €487.75\n"},
		},
		"fr": {
			unpaid: []string{"Total TTC | 200,00" + nb + "€\n", "Avoirs utilisés | 120,00" + nb + "€\n", "Reste à payer | 80,00" + nb + "€\n"},
			paid: []string{"Total TTC | 1" + nb + "061,63" + nb + "€\n", "Déjà réglé | 453,88" + nb + "€\n",
				"Avoirs utilisés | 120,00" + nb + "€\n", "Reste à payer | 487,75" + nb + "€\n"},
		},
	}
	// inOrder requires each of want in text, each after the previous one.
	inOrder := func(text string, want []string, msg string) {
		t.Helper()
		at := 0
		for _, w := range want {
			requireHas(t, text[at:], w, "%s: %q after the previous line", msg, w)
			at += strings.Index(text[at:], w) + len(w)
		}
	}
	for _, lang := range i18n.Languages() {
		t.Run(lang, func(t *testing.T) {
			loc := i18n.For(lang)
			money := func(v domain.Decimal) string { return loc.Money(v, "EUR") }
			row := func(key string, v domain.Decimal) string { return loc.T(key) + " | " + money(v) + "\n" }

			doc := unpaid(lang)
			b, _ := render(t, r, doc)
			text := extractText(t, b)[0].String()
			inOrder(text, []string{row("totals.incl_tax", doc.TotalInclTax), row("totals.credit_used", doc.CreditUsed), row("totals.remaining", doc.Remaining)}, "unpaid")
			require.False(t, strings.Contains(text, loc.T("totals.paid")), "nothing paid, no paid line")
			if p, ok := pinned[lang]; ok {
				inOrder(text, p.unpaid, "unpaid, pinned")
			}

			doc = paid(lang)
			b, _ = render(t, r, doc)
			text = extractText(t, b)[0].String()
			inOrder(text, []string{row("totals.incl_tax", doc.TotalInclTax), row("totals.paid", doc.Paid), row("totals.credit_used", doc.CreditUsed), row("totals.remaining", doc.Remaining)}, "paid")
			require.Equal(t, 1, strings.Count(text, loc.T("totals.credit_used")), "one credit line")
			if p, ok := pinned[lang]; ok {
				inOrder(text, p.paid, "paid, pinned")
			}

			doc.CreditUsed = domain.Zero
			doc.Remaining = doc.TotalInclTax.Sub(doc.Paid)
			b, _ = render(t, r, doc)
			text = extractText(t, b)[0].String()
			requireHas(t, text, row("totals.remaining", doc.Remaining))
			require.False(t, strings.Contains(text, loc.T("totals.credit_used")), "no credit used, no credit line")
		})
	}
}

// TestDraftWatermark checks that a draft carries the translated label and
// a background image on every page, and a validated document neither.
func TestDraftWatermark(t *testing.T) {
	r := newRenderer(t, Options{})
	for _, draft := range []bool{true, false} {
		doc := sampleInvoice(80, "es")
		doc.Draft, doc.Ref = draft, "(PROV17)"
		b, _ := render(t, r, doc)
		reader, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
		require.NoError(t, err)
		require.Greater(t, reader.NumPage(), 1)
		for i := 1; i <= reader.NumPage(); i++ {
			xobjects := reader.Page(i).Resources().Key("XObject")
			require.Equal(t, draft, len(xobjects.Keys()) == 1, "page %d: a watermark image only on drafts", i)
		}
		require.Equal(t, draft, strings.Contains(extractText(t, b)[0].String(), "BORRADOR\n"))
	}
}

// TestEmptyAndSparseDocuments renders documents with no line, no VAT, no
// customer details and no company: nothing crashes, the title is there.
func TestEmptyAndSparseDocuments(t *testing.T) {
	r := newRenderer(t, Options{})
	b, rep := render(t, r, printing.Document{Kind: printing.KindProposal, Ref: "PR2611-0001"})
	require.Equal(t, 1, rep.Pages)
	text := extractText(t, b)[0].String()
	requireHas(t, text, "Commercial proposal\n")
	requireHas(t, text, "Total incl. tax | 0.00\n", "no currency, no symbol")

	// A description with no space wider than its column, and one with
	// blank lines, wrap inside the column.
	doc := sampleInvoice(2, "en")
	doc.Lines[0].Description = strings.Repeat("Ü", 300)
	doc.Lines[1].Description = "first paragraph\n\nsecond paragraph"
	b, _ = render(t, r, doc)
	text = extractText(t, b)[0].String()
	requireHas(t, text, "first paragraph\n")
	requireHas(t, text, "second paragraph\n")
	require.Equal(t, 300, strings.Count(text, "Ü"))
}

// requireHas is require.Contains without printing a whole document on
// failure: the wanted text and the document's length are enough to start.
func requireHas(t *testing.T, text, want string, msgAndArgs ...any) {
	t.Helper()
	if !strings.Contains(text, want) {
		t.Logf("document text (%d bytes) lacks %q", len(text), want)
		require.Fail(t, "text not found", msgAndArgs...)
	}
}

// TestConcurrentRendersShareNoFontData renders several documents at once:
// gofpdf pads font bytes in place while writing, so under -race this fails
// if renders share the embedded font slices. Each output must also be the
// same valid PDF text as a lone render's.
func TestConcurrentRendersShareNoFontData(t *testing.T) {
	r := newRenderer(t, Options{MaxConcurrent: 4})
	doc := sampleInvoice(30, "fr")
	var want bytes.Buffer
	require.NoError(t, r.Render(context.Background(), doc, &want))
	wantText := extractText(t, want.Bytes())

	errs := make(chan error, 4)
	outs := make(chan []byte, 4)
	for range 4 {
		go func() {
			var buf bytes.Buffer
			errs <- r.Render(context.Background(), doc, &buf)
			outs <- buf.Bytes()
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
		out := <-outs
		require.NoError(t, api.Validate(bytes.NewReader(out), nil))
		require.Equal(t, wantText, extractText(t, out))
	}
}
