package pdf

import (
	_ "embed"
	"strings"

	"github.com/johnfercher/go-tree/node"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/row"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/border"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/core/entity"
	"github.com/johnfercher/maroto/v2/pkg/props"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/pdf/i18n"
	"github.com/dolibarr-go/dolibarr/internal/usecase/printing"
)

// The fonts: DejaVu Sans Condensed (Bitstream Vera licence, fonts/LICENSE),
// which covers accented Latin, Greek and Cyrillic. Condensed because the
// line table is narrow.
var (
	//go:embed fonts/DejaVuSansCondensed.ttf
	regularTTF []byte
	//go:embed fonts/DejaVuSansCondensed-Bold.ttf
	boldTTF []byte
)

const fontFamily = "dejavu"

// Page geometry, in millimetres, on A4 (210 x 297).
const (
	pageWidth    = 210.0
	pageHeight   = 297.0
	marginLeft   = 12.0
	marginRight  = 12.0
	marginTop    = 10.0
	marginBottom = 14.0 // the page number is printed in it
	contentW     = pageWidth - marginLeft - marginRight
	contentH     = pageHeight - marginTop - marginBottom
	grid         = 24  // columns of the grid
	pad          = 1.2 // vertical padding inside a row
	hpad         = 1.0 // horizontal padding inside a column
	// slack keeps measured text a little narrower than its column, and
	// rows a little shorter than the page, against float rounding.
	slack = 0.3
	// maxDescriptionLines caps a line's description so one line can never
	// be taller than a page.
	maxDescriptionLines = 40
	// maxHeaderAddressLines and maxBoxLines cap the company's address
	// block in the header (repeated on every page, which it must leave
	// room on) and the customer's address box, whatever the address.
	maxHeaderAddressLines = 6
	maxBoxLines           = 14
)

// Font sizes in points.
const (
	sizeBody    = 8.0
	sizeSmall   = 7.0
	sizeFooter  = 6.5
	sizeTitle   = 15.0
	sizeCompany = 12.0
	sizeName    = 10.0
)

var (
	colorText   = &props.Color{Red: 20, Green: 20, Blue: 20}
	colorMuted  = &props.Color{Red: 95, Green: 95, Blue: 95}
	colorAccent = &props.Color{Red: 31, Green: 58, Blue: 104}
	colorDraft  = &props.Color{Red: 176, Green: 32, Blue: 32}
	colorShade  = &props.Color{Red: 234, Green: 237, Blue: 242}
	colorRule   = &props.Color{Red: 190, Green: 194, Blue: 200}
)

func fontH(size float64) float64 { return size * ptToMM }
func step(size float64) float64  { return 1.3 * fontH(size) }
func colW(span int) float64      { return contentW * float64(span) / grid }

// item is one line of text in a column.
type item struct {
	text  string
	size  float64
	bold  bool
	color *props.Color
}

// cell is the content of one grid column: lines of text stacked from the
// top, aligned together.
type cell struct {
	span int
	// top is extra space above the first line, to share a baseline with
	// larger text in the next column.
	top   float64
	items []item
	align align.Type
	style *props.Cell
}

func (c cell) height() float64 {
	h := 0.0
	for _, it := range c.items {
		h += step(it.size)
	}
	return c.top + h + 2*pad
}

func (c cell) col() core.Col {
	k := col.New(c.span)
	if c.style != nil {
		k.WithStyle(c.style)
	}
	top := c.top + pad
	for _, it := range c.items {
		st := fontstyle.Normal
		if it.bold {
			st = fontstyle.Bold
		}
		color := it.color
		if color == nil {
			color = colorText
		}
		if it.text != "" {
			k.Add(text.New(it.text, props.Text{
				Family: fontFamily, Style: st, Size: it.size, Align: c.align, Color: color,
				Top: top, Left: hpad, Right: hpad,
			}))
		}
		top += step(it.size)
	}
	return k
}

// checkpoint is an invisible component placed first in every body row:
// maroto's Generate calls its Render just before drawing the row, which
// is where a cancelled render is stopped (see the package documentation).
type checkpoint struct{ check func() }

func (c *checkpoint) Render(core.Provider, *entity.Cell) {
	if c.check != nil {
		c.check()
	}
}
func (c *checkpoint) GetHeight(core.Provider, *entity.Cell) float64 { return 0 }
func (c *checkpoint) SetConfig(*entity.Config)                      {}
func (c *checkpoint) GetStructure() *node.Node[core.Structure] {
	return node.New(core.Structure{Type: "checkpoint"})
}

