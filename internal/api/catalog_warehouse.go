package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

// WarehouseInput is the body of POST /warehouses and, with version, PATCH.
type WarehouseInput struct {
	Label       *string `json:"label"`
	Description *string `json:"description"`
	Location    *string `json:"location"`
	Address     *string `json:"address"`
	Zip         *string `json:"zip"`
	Town        *string `json:"town"`
	CountryCode *string `json:"country_code"`
	Status      *string `json:"status"`
}

// WarehousePatch is the body of PATCH /warehouses/{id}.
type WarehousePatch struct {
	WarehouseInput
	Version *int64 `json:"version"`
}

// WarehouseResponse is a warehouse as the API shows it.
type WarehouseResponse struct {
	ID          int64  `json:"id"`
	Label       string `json:"label"`
	Description string `json:"description"`
	Location    string `json:"location"`
	Address     string `json:"address"`
	Zip         string `json:"zip"`
	Town        string `json:"town"`
	CountryCode string `json:"country_code"`
	Status      string `json:"status"`
	Version     int64  `json:"version"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

func warehouseResponse(w *domain.Warehouse) WarehouseResponse {
	return WarehouseResponse{
		ID: w.ID, Label: w.Label, Description: w.Description, Location: w.Location, Address: w.Address,
		Zip: w.Zip, Town: w.Town, CountryCode: w.CountryCode, Status: w.Status.String(), Version: w.Version,
		CreatedAt: timestamp(w.CreatedAt), UpdatedAt: timestamp(w.UpdatedAt),
	}
}

// toWarehouseFields parses the request into value types; a status that
// does not parse is left nil and recorded in Problems, which the use case
// reports together with the warehouse's invariant problems.
func toWarehouseFields(in WarehouseInput) catalog.WarehouseFields {
	f := catalog.WarehouseFields{
		Label: in.Label, Description: in.Description, Location: in.Location, Address: in.Address,
		Zip: in.Zip, Town: in.Town, CountryCode: in.CountryCode,
	}
	if in.Status != nil {
		s, ok := domain.ParseWarehouseStatus(*in.Status)
		if !ok {
			f.Problems.Add("status", "invalid", "must be open or closed")
		} else {
			f.Status = &s
		}
	}
	return f
}

type warehouseHandlers struct{ warehouses *catalog.Warehouses }

// RegisterWarehouses adds the warehouse routes.
func RegisterWarehouses(s *Server, warehouses *catalog.Warehouses) {
	h := &warehouseHandlers{warehouses: warehouses}
	s.Guarded(http.MethodGet, "/api/v1/warehouses", domain.PermWarehouseRead, h.list)
	s.Guarded(http.MethodPost, "/api/v1/warehouses", domain.PermWarehouseWrite, h.create)
	s.Guarded(http.MethodGet, "/api/v1/warehouses/:id", domain.PermWarehouseRead, h.get)
	s.Guarded(http.MethodPatch, "/api/v1/warehouses/:id", domain.PermWarehouseWrite, h.update)
	s.Guarded(http.MethodDelete, "/api/v1/warehouses/:id", domain.PermWarehouseWrite, h.delete)
}

func (h *warehouseHandlers) list(c echo.Context) error {
	p, err := parseList(c, catalog.WarehouseSorts)
	if err != nil {
		return err
	}
	f := catalog.WarehouseFilter{ListParams: p}
	if s := c.QueryParam("status"); s != "" {
		st, ok := domain.ParseWarehouseStatus(s)
		if !ok {
			return BadRequest("invalid_query", "status must be open or closed")
		}
		f.Status = &st
	}
	page, err := h.warehouses.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(c, page, p, warehouseResponse))
}

func (h *warehouseHandlers) create(c echo.Context) error {
	var in WarehouseInput
	if err := Bind(c, &in); err != nil {
		return err
	}
	w, err := h.warehouses.Create(c.Request().Context(), toWarehouseFields(in))
	if err != nil {
		return err
	}
	return created(c, "/api/v1/warehouses/", w.ID, w.Version, warehouseResponse(w))
}

func (h *warehouseHandlers) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	w, err := h.warehouses.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return record(c, w.Version, warehouseResponse(w))
}

func (h *warehouseHandlers) update(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in WarehousePatch
	if err := Bind(c, &in); err != nil {
		return err
	}
	version, hdr, err := expectedVersion(c, in.Version)
	if err != nil {
		return err
	}
	w, err := h.warehouses.Update(c.Request().Context(), id, version, toWarehouseFields(in.WarehouseInput))
	if err != nil {
		return editError(err, hdr)
	}
	return record(c, w.Version, warehouseResponse(w))
}

func (h *warehouseHandlers) delete(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.warehouses.Delete(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
