package pdf

import (
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/border"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/printing"
)

// The line table's columns, in grid units (24 in all).
const (
	spanDesc     = 11
	spanQty      = 2
	spanPrice    = 3
	spanDiscount = 2
	spanVAT      = 2
	spanTotal    = 4
)

var (
	styleHead = &props.Cell{BackgroundColor: colorShade}
	styleLine = &props.Cell{BorderType: border.Bottom, BorderColor: colorRule, BorderThickness: 0.1}
	styleBox  = &props.Cell{BorderType: border.Full, BorderColor: colorRule, BorderThickness: 0.3}
	styleSum  = &props.Cell{BackgroundColor: colorShade}
)

// one is a single-line cell whose text shrinks (down to 5 pt) rather than
// overflow its column: amounts are never wrapped.
func (l *layout) one(span int, s string, a align.Type, bold bool) cell {
	s, size := l.met.fitLine(s, bold, sizeBody, 5, colW(span)-2*hpad-slack)
	return cell{span: span, align: a, items: []item{{text: s, size: size, bold: bold}}}
}

// parties prints the customer: details on the left, the address box on
// the right (where a window envelope shows it).
func (l *layout) parties() {
	c := l.doc.Customer
	const left, gap, right = 11, 1, 12
	var details []item
	add := func(key, v string) {
		if v != "" {
			details = append(details, l.labelled(key, v, left, false))
		}
	}
	codeKey, partyKey := "label.customer_code", "label.bill_to"
	if l.doc.Kind == printing.KindPurchaseOrder {
		codeKey, partyKey = "label.supplier_code", "label.supplier"
	}
	add(codeKey, c.Code)
	add("label.vat_id", c.VATID)
	for _, s := range l.profIDs(c) {
		details = append(details, l.one(left, s, align.Left, false).items...)
	}
	add("label.email", c.Email)
	add("label.phone", c.Phone)

	box := []item{{text: l.loc.T(partyKey), size: sizeSmall, color: colorMuted}}
	box = append(box, l.wrapItems(c.Name, sizeName, true, nil, right, 3)...)
	for _, ln := range l.addressLines(c) {
		box = append(box, l.wrapItems(ln, sizeBody+1, false, nil, right, 3)...)
	}
	// An address of any number of lines must leave the box on one page.
	box = box[:min(len(box), maxBoxLines)]
	l.body(0, nil, false, true,
		cell{span: left, items: details},
		cell{span: gap},
		cell{span: right, items: box, style: styleBox})
	l.endGroup()
}

// tableHead returns a new header row of the line table.
func (l *layout) tableHead() (core.Row, float64) {
	r, h := newRow(0, styleHead, nil, l.headCells()...)
	return r, h
}

func (l *layout) headCells() []cell {
	hd := func(span int, key string, a align.Type) cell {
		s := l.loc.T(key)
		return cell{span: span, align: a, items: []item{{text: s, size: l.met.fit(s, true, sizeSmall, 5, colW(span)-2*hpad-slack), bold: true}}}
	}
	return []cell{
		hd(spanDesc, "col.description", align.Left),
		hd(spanQty, "col.qty", align.Right),
		hd(spanPrice, "col.unit_price", align.Right),
		hd(spanDiscount, "col.discount", align.Right),
		hd(spanVAT, "col.vat", align.Right),
		hd(spanTotal, "col.total", align.Right),
	}
}

// lines prints the line table. Its header is kept with the first line and
// repeated on every page the table continues on.
func (l *layout) lines() {
	l.out.tableHead = l.tableHead
	l.body(0, styleHead, false, true, l.headCells()...)
	for i, ln := range l.doc.Lines {
		var desc []item
		if ln.Ref != "" {
			desc = append(desc, l.wrapItems(ln.Ref, sizeBody, true, nil, spanDesc, 2)...)
		}
		desc = append(desc, l.wrapItems(ln.Description, sizeBody, false, nil, spanDesc, maxDescriptionLines)...)
		discount := ""
		if !ln.DiscountPercent.IsZero() {
			discount = l.loc.Percent(ln.DiscountPercent)
		}
		l.body(0, styleLine, i > 0, i == 0,
			cell{span: spanDesc, items: desc},
			l.one(spanQty, l.loc.Number(ln.Qty, 0), align.Right, false),
			l.one(spanPrice, l.loc.Number(ln.UnitPrice, domain.ScaleTotal), align.Right, false),
			l.one(spanDiscount, discount, align.Right, false),
			l.one(spanVAT, l.loc.Percent(ln.VATRate), align.Right, false),
			l.one(spanTotal, l.loc.Amount(ln.TotalExclTax, domain.ScaleTotal), align.Right, false),
		)
		if i == 0 {
			l.endGroup()
		}
	}
	if len(l.doc.Lines) == 0 {
		l.endGroup()
	}
}

