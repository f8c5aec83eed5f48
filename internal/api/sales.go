package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
)

// Sales are the sales use cases the routes serve, one per aggregate.
type Sales struct {
	Proposals   *sales.Proposals
	Orders      *sales.Orders
	Invoices    *sales.Invoices
	Conversions *sales.Conversions
	Payments    *sales.Payments
	Credits     *sales.Credits
}

// RegisterSales adds the sales documents' routes: one small handler set
// per aggregate, over its own use case.
func RegisterSales(s *Server, uc Sales) {
	proposalHandlers{svc: uc.Proposals}.register(s)
	orderHandlers{svc: uc.Orders}.register(s)
	invoiceHandlers{svc: uc.Invoices}.register(s)
	conversionHandlers{svc: uc.Conversions}.register(s)
	paymentHandlers{svc: uc.Payments}.register(s)
	creditHandlers{svc: uc.Credits}.register(s)
}

// LineInput is one line of a request. With product_id, omitted fields take
// the product's label, price and VAT rate.
type LineInput struct {
	ProductID       *int64  `json:"product_id"`
	Description     *string `json:"description"`
	Quantity        *string `json:"quantity"`
	UnitPrice       *string `json:"unit_price"`
	DiscountPercent *string `json:"discount_percent"`
	VATRate         *string `json:"vat_rate"`
}

// LineResponse is a document line.
type LineResponse struct {
	ID              int64  `json:"id"`
	Position        int    `json:"position"`
	ProductID       *int64 `json:"product_id"`
	ProductType     string `json:"product_type"`
	Description     string `json:"description"`
	Quantity        string `json:"quantity"`
	UnitPrice       string `json:"unit_price"`
	DiscountPercent string `json:"discount_percent"`
	VATRate         string `json:"vat_rate"`
	TotalExclTax    string `json:"total_excl_tax"`
	TotalVAT        string `json:"total_vat"`
	TotalInclTax    string `json:"total_incl_tax"`
}

// VATResponse is one row of a document's VAT breakdown.
type VATResponse struct {
	Rate   string `json:"rate"`
	Base   string `json:"base"`
	Amount string `json:"amount"`
}

// DocumentResponse holds the fields the three sales documents share.
type DocumentResponse struct {
	ID           int64           `json:"id"`
	Ref          string          `json:"ref"`
	Provisional  bool            `json:"provisional"`
	CustomerID   int64           `json:"customer_id"`
	CustomerName string          `json:"customer_name,omitempty"`
	Status       string          `json:"status"`
	Date         string          `json:"date"`
	RefCustomer  string          `json:"ref_customer"`
	NotePublic   string          `json:"note_public"`
	NotePrivate  string          `json:"note_private"`
	RoundingMode string          `json:"rounding_mode"`
	TotalExclTax string          `json:"total_excl_tax"`
	TotalVAT     string          `json:"total_vat"`
	TotalInclTax string          `json:"total_incl_tax"`
	VATBreakdown *[]VATResponse  `json:"vat_breakdown,omitempty"`
	Lines        *[]LineResponse `json:"lines,omitempty"`
	WarehouseID  *int64          `json:"warehouse_id"`
	CreatedBy    int64           `json:"created_by"`
	ValidatedBy  *int64          `json:"validated_by"`
	ValidatedAt  *string         `json:"validated_at"`
	Version      int64           `json:"version"`
	CreatedAt    string          `json:"created_at"`
	UpdatedAt    string          `json:"updated_at"`
}

// amount formats money with at least 2 decimals ("115.40", "0.12345678"):
// the canonical text padded, which costs one big-number conversion where
// Decimal.Text costs three (documents show hundreds of amounts).
func amount(d domain.Decimal) string {
	s := d.String()
	dot := strings.IndexByte(s, '.')
	switch {
	case dot < 0:
		return s + ".00"
	case len(s)-dot == 2:
		return s + "0"
	}
	return s
}

func optStamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := timestamp(t)
	return &s
}

func dateString(t time.Time) string { return t.Format(time.DateOnly) }

