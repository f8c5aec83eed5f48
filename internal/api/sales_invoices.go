package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
)

// InvoiceInput is the body of POST /invoices.
type InvoiceInput struct {
	HeaderInput
	Type            *string `json:"type"`
	DueDate         *string `json:"due_date"`
	SourceInvoiceID *int64  `json:"source_invoice_id"`
}

// InvoicePatch is the body of PATCH /invoices/{id}.
type InvoicePatch struct {
	HeaderPatch
	DueDate *string `json:"due_date"`
}

// ValidateInput is the optional body of POST .../validate.
type ValidateInput struct {
	WarehouseID *int64 `json:"warehouse_id"`
}

// InvoiceCancelInput is the body of POST /invoices/{id}/cancel.
type InvoiceCancelInput struct {
	Reason *string `json:"reason"`
	Note   *string `json:"note"`
}

// InvoiceResponse is an invoice or credit note as the API shows it.
type InvoiceResponse struct {
	DocumentResponse
	Type            string  `json:"type"`
	DueDate         string  `json:"due_date"`
	SourceInvoiceID *int64  `json:"source_invoice_id"`
	OrderID         *int64  `json:"order_id"`
	ProposalID      *int64  `json:"proposal_id"`
	Paid            string  `json:"paid"`
	CreditUsed      string  `json:"credit_used"`
	Remaining       string  `json:"remaining"`
	PaymentState    *string `json:"payment_state"`
	CloseCode       *string `json:"close_code"`
	CloseNote       string  `json:"close_note"`
}

func invoiceResponse(inv *domain.Invoice, full bool) InvoiceResponse {
	r := InvoiceResponse{
		DocumentResponse: documentResponse(&inv.Document, inv.StatusName(), full),
		Type:             inv.Type.String(), DueDate: dateString(inv.DueDate), SourceInvoiceID: optInt(inv.SourceInvoiceID),
		OrderID: optInt(inv.OrderID), ProposalID: optInt(inv.ProposalID), Paid: amount(inv.Paid),
		CreditUsed: amount(inv.CreditUsed), Remaining: amount(inv.Remaining()), CloseNote: inv.CloseNote,
	}
	if inv.Status == domain.InvoiceValidated || inv.Status == domain.InvoicePaid {
		s := inv.PaymentState()
		r.PaymentState = &s
	}
	if inv.CloseCode != "" {
		s := string(inv.CloseCode)
		r.CloseCode = &s
	}
	return r
}

func invoiceSummary(inv *domain.Invoice) InvoiceResponse { return invoiceResponse(inv, false) }

// invoiceHandlers serve invoices and credit notes.
type invoiceHandlers struct{ svc *sales.Invoices }

const invoicesBase = "/api/v1/invoices"

func (h invoiceHandlers) register(s *Server) {
	const base = invoicesBase
	s.Guarded(http.MethodGet, base, domain.PermInvoiceRead, h.list)
	s.Guarded(http.MethodPost, base, domain.PermInvoiceWrite, h.create)
	s.Guarded(http.MethodGet, base+"/:id", domain.PermInvoiceRead, h.get)
	s.Guarded(http.MethodPatch, base+"/:id", domain.PermInvoiceWrite, h.update)
	s.Guarded(http.MethodDelete, base+"/:id", domain.PermInvoiceWrite, h.remove)
	lineHandlers[*domain.Invoice]{svc: h.svc, send: func(c echo.Context, status int, inv *domain.Invoice) error {
		return sendDoc(c, status, inv.Version, invoiceResponse(inv, true))
	}}.register(s, base, domain.PermInvoiceWrite)
	s.Guarded(http.MethodPost, base+"/:id/validate", domain.PermInvoiceValidate, h.validate)
	s.Guarded(http.MethodPost, base+"/:id/reopen", domain.PermInvoiceValidate, docAction(h.svc.Reopen, sendInvoice))
	s.Guarded(http.MethodPost, base+"/:id/cancel", domain.PermInvoiceValidate, h.cancel)
	s.Guarded(http.MethodPost, base+"/:id/clone", domain.PermInvoiceWrite, docAction(h.svc.Clone, createdInvoice))
	s.Guarded(http.MethodPost, base+"/:id/create-credit-note", domain.PermInvoiceWrite, docAction(h.svc.CreditNote, createdInvoice))
	s.Guarded(http.MethodGet, base+"/:id/events", domain.PermInvoiceRead, events(h.svc))
}

var invoiceStatuses = statusNames(domain.InvoiceDraft, domain.InvoiceValidated, domain.InvoicePaid, domain.InvoiceAbandoned)

