package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
)

// OrderInput is the body of POST /orders.
type OrderInput struct {
	HeaderInput
	DeliveryDate *string `json:"delivery_date"`
}

// OrderPatch is the body of PATCH /orders/{id}.
type OrderPatch struct {
	HeaderPatch
	DeliveryDate *string `json:"delivery_date"`
}

// NoteInput is the optional body of cancel actions.
type NoteInput struct {
	Note *string `json:"note"`
}

// OrderResponse is an order as the API shows it.
type OrderResponse struct {
	DocumentResponse
	DeliveryDate *string `json:"delivery_date"`
	ProposalID   *int64  `json:"proposal_id"`
	Billed       bool    `json:"billed"`
}

func orderResponse(o *domain.Order, full bool) OrderResponse {
	return OrderResponse{DocumentResponse: documentResponse(&o.Document, o.StatusName(), full),
		DeliveryDate: optDateString(o.DeliveryDate), ProposalID: optInt(o.ProposalID), Billed: o.Billed}
}

func orderSummary(o *domain.Order) OrderResponse { return orderResponse(o, false) }

var orderStatuses = statusNames(domain.OrderCanceled, domain.OrderDraft, domain.OrderValidated, domain.OrderShipping, domain.OrderClosed)

// orderHandlers serve orders.
type orderHandlers struct{ svc *sales.Orders }

const ordersBase = "/api/v1/orders"

func (h orderHandlers) register(s *Server) {
	const base = ordersBase
	w := domain.PermOrderWrite
	s.Guarded(http.MethodGet, base, domain.PermOrderRead, h.list)
	s.Guarded(http.MethodPost, base, w, h.create)
	s.Guarded(http.MethodGet, base+"/:id", domain.PermOrderRead, h.get)
	s.Guarded(http.MethodPatch, base+"/:id", w, h.update)
	s.Guarded(http.MethodDelete, base+"/:id", w, h.remove)
	lineHandlers[*domain.Order]{svc: h.svc, send: func(c echo.Context, status int, o *domain.Order) error {
		return sendDoc(c, status, o.Version, orderResponse(o, true))
	}}.register(s, base, w)
	s.Guarded(http.MethodPost, base+"/:id/validate", domain.PermOrderValidate, h.validate)
	s.Guarded(http.MethodPost, base+"/:id/reopen", domain.PermOrderValidate, docAction(h.svc.Reopen, sendOrder))
	s.Guarded(http.MethodPost, base+"/:id/ship", w, docAction(h.svc.Ship, sendOrder))
	s.Guarded(http.MethodPost, base+"/:id/close", w, docAction(h.svc.Close, sendOrder))
	s.Guarded(http.MethodPost, base+"/:id/cancel", domain.PermOrderValidate, h.cancel)
	s.Guarded(http.MethodPost, base+"/:id/clone", w, docAction(h.svc.Clone, createdOrder))
	s.Guarded(http.MethodGet, base+"/:id/events", domain.PermOrderRead, events(h.svc))
}

func (h orderHandlers) list(c echo.Context) error {
	f, err := docFilter(c, func(s string) (int, bool) { st, ok := domain.ParseOrderStatus(s); return int(st), ok }, orderStatuses)
	if err != nil {
		return err
	}
	page, err := h.svc.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(c, page, f.ListParams, orderSummary))
}

func (h orderHandlers) create(c echo.Context) error {
	var body OrderInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	v := &domain.ValidationError{}
	in := sales.OrderInput{HeaderInput: toHeaderInput(v, body.HeaderInput), DeliveryDate: val(dateField(v, "delivery_date", body.DeliveryDate))}
	if err := v.Err(); err != nil {
		return err
	}
	o, err := h.svc.Create(c.Request().Context(), in, actor(c))
	if err != nil {
		return err
	}
	return createdOrder(c, o)
}

func (h orderHandlers) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	o, err := h.svc.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return sendOrder(c, o)
}

func (h orderHandlers) update(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body OrderPatch
	if err := Bind(c, &body); err != nil {
		return err
	}
	version, hdr, err := expectedVersion(c, body.Version)
	if err != nil {
		return err
	}
	v := &domain.ValidationError{}
	p := sales.OrderPatch{HeaderPatch: toHeaderPatch(v, body.HeaderPatch), DeliveryDate: dateField(v, "delivery_date", body.DeliveryDate)}
	if err := v.Err(); err != nil {
		return err
	}
	o, err := h.svc.Update(c.Request().Context(), id, version, p)
	if err != nil {
		return editError(err, hdr)
	}
	return sendOrder(c, o)
}

func (h orderHandlers) remove(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), id, actor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h orderHandlers) validate(c echo.Context) error {
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
	o, err := h.svc.Validate(c.Request().Context(), id, wh, actor(c))
	if err != nil {
		return err
	}
	return sendOrder(c, o)
}

// sendOrder answers with the whole order; createdOrder with the order a
// clone or conversion made.
func sendOrder(c echo.Context, o *domain.Order) error {
	return sendDoc(c, http.StatusOK, o.Version, orderResponse(o, true))
}

func createdOrder(c echo.Context, o *domain.Order) error {
	return created(c, ordersBase+"/", o.ID, o.Version, orderResponse(o, true))
}

func (h orderHandlers) cancel(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body NoteInput
	if err := bindOptional(c, &body); err != nil {
		return err
	}
	o, err := h.svc.Cancel(c.Request().Context(), id, val(body.Note), actor(c))
	if err != nil {
		return err
	}
	return sendOrder(c, o)
}