func optDateString(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := dateString(t)
	return &s
}

func lineResponse(l *domain.Line) LineResponse {
	return LineResponse{
		ID: l.ID, Position: l.Position, ProductID: optInt(l.ProductID), ProductType: l.ProductType.String(),
		Description: l.Description, Quantity: l.Quantity.String(), UnitPrice: amount(l.UnitPrice),
		DiscountPercent: l.DiscountPercent.String(), VATRate: l.VATRate.String(), TotalExclTax: amount(l.TotalExclTax),
		TotalVAT: amount(l.TotalVAT), TotalInclTax: amount(l.TotalInclTax),
	}
}

// documentResponse converts the common fields; full adds the lines and
// the VAT breakdown (single-document answers, not lists).
func documentResponse(d *domain.Document, status string, full bool) DocumentResponse {
	r := DocumentResponse{
		ID: d.ID, Ref: d.DisplayRef(), Provisional: d.Ref == "", CustomerID: d.CustomerID, CustomerName: d.CustomerName, Status: status,
		Date: dateString(d.Date), RefCustomer: d.RefCustomer, NotePublic: d.NotePublic, NotePrivate: d.NotePrivate,
		RoundingMode: d.Rounding.String(), TotalExclTax: amount(d.TotalExclTax), TotalVAT: amount(d.TotalVAT),
		TotalInclTax: amount(d.TotalInclTax), WarehouseID: optInt(d.WarehouseID), CreatedBy: d.CreatedBy,
		ValidatedBy: optInt(d.ValidatedBy), ValidatedAt: optStamp(d.ValidatedAt), Version: d.Version,
		CreatedAt: timestamp(d.CreatedAt), UpdatedAt: timestamp(d.UpdatedAt),
	}
	if full {
		lines := make([]LineResponse, len(d.Lines))
		for i := range d.Lines {
			lines[i] = lineResponse(&d.Lines[i])
		}
		t := d.Totals()
		vat := make([]VATResponse, len(t.ByRate))
		for i, b := range t.ByRate {
			vat[i] = VATResponse{Rate: b.Rate.String(), Base: amount(b.Base), Amount: amount(b.Amount)}
		}
		r.Lines, r.VATBreakdown = &lines, &vat
	}
	return r
}

// toLineInput parses a line of a request, recording problems under prefix.
func toLineInput(v *domain.ValidationError, prefix string, in LineInput) document.LineInput {
	out := document.LineInput{Description: in.Description}
	if in.ProductID != nil {
		if *in.ProductID <= 0 {
			v.Add(prefix+"product_id", "invalid", "must be a positive id")
		}
		out.ProductID = *in.ProductID
	}
	if in.Quantity == nil {
		v.Add(prefix+"quantity", "required", "is required")
	} else if q := decimalField(v, prefix+"quantity", in.Quantity); q != nil {
		out.Quantity = *q
	}
	out.UnitPrice = decimalField(v, prefix+"unit_price", in.UnitPrice)
	out.DiscountPercent = decimalField(v, prefix+"discount_percent", in.DiscountPercent)
	out.VATRate = decimalField(v, prefix+"vat_rate", in.VATRate)
	return out
}

func toLineInputs(v *domain.ValidationError, ins []LineInput) []document.LineInput {
	out := make([]document.LineInput, len(ins))
	for i, in := range ins {
		out[i] = toLineInput(v, "lines["+strconv.Itoa(i)+"].", in)
	}
	return out
}

// dateField parses an optional YYYY-MM-DD request field.
func dateField(v *domain.ValidationError, field string, s *string) *time.Time {
	if s == nil {
		return nil
	}
	t, ok := parseDate(*s)
	if !ok {
		v.Add(field, "invalid_date", "must be a date written YYYY-MM-DD, of the years 1 to 9999")
		return nil
	}
	return &t
}

// HeaderInput is the common part of a new document's body.
type HeaderInput struct {
	CustomerID  *int64      `json:"customer_id"`
	Date        *string     `json:"date"`
	RefCustomer *string     `json:"ref_customer"`
	NotePublic  *string     `json:"note_public"`
	NotePrivate *string     `json:"note_private"`
	Lines       []LineInput `json:"lines"`
}

