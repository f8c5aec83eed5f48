package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

// ContactInput is the body of POST /contacts and, with version, PATCH.
// thirdparty_id 0 detaches the contact from its third party.
type ContactInput struct {
	ThirdPartyID *int64  `json:"thirdparty_id"`
	Firstname    *string `json:"firstname"`
	Lastname     *string `json:"lastname"`
	Email        *string `json:"email"`
	Phone        *string `json:"phone"`
	Mobile       *string `json:"mobile"`
	Role         *string `json:"role"`
	Active       *bool   `json:"active"`
}

// ContactPatch is the body of PATCH /contacts/{id}.
type ContactPatch struct {
	ContactInput
	Version *int64 `json:"version"`
}

// ContactResponse is a contact as the API shows it; thirdparty_id is null
// for a contact of no third party.
type ContactResponse struct {
	ID           int64  `json:"id"`
	ThirdPartyID *int64 `json:"thirdparty_id"`
	Firstname    string `json:"firstname"`
	Lastname     string `json:"lastname"`
	Email        string `json:"email"`
	Phone        string `json:"phone"`
	Mobile       string `json:"mobile"`
	Role         string `json:"role"`
	Active       bool   `json:"active"`
	Version      int64  `json:"version"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
}

func contactResponse(c *domain.Contact) ContactResponse {
	return ContactResponse{
		ID: c.ID, ThirdPartyID: optInt(c.ThirdPartyID), Firstname: c.Firstname, Lastname: c.Lastname,
		Email: c.Email, Phone: c.Phone, Mobile: c.Mobile, Role: c.Role, Active: c.Active, Version: c.Version,
		CreatedAt: timestamp(c.CreatedAt), UpdatedAt: timestamp(c.UpdatedAt),
	}
}

func toContactFields(in ContactInput) catalog.ContactFields {
	return catalog.ContactFields{
		ThirdPartyID: in.ThirdPartyID, Firstname: in.Firstname, Lastname: in.Lastname, Email: in.Email,
		Phone: in.Phone, Mobile: in.Mobile, Role: in.Role, Active: in.Active,
	}
}

type contactHandlers struct{ contacts *catalog.Contacts }

// RegisterContacts adds the contact routes.
func RegisterContacts(s *Server, contacts *catalog.Contacts) {
	h := &contactHandlers{contacts: contacts}
	s.Guarded(http.MethodGet, "/api/v1/contacts", domain.PermContactRead, h.list)
	s.Guarded(http.MethodPost, "/api/v1/contacts", domain.PermContactWrite, h.create)
	s.Guarded(http.MethodGet, "/api/v1/contacts/:id", domain.PermContactRead, h.get)
	s.Guarded(http.MethodPatch, "/api/v1/contacts/:id", domain.PermContactWrite, h.update)
	s.Guarded(http.MethodDelete, "/api/v1/contacts/:id", domain.PermContactWrite, h.delete)
}

func (h *contactHandlers) list(c echo.Context) error {
	p, err := parseList(c, catalog.ContactSorts)
	if err != nil {
		return err
	}
	f := catalog.ContactFilter{ListParams: p}
	if f.ThirdPartyID, err = idQuery(c, "thirdparty_id"); err != nil {
		return err
	}
	if f.Active, err = boolQuery(c, "active"); err != nil {
		return err
	}
	page, err := h.contacts.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(c, page, p, contactResponse))
}

func (h *contactHandlers) create(c echo.Context) error {
	var in ContactInput
	if err := Bind(c, &in); err != nil {
		return err
	}
	ct, err := h.contacts.Create(c.Request().Context(), toContactFields(in))
	if err != nil {
		return err
	}
	return created(c, "/api/v1/contacts/", ct.ID, ct.Version, contactResponse(ct))
}

func (h *contactHandlers) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ct, err := h.contacts.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return record(c, ct.Version, contactResponse(ct))
}

func (h *contactHandlers) update(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in ContactPatch
	if err := Bind(c, &in); err != nil {
		return err
	}
	version, hdr, err := expectedVersion(c, in.Version)
	if err != nil {
		return err
	}
	ct, err := h.contacts.Update(c.Request().Context(), id, version, toContactFields(in.ContactInput))
	if err != nil {
		return editError(err, hdr)
	}
	return record(c, ct.Version, contactResponse(ct))
}

func (h *contactHandlers) delete(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.contacts.Delete(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
