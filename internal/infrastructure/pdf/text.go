package pdf

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"

	"github.com/dolibarr-go/dolibarr/internal/usecase/printing"
)

// glyphs is what the embedded fonts can draw, and turns any text into text
// they can. gofpdf indexes its per-font tables by code point up to U+FFFF
// only: a code point above it (an emoji, U+1D11E 𝄞) panics with an index
// out of range while measuring or subsetting the font. A code point the
// font lacks draws as nothing. So every text of a document is cleaned once,
// before layout, and both the measuring and the drawing see the same text.
type glyphs struct {
	// has[r/64] bit r%64: both fonts (regular and bold) have a glyph for r.
	has      [0x10000 / 64]uint64
	fallback rune
}

func newGlyphs(fonts ...[]byte) (*glyphs, error) {
	g := &glyphs{}
	for i := range g.has {
		g.has[i] = ^uint64(0)
	}
	var buf sfnt.Buffer
	for _, b := range fonts {
		f, err := sfnt.Parse(b)
		if err != nil {
			return nil, fmt.Errorf("pdf: parsing a font's character map: %w", err)
		}
		for r := rune(0); r <= 0xFFFF; r++ {
			if ix, err := f.GlyphIndex(&buf, r); err != nil || ix == 0 {
				g.has[r/64] &^= 1 << (r % 64)
			}
		}
	}
	g.fallback = '?'
	if g.covers(utf8.RuneError) {
		g.fallback = utf8.RuneError
	}
	return g, nil
}

func (g *glyphs) covers(r rune) bool {
	return r >= 0 && r <= 0xFFFF && g.has[r/64]&(1<<(r%64)) != 0
}

// invisible are the code points that draw nothing by design (format
// controls such as bidi marks and joiners, variation selectors, tag
// characters): where the font lacks them they are dropped, not replaced.
var invisible = []*unicode.RangeTable{unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point}

// text cleans a text that may span lines (an address, a description, a
// note): invalid UTF-8 becomes the fallback glyph, the text is composed
// (NFC, so "e" + U+0301 prints as the font's "é"), line ends become "\n",
// tabs and other spaces the font lacks become a space, other control
// characters and invisible format characters the font lacks are dropped,
// and every other code point the fonts cannot draw becomes the fallback
// glyph (U+FFFD). Right-to-left text keeps its logical order: gofpdf has
// no bidi, and the fonts have no Hebrew or Arabic glyphs anyway.
func (g *glyphs) text(s string) string { return g.clean(s, '\n') }

// line cleans a text printed on one line: as text, with line breaks
// turned into spaces.
func (g *glyphs) line(s string) string { return g.clean(s, ' ') }

func (g *glyphs) clean(s string, newline rune) string {
	if g.drawable(s, newline) {
		return s // the common case: no copy
	}
	s = norm.NFC.String(strings.ToValidUTF8(s, string(utf8.RuneError)))
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || unicode.In(r, unicode.Zl, unicode.Zp):
			b.WriteRune(newline)
		case g.covers(r) && !unicode.IsControl(r):
			b.WriteRune(r)
		case r == '\t' || unicode.Is(unicode.Zs, r):
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.In(r, invisible...):
			// dropped
		default:
			b.WriteRune(g.fallback)
		}
	}
	return b.String()
}

// drawable reports whether s needs no cleaning: valid, composed, and made
// of code points the fonts draw (and "\n" where lines are allowed).
func (g *glyphs) drawable(s string, newline rune) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '\n' && newline == '\n' {
			continue
		}
		if unicode.IsControl(r) || !g.covers(r) {
			return false
		}
	}
	return norm.NFC.IsNormalString(s)
}

// document returns doc with every text cleaned. The fields that print on
// one line get line; those that may span lines get text. A test walks
// Document by reflection so that a text field added later cannot be missed.
func (g *glyphs) document(doc printing.Document) printing.Document {
	doc.Ref = g.line(doc.Ref)
	doc.CustomerRef = g.line(doc.CustomerRef)
	doc.Language = g.line(doc.Language)
	doc.Currency = g.line(doc.Currency)
	doc.Company = g.party(doc.Company)
	doc.Customer = g.party(doc.Customer)
	doc.Lines = append([]printing.Line(nil), doc.Lines...)
	for i := range doc.Lines {
		ln := &doc.Lines[i]
		ln.Ref = g.line(ln.Ref)
		ln.Description = g.text(ln.Description)
	}
	doc.Payments = append([]printing.Payment(nil), doc.Payments...)
	for i := range doc.Payments {
		p := &doc.Payments[i]
		p.Method = g.line(p.Method)
		p.Reference = g.line(p.Reference)
	}
	doc.PaymentTerms = g.text(doc.PaymentTerms)
	doc.PublicNote = g.text(doc.PublicNote)
	return doc
}

func (g *glyphs) party(p printing.Party) printing.Party {
	p.Name = g.text(p.Name)
	p.Address = g.text(p.Address)
	for _, f := range []*string{&p.Zip, &p.Town, &p.CountryCode, &p.VATID, &p.LegalID, &p.Code, &p.Email, &p.Phone, &p.Website, &p.BankAccount} {
		*f = g.line(*f)
	}
	return p
}