func toHeaderInput(v *domain.ValidationError, in HeaderInput) sales.HeaderInput {
	out := sales.HeaderInput{
		Date: val(dateField(v, "date", in.Date)), RefCustomer: val(in.RefCustomer),
		NotePublic: val(in.NotePublic), NotePrivate: val(in.NotePrivate), Lines: toLineInputs(v, in.Lines),
	}
	if in.CustomerID != nil {
		out.CustomerID = *in.CustomerID
	}
	return out
}

// HeaderPatch is the common part of a draft's PATCH body.
type HeaderPatch struct {
	CustomerID  *int64  `json:"customer_id"`
	Date        *string `json:"date"`
	RefCustomer *string `json:"ref_customer"`
	NotePublic  *string `json:"note_public"`
	NotePrivate *string `json:"note_private"`
	Version     *int64  `json:"version"`
}

func toHeaderPatch(v *domain.ValidationError, in HeaderPatch) sales.HeaderPatch {
	return sales.HeaderPatch{CustomerID: in.CustomerID, Date: dateField(v, "date", in.Date), RefCustomer: in.RefCustomer,
		NotePublic: in.NotePublic, NotePrivate: in.NotePrivate}
}

// actor is the id of the authenticated caller, recorded on events.
func actor(c echo.Context) int64 {
	if p, ok := PrincipalFrom(c.Request().Context()); ok {
		return p.UserID
	}
	return 0
}

// optionalVersion reads an optional If-Match or body version: document
// edits are serialised by row locks, so naming the version read is a
// client's choice, checked when made.
func optionalVersion(c echo.Context, body *int64) (int64, bool, error) {
	if c.Request().Header.Get("If-Match") == "" && body == nil {
		return 0, false, nil
	}
	return expectedVersion(c, body)
}

// bindOptional decodes a body that may be absent.
func bindOptional(c echo.Context, v any) error {
	r := c.Request()
	if r.ContentLength == 0 && len(r.TransferEncoding) == 0 {
		return nil
	}
	return Bind(c, v)
}

// docFilter reads the list parameters common to the three documents;
// status names are parsed by the caller's parse function.
func docFilter(c echo.Context, parse func(string) (int, bool), statuses string) (sales.Filter, error) {
	p, err := parseList(c, sales.DocumentSorts)
	if err != nil {
		return sales.Filter{}, err
	}
	f := sales.Filter{ListParams: p}
	if s := c.QueryParam("status"); s != "" {
		st, ok := parse(s)
		if !ok {
			return f, BadRequest("invalid_query", "status must be one of "+statuses)
		}
		f.Status = &st
	}
	if f.CustomerID, err = idQuery(c, "customer_id"); err != nil {
		return f, err
	}
	f.From, f.To, err = dateRange(c)
	return f, err
}

// dateRange reads the optional from/to dates (YYYY-MM-DD) of a list;
// an absent bound is the zero time, which filters nothing.
func dateRange(c echo.Context) (from, to time.Time, err error) {
	if s := c.QueryParam("from"); s != "" {
		if from, err = dateQuery("from", s); err != nil {
			return
		}
	}
	if s := c.QueryParam("to"); s != "" {
		to, err = dateQuery("to", s)
	}
	return
}

// EventResponse is one entry of a document's event log.
type EventResponse struct {
	ID     int64  `json:"id"`
	Action string `json:"action"`
	From   string `json:"from"`
	To     string `json:"to"`
	UserID int64  `json:"user_id"`
	Note   string `json:"note"`
	At     string `json:"at"`
}

// eventLog is a use case that lists one kind's event logs.
type eventLog interface {
	Events(ctx context.Context, id int64) ([]domain.DocEvent, error)
}

