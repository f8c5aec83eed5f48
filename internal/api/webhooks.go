package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/webhooks"
)

// WebhookInput is the body of POST /webhooks and, with version, PATCH.
type WebhookInput struct {
	URL         *string   `json:"url"`
	Description *string   `json:"description"`
	EventTypes  *[]string `json:"event_types"`
	Active      *bool     `json:"active"`
}

// WebhookPatch is the body of PATCH /webhooks/{id}.
type WebhookPatch struct {
	WebhookInput
	Version *int64 `json:"version"`
}

// WebhookResponse is a subscription as the API shows it. Secret is only
// set in the answer to its creation.
type WebhookResponse struct {
	ID             int64    `json:"id"`
	URL            string   `json:"url"`
	Description    string   `json:"description"`
	EventTypes     []string `json:"event_types"`
	Active         bool     `json:"active"`
	DisabledReason string   `json:"disabled_reason"`
	FailingSince   *string  `json:"failing_since"`
	Secret         string   `json:"secret,omitempty"`
	Version        int64    `json:"version"`
	CreatedAt      string   `json:"created_at"`
	UpdatedAt      string   `json:"updated_at"`
}

func optTimestamp(t *domain.WebhookSubscription) *string {
	if t.FailingSince == nil {
		return nil
	}
	s := timestamp(*t.FailingSince)
	return &s
}

func webhookResponse(s *domain.WebhookSubscription) WebhookResponse {
	types := s.EventTypes
	if types == nil {
		types = []string{}
	}
	return WebhookResponse{ID: s.ID, URL: s.URL, Description: s.Description, EventTypes: types, Active: s.Active,
		DisabledReason: s.DisabledReason, FailingSince: optTimestamp(s), Version: s.Version,
		CreatedAt: timestamp(s.CreatedAt), UpdatedAt: timestamp(s.UpdatedAt)}
}

// DeliveryResponse is one entry of a webhook's delivery log.
type DeliveryResponse struct {
	ID            int64   `json:"id"`
	WebhookID     int64   `json:"webhook_id"`
	EventID       string  `json:"event_id"`
	EventType     string  `json:"event_type"`
	Object        string  `json:"object"`
	Status        string  `json:"status"`
	Attempt       int     `json:"attempt"`
	ResponseCode  int     `json:"response_code"`
	DurationMS    int64   `json:"duration_ms"`
	LastError     string  `json:"last_error"`
	NextAttemptAt *string `json:"next_attempt_at"`
	DeliveredAt   *string `json:"delivered_at"`
	CreatedAt     string  `json:"created_at"`
	UpdatedAt     string  `json:"updated_at"`
}

func timePtr(t *domain.WebhookDelivery, which int) *string {
	p := t.NextAttemptAt
	if which == 1 {
		p = t.DeliveredAt
	}
	if p == nil {
		return nil
	}
	s := timestamp(*p)
	return &s
}

func deliveryResponse(d *domain.WebhookDelivery) DeliveryResponse {
	return DeliveryResponse{ID: d.ID, WebhookID: d.SubscriptionID, EventID: d.EventUID, EventType: d.EventType, Object: d.ObjectKey,
		Status: string(d.Status), Attempt: d.Attempt, ResponseCode: d.ResponseCode, DurationMS: d.Duration.Milliseconds(),
		LastError: d.LastError, NextAttemptAt: timePtr(d, 0), DeliveredAt: timePtr(d, 1),
		CreatedAt: timestamp(d.CreatedAt), UpdatedAt: timestamp(d.UpdatedAt)}
}

func toWebhookFields(in WebhookInput) webhooks.Fields {
	return webhooks.Fields{URL: in.URL, Description: in.Description, EventTypes: in.EventTypes, Active: in.Active}
}

type webhookHandlers struct{ svc *webhooks.Service }

// RegisterWebhooks adds the webhook routes.
func RegisterWebhooks(s *Server, svc *webhooks.Service) {
	h := &webhookHandlers{svc: svc}
	s.Guarded(http.MethodGet, "/api/v1/webhooks", domain.PermWebhookRead, h.list)
	s.Guarded(http.MethodPost, "/api/v1/webhooks", domain.PermWebhookWrite, h.create)
	s.Guarded(http.MethodGet, "/api/v1/webhooks/:id", domain.PermWebhookRead, h.get)
	s.Guarded(http.MethodPatch, "/api/v1/webhooks/:id", domain.PermWebhookWrite, h.update)
	s.Guarded(http.MethodDelete, "/api/v1/webhooks/:id", domain.PermWebhookWrite, h.delete)
	s.Guarded(http.MethodGet, "/api/v1/webhooks/:id/deliveries", domain.PermWebhookRead, h.deliveries)
	s.Guarded(http.MethodPost, "/api/v1/webhooks/:id/deliveries/:did/redeliver", domain.PermWebhookWrite, h.redeliver)
}

func (h *webhookHandlers) list(c echo.Context) error {
	p, err := parseList(c, webhooks.Sorts)
	if err != nil {
		return err
	}
	page, err := h.svc.List(c.Request().Context(), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(c, page, p, webhookResponse))
}

func (h *webhookHandlers) create(c echo.Context) error {
	var in WebhookInput
	if err := Bind(c, &in); err != nil {
		return err
	}
	sub, err := h.svc.Create(c.Request().Context(), toWebhookFields(in))
	if err != nil {
		return err
	}
	out := webhookResponse(sub)
	out.Secret = sub.Secret
	return created(c, "/api/v1/webhooks/", sub.ID, sub.Version, out)
}

func (h *webhookHandlers) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	sub, err := h.svc.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return record(c, sub.Version, webhookResponse(sub))
}

func (h *webhookHandlers) update(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in WebhookPatch
	if err := Bind(c, &in); err != nil {
		return err
	}
	version, hdr, err := expectedVersion(c, in.Version)
	if err != nil {
		return err
	}
	sub, err := h.svc.Update(c.Request().Context(), id, version, toWebhookFields(in.WebhookInput))
	if err != nil {
		return editError(err, hdr)
	}
	return record(c, sub.Version, webhookResponse(sub))
}

func (h *webhookHandlers) delete(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *webhookHandlers) deliveries(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, err := parseList(c, webhooks.DeliverySorts)
	if err != nil {
		return err
	}
	if c.QueryParam("sort") == "" {
		p.Desc = true // the log reads newest first
	}
	page, err := h.svc.Deliveries(c.Request().Context(), id, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(c, page, p, deliveryResponse))
}

func (h *webhookHandlers) redeliver(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	did, err := idParam(c, "did", "the delivery id")
	if err != nil {
		return err
	}
	d, err := h.svc.Redeliver(c.Request().Context(), id, did)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/webhooks/"+strconv.FormatInt(id, 10)+"/deliveries")
	return c.JSON(http.StatusAccepted, deliveryResponse(d))
}