func (h invoiceHandlers) list(c echo.Context) error {
	f, err := docFilter(c, func(s string) (int, bool) { st, ok := domain.ParseInvoiceStatus(s); return int(st), ok }, invoiceStatuses)
	if err != nil {
		return err
	}
	if s := c.QueryParam("type"); s != "" {
		t, ok := domain.ParseInvoiceType(s)
		if !ok {
			return BadRequest("invalid_query", "type must be standard or credit_note")
		}
		f.InvoiceType = &t
	}
	page, err := h.svc.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(c, page, f.ListParams, invoiceSummary))
}

func (h invoiceHandlers) create(c echo.Context) error {
	var body InvoiceInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	v := &domain.ValidationError{}
	in := sales.InvoiceInput{HeaderInput: toHeaderInput(v, body.HeaderInput), DueDate: val(dateField(v, "due_date", body.DueDate))}
	if body.Type != nil {
		t, ok := domain.ParseInvoiceType(*body.Type)
		if !ok {
			v.Add("type", "invalid", "must be standard or credit_note")
		}
		in.Type = t
	}
	if body.SourceInvoiceID != nil {
		in.SourceInvoiceID = *body.SourceInvoiceID
	}
	if err := v.Err(); err != nil {
		return err
	}
	inv, err := h.svc.Create(c.Request().Context(), in, actor(c))
	if err != nil {
		return err
	}
	return createdInvoice(c, inv)
}

func (h invoiceHandlers) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	inv, err := h.svc.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return sendInvoice(c, inv)
}

func (h invoiceHandlers) update(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body InvoicePatch
	if err := Bind(c, &body); err != nil {
		return err
	}
	version, hdr, err := expectedVersion(c, body.Version)
	if err != nil {
		return err
	}
	v := &domain.ValidationError{}
	p := sales.InvoicePatch{HeaderPatch: toHeaderPatch(v, body.HeaderPatch), DueDate: dateField(v, "due_date", body.DueDate)}
	if err := v.Err(); err != nil {
		return err
	}
	inv, err := h.svc.Update(c.Request().Context(), id, version, p)
	if err != nil {
		return editError(err, hdr)
	}
	return sendInvoice(c, inv)
}

func (h invoiceHandlers) remove(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), id, actor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h invoiceHandlers) validate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body ValidateInput
	if err := bindOptional(c, &body); err != nil {
		return err
	}
	var wh int64
	if body.WarehouseID != nil {
		wh = *body.WarehouseID
	}
	inv, err := h.svc.Validate(c.Request().Context(), id, wh, actor(c))
	if err != nil {
		return err
	}
	return sendInvoice(c, inv)
}

// sendInvoice answers with the whole invoice; createdInvoice with the
// invoice a clone, credit note or conversion made.
func sendInvoice(c echo.Context, inv *domain.Invoice) error {
	return sendDoc(c, http.StatusOK, inv.Version, invoiceResponse(inv, true))
}

func createdInvoice(c echo.Context, inv *domain.Invoice) error {
	return created(c, invoicesBase+"/", inv.ID, inv.Version, invoiceResponse(inv, true))
}

func (h invoiceHandlers) cancel(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body InvoiceCancelInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	v := &domain.ValidationError{}
	var code domain.CloseCode
	if body.Reason == nil {
		v.Add("reason", "required", "is required: abandon, badcustomer or discount_vat")
	} else if cc, ok := domain.ParseCloseCode(*body.Reason); ok {
		code = cc
	} else {
		v.Add("reason", "invalid", "must be abandon, badcustomer or discount_vat")
	}
	if err := v.Err(); err != nil {
		return err
	}
	inv, err := h.svc.Cancel(c.Request().Context(), id, code, val(body.Note), actor(c))
	if err != nil {
		return err
	}
	return sendInvoice(c, inv)
}

// conversionHandlers serve the documents made from others: an order from
// a proposal, an invoice from an order or a proposal.
type conversionHandlers struct{ svc *sales.Conversions }

func (h conversionHandlers) register(s *Server) {
	s.Guarded(http.MethodPost, ordersBase+"/from-proposal/:id", domain.PermOrderWrite, docAction(h.svc.OrderFromProposal, createdOrder))
	s.Guarded(http.MethodPost, invoicesBase+"/from-order/:id", domain.PermInvoiceWrite, docAction(h.svc.InvoiceFromOrder, createdInvoice))
	s.Guarded(http.MethodPost, invoicesBase+"/from-proposal/:id", domain.PermInvoiceWrite, docAction(h.svc.InvoiceFromProposal, createdInvoice))
}
