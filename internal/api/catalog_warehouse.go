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

func toWarehouseFields(in WarehouseInput) (catalog.WarehouseFields, *domain.ValidationError) {
	v := &domain.ValidationError{}
	f := catalog.WarehouseFields{
		Label: in.Label, Description: in.Description, Location: in.Location, Address: in.Address,
		Zip: in.Zip, Town: in.Town, CountryCode: in.CountryCode,
	}
	if in.Status != nil {
		s, ok := domain.ParseWarehouseStatus(*in.Status)
		if !ok {
			v.Add("status", "invalid", "must be open or closed")
		} else {
			f.Status = &s
		}
	}
	return f, v
}

func (h *catalogHandlers) listWarehouses(c echo.Context) error {
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
	page, err := h.svc.Warehouses(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(page, p, warehouseResponse))
}

func (h *catalogHandlers) createWarehouse(c echo.Context) error {
	var in WarehouseInput
	if err := Bind(c, &in); err != nil {
		return err
	}
	f, perr := toWarehouseFields(in)
	if perr.Err() != nil {
		return h.svc.CheckNewWarehouse(perr, f)
	}
	w, err := h.svc.CreateWarehouse(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return created(c, "/api/v1/warehouses/", w.ID, w.Version, warehouseResponse(w))
}

func (h *catalogHandlers) getWarehouse(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	w, err := h.svc.Warehouse(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return record(c, w.Version, warehouseResponse(w))
}

func (h *catalogHandlers) updateWarehouse(c echo.Context) error {
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
	f, perr := toWarehouseFields(in.WarehouseInput)
	if err := perr.Err(); err != nil {
		return err
	}
	w, err := h.svc.UpdateWarehouse(c.Request().Context(), id, version, f)
	if err != nil {
		return editError(err, hdr)
	}
	return record(c, w.Version, warehouseResponse(w))
}

func (h *catalogHandlers) deleteWarehouse(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteWarehouse(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
