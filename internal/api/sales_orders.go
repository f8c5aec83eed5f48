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

func (h *salesHandlers) registerOrders(s *Server) {
	const base = "/api/v1/orders"
	w := domain.PermOrderWrite
	s.Guarded(http.MethodGet, base, domain.PermOrderRead, h.listOrders)
	s.Guarded(http.MethodPost, base, w, h.createOrder)
	s.Guarded(http.MethodGet, base+"/:id", domain.PermOrderRead, h.getOrder)
	s.Guarded(http.MethodPatch, base+"/:id", w, h.updateOrder)
	s.Guarded(http.MethodDelete, base+"/:id", w, h.deleteOrder)
	h.lineRoutes(s, base, w, domain.KindOrder, func(c echo.Context, status int, d domain.CommercialDocument) error {
		o := d.(*domain.Order)
		return sendDoc(c, status, o.Version, orderResponse(o, true))
	})
	s.Guarded(http.MethodPost, base+"/:id/validate", w, h.validateOrder)
	s.Guarded(http.MethodPost, base+"/:id/reopen", w, docAction(h.svc.ReopenOrder, sendOrder))
	s.Guarded(http.MethodPost, base+"/:id/ship", w, docAction(h.svc.ShipOrder, sendOrder))
	s.Guarded(http.MethodPost, base+"/:id/close", w, docAction(h.svc.CloseOrder, sendOrder))
	s.Guarded(http.MethodPost, base+"/:id/cancel", w, h.cancelOrder)
	s.Guarded(http.MethodPost, base+"/:id/clone", w, docAction(h.svc.CloneOrder, createdOrder))
	s.Guarded(http.MethodGet, base+"/:id/events", domain.PermOrderRead, h.events(domain.KindOrder))
	s.Guarded(http.MethodPost, base+"/from-proposal/:id", w, docAction(h.svc.OrderFromProposal, createdOrder))
}

func (h *salesHandlers) listOrders(c echo.Context) error {
	f, err := docFilter(c, func(s string) (int, bool) { st, ok := domain.ParseOrderStatus(s); return int(st), ok }, orderStatuses)
	if err != nil {
		return err
	}
	page, err := h.svc.Orders(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(page, f.ListParams, orderSummary))
}

func (h *salesHandlers) createOrder(c echo.Context) error {
	var body OrderInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	v := &domain.ValidationError{}
	in := sales.OrderInput{HeaderInput: toHeaderInput(v, body.HeaderInput), DeliveryDate: val(dateField(v, "delivery_date", body.DeliveryDate))}
	if err := v.Err(); err != nil {
		return err
	}
	o, err := h.svc.CreateOrder(c.Request().Context(), in, actor(c))
	if err != nil {
		return err
	}
	return createdOrder(c, o)
}

func (h *salesHandlers) getOrder(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	o, err := h.svc.Order(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return sendOrder(c, o)
}

func (h *salesHandlers) updateOrder(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body OrderPatch
	if err := Bind(c, &body); err != nil {
		return err
	}
	version, hdr, err := optionalVersion(c, body.Version)
	if err != nil {
		return err
	}
	v := &domain.ValidationError{}
	p := sales.OrderPatch{HeaderPatch: toHeaderPatch(v, body.HeaderPatch), DeliveryDate: dateField(v, "delivery_date", body.DeliveryDate)}
	if err := v.Err(); err != nil {
		return err
	}
	o, err := h.svc.UpdateOrder(c.Request().Context(), id, version, p)
	if err != nil {
		return editError(err, hdr)
	}
	return sendOrder(c, o)
}

func (h *salesHandlers) deleteOrder(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteOrder(c.Request().Context(), id, actor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *salesHandlers) validateOrder(c echo.Context) error {
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
	o, err := h.svc.ValidateOrder(c.Request().Context(), id, wh, actor(c))
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
	return created(c, "/api/v1/orders/", o.ID, o.Version, orderResponse(o, true))
}

func (h *salesHandlers) cancelOrder(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body NoteInput
	if err := bindOptional(c, &body); err != nil {
		return err
	}
	o, err := h.svc.CancelOrder(c.Request().Context(), id, val(body.Note), actor(c))
	if err != nil {
		return err
	}
	return sendOrder(c, o)
}