// events serves GET /{kind}/{id}/events.
func events(svc eventLog) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		evs, err := svc.Events(c.Request().Context(), id)
		if err != nil {
			return err
		}
		out := make([]EventResponse, len(evs))
		for i, e := range evs {
			out[i] = EventResponse{ID: e.ID, Action: e.Action, From: e.From, To: e.To, UserID: e.UserID, Note: e.Note, At: timestamp(e.At)}
		}
		return c.JSON(http.StatusOK, map[string]any{"data": out})
	}
}

// lineID parses the :lineId path parameter.
func lineID(c echo.Context) (int64, error) { return idParam(c, "lineId", "the line id") }

// lineEditor is the line edits of the drafts of one kind D (the document
// engine's LineEditor, which each kind's use case embeds).
type lineEditor[D domain.CommercialDocument] interface {
	AddLine(ctx context.Context, id, version int64, in document.LineInput) (D, error)
	UpdateLine(ctx context.Context, id, lineID, version int64, in document.LineInput) (D, error)
	DeleteLine(ctx context.Context, id, lineID, version int64) (D, error)
}

// lineHandlers serve POST lines, PUT and DELETE lines/{lineId} of one kind
// of document, answering with the whole document through send.
type lineHandlers[D domain.CommercialDocument] struct {
	svc  lineEditor[D]
	send func(c echo.Context, status int, d D) error
}

// register adds the line routes under base, guarded by perm.
func (h lineHandlers[D]) register(s *Server, base string, perm domain.Permission) {
	s.Guarded(http.MethodPost, base+"/:id/lines", perm, h.add)
	s.Guarded(http.MethodPut, base+"/:id/lines/:lineId", perm, h.update)
	s.Guarded(http.MethodDelete, base+"/:id/lines/:lineId", perm, h.remove)
}

// lineBody parses a line body.
func lineBody(c echo.Context) (document.LineInput, error) {
	var body LineInput
	if err := Bind(c, &body); err != nil {
		return document.LineInput{}, err
	}
	v := &domain.ValidationError{}
	in := toLineInput(v, "", body)
	return in, v.Err()
}

func (h lineHandlers[D]) add(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	in, err := lineBody(c)
	if err != nil {
		return err
	}
	version, hdr, err := optionalVersion(c, nil)
	if err != nil {
		return err
	}
	d, err := h.svc.AddLine(c.Request().Context(), id, version, in)
	if err != nil {
		return editError(err, hdr)
	}
	return h.send(c, http.StatusCreated, d)
}

func (h lineHandlers[D]) update(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	line, err := lineID(c)
	if err != nil {
		return err
	}
	in, err := lineBody(c)
	if err != nil {
		return err
	}
	version, hdr, err := optionalVersion(c, nil)
	if err != nil {
		return err
	}
	d, err := h.svc.UpdateLine(c.Request().Context(), id, line, version, in)
	if err != nil {
		return editError(err, hdr)
	}
	return h.send(c, http.StatusOK, d)
}

func (h lineHandlers[D]) remove(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	line, err := lineID(c)
	if err != nil {
		return err
	}
	version, hdr, err := optionalVersion(c, nil)
	if err != nil {
		return err
	}
	d, err := h.svc.DeleteLine(c.Request().Context(), id, line, version)
	if err != nil {
		return editError(err, hdr)
	}
	return h.send(c, http.StatusOK, d)
}

// docAction serves a POST on a document that runs one use case step on the
// path's id as the caller (a transition, a clone, a conversion) and answers
// through send.
func docAction[D any](run func(ctx context.Context, id, by int64) (D, error), send func(echo.Context, D) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		d, err := run(c.Request().Context(), id, actor(c))
		if err != nil {
			return err
		}
		return send(c, d)
	}
}

// sendDoc answers with a full document and its ETag.
func sendDoc(c echo.Context, status int, version int64, body any) error {
	if status == http.StatusOK && notModified(c, etag(version)) {
		return nil
	}
	setETag(c, version)
	return c.JSON(status, body)
}

// statusNames lists a status enum's API names for messages.
func statusNames[T interface{ String() string }](all ...T) string {
	names := make([]string, len(all))
	for i, s := range all {
		names[i] = s.String()
	}
	return strings.Join(names, ", ")
}
