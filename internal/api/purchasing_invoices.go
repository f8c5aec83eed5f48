package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/purchasing"
)

// SupplierInvoiceInput is the body of POST /supplier-invoices.
type SupplierInvoiceInput struct {
	PurchaseHeaderInput
	Type        *string `json:"type"`
	SupplierRef *string `json:"supplier_ref"`
	DueDate     *string `json:"due_date"`
}

// SupplierInvoicePatch is the body of PATCH /supplier-invoices/{id}.
type SupplierInvoicePatch struct {
	PurchaseHeaderPatch
	SupplierRef *string `json:"supplier_ref"`
	DueDate     *string `json:"due_date"`
}

// SupplierRefInput is the body of the conversions to a supplier invoice:
// the supplier's number of its invoice, and the receptions billed.
type SupplierRefInput struct {
	SupplierRef  *string `json:"supplier_ref"`
	ReceptionIDs []int64 `json:"reception_ids"`
}

// SupplierInvoiceResponse is a supplier invoice as the API shows it.
type SupplierInvoiceResponse struct {
	PurchaseDocumentResponse
	Type            string  `json:"type"`
	SupplierRef     string  `json:"supplier_ref"`
	DueDate         string  `json:"due_date"`
	PurchaseOrderID *int64  `json:"purchase_order_id"`
	Paid            string  `json:"paid"`
	Remaining       string  `json:"remaining"`
	PaymentState    *string `json:"payment_state"`
	CloseCode       *string `json:"close_code"`
	CloseNote       string  `json:"close_note"`
}

func supplierInvoiceResponse(inv *domain.SupplierInvoice, full bool) SupplierInvoiceResponse {
	r := SupplierInvoiceResponse{PurchaseDocumentResponse: purchaseDocResponse(&inv.Document, inv.StatusName(), full),
		Type: inv.Type.String(), SupplierRef: inv.SupplierRef, DueDate: dateString(inv.DueDate),
		PurchaseOrderID: optInt(inv.PurchaseOrderID), Paid: amount(inv.Paid), Remaining: amount(inv.Remaining()), CloseNote: inv.CloseNote}
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

func supplierInvoiceSummary(inv *domain.SupplierInvoice) SupplierInvoiceResponse {
	return supplierInvoiceResponse(inv, false)
}

type supplierInvoiceHandlers struct{ svc *purchasing.Invoices }

const supplierInvoicesBase = "/api/v1/supplier-invoices"

func (h supplierInvoiceHandlers) register(s *Server) {
	const base = supplierInvoicesBase
	w := domain.PermSupplierInvoiceWrite
	s.Guarded(http.MethodGet, base, domain.PermSupplierInvoiceRead, h.list)
	s.Guarded(http.MethodPost, base, w, h.create)
	s.Guarded(http.MethodPost, base+"/from-purchase-order/:id", w, h.fromOrder)
	s.Guarded(http.MethodPost, base+"/from-receptions", w, h.fromReceptions)
	s.Guarded(http.MethodGet, base+"/:id", domain.PermSupplierInvoiceRead, h.get)
	s.Guarded(http.MethodPatch, base+"/:id", w, h.update)
	s.Guarded(http.MethodDelete, base+"/:id", w, h.remove)
	lineHandlers[*domain.SupplierInvoice]{svc: h.svc, send: func(c echo.Context, status int, i *domain.SupplierInvoice) error {
		return sendDoc(c, status, i.Version, supplierInvoiceResponse(i, true))
	}}.register(s, base, w)
	s.Guarded(http.MethodPost, base+"/:id/validate", domain.PermSupplierInvoiceValidate, h.validate)
	s.Guarded(http.MethodPost, base+"/:id/cancel", domain.PermSupplierInvoiceValidate, h.cancel)
	s.Guarded(http.MethodGet, base+"/:id/events", domain.PermSupplierInvoiceRead, events(h.svc))
}

func sendSupplierInvoice(c echo.Context, inv *domain.SupplierInvoice) error {
	return sendDoc(c, http.StatusOK, inv.Version, supplierInvoiceResponse(inv, true))
}

func createdSupplierInvoice(c echo.Context, inv *domain.SupplierInvoice) error {
	return created(c, supplierInvoicesBase+"/", inv.ID, inv.Version, supplierInvoiceResponse(inv, true))
}

func (h supplierInvoiceHandlers) list(c echo.Context) error {
	f, err := purchaseFilter(c, func(s string) (int, bool) { st, ok := domain.ParseInvoiceStatus(s); return int(st), ok }, invoiceStatuses)
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
	return c.JSON(http.StatusOK, listOf(c, page, f.ListParams, supplierInvoiceSummary))
}

func (h supplierInvoiceHandlers) create(c echo.Context) error {
	var body SupplierInvoiceInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	v := &domain.ValidationError{}
	in := purchasing.InvoiceInput{HeaderInput: toPurchaseHeader(v, body.PurchaseHeaderInput), SupplierRef: val(body.SupplierRef),
		DueDate: val(dateField(v, "due_date", body.DueDate))}
	if body.Type != nil {
		t, ok := domain.ParseInvoiceType(*body.Type)
		if !ok {
			v.Add("type", "invalid", "must be standard or credit_note")
		}
		in.Type = t
	}
	if err := v.Err(); err != nil {
		return err
	}
	inv, err := h.svc.Create(c.Request().Context(), in, actor(c))
	if err != nil {
		return err
	}
	return createdSupplierInvoice(c, inv)
}

func (h supplierInvoiceHandlers) fromOrder(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body SupplierRefInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	inv, err := h.svc.FromOrder(c.Request().Context(), id, val(body.SupplierRef), actor(c))
	if err != nil {
		return err
	}
	return createdSupplierInvoice(c, inv)
}

func (h supplierInvoiceHandlers) fromReceptions(c echo.Context) error {
	var body SupplierRefInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	inv, err := h.svc.FromReceptions(c.Request().Context(), body.ReceptionIDs, val(body.SupplierRef), actor(c))
	if err != nil {
		return err
	}
	return createdSupplierInvoice(c, inv)
}

func (h supplierInvoiceHandlers) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	inv, err := h.svc.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return sendSupplierInvoice(c, inv)
}

