package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

// ThirdPartyInput is the body of POST /thirdparties and, with version,
// PATCH. Codes are generated, never sent.
type ThirdPartyInput struct {
	Name         *string `json:"name"`
	Alias        *string `json:"alias"`
	Customer     *bool   `json:"customer"`
	Prospect     *bool   `json:"prospect"`
	Supplier     *bool   `json:"supplier"`
	Address      *string `json:"address"`
	Zip          *string `json:"zip"`
	Town         *string `json:"town"`
	CountryCode  *string `json:"country_code"`
	Email        *string `json:"email"`
	Phone        *string `json:"phone"`
	VATNumber    *string `json:"vat_number"`
	IDProf1      *string `json:"idprof1"`
	IDProf2      *string `json:"idprof2"`
	IDProf3      *string `json:"idprof3"`
	IDProf4      *string `json:"idprof4"`
	IDProf5      *string `json:"idprof5"`
	IDProf6      *string `json:"idprof6"`
	PaymentTerms *string `json:"payment_terms"`
	Language     *string `json:"language"`
	Active       *bool   `json:"active"`
}

// ThirdPartyPatch is the body of PATCH /thirdparties/{id}.
type ThirdPartyPatch struct {
	ThirdPartyInput
	Version *int64 `json:"version"`
}

// ThirdPartyResponse is a third party as the API shows it.
type ThirdPartyResponse struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Alias        string `json:"alias"`
	Customer     bool   `json:"customer"`
	Prospect     bool   `json:"prospect"`
	Supplier     bool   `json:"supplier"`
	CustomerCode string `json:"customer_code"`
	SupplierCode string `json:"supplier_code"`
	Address      string `json:"address"`
	Zip          string `json:"zip"`
	Town         string `json:"town"`
	CountryCode  string `json:"country_code"`
	Email        string `json:"email"`
	Phone        string `json:"phone"`
	VATNumber    string `json:"vat_number"`
	IDProf1      string `json:"idprof1"`
	IDProf2      string `json:"idprof2"`
	IDProf3      string `json:"idprof3"`
	IDProf4      string `json:"idprof4"`
	IDProf5      string `json:"idprof5"`
	IDProf6      string `json:"idprof6"`
	PaymentTerms string `json:"payment_terms"`
	Language     string `json:"language"`
	Active       bool   `json:"active"`
	Version      int64  `json:"version"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
}

func thirdPartyResponse(t *domain.ThirdParty) ThirdPartyResponse {
	return ThirdPartyResponse{
		ID: t.ID, Name: t.Name, Alias: t.Alias, Customer: t.Customer, Prospect: t.Prospect, Supplier: t.Supplier,
		CustomerCode: t.CustomerCode, SupplierCode: t.SupplierCode, Address: t.Address, Zip: t.Zip, Town: t.Town,
		CountryCode: t.CountryCode, Email: t.Email, Phone: t.Phone, VATNumber: t.VATNumber,
		IDProf1: t.ProfIDs[0], IDProf2: t.ProfIDs[1], IDProf3: t.ProfIDs[2], IDProf4: t.ProfIDs[3], IDProf5: t.ProfIDs[4], IDProf6: t.ProfIDs[5],
		PaymentTerms: string(t.PaymentTerms), Language: t.Language, Active: t.Active, Version: t.Version,
		CreatedAt: timestamp(t.CreatedAt), UpdatedAt: timestamp(t.UpdatedAt),
	}
}

func toThirdPartyFields(in ThirdPartyInput) catalog.ThirdPartyFields {
	f := catalog.ThirdPartyFields{
		Name: in.Name, Alias: in.Alias, Customer: in.Customer, Prospect: in.Prospect, Supplier: in.Supplier,
		Address: in.Address, Zip: in.Zip, Town: in.Town, CountryCode: in.CountryCode, Email: in.Email,
		Phone: in.Phone, VATNumber: in.VATNumber, Language: in.Language, Active: in.Active,
		ProfIDs: [6]*string{in.IDProf1, in.IDProf2, in.IDProf3, in.IDProf4, in.IDProf5, in.IDProf6},
	}
	if in.PaymentTerms != nil {
		pt := domain.PaymentTerms(*in.PaymentTerms)
		f.PaymentTerms = &pt
	}
	return f
}

type thirdPartyHandlers struct{ thirdParties *catalog.ThirdParties }

// RegisterThirdParties adds the third-party routes.
func RegisterThirdParties(s *Server, thirdParties *catalog.ThirdParties) {
	h := &thirdPartyHandlers{thirdParties: thirdParties}
	s.Guarded(http.MethodGet, "/api/v1/thirdparties", domain.PermThirdPartyRead, h.list)
	s.Guarded(http.MethodPost, "/api/v1/thirdparties", domain.PermThirdPartyWrite, h.create)
	s.Guarded(http.MethodGet, "/api/v1/thirdparties/:id", domain.PermThirdPartyRead, h.get)
	s.Guarded(http.MethodPatch, "/api/v1/thirdparties/:id", domain.PermThirdPartyWrite, h.update)
	s.Guarded(http.MethodDelete, "/api/v1/thirdparties/:id", domain.PermThirdPartyWrite, h.delete)
}

func (h *thirdPartyHandlers) list(c echo.Context) error {
	p, err := parseList(c, catalog.ThirdPartySorts)
	if err != nil {
		return err
	}
	f := catalog.ThirdPartyFilter{ListParams: p, CountryCode: c.QueryParam("country_code")}
	for name, dst := range map[string]**bool{"customer": &f.Customer, "prospect": &f.Prospect, "supplier": &f.Supplier, "active": &f.Active} {
		if *dst, err = boolQuery(c, name); err != nil {
			return err
		}
	}
	page, err := h.thirdParties.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(c, page, p, thirdPartyResponse))
}

func (h *thirdPartyHandlers) create(c echo.Context) error {
	var in ThirdPartyInput
	if err := Bind(c, &in); err != nil {
		return err
	}
	t, err := h.thirdParties.Create(c.Request().Context(), toThirdPartyFields(in))
	if err != nil {
		return err
	}
	return created(c, "/api/v1/thirdparties/", t.ID, t.Version, thirdPartyResponse(t))
}

func (h *thirdPartyHandlers) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	t, err := h.thirdParties.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return record(c, t.Version, thirdPartyResponse(t))
}

func (h *thirdPartyHandlers) update(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in ThirdPartyPatch
	if err := Bind(c, &in); err != nil {
		return err
	}
	version, hdr, err := expectedVersion(c, in.Version)
	if err != nil {
		return err
	}
	t, err := h.thirdParties.Update(c.Request().Context(), id, version, toThirdPartyFields(in.ThirdPartyInput))
	if err != nil {
		return editError(err, hdr)
	}
	return record(c, t.Version, thirdPartyResponse(t))
}

func (h *thirdPartyHandlers) delete(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.thirdParties.Delete(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
