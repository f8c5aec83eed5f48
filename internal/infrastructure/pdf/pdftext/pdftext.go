// Package pdftext reads the text of the PDFs this project renders back as
// rows of cells, for tests. It parses the file with a pure-Go reader
// (github.com/dslipak/pdf: structure, compressed streams, content
// operators) and decodes the text runs itself: the reader's own decoding
// mishandles code points above U+00FF with gofpdf's identity ToUnicode map
// ("€" comes out as "¬"). gofpdf writes every text run as
// "BT x y Td (<UTF-16BE>) Tj ET" with Identity-H fonts, whose codes are the
// Unicode code points; that is all this package understands.
package pdftext

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf16"

	"github.com/dslipak/pdf"
)

// Cell is one text run: a line of one column of the layout, at (X, Y) in
// points from the bottom-left corner.
type Cell struct {
	X, Y float64
	S    string
}

// Page is a page's text as rows (top to bottom) of cells (left to right).
type Page [][]Cell

// Read returns the text of every page of a PDF.
func Read(b []byte) (pages []Page, err error) {
	defer func() {
		// The reader panics on malformed input.
		if p := recover(); p != nil {
			pages, err = nil, fmt.Errorf("pdftext: %v", p)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	for i := 1; i <= r.NumPage(); i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			return nil, errors.New("pdftext: missing page")
		}
		var cells []Cell
		var x, y float64
		pdf.Interpret(p.V.Key("Contents"), func(stk *pdf.Stack, op string) {
			args := make([]pdf.Value, stk.Len())
			for i := len(args) - 1; i >= 0; i-- {
				args[i] = stk.Pop()
			}
			switch op {
			case "Td":
				x, y = args[0].Float64(), args[1].Float64()
			case "Tj":
				cells = append(cells, Cell{X: x, Y: y, S: utf16be(args[0].RawString())})
			}
		})
		sort.SliceStable(cells, func(a, b int) bool {
			if math.Abs(cells[a].Y-cells[b].Y) > 0.01 {
				return cells[a].Y > cells[b].Y
			}
			return cells[a].X < cells[b].X
		})
		var page Page
		for i, c := range cells {
			if i == 0 || math.Abs(c.Y-cells[i-1].Y) > 0.01 {
				page = append(page, nil)
			}
			page[len(page)-1] = append(page[len(page)-1], c)
		}
		pages = append(pages, page)
	}
	return pages, nil
}

func utf16be(s string) string {
	u := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
	}
	return string(utf16.Decode(u))
}

// String renders the page as lines of cells joined by " | ".
func (p Page) String() string {
	var b strings.Builder
	for _, row := range p {
		for i, c := range row {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(c.S)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
