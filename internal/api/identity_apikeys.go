package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/identity"
)

// CreateAPIKeyRequest is the body of POST /api/v1/api-keys.
type CreateAPIKeyRequest struct {
	Name        string              `json:"name"`
	Permissions []domain.Permission `json:"permissions"`
	ExpiresAt   *time.Time          `json:"expires_at"`
	// UserID, for a caller holding user:admin, creates the key for another
	// user (a service account); absent: the caller's own key.
	UserID *int64 `json:"user_id"`
}

// KeyResponse is an API key as the API shows it: never its secret,
// except Key once, in the answer to its creation.
type KeyResponse struct {
	ID          int64               `json:"id"`
	UserID      int64               `json:"user_id"`
	Name        string              `json:"name"`
	Prefix      string              `json:"prefix"`
	Permissions []domain.Permission `json:"permissions"`
	ExpiresAt   *time.Time          `json:"expires_at"`
	LastUsedAt  *time.Time          `json:"last_used_at"`
	RevokedAt   *time.Time          `json:"revoked_at"`
	CreatedAt   time.Time           `json:"created_at"`
	Key         string              `json:"key,omitempty"`
}

// RefreshRequest is the body of POST /api/v1/auth/refresh and /logout.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

func keyResponse(k domain.APIKey) KeyResponse {
	perms := k.Permissions
	if perms == nil {
		perms = []domain.Permission{}
	}
	return KeyResponse{
		ID: k.ID, UserID: k.UserID, Name: k.Name, Prefix: k.Prefix, Permissions: perms,
		ExpiresAt: k.ExpiresAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt, CreatedAt: k.CreatedAt,
	}
}

var apiKeysPaging = pageBounds{defaultLimit: 50, maxLimit: 200, maxOffset: listMaxOffset}

// registerCredentials registers API keys, refresh and logout.
func (h *identityHandlers) registerCredentials(s *Server) {
	s.Public(http.MethodPost, "/api/v1/auth/refresh", h.refresh)
	s.Public(http.MethodPost, "/api/v1/auth/logout", h.logout)
	s.Guarded(http.MethodGet, "/api/v1/api-keys", domain.PermAuthenticated, h.listAPIKeys)
	s.GuardedSecret(http.MethodPost, "/api/v1/api-keys", domain.PermAuthenticated, h.createAPIKey)
	s.Guarded(http.MethodGet, "/api/v1/api-keys/:id", domain.PermAuthenticated, h.getAPIKey)
	s.Guarded(http.MethodPost, "/api/v1/api-keys/:id/revoke", domain.PermAuthenticated, h.revokeAPIKey)
}

func (h *identityHandlers) refresh(c echo.Context) error {
	var req RefreshRequest
	if err := Bind(c, &req); err != nil {
		return err
	}
	tok, err := h.svc.Refresh(c.Request().Context(), req.RefreshToken)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, tokenResponse(tok))
}

func (h *identityHandlers) logout(c echo.Context) error {
	var req RefreshRequest
	if err := Bind(c, &req); err != nil {
		return err
	}
	if err := h.svc.Logout(c.Request().Context(), req.RefreshToken); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func tokenResponse(tok identity.Token) TokenResponse {
	return TokenResponse{
		AccessToken: tok.AccessToken, TokenType: "Bearer", ExpiresIn: int64(tok.ExpiresIn / time.Second),
		RefreshToken: tok.RefreshToken,
	}
}

func (h *identityHandlers) createAPIKey(c echo.Context) error {
	var req CreateAPIKeyRequest
	if err := Bind(c, &req); err != nil {
		return err
	}
	p, _ := PrincipalFrom(c.Request().Context())
	in := identity.NewAPIKey{Name: req.Name, Permissions: req.Permissions, ExpiresAt: req.ExpiresAt}
	if req.UserID != nil {
		in.UserID = *req.UserID
		if in.UserID <= 0 {
			var v domain.ValidationError
			v.Add("user_id", "invalid", "user_id must be a positive id")
			return v.Err()
		}
	}
	k, err := h.svc.CreateAPIKey(c.Request().Context(), *p, in)
	if err != nil {
		return err
	}
	out := keyResponse(k.Key)
	out.Key = k.Secret
	c.Response().Header().Set("Cache-Control", "no-store")
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/api-keys/"+strconv.FormatInt(k.Key.ID, 10))
	return c.JSON(http.StatusCreated, out)
}

func (h *identityHandlers) listAPIKeys(c echo.Context) error {
	limit, offset, err := parsePaging(c, apiKeysPaging)
	if err != nil {
		return err
	}
	userID, err := idQuery(c, "user_id")
	if err != nil {
		return err
	}
	p, _ := PrincipalFrom(c.Request().Context())
	keys, total, err := h.svc.ListAPIKeys(c.Request().Context(), *p, userID, limit, offset)
	if err != nil {
		return err
	}
	out := List[KeyResponse]{Data: make([]KeyResponse, 0, len(keys)), Paging: Paging{Total: total, Limit: limit, Offset: offset}}
	for _, k := range keys {
		out.Data = append(out.Data, keyResponse(k))
	}
	return c.JSON(http.StatusOK, out)
}

func (h *identityHandlers) getAPIKey(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, _ := PrincipalFrom(c.Request().Context())
	k, err := h.svc.GetAPIKey(c.Request().Context(), *p, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, keyResponse(k))
}

func (h *identityHandlers) revokeAPIKey(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, _ := PrincipalFrom(c.Request().Context())
	k, err := h.svc.RevokeAPIKey(c.Request().Context(), *p, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, keyResponse(k))
}
