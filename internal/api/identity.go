package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/identity"
)

// LoginRequest is the body of POST /api/v1/auth/login.
type LoginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

// TokenResponse is a successful login.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"` // seconds
	// RefreshToken renews the access token (POST /api/v1/auth/refresh);
	// each use rotates it.
	RefreshToken string `json:"refresh_token,omitempty"`
}

// UserResponse is a user as the API shows it; the password hash never
// leaves the server.
type UserResponse struct {
	ID        int64     `json:"id"`
	Login     string    `json:"login"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Active    bool      `json:"active"`
	Roles     []string  `json:"roles"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// MeResponse is the caller and the permissions their token grants.
type MeResponse struct {
	UserResponse
	Permissions []domain.Permission `json:"permissions"`
	// TokenExpiresAt is when the caller's current token stops working.
	TokenExpiresAt time.Time `json:"token_expires_at"`
}

// CreateUserRequest is the body of POST /api/v1/users.
type CreateUserRequest struct {
	Login    string   `json:"login"`
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Password string   `json:"password"`
	Roles    []string `json:"roles"`
	Active   *bool    `json:"active"` // default true
}

// UpdateUserRequest is the body of PATCH /api/v1/users/{id}: absent
// fields keep their value.
type UpdateUserRequest struct {
	Name   *string   `json:"name"`
	Email  *string   `json:"email"`
	Active *bool     `json:"active"`
	Roles  *[]string `json:"roles"`
}

// SetPasswordRequest is the body of PUT /api/v1/users/{id}/password.
type SetPasswordRequest struct {
	Password string `json:"password"`
}

// ChangePasswordRequest is the body of PUT /api/v1/users/me/password.
type ChangePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// RoleResponse is a role as the API shows it.
type RoleResponse struct {
	ID          int64               `json:"id"`
	Name        string              `json:"name"`
	Description string              `json:"description"`
	Builtin     bool                `json:"builtin"`
	Permissions []domain.Permission `json:"permissions"`
}

// CreateRoleRequest is the body of POST /api/v1/roles.
type CreateRoleRequest struct {
	Name        string              `json:"name"`
	Description string              `json:"description"`
	Permissions []domain.Permission `json:"permissions"`
}

// UpdateRoleRequest is the body of PATCH /api/v1/roles/{id}.
type UpdateRoleRequest struct {
	Name        *string              `json:"name"`
	Description *string              `json:"description"`
	Permissions *[]domain.Permission `json:"permissions"`
}

func userResponse(u domain.User) UserResponse {
	roles := make([]string, 0, len(u.Roles))
	for _, r := range u.Roles {
		roles = append(roles, r.Name)
	}
	return UserResponse{
		ID: u.ID, Login: u.Login, Name: u.Name, Email: u.Email, Active: u.Active, Roles: roles,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
}

func roleResponse(r domain.Role) RoleResponse {
	perms := r.Permissions
	if perms == nil {
		perms = []domain.Permission{}
	}
	return RoleResponse{ID: r.ID, Name: r.Name, Description: r.Description, Builtin: r.Builtin, Permissions: perms}
}

// identityHandlers serves login, users and roles.
// Login throttling names the caller by c.RealIP(): the server's one client
// address extractor (Options.TrustedProxies), which the access log uses too.
type identityHandlers struct {
	svc *identity.Service
}

// RegisterIdentity registers the identity routes on s.
func RegisterIdentity(s *Server, svc *identity.Service) {
	h := &identityHandlers{svc: svc}
	s.Public(http.MethodPost, "/api/v1/auth/login", h.login)
	s.Guarded(http.MethodGet, "/api/v1/users/me", domain.PermAuthenticated, h.me)
	s.Guarded(http.MethodPut, "/api/v1/users/me/password", domain.PermAuthenticated, h.changeOwnPassword)
	s.Guarded(http.MethodGet, "/api/v1/users", domain.PermUserAdmin, h.listUsers)
	s.Guarded(http.MethodPost, "/api/v1/users", domain.PermUserAdmin, h.createUser)
	s.Guarded(http.MethodGet, "/api/v1/users/:id", domain.PermUserAdmin, h.getUser)
	s.Guarded(http.MethodPatch, "/api/v1/users/:id", domain.PermUserAdmin, h.updateUser)
	s.Guarded(http.MethodPost, "/api/v1/users/:id/deactivate", domain.PermUserAdmin, h.deactivateUser)
	s.Guarded(http.MethodPut, "/api/v1/users/:id/password", domain.PermUserAdmin, h.setPassword)
	s.Guarded(http.MethodGet, "/api/v1/roles", domain.PermUserAdmin, h.listRoles)
	s.Guarded(http.MethodPost, "/api/v1/roles", domain.PermUserAdmin, h.createRole)
	s.Guarded(http.MethodGet, "/api/v1/roles/:id", domain.PermUserAdmin, h.getRole)
	s.Guarded(http.MethodPatch, "/api/v1/roles/:id", domain.PermUserAdmin, h.updateRole)
	s.Guarded(http.MethodDelete, "/api/v1/roles/:id", domain.PermUserAdmin, h.deleteRole)
	s.Guarded(http.MethodGet, "/api/v1/permissions", domain.PermUserAdmin, h.listPermissions)
	h.registerCredentials(s)
}

func (h *identityHandlers) login(c echo.Context) error {
	var req LoginRequest
	if err := Bind(c, &req); err != nil {
		return err
	}
	tok, err := h.svc.Login(c.Request().Context(), identity.LoginInput{
		Login: req.Login, Password: req.Password, Client: c.RealIP(),
	})
	if err != nil {
		return throttled(c, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, tokenResponse(tok))
}

func (h *identityHandlers) me(c echo.Context) error {
	p, _ := PrincipalFrom(c.Request().Context())
	u, err := h.svc.Me(c.Request().Context(), p.UserID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, MeResponse{
		UserResponse: userResponse(u), Permissions: p.Permissions.List(), TokenExpiresAt: p.ExpiresAt.UTC(),
	})
}

func (h *identityHandlers) changeOwnPassword(c echo.Context) error {
	var req ChangePasswordRequest
	if err := Bind(c, &req); err != nil {
		return err
	}
	p, _ := PrincipalFrom(c.Request().Context())
	err := h.svc.ChangeOwnPassword(c.Request().Context(), p.UserID, c.RealIP(), req.CurrentPassword, req.NewPassword)
	if err != nil {
		// The use case checks the new password as any password; the body
		// calls it new_password.
		return throttled(c, renameField(err, "password", "new_password"))
	}
	return c.NoContent(http.StatusNoContent)
}

// throttled turns a refused-for-too-many-failures error into 429 with
// Retry-After (whole seconds, rounded up); other errors pass unchanged.
func throttled(c echo.Context, err error) error {
	var te *identity.ThrottledError
	if !errors.As(err, &te) {
		return err
	}
	secs := int64((te.RetryAfter + time.Second - 1) / time.Second)
	c.Response().Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	return &Error{Status: http.StatusTooManyRequests, Code: te.ErrorCode(), Detail: te.Error()}
}

// usersPaging bounds the users list: pages of at most 200 users, the
// catalogue lists' offset bound.
var usersPaging = pageBounds{defaultLimit: 50, maxLimit: 200, maxOffset: listMaxOffset}

func (h *identityHandlers) listUsers(c echo.Context) error {
	limit, offset, err := parsePaging(c, usersPaging)
	if err != nil {
		return err
	}
	active, err := boolQuery(c, "active")
	if err != nil {
		return err
	}
	q := identity.ListUsers{Limit: limit, Offset: offset, Q: c.QueryParam("q"), Active: active}
	users, total, err := h.svc.ListUsers(c.Request().Context(), q)
	if err != nil {
		return err
	}
	out := List[UserResponse]{Data: make([]UserResponse, 0, len(users)), Paging: Paging{Total: total, Limit: limit, Offset: offset}}
	for _, u := range users {
		out.Data = append(out.Data, userResponse(u))
	}
	return c.JSON(http.StatusOK, out)
}

func (h *identityHandlers) createUser(c echo.Context) error {
	var req CreateUserRequest
	if err := Bind(c, &req); err != nil {
		return err
	}
	active := req.Active == nil || *req.Active
	u, err := h.svc.CreateUser(c.Request().Context(), identity.NewUser{
		Login: req.Login, Name: req.Name, Email: req.Email, Password: req.Password, Roles: req.Roles, Active: active,
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	return c.JSON(http.StatusCreated, userResponse(u))
}

func (h *identityHandlers) getUser(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	u, err := h.svc.GetUser(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return jsonETag(c, http.StatusOK, userResponse(u))
}

func (h *identityHandlers) updateUser(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req UpdateUserRequest
	if err := Bind(c, &req); err != nil {
		return err
	}
	u, err := h.svc.UpdateUser(c.Request().Context(), id, identity.UserUpdate{
		Name: req.Name, Email: req.Email, Active: req.Active, Roles: req.Roles,
	})
	if err != nil {
		return err
	}
	return jsonETag(c, http.StatusOK, userResponse(u))
}

func (h *identityHandlers) deactivateUser(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	u, err := h.svc.DeactivateUser(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return jsonETag(c, http.StatusOK, userResponse(u))
}

func (h *identityHandlers) setPassword(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req SetPasswordRequest
	if err := Bind(c, &req); err != nil {
		return err
	}
	if err := h.svc.SetPassword(c.Request().Context(), id, req.Password); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *identityHandlers) listRoles(c echo.Context) error {
	roles, err := h.svc.ListRoles(c.Request().Context())
	if err != nil {
		return err
	}
	out := List[RoleResponse]{Data: make([]RoleResponse, 0, len(roles)), Paging: Paging{Total: int64(len(roles)), Limit: len(roles)}}
	for _, r := range roles {
		out.Data = append(out.Data, roleResponse(r))
	}
	return c.JSON(http.StatusOK, out)
}

func (h *identityHandlers) createRole(c echo.Context) error {
	var req CreateRoleRequest
	if err := Bind(c, &req); err != nil {
		return err
	}
	r, err := h.svc.CreateRole(c.Request().Context(), identity.NewRole{
		Name: req.Name, Description: req.Description, Permissions: req.Permissions,
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/roles/"+strconv.FormatInt(r.ID, 10))
	return c.JSON(http.StatusCreated, roleResponse(r))
}

func (h *identityHandlers) getRole(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := h.svc.GetRole(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return jsonETag(c, http.StatusOK, roleResponse(r))
}

func (h *identityHandlers) updateRole(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var req UpdateRoleRequest
	if err := Bind(c, &req); err != nil {
		return err
	}
	r, err := h.svc.UpdateRole(c.Request().Context(), id, identity.RoleUpdate{
		Name: req.Name, Description: req.Description, Permissions: req.Permissions,
	})
	if err != nil {
		return err
	}
	return jsonETag(c, http.StatusOK, roleResponse(r))
}

func (h *identityHandlers) deleteRole(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteRole(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *identityHandlers) listPermissions(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string][]domain.Permission{"data": domain.AllPermissions})
}
