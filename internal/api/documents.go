package api

import (
	"bytes"
	"context"
	"errors"
	"mime"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/printing"
)

type documentHandlers struct{ svc *printing.Service }

// documentRoutes are the document kinds with their routes' base and the
// permissions that guard reading (PDF, list of sends) and sending one.
var documentRoutes = []struct {
	base       string
	kind       domain.DocKind
	read, send domain.Permission
}{
	{"/api/v1/proposals", domain.KindProposal, domain.PermProposalRead, domain.PermProposalSend},
	{"/api/v1/orders", domain.KindOrder, domain.PermOrderRead, domain.PermOrderSend},
	{"/api/v1/invoices", domain.KindInvoice, domain.PermInvoiceRead, domain.PermInvoiceSend},
	{"/api/v1/purchase-orders", domain.KindPurchaseOrder, domain.PermPurchaseRead, domain.PermPurchaseSend},
}

// RegisterDocuments registers the PDF of each kind of document, guarded by
// the kind's read permission.
func RegisterDocuments(s *Server, svc *printing.Service) {
	h := &documentHandlers{svc: svc}
	for _, r := range documentRoutes {
		s.Guarded(http.MethodGet, r.base+"/:id/pdf", r.read, h.pdf(r.kind))
	}
}

var langParam = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// statusClientClosedRequest is what the access log records when the client
// went away before the document was ready (nginx's 499): nobody reads it.
const statusClientClosedRequest = 499

func (h *documentHandlers) pdf(kind domain.DocKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		// Absent, the use case picks the customer's language, else the
		// configured default.
		lang := c.QueryParam("lang")
		if lang != "" && !langParam.MatchString(lang) {
			return BadRequest("invalid_query", "lang must be a language tag such as en, fr or pt-BR")
		}
		ctx := c.Request().Context()
		// Rendered in memory first: the headers (file name, length) and a
		// clean problem response on failure both need the whole result.
		var buf bytes.Buffer
		f, err := h.svc.Render(ctx, printing.Request{Kind: kind, ID: id, Language: lang}, &buf)
		if err != nil {
			if errors.Is(err, context.Canceled) && ctx.Err() != nil {
				return &Error{Status: statusClientClosedRequest, Code: "client_closed_request", Detail: "the client closed the connection"}
			}
			return err
		}
		hd := c.Response().Header()
		hd.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
		hd.Set("Cache-Control", "private, no-store")
		if f.SHA256 != "" {
			hd.Set("X-Content-SHA256", f.SHA256)
		}
		return c.Blob(http.StatusOK, f.ContentType, buf.Bytes())
	}
}
