package api

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/mailing"
)

// SendInput is the optional body of POST /{proposals|orders|invoices}/{id}/send.
type SendInput struct {
	// To lists the recipients; absent: the customer's e-mail address.
	To []string `json:"to"`
	// Subject and Body replace the template's; they may use __REF__,
	// __REF_CLIENT__, __THIRDPARTY_NAME__, __AMOUNT__, __DATE_DUE__ and
	// __MYCOMPANY_NAME__.
	Subject *string `json:"subject"`
	Body    *string `json:"body"`
	// Language of the message and its PDF; absent: the customer's (third
	// party language), else DOLIBARR_PDF_LANGUAGE.
	Language *string `json:"language"`
}

// SendResponse is a request to send a document by e-mail.
type SendResponse struct {
	ID           int64    `json:"id"`
	DocumentKind string   `json:"document_kind"`
	DocumentID   int64    `json:"document_id"`
	To           []string `json:"to"`
	Subject      *string  `json:"subject"`
	Language     *string  `json:"language"`
	Status       string   `json:"status"`
	JobID        int64    `json:"job_id"`
	MessageID    *string  `json:"message_id"`
	LastError    *string  `json:"last_error"`
	RequestedBy  int64    `json:"requested_by"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
	SentAt       *string  `json:"sent_at"`
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func sendResponse(s domain.DocumentSend) SendResponse {
	return SendResponse{
		ID: s.ID, DocumentKind: string(s.Kind), DocumentID: s.DocumentID, To: s.To, Subject: optString(s.Subject),
		Language: optString(s.Language), Status: string(s.Status), JobID: s.JobID, MessageID: optString(s.MessageID),
		LastError: optString(s.LastError), RequestedBy: s.RequestedBy, CreatedAt: timestamp(s.CreatedAt),
		UpdatedAt: timestamp(s.UpdatedAt), SentAt: optStamp(s.SentAt),
	}
}

type sendHandlers struct{ svc *mailing.Service }

// RegisterMailing registers sending each kind of document by e-mail,
// guarded by the kind's send permission, and the list of a document's
// sends, guarded by its read permission.
func RegisterMailing(s *Server, svc *mailing.Service) {
	h := &sendHandlers{svc: svc}
	for _, r := range documentRoutes {
		s.Guarded(http.MethodPost, r.base+"/:id/send", r.send, h.send(r.kind))
		s.Guarded(http.MethodGet, r.base+"/:id/sends", r.read, h.sends(r.kind))
	}
}

// send records the request and enqueues its job; the mail goes out in the
// background, so the answer is 202 with the job to follow.
func (h *sendHandlers) send(kind domain.DocKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		var in SendInput
		if err := bindOptional(c, &in); err != nil {
			return err
		}
		req := mailing.Request{Kind: kind, ID: id, To: in.To, Subject: val(in.Subject), Body: val(in.Body),
			Language: val(in.Language), By: actor(c)}
		if in.To != nil && len(in.To) == 0 {
			v := &domain.ValidationError{}
			v.Add("to", "required", "give at least one recipient, or leave \"to\" out to write to the customer")
			return v
		}
		s, err := h.svc.RequestSend(c.Request().Context(), req)
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("/api/v1/jobs/%d", s.JobID))
		return c.JSON(http.StatusAccepted, sendResponse(s))
	}
}

func (h *sendHandlers) sends(kind domain.DocKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		list, err := h.svc.Sends(c.Request().Context(), kind, id)
		if err != nil {
			return err
		}
		out := make([]SendResponse, len(list))
		for i, s := range list {
			out[i] = sendResponse(s)
		}
		return c.JSON(http.StatusOK, map[string]any{"data": out})
	}
}
