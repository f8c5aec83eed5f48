package pdf

import (
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/usecase/printing"
)

// TestGlyphsClean pins how text the fonts cannot draw is printed.
func TestGlyphsClean(t *testing.T) {
	r := newRenderer(t, Options{})
	g := r.glyphs
	require.Equal(t, '\uFFFD', g.fallback, "DejaVu has U+FFFD")
	for _, c := range []struct{ in, text, line string }{
		{"Zoë Müller", "Zoë Müller", "Zoë Müller"},
		{"Zoë 👍 Müller", "Zoë \uFFFD Müller", "Zoë \uFFFD Müller"},
		{"𝄞", "\uFFFD", "\uFFFD"},
		{"\U00010000\U0010FFFF\uFFFF", "\uFFFD\uFFFD\uFFFD", "\uFFFD\uFFFD\uFFFD"},
		{"a\xffb\xc3", "a\uFFFDb\uFFFD", "a\uFFFDb\uFFFD"},
		{"e\u0301te\u0301", "été", "été"},
		{"one\r\ntwo\rthree\u2028four", "one\ntwo\nthree\nfour", "one two three four"},
		{"a\tb\u3000c", "a b c", "a b c"},
		{"a\x00b\x07c\x1b\u0085d", "abc\nd", "abc d"},
		{"\ufeffzero\u200dwidth\ufe0f", "zero\u200dwidth", "zero\u200dwidth"},
		{"שלום 株式会社", "\uFFFD\uFFFD\uFFFD\uFFFD \uFFFD\uFFFD\uFFFD\uFFFD", "\uFFFD\uFFFD\uFFFD\uFFFD \uFFFD\uFFFD\uFFFD\uFFFD"},
		{"Réf.\u00a0: 1\u00a0061,63\u00a0€", "Réf.\u00a0: 1\u00a0061,63\u00a0€", "Réf.\u00a0: 1\u00a0061,63\u00a0€"},
	} {
		require.Equal(t, c.text, g.text(c.in), "text(%q)", c.in)
		require.Equal(t, c.line, g.line(c.in), "line(%q)", c.in)
	}
}

// TestEveryTextFieldIsCleaned fills every string of a Document, found by
// reflection, with text the fonts cannot draw: after cleaning, none is
// left, so a text field added to Document later cannot reach gofpdf raw.
func TestEveryTextFieldIsCleaned(t *testing.T) {
	r := newRenderer(t, Options{})
	const raw = "👍\x00\xff"
	doc := sampleInvoice(2, "en")
	n := 0
	walkStrings(reflect.ValueOf(&doc).Elem(), func(v reflect.Value) {
		v.SetString(raw)
		n++
	})
	require.Greater(t, n, 25, "the walk reaches the nested fields")
	clean := r.glyphs.document(doc)
	walkStrings(reflect.ValueOf(&clean).Elem(), func(v reflect.Value) {
		require.True(t, r.glyphs.drawable(v.String(), '\n'), "a field left as %q", v.String())
	})
	require.Equal(t, raw, doc.Lines[0].Description, "the caller's document is not modified")
	require.Equal(t, raw, doc.Payments[0].Reference)
}

func walkStrings(v reflect.Value, f func(reflect.Value)) {
	switch {
	case v.Type() == reflect.TypeFor[printing.Kind]():
		// A code the layout maps to a translated title, never printed.
	case v.Kind() == reflect.String:
		f(v)
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walkStrings(v.Field(i), f)
			}
		}
	case v.Kind() == reflect.Slice:
		for i := range v.Len() {
			walkStrings(v.Index(i), f)
		}
	default:
	}
}

// TestTextOutsideTheFontsPrintsAFallback is issue 21's defect 2: an emoji
// in the customer's name or a line's description made the render fail
// (gofpdf indexed a 65,536-entry table with the code point). It now
// prints U+FFFD in its place, the rest of the text intact.
func TestTextOutsideTheFontsPrintsAFallback(t *testing.T) {
	r := newRenderer(t, Options{})
	doc := sampleInvoice(2, "en")
	doc.Customer.Name = "Zoë 👍 Müller"
	doc.Lines[0].Description = "Abat-jour 𝄞 en lin"
	b, _ := render(t, r, doc)
	text := extractText(t, b)[0].String()
	requireHas(t, text, "Zoë \uFFFD Müller\n")
	requireHas(t, text, "Abat-jour \uFFFD en lin")
}

// TestLongTextsKeepTheLayout: a one-line field too wide for its column
// even at the smallest size is cut with an ellipsis, and a company address
// of hundreds of lines (once: "header height is greater than page useful
// area") or a customer address of as many still render, on bounded rows.
func TestLongTextsKeepTheLayout(t *testing.T) {
	r := newRenderer(t, Options{})
	doc := sampleInvoice(2, "en")
	doc.Payments[0].Reference = strings.Repeat("REF ", 100)
	doc.CustomerRef = strings.Repeat("PO", 200)
	doc.Company.Address = strings.Repeat("Bâtiment B\n", 300)
	doc.Customer.Address = strings.Repeat("Allée 7\n", 300)
	b, rep := render(t, r, doc)
	require.Equal(t, 1, rep.Pages)
	page := extractText(t, b)[0]
	text := page.String()
	requireHas(t, text, "\nREF REF REF ")
	requireHas(t, text, " R…\n", "the reference is cut to its column")
	requireHas(t, text, "11/10/2026 | Bank transfer | €41.05\n", "and leaves its neighbours in place")
	requireHas(t, text, "Your ref.: POPOPO")
	cells := map[string]int{}
	for _, row := range page {
		for _, c := range row {
			cells[c.S]++
		}
	}
	require.Equal(t, maxHeaderAddressLines-1, cells["Bâtiment B"], "the address gives way to the contact line")
	require.Equal(t, maxBoxLines-2, cells["Allée 7"], "the box holds its title, the name and the rest of the address")
	requireHas(t, text, "Remaining to pay | ")
}
