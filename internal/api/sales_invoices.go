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

func (h *salesHandlers) registerInvoices(s *Server) {
	const base = "/api/v1/invoices"
	s.Guarded(http.MethodGet, base, domain.PermInvoiceRead, h.listInvoices)
	s.Guarded(http.MethodPost, base, domain.PermInvoiceWrite, h.createInvoice)
	s.Guarded(http.MethodGet, base+"/:id", domain.PermInvoiceRead, h.getInvoice)
	s.Guarded(http.MethodPatch, base+"/:id", domain.PermInvoiceWrite, h.updateInvoice)
	s.Guarded(http.MethodDelete, base+"/:id", domain.PermInvoiceWrite, h.deleteInvoice)
	h.lineRoutes(s, base, domain.PermInvoiceWrite, domain.KindInvoice, func(c echo.Context, status int, d domain.CommercialDocument) error {
		inv := d.(*domain.Invoice)
		return sendDoc(c, status, inv.Version, invoiceResponse(inv, true))
	})
	s.Guarded(http.MethodPost, base+"/:id/validate", domain.PermInvoiceValidate, h.validateInvoice)
	s.Guarded(http.MethodPost, base+"/:id/reopen", domain.PermInvoiceValidate, docAction(h.svc.ReopenInvoice, sendInvoice))
	s.Guarded(http.MethodPost, base+"/:id/cancel", domain.PermInvoiceValidate, h.cancelInvoice)
	s.Guarded(http.MethodPost, base+"/:id/clone", domain.PermInvoiceWrite, docAction(h.svc.CloneInvoice, createdInvoice))
	s.Guarded(http.MethodPost, base+"/:id/credit-note", domain.PermInvoiceWrite, docAction(h.svc.CreditInvoice, createdInvoice))
	s.Guarded(http.MethodGet, base+"/:id/events", domain.PermInvoiceRead, h.events(domain.KindInvoice))
	s.Guarded(http.MethodGet, base+"/:id/payments", domain.PermInvoiceRead, h.invoicePayments)
	s.Guarded(http.MethodPost, base+"/:id/payments", domain.PermInvoicePay, h.payInvoice)
	s.Guarded(http.MethodPost, base+"/from-order/:id", domain.PermInvoiceWrite, docAction(h.svc.InvoiceFromOrder, createdInvoice))
	s.Guarded(http.MethodPost, base+"/from-proposal/:id", domain.PermInvoiceWrite, docAction(h.svc.InvoiceFromProposal, createdInvoice))
}

var invoiceStatuses = statusNames(domain.InvoiceDraft, domain.InvoiceValidated, domain.InvoicePaid, domain.InvoiceAbandoned)

func (h *salesHandlers) listInvoices(c echo.Context) error {
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
	page, err := h.svc.Invoices(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(page, f.ListParams, invoiceSummary))
}

func (h *salesHandlers) createInvoice(c echo.Context) error {
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
	inv, err := h.svc.CreateInvoice(c.Request().Context(), in, actor(c))
	if err != nil {
		return err
	}
	return createdInvoice(c, inv)
}

func (h *salesHandlers) getInvoice(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	inv, err := h.svc.Invoice(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return sendInvoice(c, inv)
}

func (h *salesHandlers) updateInvoice(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body InvoicePatch
	if err := Bind(c, &body); err != nil {
		return err
	}
	version, hdr, err := optionalVersion(c, body.Version)
	if err != nil {
		return err
	}
	v := &domain.ValidationError{}
	p := sales.InvoicePatch{HeaderPatch: toHeaderPatch(v, body.HeaderPatch), DueDate: dateField(v, "due_date", body.DueDate)}
	if err := v.Err(); err != nil {
		return err
	}
	inv, err := h.svc.UpdateInvoice(c.Request().Context(), id, version, p, actor(c))
	if err != nil {
		return editError(err, hdr)
	}
	return sendInvoice(c, inv)
}

func (h *salesHandlers) deleteInvoice(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteInvoice(c.Request().Context(), id, actor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *salesHandlers) validateInvoice(c echo.Context) error {
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
	inv, err := h.svc.ValidateInvoice(c.Request().Context(), id, wh, actor(c))
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
	return created(c, "/api/v1/invoices/", inv.ID, inv.Version, invoiceResponse(inv, true))
}

func (h *salesHandlers) cancelInvoice(c echo.Context) error {
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
	inv, err := h.svc.CancelInvoice(c.Request().Context(), id, code, val(body.Note), actor(c))
	if err != nil {
		return err
	}
	return sendInvoice(c, inv)
}
