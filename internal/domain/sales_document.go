package domain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DocKind names a kind of commercial document.
type DocKind string

// Document kinds.
const (
	KindProposal DocKind = "proposal"
	KindOrder    DocKind = "order"
	KindInvoice  DocKind = "invoice"
)

// Document is what every commercial document shares (proposals, orders and
// invoices today): the third party, the date, the lines and their totals,
// and the audit fields.
type Document struct {
	ID int64
	// Ref is the definitive reference, empty until the first validation
	// (DisplayRef then shows "(PROV<id>)"). Once given it is kept, also
	// when the document goes back to draft, so no number is ever lost.
	Ref        string
	CustomerID int64
	// CustomerName is the customer's current name, read with lists (not
	// stored on the document).
	CustomerName string
	Date         time.Time // a calendar date, midnight UTC
	RefCustomer  string    // the customer's own reference
	NotePublic   string
	NotePrivate  string
	Rounding     RoundingMode
	Lines        []Line
	// Totals, kept equal to ComputeTotals(Lines) by Recompute.
	TotalExclTax Decimal
	TotalVAT     Decimal
	TotalInclTax Decimal
	// WarehouseID is the warehouse the document's validation moved stock
	// out of (or into, for a credit note); 0 when it moved none.
	WarehouseID int64
	CreatedBy   int64
	ValidatedBy int64
	ValidatedAt time.Time // zero while never validated
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// DisplayRef is the reference shown to people: the definitive one, or
// "(PROV<id>)" for a document never validated.
func (d *Document) DisplayRef() string {
	if d.Ref == "" {
		return ProvisionalRef(d.ID)
	}
	return d.Ref
}

// Header returns d itself: the document engine reaches the common fields of
// any kind through CommercialDocument, which Go's type parameters cannot
// reach as fields.
func (d *Document) Header() *Document { return d }

// Recompute recomputes every line's totals and the document's totals.
func (d *Document) Recompute() {
	for i := range d.Lines {
		d.Lines[i].Compute(ScaleTotal)
	}
	t := ComputeTotals(d.Lines, d.Rounding, ScaleTotal)
	d.TotalExclTax, d.TotalVAT, d.TotalInclTax = t.ExclTax, t.VAT, t.InclTax
}

// Totals returns the document's totals with the VAT breakdown.
func (d *Document) Totals() Totals { return ComputeTotals(d.Lines, d.Rounding, ScaleTotal) }

// CheckHeader reports every broken invariant of the common fields and of
// the lines, and refuses totals too large to store.
func (d *Document) CheckHeader() error {
	v := &ValidationError{}
	if d.CustomerID <= 0 {
		v.Add("customer_id", "required", "is required (a positive id)")
	}
	if d.Date.IsZero() {
		v.Add("date", "required", "is required")
	}
	checkText(v, "ref_customer", d.RefCustomer, MaxRefCustomerLen, false)
	checkText(v, "note_public", d.NotePublic, MaxNoteLen, false)
	checkText(v, "note_private", d.NotePrivate, MaxNoteLen, false)
	if len(d.Lines) > MaxLines {
		v.Add("lines", "too_many", "a document holds at most %d lines", MaxLines)
	}
	for i := range d.Lines {
		d.Lines[i].Check(v, lineField(i))
	}
	if len(v.Fields) == 0 {
		d.Recompute()
		for i := range d.Lines {
			l := &d.Lines[i]
			checkTotalsRange(v, lineField(i)+"unit_price", l.TotalExclTax, l.TotalInclTax)
		}
		checkTotalsRange(v, "lines", d.TotalExclTax, d.TotalInclTax)
	}
	return v.Err()
}

// AddLine appends l at the end and recomputes the totals.
func (d *Document) AddLine(l Line) error {
	if len(d.Lines) >= MaxLines {
		return E(ErrConflict, "too_many_lines", "a document holds at most %d lines", MaxLines)
	}
	l.Position = 1
	if n := len(d.Lines); n > 0 {
		l.Position = d.Lines[n-1].Position + 1
	}
	d.Lines = append(d.Lines, l)
	return d.checkLinesAfterEdit(len(d.Lines) - 1)
}

// Line returns the line with id, or ErrNotFound.
func (d *Document) Line(id int64) (*Line, error) {
	for i := range d.Lines {
		if d.Lines[i].ID == id {
			return &d.Lines[i], nil
		}
	}
	return nil, E(ErrNotFound, "line_not_found", "line %d not found on %s", id, d.DisplayRef())
}

// ReplaceLine replaces the line with l.ID, keeping its position.
func (d *Document) ReplaceLine(l Line) error {
	i := slices.IndexFunc(d.Lines, func(x Line) bool { return x.ID == l.ID })
	if i < 0 {
		return E(ErrNotFound, "line_not_found", "line %d not found on %s", l.ID, d.DisplayRef())
	}
	l.Position = d.Lines[i].Position
	d.Lines[i] = l
	return d.checkLinesAfterEdit(i)
}

// RemoveLine removes the line with id.
func (d *Document) RemoveLine(id int64) error {
	i := slices.IndexFunc(d.Lines, func(x Line) bool { return x.ID == id })
	if i < 0 {
		return E(ErrNotFound, "line_not_found", "line %d not found on %s", id, d.DisplayRef())
	}
	d.Lines = slices.Delete(d.Lines, i, i+1)
	d.Recompute()
	return nil
}

func (d *Document) checkLinesAfterEdit(i int) error {
	v := &ValidationError{}
	d.Lines[i].Check(v, "")
	if err := v.Err(); err != nil {
		return err
	}
	d.Recompute()
	checkTotalsRange(v, "unit_price", d.Lines[i].TotalExclTax, d.Lines[i].TotalInclTax, d.TotalExclTax, d.TotalInclTax)
	return v.Err()
}

// CopyLines returns a copy of lines without ids, for a new document.
func CopyLines(lines []Line) []Line {
	out := make([]Line, len(lines))
	for i, l := range lines {
		l.ID = 0
		out[i] = l
	}
	return out
}

// CommercialDocument is implemented by every kind of commercial document
// (*Proposal, *Order, *Invoice): what the document engine
// (internal/usecase/document) does the same way to all of them.
type CommercialDocument interface {
	Header() *Document
	Kind() DocKind
	StatusName() string
	// CheckEditable returns nil when lines and header may change (drafts).
	CheckEditable() error
	// Sendable reports whether the document may be e-mailed: it has a
	// definitive number and is not cancelled (CheckSendable).
	Sendable() bool
}

// IllegalTransition is returned when an action is not allowed in a
// document's current status. Its code is "<kind>_<reason>", for example
// invoice_not_draft; it unwraps to ErrConflict.
type IllegalTransition struct {
	Kind   DocKind
	ID     int64
	Ref    string
	Status string
	Action string
	Reason string
	// Message is the client-facing explanation.
	Message string
}

func (e *IllegalTransition) Error() string {
	return fmt.Sprintf("cannot %s %s %s: %s", e.Action, e.Kind, e.Ref, e.Message)
}

// Unwrap makes IllegalTransition match ErrConflict.
func (e *IllegalTransition) Unwrap() error { return ErrConflict }

// ErrorCode returns the stable code.
func (e *IllegalTransition) ErrorCode() string { return string(e.Kind) + "_" + e.Reason }

// Details returns the document, its status and the refused action.
func (e *IllegalTransition) Details() map[string]any {
	return map[string]any{"document": string(e.Kind), "id": e.ID, "ref": e.Ref, "status": e.Status, "action": e.Action}
}

func illegal(d CommercialDocument, action, reason, format string, args ...any) *IllegalTransition {
	h := d.Header()
	return &IllegalTransition{Kind: d.Kind(), ID: h.ID, Ref: h.DisplayRef(), Status: d.StatusName(), Action: action,
		Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// notDraft is the error of editing or validating a document that is no
// longer a draft.
func notDraft(d CommercialDocument, action string) *IllegalTransition {
	return illegal(d, action, "not_draft", "it is %s; only a draft can be changed this way", d.StatusName())
}

// DocEvent records one change of a document's life: who did what, when,
// and the status before and after.
type DocEvent struct {
	ID         int64
	Kind       DocKind
	DocumentID int64
	Action     string
	From       string // status before; "" for creation
	To         string
	UserID     int64
	Note       string
	At         time.Time
}

// Event builds the event of action on d, which moved from status from to
// its current status.
func Event(d CommercialDocument, action, from string, by int64, note string, at time.Time) DocEvent {
	return DocEvent{Kind: d.Kind(), DocumentID: d.Header().ID, Action: action, From: from, To: d.StatusName(),
		UserID: by, Note: note, At: at}
}

// DateOnly returns t's calendar date (in UTC) at midnight UTC.
func DateOnly(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// validationOf returns the ValidationError err holds, to add more field
// problems to, or a new empty one.
func validationOf(err error) *ValidationError {
	var v *ValidationError
	if errors.As(err, &v) {
		return v
	}
	return &ValidationError{}
}

// checkNote validates a free-text note of an action.
func checkNote(field, note string) error {
	v := &ValidationError{}
	checkText(v, field, note, MaxNoteLen, false)
	return v.Err()
}

// ShortProduct is one product a document's validation could not take out
// of stock.
type ShortProduct struct {
	ProductID   int64
	ProductRef  string
	WarehouseID int64
	Available   Decimal
	Requested   Decimal
}

// DocumentStockShortage is returned when validating a document would take
// the stock of one or more products below zero: nothing was changed, and
// every short product is named. It unwraps to ErrConflict.
type DocumentStockShortage struct {
	Kind  DocKind
	ID    int64
	Ref   string
	Items []ShortProduct
}

func (e *DocumentStockShortage) Error() string {
	parts := make([]string, len(e.Items))
	for i, it := range e.Items {
		name := it.ProductRef
		if name == "" {
			name = fmt.Sprintf("%d", it.ProductID)
		}
		parts[i] = fmt.Sprintf("product %s (id %d) in warehouse %d: %s available, %s requested",
			name, it.ProductID, it.WarehouseID, it.Available, it.Requested)
	}
	return fmt.Sprintf("not enough stock to validate %s %s: %s", e.Kind, e.Ref, strings.Join(parts, "; "))
}

// Unwrap makes DocumentStockShortage match ErrConflict.
func (e *DocumentStockShortage) Unwrap() error { return ErrConflict }

// ErrorCode returns the stable code.
func (e *DocumentStockShortage) ErrorCode() string { return "insufficient_stock" }

// Details lists the short products for the problem's extension members.
func (e *DocumentStockShortage) Details() map[string]any {
	items := make([]map[string]any, len(e.Items))
	for i, it := range e.Items {
		items[i] = map[string]any{"product_id": it.ProductID, "product_ref": it.ProductRef, "warehouse_id": it.WarehouseID,
			"available": it.Available, "requested": it.Requested}
	}
	return map[string]any{"document": string(e.Kind), "id": e.ID, "ref": e.Ref, "shortages": items}
}
