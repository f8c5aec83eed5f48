package pdf

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/phpdave11/gofpdf"
)

// ptToMM converts a font size in points to millimetres (the PDF unit).
const ptToMM = 25.4 / 72

// tableRunes is how many code points get a precomputed width: Latin,
// Greek, Cyrillic and the general punctuation and currency blocks.
const tableRunes = 0x2200

// metrics measures text exactly as maroto's gofpdf provider will draw it,
// so the layout can wrap text itself and know every row's height before
// adding it: the page breaks (and the repeated table header) are then
// decided here, not discovered afterwards.
//
// gofpdf sums per-rune integer advance widths (1/1000 em) with no kerning,
// so a per-rune table gives the same widths. Runes beyond the table are
// measured on a shared gofpdf instance under a mutex and cached.
type metrics struct {
	widths [2][]int // [regular, bold][rune] in 1/1000 em

	mu    sync.Mutex
	fpdf  *gofpdf.Fpdf
	extra [2]map[rune]int
}

func newMetrics(regular, bold []byte) (*metrics, error) {
	f := gofpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes(fontFamily, "", regular)
	f.AddUTF8FontFromBytes(fontFamily, "B", bold)
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("pdf: loading fonts: %w", err)
	}
	m := &metrics{fpdf: f, extra: [2]map[rune]int{{}, {}}}
	buf := make([]byte, 0, 4)
	for i, style := range []string{"", "B"} {
		f.SetFont(fontFamily, style, 10)
		m.widths[i] = make([]int, tableRunes)
		for r := rune(0); r < tableRunes; r++ {
			buf = utf8.AppendRune(buf[:0], r)
			m.widths[i][r] = f.GetStringSymbolWidth(string(buf))
		}
	}
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("pdf: measuring fonts: %w", err)
	}
	return m, nil
}

// width returns the width in mm of s at size points.
func (m *metrics) width(s string, bold bool, size float64) float64 {
	i := 0
	if bold {
		i = 1
	}
	units := 0
	for _, r := range s {
		if r >= 0 && r < tableRunes {
			units += m.widths[i][r]
			continue
		}
		units += m.slowWidth(i, r)
	}
	return float64(units) * size * ptToMM / 1000
}

func (m *metrics) slowWidth(i int, r rune) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if w, ok := m.extra[i][r]; ok {
		return w
	}
	m.fpdf.SetFont(fontFamily, []string{"", "B"}[i], 10)
	w := m.fpdf.GetStringSymbolWidth(string(r))
	m.extra[i][r] = w
	return w
}

// wrap breaks s into lines no wider than maxWidth mm: at spaces where it
// can, inside a word longer than a line where it must. Line breaks in s
// are kept; empty lines inside s are kept too, so a note keeps its
// paragraphs. A blank s gives no line.
func (m *metrics) wrap(s string, bold bool, size, maxWidth float64) []string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if s == "" {
		return nil
	}
	space := m.width(" ", bold, size)
	var out []string
	for _, para := range strings.Split(s, "\n") {
		// Only ASCII blanks separate words: a no-break space (U+00A0, in
		// French amounts and "Réf. :") must hold its neighbours together.
		words := strings.FieldsFunc(para, func(r rune) bool { return r == ' ' || r == '\t' })
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		var line strings.Builder
		lineW := 0.0
		flush := func() {
			out = append(out, line.String())
			line.Reset()
			lineW = 0
		}
		for _, w := range words {
			ww := m.width(w, bold, size)
			if ww > maxWidth {
				// Longer than a whole line: cut it by runes.
				if line.Len() > 0 {
					flush()
				}
				for _, r := range w {
					rw := m.width(string(r), bold, size)
					if lineW+rw > maxWidth && line.Len() > 0 {
						flush()
					}
					line.WriteRune(r)
					lineW += rw
				}
				continue
			}
			if line.Len() == 0 {
				line.WriteString(w)
				lineW = ww
				continue
			}
			if lineW+space+ww <= maxWidth {
				line.WriteByte(' ')
				line.WriteString(w)
				lineW += space + ww
				continue
			}
			flush()
			line.WriteString(w)
			lineW = ww
		}
		if line.Len() > 0 {
			flush()
		}
	}
	return out
}

// fit returns the largest size, from size down to minSize by half points,
// at which s fits in maxWidth mm on one line (amounts are never wrapped).
func (m *metrics) fit(s string, bold bool, size, minSize, maxWidth float64) float64 {
	for size > minSize && m.width(s, bold, size) > maxWidth {
		size -= 0.5
	}
	return size
}

// fitLine returns s and the largest size, from size down to minSize, at
// which it fits in maxWidth mm on one line; a text still too wide at
// minSize (a long free-text reference) is cut to fit, with an ellipsis,
// rather than spill over the next column or row.
func (m *metrics) fitLine(s string, bold bool, size, minSize, maxWidth float64) (string, float64) {
	size = m.fit(s, bold, size, minSize, maxWidth)
	if m.width(s, bold, size) <= maxWidth {
		return s, size
	}
	const ellipsis = "…"
	room := maxWidth - m.width(ellipsis, bold, size)
	w := 0.0
	for i, r := range s {
		w += m.width(string(r), bold, size)
		if w > room {
			return s[:i] + ellipsis, size
		}
	}
	return s, size
}