// isInvoice reports whether payments, credits used and the remainder are
// printed.
func (l *layout) isInvoice() bool { return l.doc.Kind == printing.KindInvoice }

// totals prints the VAT breakdown (left) beside the totals (right), kept
// together on one page.
func (l *layout) totals() {
	const spanRate, spanBase, spanAmt, gap, spanLabel, spanValue = 3, 4, 4, 1, 7, 5
	var left [][]cell
	if len(l.doc.VAT) > 0 {
		left = append(left, []cell{{span: spanRate + spanBase + spanAmt, items: []item{{text: l.loc.T("vat.title"), size: sizeBody, bold: true}}}})
		head := func(span int, key string, a align.Type) cell {
			c := l.one(span, l.loc.T(key), a, true)
			c.style = styleHead
			return c
		}
		left = append(left, []cell{head(spanRate, "vat.rate", align.Left), head(spanBase, "vat.base", align.Right), head(spanAmt, "vat.amount", align.Right)})
		for _, v := range l.doc.VAT {
			left = append(left, []cell{
				l.one(spanRate, l.loc.Percent(v.Rate), align.Left, false),
				l.one(spanBase, l.loc.Amount(v.Base, domain.ScaleTotal), align.Right, false),
				l.one(spanAmt, l.loc.Amount(v.Amount, domain.ScaleTotal), align.Right, false),
			})
		}
	}
	cur := l.doc.Currency
	var right [][]cell
	sum := func(key string, amount domain.Decimal, strong bool) {
		lc := l.one(spanLabel, l.loc.T(key), align.Left, strong)
		vc := l.one(spanValue, l.loc.Money(amount, cur), align.Right, strong)
		if strong {
			lc.style, vc.style = styleSum, styleSum
		}
		right = append(right, []cell{lc, vc})
	}
	sum("totals.excl_tax", l.doc.TotalExclTax, false)
	sum("totals.vat", l.doc.TotalVAT, false)
	sum("totals.incl_tax", l.doc.TotalInclTax, true)
	if l.isInvoice() {
		// As Dolibarr prints them: paid, then the credit notes used,
		// so that total - paid - credits used = remaining reads on the page.
		if !l.doc.Paid.IsZero() {
			sum("totals.paid", l.doc.Paid, false)
		}
		if !l.doc.CreditUsed.IsZero() {
			sum("totals.credit_used", l.doc.CreditUsed, false)
		}
		sum("totals.remaining", l.doc.Remaining, true)
	}
	n := max(len(left), len(right))
	for i := range n {
		var cells []cell
		if i < len(left) {
			cells = append(cells, left[i]...)
			if used := spanOf(left[i]); used < spanRate+spanBase+spanAmt {
				cells = append(cells, cell{span: spanRate + spanBase + spanAmt - used})
			}
		} else {
			cells = append(cells, cell{span: spanRate + spanBase + spanAmt})
		}
		cells = append(cells, cell{span: gap})
		if i < len(right) {
			cells = append(cells, right[i]...)
		} else {
			cells = append(cells, cell{span: spanLabel + spanValue})
		}
		l.body(0, nil, false, true, cells...)
	}
	l.endGroup()
}

func spanOf(cells []cell) int {
	n := 0
	for _, c := range cells {
		n += c.span
	}
	return n
}