func (h supplierInvoiceHandlers) update(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body SupplierInvoicePatch
	if err := Bind(c, &body); err != nil {
		return err
	}
	version, hdr, err := optionalVersion(c, body.Version)
	if err != nil {
		return err
	}
	v := &domain.ValidationError{}
	p := purchasing.InvoicePatch{HeaderPatch: toPurchasePatch(v, body.PurchaseHeaderPatch), SupplierRef: body.SupplierRef,
		DueDate: dateField(v, "due_date", body.DueDate)}
	if err := v.Err(); err != nil {
		return err
	}
	inv, err := h.svc.Update(c.Request().Context(), id, version, p)
	if err != nil {
		return editError(err, hdr)
	}
	return sendSupplierInvoice(c, inv)
}

func (h supplierInvoiceHandlers) remove(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), id, actor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h supplierInvoiceHandlers) validate(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body ValidateInput
	if err := bindOptional(c, &body); err != nil {
		return err
	}
	inv, err := h.svc.Validate(c.Request().Context(), id, val(body.WarehouseID), actor(c))
	if err != nil {
		return err
	}
	return sendSupplierInvoice(c, inv)
}

func (h supplierInvoiceHandlers) cancel(c echo.Context) error {
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
	inv, err := h.svc.Abandon(c.Request().Context(), id, code, val(body.Note), actor(c))
	if err != nil {
		return err
	}
	return sendSupplierInvoice(c, inv)
}

// SupplierPaymentInput is the body of POST /supplier-payments.
type SupplierPaymentInput struct {
	PaymentFields
	SupplierID  *int64            `json:"supplier_id"`
	Allocations []AllocationInput `json:"allocations"`
}

// SupplierPaymentResponse is a supplier payment as the API shows it.
type SupplierPaymentResponse struct {
	ID          int64                `json:"id"`
	SupplierID  int64                `json:"supplier_id"`
	Date        string               `json:"date"`
	Amount      string               `json:"amount"`
	Method      string               `json:"method"`
	Reference   string               `json:"reference"`
	Issuer      string               `json:"issuer"`
	IssuerBank  string               `json:"issuer_bank"`
	BankAccount *int64               `json:"bank_account_id"`
	Note        string               `json:"note"`
	Allocations []AllocationResponse `json:"allocations"`
	CreatedBy   int64                `json:"created_by"`
	CreatedAt   string               `json:"created_at"`
}

func supplierPaymentResponse(p *domain.Payment) SupplierPaymentResponse {
	r := paymentResponse(p)
	return SupplierPaymentResponse{ID: r.ID, SupplierID: r.CustomerID, Date: r.Date, Amount: r.Amount, Method: r.Method,
		Reference: r.Reference, Issuer: r.Issuer, IssuerBank: r.IssuerBank, BankAccount: r.BankAccountID, Note: r.Note, Allocations: r.Allocations, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
}

type supplierPaymentHandlers struct{ svc *purchasing.Payments }

func (h supplierPaymentHandlers) register(s *Server) {
	s.Guarded(http.MethodGet, "/api/v1/supplier-payments", domain.PermSupplierInvoiceRead, h.list)
	s.Guarded(http.MethodPost, "/api/v1/supplier-payments", domain.PermSupplierInvoicePay, h.create)
	s.Guarded(http.MethodGet, "/api/v1/supplier-payments/:id", domain.PermSupplierInvoiceRead, h.get)
}

func (h supplierPaymentHandlers) list(c echo.Context) error {
	p, err := parseList(c, purchasing.PaymentSorts)
	if err != nil {
		return err
	}
	f := purchasing.PaymentFilter{ListParams: p}
	if f.SupplierID, err = idQuery(c, "supplier_id"); err != nil {
		return err
	}
	if f.From, f.To, err = dateRange(c); err != nil {
		return err
	}
	page, err := h.svc.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(c, page, p, supplierPaymentResponse))
}

func (h supplierPaymentHandlers) create(c echo.Context) error {
	var body SupplierPaymentInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	v := &domain.ValidationError{}
	f := toPaymentFields(v, body.PaymentFields)
	in := purchasing.PaymentInput{SupplierID: val(body.SupplierID), Date: f.Date, Method: f.Method, Reference: f.Reference,
		Issuer: f.Issuer, IssuerBank: f.IssuerBank, Note: f.Note, BankAccountID: f.BankAccountID, AllowOverpayment: f.AllowOverpayment}
	for i, a := range body.Allocations {
		fp := "allocations[" + strconv.Itoa(i) + "]."
		var al domain.Allocation
		if a.InvoiceID != nil {
			al.InvoiceID = *a.InvoiceID
		}
		if a.Amount == nil {
			v.Add(fp+"amount", "required", "is required")
		} else if d := decimalField(v, fp+"amount", a.Amount); d != nil {
			al.Amount = *d
		}
		in.Allocations = append(in.Allocations, al)
	}
	if err := v.Err(); err != nil {
		return err
	}
	p, err := h.svc.Pay(c.Request().Context(), in, actor(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/supplier-payments/"+strconv.FormatInt(p.ID, 10))
	return c.JSON(http.StatusCreated, supplierPaymentResponse(p))
}

func (h supplierPaymentHandlers) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, err := h.svc.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, supplierPaymentResponse(p))
}