// bodyRow is a row of the flowing part of the document.
type bodyRow struct {
	row        core.Row
	h          float64
	checkpoint *checkpoint
	// keep, on the first row of a group that should not be split across
	// pages, is the height of the whole group.
	keep float64
	// table marks a line of the line table: after a page break the table
	// header is repeated before it.
	table bool
}

// plan is the document laid out: every row with its exact height.
type plan struct {
	header    []core.Row
	headerH   float64
	footer    []core.Row
	footerH   float64
	tableHead func() (core.Row, float64)
	body      []*bodyRow
}

// layout builds a plan for one document in one language.
type layout struct {
	doc printing.Document
	loc *i18n.Locale
	met *metrics
	out *plan
	// group collects the rows of a keep-together group being built.
	group []*bodyRow
}

func (r *Renderer) plan(doc printing.Document, loc *i18n.Locale) (*plan, error) {
	l := &layout{doc: doc, loc: loc, met: r.metrics, out: &plan{}}
	l.header()
	l.footer()
	l.parties()
	l.spacer(4)
	l.lines()
	l.spacer(3)
	l.totals()
	l.payments()
	l.terms()
	l.mentions()
	l.note()
	return l.out, nil
}

// newRow builds a row of cells at least minH high and returns it with its
// height. With a checkpoint, the first column is wrapped so that maroto
// calls the checkpoint before drawing anything of the row.
func newRow(minH float64, style *props.Cell, cp *checkpoint, cells ...cell) (core.Row, float64) {
	h := minH
	for _, c := range cells {
		h = max(h, c.height())
	}
	r := row.New(h)
	if style != nil {
		r.WithStyle(style)
	}
	for i, c := range cells {
		k := c.col()
		if i == 0 && cp != nil {
			k = &checkpointCol{Col: k, cp: cp}
		}
		r.Add(k)
	}
	return r, h
}

// checkpointCol wraps a column to run a checkpoint before rendering it.
type checkpointCol struct {
	core.Col
	cp *checkpoint
}

func (c *checkpointCol) Render(p core.Provider, cl entity.Cell, createCell bool) {
	c.cp.Render(p, &cl)
	c.Col.Render(p, cl, createCell)
}

// body appends a body row made of cells. keep adds it to the current
// keep-together group (closed by endGroup); table marks a table line.
func (l *layout) body(minH float64, style *props.Cell, table, keep bool, cells ...cell) {
	cp := &checkpoint{}
	r, h := newRow(minH, style, cp, cells...)
	br := &bodyRow{row: r, h: h, checkpoint: cp, table: table}
	l.out.body = append(l.out.body, br)
	if keep {
		l.group = append(l.group, br)
	}
}

func (l *layout) endGroup() {
	if len(l.group) > 0 {
		h := 0.0
		for _, br := range l.group {
			h += br.h
		}
		l.group[0].keep = h
	}
	l.group = nil
}

func (l *layout) spacer(h float64) {
	l.body(h, nil, false, false, cell{span: grid})
}

// ---- header and footer (repeated on every page) ----

func (l *layout) title() string {
	switch l.doc.Kind {
	case printing.KindProposal:
		return l.loc.T("title.proposal")
	case printing.KindOrder:
		return l.loc.T("title.order")
	case printing.KindPurchaseOrder:
		return l.loc.T("title.purchase_order")
	case printing.KindCreditNote:
		return l.loc.T("title.credit_note")
	default:
		return l.loc.T("title.invoice")
	}
}

func (l *layout) dueLabel() string {
	switch l.doc.Kind {
	case printing.KindProposal:
		return l.loc.T("label.valid_until")
	case printing.KindOrder, printing.KindPurchaseOrder:
		return l.loc.T("label.delivery_date")
	default:
		return l.loc.T("label.due_date")
	}
}

func (l *layout) wrapItems(s string, size float64, bold bool, color *props.Color, span int, maxLines int) []item {
	lines := l.met.wrap(s, bold, size, colW(span)-2*hpad-slack)
	if maxLines > 0 && len(lines) > maxLines {
		lines = lines[:maxLines]
	}
	out := make([]item, 0, len(lines))
	for _, ln := range lines {
		out = append(out, item{text: ln, size: size, bold: bold, color: color})
	}
	return out
}

