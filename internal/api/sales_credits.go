package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
)

// UseCreditInput is the body of POST /invoices/{id}/use-credit.
type UseCreditInput struct {
	CreditID *int64 `json:"credit_id"`
}

// CreditResponse is a customer credit as the API shows it.
type CreditResponse struct {
	ID              int64   `json:"id"`
	CustomerID      int64   `json:"customer_id"`
	SourceInvoiceID int64   `json:"source_invoice_id"`
	SourceRef       string  `json:"source_ref"`
	AmountExclTax   string  `json:"amount_excl_tax"`
	AmountVAT       string  `json:"amount_vat"`
	AmountInclTax   string  `json:"amount_incl_tax"`
	Status          string  `json:"status"`
	UsedInvoiceID   *int64  `json:"used_invoice_id"`
	UsedInvoiceRef  *string `json:"used_invoice_ref"`
	UsedAt          *string `json:"used_at"`
	CreatedBy       int64   `json:"created_by"`
	CreatedAt       string  `json:"created_at"`
}

func creditResponse(c *domain.CustomerCredit) CreditResponse {
	r := CreditResponse{ID: c.ID, CustomerID: c.CustomerID, SourceInvoiceID: c.SourceInvoiceID, SourceRef: c.SourceRef,
		AmountExclTax: amount(c.AmountExclTax), AmountVAT: amount(c.AmountVAT), AmountInclTax: amount(c.AmountInclTax),
		Status: string(domain.CreditsAvailable), UsedInvoiceID: optInt(c.UsedInvoiceID), UsedAt: optStamp(c.UsedAt),
		CreatedBy: c.CreatedBy, CreatedAt: timestamp(c.CreatedAt)}
	if !c.Available() {
		r.Status = string(domain.CreditsUsed)
		ref := c.UsedRef
		r.UsedInvoiceRef = &ref
	}
	return r
}

// creditHandlers serve customer credits: making a credit of a credit note
// and using one settle invoices, like payments.
type creditHandlers struct{ svc *sales.Credits }

// register adds the customer credit routes.
func (h creditHandlers) register(s *Server) {
	s.Guarded(http.MethodPost, invoicesBase+"/:id/convert-to-credit", domain.PermInvoicePay, h.markAvailable)
	s.Guarded(http.MethodPost, invoicesBase+"/:id/use-credit", domain.PermInvoicePay, h.use)
	s.Guarded(http.MethodGet, "/api/v1/thirdparties/:id/credits", domain.PermInvoiceRead, h.list)
}

func (h creditHandlers) markAvailable(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	credit, err := h.svc.MarkAvailable(c.Request().Context(), id, actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, creditResponse(credit))
}

func (h creditHandlers) use(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body UseCreditInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	if body.CreditID == nil {
		v := &domain.ValidationError{}
		v.Add("credit_id", "required", "is required (a positive id)")
		return v
	}
	inv, err := h.svc.Use(c.Request().Context(), id, *body.CreditID, actor(c))
	if err != nil {
		return err
	}
	return sendInvoice(c, inv)
}

func (h creditHandlers) list(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	status := domain.CreditsAll
	if s := c.QueryParam("status"); s != "" {
		st, ok := domain.ParseCreditStatus(s)
		if !ok {
			return BadRequest("invalid_query", "status must be available, used or all")
		}
		status = st
	}
	credits, err := h.svc.List(c.Request().Context(), id, status)
	if err != nil {
		return err
	}
	out := make([]CreditResponse, len(credits))
	for i := range credits {
		out[i] = creditResponse(&credits[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"data": out})
}