// payments lists the payments received on an invoice.
func (l *layout) payments() {
	if !l.isInvoice() || len(l.doc.Payments) == 0 {
		return
	}
	const spanDate, spanMethod, spanRef, spanAmount = 4, 6, 8, 6
	l.spacer(3)
	l.body(0, nil, false, true, cell{span: grid, items: []item{{text: l.loc.T("payments.title"), size: sizeBody, bold: true}}})
	head := func(span int, key string, a align.Type) cell { return l.one(span, l.loc.T(key), a, true) }
	l.body(0, styleHead, false, true,
		head(spanDate, "payments.date", align.Left), head(spanMethod, "payments.method", align.Left),
		head(spanRef, "payments.reference", align.Left), head(spanAmount, "payments.amount", align.Right))
	for i, p := range l.doc.Payments {
		method := p.Method
		if s, ok := l.loc.Lookup("payment_method." + p.Method); ok {
			method = s
		}
		l.body(0, styleLine, false, i == 0,
			l.one(spanDate, l.loc.Date(p.Date), align.Left, false),
			l.one(spanMethod, method, align.Left, false),
			l.one(spanRef, p.Reference, align.Left, false),
			l.one(spanAmount, l.loc.Money(p.Amount, l.doc.Currency), align.Right, false))
		if i == 0 {
			l.endGroup()
		}
	}
}

// terms prints the payment terms and, on invoices, the bank account.
func (l *layout) terms() {
	var items []item
	if t := l.doc.PaymentTerms; t != "" {
		if s, ok := l.loc.Lookup("payment_terms." + t); ok {
			t = s
		}
		items = append(items, l.wrapItems(l.loc.T("format.label", "label", l.loc.T("terms.title"), "value", t), sizeBody, false, nil, grid, 3)...)
	}
	if b := l.doc.Company.BankAccount; b != "" && l.isInvoice() {
		items = append(items, l.wrapItems(l.loc.T("format.label", "label", l.loc.T("terms.bank"), "value", b), sizeBody, false, nil, grid, 3)...)
	}
	if len(items) == 0 {
		return
	}
	l.spacer(3)
	l.body(0, nil, false, false, cell{span: grid, items: items})
}

// note prints the public note, a row per line so a long note flows over
// pages; its title stays with its first line.
func (l *layout) note() {
	lines := l.wrapItems(l.doc.PublicNote, sizeBody, false, nil, grid, 0)
	if len(lines) == 0 {
		return
	}
	l.spacer(3)
	l.body(0, nil, false, true, cell{span: grid, items: []item{{text: l.loc.T("note.title"), size: sizeBody, bold: true}}})
	for i, it := range lines {
		l.body(0, nil, false, i == 0, cell{span: grid, items: []item{it}})
		if i == 0 {
			l.endGroup()
		}
	}
}

// profIDs are a party's professional ids with their country's names
// ("SIRET 732 829 320 00074"); an id whose name is empty is not printed.
func (l *layout) profIDs(p printing.Party) []string {
	labels := domain.ProfIDLabels(p.CountryCode)
	var out []string
	for i, v := range p.ProfIDs {
		if v != "" && labels[i] != "" {
			out = append(out, l.loc.T("label.idprof", "label", labels[i], "value", v))
		}
	}
	return out
}

// mentions prints the legal mentions the printing use case chose. A
// value starting with @ is a catalog key, % a percentage, $ an amount in
// the document's currency.
func (l *layout) mentions() {
	var items []item
	for _, m := range l.doc.Mentions {
		args := make([]string, len(m.Args))
		for i, a := range m.Args {
			args[i] = l.mentionArg(a)
		}
		items = append(items, l.wrapItems(l.loc.T(m.Key, args...), sizeSmall, false, colorMuted, grid, 0)...)
	}
	if len(items) == 0 {
		return
	}
	l.spacer(3)
	for i, it := range items {
		l.body(0, nil, false, i == 0, cell{span: grid, items: []item{it}})
		if i == 0 {
			l.endGroup()
		}
	}
}

func (l *layout) mentionArg(a string) string {
	if a == "" {
		return a
	}
	switch a[0] {
	case '@':
		return l.loc.T(a[1:])
	case '%', '$':
		d, err := domain.ParseDecimal(a[1:])
		if err != nil {
			return a[1:]
		}
		if a[0] == '%' {
			return l.loc.Percent(d)
		}
		return l.loc.Money(d, l.doc.Currency)
	}
	return a
}