func (l *layout) addressLines(p printing.Party) []string {
	var out []string
	if p.Address != "" {
		out = append(out, strings.Split(p.Address, "\n")...)
	}
	if zt := strings.TrimSpace(p.Zip + " " + p.Town); zt != "" {
		out = append(out, zt)
	}
	if p.CountryCode != "" {
		// The country's name in the document's language, else its code.
		name, ok := l.loc.Lookup("country." + p.CountryCode)
		if !ok {
			name = p.CountryCode
		}
		out = append(out, name)
	}
	return out
}

func (l *layout) header() {
	c := l.doc.Company
	const left, right = 14, 10
	name := cell{span: left, top: fontH(sizeTitle) - fontH(sizeCompany), items: l.wrapItems(c.Name, sizeCompany, true, colorAccent, left, 2)}
	title := cell{span: right, align: align.Right, items: []item{{
		text: l.title(), size: l.met.fit(l.title(), true, sizeTitle, 9, colW(right)-2*hpad-slack), bold: true, color: colorAccent,
	}}}
	r1, h1 := newRow(0, nil, nil, name, title)

	var addr []item
	for _, ln := range l.addressLines(c) {
		addr = append(addr, l.wrapItems(ln, sizeSmall, false, colorMuted, left, 2)...)
	}
	var contact []string
	if c.Phone != "" {
		contact = append(contact, l.loc.T("label.phone")+" "+c.Phone)
	}
	if c.Email != "" {
		contact = append(contact, c.Email)
	}
	if c.Website != "" {
		contact = append(contact, c.Website)
	}
	if len(contact) > 0 {
		// The contact line is kept: the address gives way to it.
		ci := l.wrapItems(strings.Join(contact, " · "), sizeSmall, false, colorMuted, left, 2)
		addr = append(addr[:min(len(addr), maxHeaderAddressLines-len(ci))], ci...)
	}
	addr = addr[:min(len(addr), maxHeaderAddressLines)]

	meta := []item{l.labelled("label.ref", l.doc.Ref, right, true)}
	if !l.doc.IssueDate.IsZero() {
		meta = append(meta, l.labelled("label.date", l.loc.Date(l.doc.IssueDate), right, false))
	}
	if !l.doc.DueDate.IsZero() {
		meta = append(meta, l.pair(l.dueLabel(), l.loc.Date(l.doc.DueDate), right, false))
	}
	if l.doc.CustomerRef != "" {
		meta = append(meta, l.labelled("label.customer_ref", l.doc.CustomerRef, right, false))
	}
	if l.doc.Draft {
		meta = append(meta, item{text: l.loc.T("label.draft"), size: sizeBody, bold: true, color: colorDraft})
	}
	rule := &props.Cell{BorderType: border.Bottom, BorderColor: colorRule, BorderThickness: 0.3}
	r2, h2 := newRow(0, rule, nil, cell{span: left, items: addr}, cell{span: right, align: align.Right, items: meta})
	r3, h3 := newRow(3, nil, nil, cell{span: grid})
	l.out.header = []core.Row{r1, r2, r3}
	l.out.headerH = h1 + h2 + h3
}

// labelled is "Label: value" on one line, shrunk to fit span if needed.
func (l *layout) labelled(key, value string, span int, bold bool) item {
	return l.pair(l.loc.T(key), value, span, bold)
}

func (l *layout) pair(label, value string, span int, bold bool) item {
	s, size := l.met.fitLine(l.loc.T("format.label", "label", label, "value", value), bold, sizeBody, 5.5, colW(span)-2*hpad-slack)
	return item{text: s, size: size, bold: bold}
}

func (l *layout) footer() {
	c := l.doc.Company
	parts := []string{}
	for _, p := range []string{c.Name, strings.Join(l.addressLines(c), ", ")} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if c.VATID != "" {
		parts = append(parts, l.loc.T("label.vat_id")+" "+c.VATID)
	}
	if c.LegalID != "" {
		parts = append(parts, c.LegalID)
	}
	parts = append(parts, l.profIDs(c)...)
	items := l.wrapItems(strings.Join(parts, " · "), sizeFooter, false, colorMuted, grid, 2)
	rule := &props.Cell{BorderType: border.Top, BorderColor: colorRule, BorderThickness: 0.3}
	r, h := newRow(0, rule, nil, cell{span: grid, align: align.Center, items: items})
	l.out.footer = []core.Row{r}
	l.out.footerH = h
}
