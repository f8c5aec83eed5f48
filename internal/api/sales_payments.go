package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
)

// AllocationInput is the part of a payment settling one invoice.
type AllocationInput struct {
	InvoiceID *int64  `json:"invoice_id"`
	Amount    *string `json:"amount"`
}

// PaymentFields are the fields every payment body has.
type PaymentFields struct {
	Date             *string `json:"date"`
	Method           *string `json:"method"`
	Reference        *string `json:"reference"`
	Issuer           *string `json:"issuer"`
	IssuerBank       *string `json:"issuer_bank"`
	Note             *string `json:"note"`
	BankAccountID    *int64  `json:"bank_account_id"`
	AllowOverpayment *bool   `json:"allow_overpayment"`
}

// PaymentInput is the body of POST /payments.
type PaymentInput struct {
	PaymentFields
	CustomerID  *int64            `json:"customer_id"`
	Allocations []AllocationInput `json:"allocations"`
}

// InvoicePaymentInput is the body of POST /invoices/{id}/payments; without
// amount the whole remainder is paid.
type InvoicePaymentInput struct {
	PaymentFields
	Amount *string `json:"amount"`
}

// AllocationResponse is the part of a payment settling one invoice.
type AllocationResponse struct {
	InvoiceID  int64  `json:"invoice_id"`
	InvoiceRef string `json:"invoice_ref"`
	Amount     string `json:"amount"`
}

// PaymentResponse is a payment as the API shows it.
type PaymentResponse struct {
	ID         int64  `json:"id"`
	CustomerID int64  `json:"customer_id"`
	Date       string `json:"date"`
	Amount     string `json:"amount"`
	Method     string `json:"method"`
	Reference  string `json:"reference"`
	Issuer     string `json:"issuer"`
	IssuerBank string `json:"issuer_bank"`
	Note       string `json:"note"`
	// BankAccountID is null when no bank account existed.
	BankAccountID *int64               `json:"bank_account_id"`
	Allocations   []AllocationResponse `json:"allocations"`
	CreatedBy     int64                `json:"created_by"`
	CreatedAt     string               `json:"created_at"`
}

func paymentResponse(p *domain.Payment) PaymentResponse {
	allocs := make([]AllocationResponse, len(p.Allocations))
	for i, a := range p.Allocations {
		allocs[i] = AllocationResponse{InvoiceID: a.InvoiceID, InvoiceRef: a.InvoiceRef, Amount: amount(a.Amount)}
	}
	return PaymentResponse{ID: p.ID, CustomerID: p.CustomerID, Date: dateString(p.Date), Amount: amount(p.Amount),
		Method: string(p.Method), Reference: p.Reference, Issuer: p.Issuer, IssuerBank: p.IssuerBank, Note: p.Note,
		BankAccountID: optInt(p.BankAccountID), Allocations: allocs, CreatedBy: p.CreatedBy, CreatedAt: timestamp(p.CreatedAt)}
}

func toPaymentFields(v *domain.ValidationError, in PaymentFields) sales.PaymentInput {
	out := sales.PaymentInput{Date: val(dateField(v, "date", in.Date)), Reference: val(in.Reference), Note: val(in.Note),
		Issuer: val(in.Issuer), IssuerBank: val(in.IssuerBank)}
	if in.BankAccountID != nil {
		if *in.BankAccountID <= 0 {
			v.Add("bank_account_id", "invalid", "must be a positive id")
		}
		out.BankAccountID = *in.BankAccountID
	}
	if in.Method == nil {
		v.Add("method", "required", "is required")
	} else {
		out.Method = domain.PaymentMethod(*in.Method)
	}
	if in.AllowOverpayment != nil {
		out.AllowOverpayment = *in.AllowOverpayment
	}
	return out
}

// paymentHandlers serve customer payments, also as an invoice's.
type paymentHandlers struct{ svc *sales.Payments }

func (h paymentHandlers) register(s *Server) {
	s.Guarded(http.MethodGet, "/api/v1/payments", domain.PermInvoiceRead, h.list)
	s.Guarded(http.MethodPost, "/api/v1/payments", domain.PermInvoicePay, h.create)
	s.Guarded(http.MethodGet, "/api/v1/payments/:id", domain.PermInvoiceRead, h.get)
	s.Guarded(http.MethodDelete, "/api/v1/payments/:id", domain.PermInvoicePay, h.delete)
	s.Guarded(http.MethodGet, invoicesBase+"/:id/payments", domain.PermInvoiceRead, h.ofInvoice)
	s.Guarded(http.MethodPost, invoicesBase+"/:id/payments", domain.PermInvoicePay, h.payInvoice)
}

func (h paymentHandlers) list(c echo.Context) error {
	p, err := parseList(c, sales.PaymentSorts)
	if err != nil {
		return err
	}
	f := sales.PaymentFilter{ListParams: p}
	if f.CustomerID, err = idQuery(c, "customer_id"); err != nil {
		return err
	}
	if f.From, f.To, err = dateRange(c); err != nil {
		return err
	}
	page, err := h.svc.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(c, page, p, paymentResponse))
}

func (h paymentHandlers) create(c echo.Context) error {
	var body PaymentInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	v := &domain.ValidationError{}
	in := toPaymentFields(v, body.PaymentFields)
	if body.CustomerID != nil {
		in.CustomerID = *body.CustomerID
	}
	for i, a := range body.Allocations {
		f := "allocations[" + strconv.Itoa(i) + "]."
		var al domain.Allocation
		if a.InvoiceID != nil {
			al.InvoiceID = *a.InvoiceID
		}
		if a.Amount == nil {
			v.Add(f+"amount", "required", "is required")
		} else if d := decimalField(v, f+"amount", a.Amount); d != nil {
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
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/payments/"+strconv.FormatInt(p.ID, 10))
	return c.JSON(http.StatusCreated, paymentResponse(p))
}

func (h paymentHandlers) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, err := h.svc.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return jsonETag(c, http.StatusOK, paymentResponse(p))
}

func (h paymentHandlers) delete(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), id, actor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h paymentHandlers) ofInvoice(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ps, err := h.svc.OfInvoice(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out := make([]PaymentResponse, len(ps))
	for i := range ps {
		out[i] = paymentResponse(&ps[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"data": out})
}

func (h paymentHandlers) payInvoice(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body InvoicePaymentInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	v := &domain.ValidationError{}
	in := toPaymentFields(v, body.PaymentFields)
	amt := decimalField(v, "amount", body.Amount)
	if err := v.Err(); err != nil {
		return err
	}
	p, err := h.svc.PayInvoice(c.Request().Context(), id, amt, in, actor(c))
	if err != nil {
		return renameField(err, "allocations[0].amount", "amount")
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/payments/"+strconv.FormatInt(p.ID, 10))
	return c.JSON(http.StatusCreated, paymentResponse(p))
}
