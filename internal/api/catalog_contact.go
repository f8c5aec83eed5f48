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

func (h *catalogHandlers) listContacts(c echo.Context) error {
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
	page, err := h.svc.Contacts(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(page, p, contactResponse))
}

func (h *catalogHandlers) createContact(c echo.Context) error {
	var in ContactInput
	if err := Bind(c, &in); err != nil {
		return err
	}
	ct, err := h.svc.CreateContact(c.Request().Context(), toContactFields(in))
	if err != nil {
		return err
	}
	return created(c, "/api/v1/contacts/", ct.ID, ct.Version, contactResponse(ct))
}

func (h *catalogHandlers) getContact(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ct, err := h.svc.Contact(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return record(c, ct.Version, contactResponse(ct))
}

func (h *catalogHandlers) updateContact(c echo.Context) error {
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
	ct, err := h.svc.UpdateContact(c.Request().Context(), id, version, toContactFields(in.ContactInput))
	if err != nil {
		return editError(err, hdr)
	}
	return record(c, ct.Version, contactResponse(ct))
}

func (h *catalogHandlers) deleteContact(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteContact(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
