package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/logging"
)

// TokenVerifier checks a credential, a JWT access token or an API key, and
// returns the principal it authenticates. A warm check must not touch the
// database: tokens are checked from their claims and the in-process
// revocation cache, keys from the in-process key cache (decisions 0025, 0026).
type TokenVerifier interface {
	Verify(ctx context.Context, raw string) (domain.Principal, error)
}

// HeaderAPIKey carries an API key, as an alternative to
// "Authorization: Bearer <key>".
const HeaderAPIKey = "X-API-Key" //nolint:gosec // a header name, not a credential

type principalKey struct{}

// WithPrincipal returns ctx carrying the authenticated caller.
func WithPrincipal(ctx context.Context, p *domain.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the authenticated caller of the request ctx belongs
// to. Every guarded handler has one; public handlers do not.
func PrincipalFrom(ctx context.Context) (*domain.Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*domain.Principal)
	return p, ok
}

// Authorizer returns the Options.Authorize implementation: a middleware per
// route that verifies the Bearer token (or the X-API-Key header's key) and
// checks the route's permission against the principal's. 401 for a missing,
// malformed, expired, revoked or forged credential; 403 for a valid one
// without the permission.
func Authorizer(v TokenVerifier) func(perm domain.Permission) echo.MiddlewareFunc {
	return func(perm domain.Permission) echo.MiddlewareFunc {
		// Resolve the permission's bit once, at registration, so a request
		// costs one AND however many permissions exist or the token holds.
		bit, known := domain.PermissionBit(perm)
		anyUser := perm == domain.PermAuthenticated
		if !known && !anyUser {
			panic("api: route guarded by unknown permission " + string(perm))
		}
		forbidden := &Error{Status: http.StatusForbidden, Code: "forbidden",
			Detail: "your role does not grant the permission " + string(perm) + " this operation needs"}
		return func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				req := c.Request()
				raw, err := credential(req.Header)
				if err != nil {
					return challenge(c, err)
				}
				p, err := v.Verify(req.Context(), raw)
				if err != nil {
					return challenge(c, err)
				}
				if !anyUser && !p.Permissions.HasBit(bit) {
					if ce := logging.From(req.Context()).Check(zap.InfoLevel, "permission refused"); ce != nil {
						ce.Write(zap.Int64("user_id", p.UserID), zap.String("permission", string(perm)))
					}
					return forbidden
				}
				c.SetRequest(req.WithContext(WithPrincipal(req.Context(), &p)))
				return next(c)
			}
		}
	}
}

var (
	errNoToken = &Error{Status: http.StatusUnauthorized, Code: "missing_token",
		Detail: "send an access token in the Authorization header: Bearer <token> (POST /api/v1/auth/login)"}
	errMalformedAuth = &Error{Status: http.StatusUnauthorized, Code: "invalid_token",
		Detail: "the Authorization header must be: Bearer <token>, or X-API-Key: <key> without an Authorization header"}
)

// credential returns the Bearer token, or else the X-API-Key header's key.
// Both at once is ambiguous and refused.
func credential(h http.Header) (string, error) {
	key := h.Get(HeaderAPIKey)
	if key == "" {
		return bearer(h.Get(echo.HeaderAuthorization))
	}
	if h.Get(echo.HeaderAuthorization) != "" || !isB64Token(key) {
		return "", errMalformedAuth
	}
	return key, nil
}

// bearer extracts the token from an Authorization header value, which
// must be exactly "Bearer", one space and a b64token (RFC 6750 2.1); the
// scheme is case-insensitive (RFC 7235 2.1). Anything looser (two spaces,
// a tab, a trailing character outside the token grammar) is refused
// rather than guessed at.
func bearer(h string) (string, error) {
	if h == "" {
		return "", errNoToken
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || !isB64Token(tok) {
		return "", errMalformedAuth
	}
	return tok, nil
}

// isB64Token reports whether s matches RFC 6750's
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isB64Token(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && strings.IndexByte("-._~+/", c) < 0 {
			return false
		}
	}
	return true
}

// challenge answers 401 with the RFC 6750 WWW-Authenticate header.
func challenge(c echo.Context, err error) error {
	hdr := `Bearer realm="dolibarr-go"`
	var ae *Error
	if !errors.As(err, &ae) || ae != errNoToken {
		hdr += `, error="invalid_token"`
	}
	c.Response().Header().Set(echo.HeaderWWWAuthenticate, hdr)
	return err
}
