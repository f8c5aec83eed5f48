package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/purchasing"
)

// ReceptionLineInput receives a quantity of one purchase order line into a
// warehouse.
type ReceptionLineInput struct {
	OrderLineID *int64  `json:"order_line_id"`
	ProductID   *int64  `json:"product_id"`
	WarehouseID *int64  `json:"warehouse_id"`
	Quantity    *string `json:"quantity"`
}

// ReceptionInput is the body of POST /receptions.
type ReceptionInput struct {
	OrderID     *int64               `json:"order_id"`
	SupplierID  *int64               `json:"supplier_id"`
	Date        *string              `json:"date"`
	NotePublic  *string              `json:"note_public"`
	NotePrivate *string              `json:"note_private"`
	Lines       []ReceptionLineInput `json:"lines"`
}

// ReceptionLineResponse is one received line.
type ReceptionLineResponse struct {
	ID          int64  `json:"id"`
	OrderLineID int64  `json:"order_line_id"`
	ProductID   int64  `json:"product_id"`
	WarehouseID int64  `json:"warehouse_id"`
	Quantity    string `json:"quantity"`
	UnitPrice   string `json:"unit_price"`
}

// ReceptionResponse is a reception as the API shows it.
type ReceptionResponse struct {
	ID                int64                    `json:"id"`
	Ref               string                   `json:"ref"`
	Provisional       bool                     `json:"provisional"`
	OrderID           int64                    `json:"order_id"`
	SupplierID        int64                    `json:"supplier_id"`
	Status            string                   `json:"status"`
	Date              string                   `json:"date"`
	NotePublic        string                   `json:"note_public"`
	NotePrivate       string                   `json:"note_private"`
	Lines             *[]ReceptionLineResponse `json:"lines,omitempty"`
	SupplierInvoiceID *int64                   `json:"supplier_invoice_id"`
	CreatedBy         int64                    `json:"created_by"`
	ValidatedBy       *int64                   `json:"validated_by"`
	ValidatedAt       *string                  `json:"validated_at"`
	Version           int64                    `json:"version"`
	CreatedAt         string                   `json:"created_at"`
	UpdatedAt         string                   `json:"updated_at"`
}

func receptionResponse(r *domain.Reception, full bool) ReceptionResponse {
	out := ReceptionResponse{ID: r.ID, Ref: r.DisplayRef(), Provisional: r.Ref == "", OrderID: r.OrderID, SupplierID: r.CustomerID,
		Status: r.StatusName(), Date: dateString(r.Date), NotePublic: r.NotePublic, NotePrivate: r.NotePrivate,
		SupplierInvoiceID: optInt(r.InvoiceID), CreatedBy: r.CreatedBy, ValidatedBy: optInt(r.ValidatedBy),
		ValidatedAt: optStamp(r.ValidatedAt), Version: r.Version, CreatedAt: timestamp(r.CreatedAt), UpdatedAt: timestamp(r.UpdatedAt)}
	if full {
		lines := make([]ReceptionLineResponse, len(r.Received))
		for i, l := range r.Received {
			lines[i] = ReceptionLineResponse{ID: l.ID, OrderLineID: l.OrderLineID, ProductID: l.ProductID, WarehouseID: l.WarehouseID,
				Quantity: l.Quantity.String(), UnitPrice: amount(l.UnitPrice)}
		}
		out.Lines = &lines
	}
	return out
}

func receptionSummary(r *domain.Reception) ReceptionResponse { return receptionResponse(r, false) }

type receptionHandlers struct{ svc *purchasing.Receptions }

const receptionsBase = "/api/v1/receptions"

func (h receptionHandlers) register(s *Server) {
	s.Guarded(http.MethodGet, receptionsBase, domain.PermReceptionRead, h.list)
	s.Guarded(http.MethodPost, receptionsBase, domain.PermReceptionWrite, h.create)
	s.Guarded(http.MethodGet, receptionsBase+"/:id", domain.PermReceptionRead, h.get)
	s.Guarded(http.MethodDelete, receptionsBase+"/:id", domain.PermReceptionWrite, h.remove)
	s.Guarded(http.MethodPost, receptionsBase+"/:id/validate", domain.PermReceptionValidate, docAction(h.svc.Validate, sendReception))
	s.Guarded(http.MethodGet, receptionsBase+"/:id/events", domain.PermReceptionRead, events(h.svc))
}

func sendReception(c echo.Context, r *domain.Reception) error {
	return sendDoc(c, http.StatusOK, r.Version, receptionResponse(r, true))
}

func (h receptionHandlers) list(c echo.Context) error {
	f, err := purchaseFilter(c, func(s string) (int, bool) { st, ok := domain.ParseReceptionStatus(s); return int(st), ok }, "draft, validated")
	if err != nil {
		return err
	}
	rf := purchasing.ReceptionFilter{Filter: f}
	if rf.OrderID, err = idQuery(c, "order_id"); err != nil {
		return err
	}
	page, err := h.svc.List(c.Request().Context(), rf)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(c, page, f.ListParams, receptionSummary))
}

func (h receptionHandlers) create(c echo.Context) error {
	var body ReceptionInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	v := &domain.ValidationError{}
	in := purchasing.ReceptionInput{OrderID: val(body.OrderID), SupplierID: val(body.SupplierID),
		Date: val(dateField(v, "date", body.Date)), NotePublic: val(body.NotePublic), NotePrivate: val(body.NotePrivate)}
	for i, l := range body.Lines {
		p := "lines[" + strconv.Itoa(i) + "]."
		li := purchasing.ReceptionLineInput{OrderLineID: val(l.OrderLineID), ProductID: val(l.ProductID), WarehouseID: val(l.WarehouseID)}
		if l.Quantity == nil {
			v.Add(p+"quantity", "required", "is required")
		} else if q := decimalField(v, p+"quantity", l.Quantity); q != nil {
			li.Quantity = *q
		}
		in.Lines = append(in.Lines, li)
	}
	if err := v.Err(); err != nil {
		return err
	}
	r, err := h.svc.Create(c.Request().Context(), in, actor(c))
	if err != nil {
		return err
	}
	return created(c, receptionsBase+"/", r.ID, r.Version, receptionResponse(r, true))
}

func (h receptionHandlers) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := h.svc.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return sendReception(c, r)
}

func (h receptionHandlers) remove(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), id, actor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
