package app_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// The token attacks of issue 3, each against GET /api/v1/users, which needs
// user:admin. Every forged token below would be accepted by a verifier that
// trusted the token's own header or skipped a claim check.

const adminRoute = "/api/v1/users"

// forgery holds what an attacker can learn from one genuine token: its
// header (kid) and claims, plus the real secret for tests that need a
// correctly signed token with one bad claim.
type forgery struct {
	a      *apptest.App
	kid    string
	claims jwt.MapClaims
	secret []byte
}

func newForgery(t *testing.T) *forgery {
	t.Helper()
	a := apptest.New(t, "sqlite")
	tok := a.AdminToken(t)
	res := a.Do(t, http.MethodGet, adminRoute, nil, tok)
	require.Equal(t, http.StatusOK, res.Status, "the genuine token works")
	parts := strings.Split(tok, ".")
	var hdr map[string]any
	require.NoError(t, json.Unmarshal(b64(t, parts[0]), &hdr))
	claims := jwt.MapClaims{}
	require.NoError(t, json.Unmarshal(b64(t, parts[1]), &claims))
	return &forgery{a: a, kid: hdr["kid"].(string), claims: claims, secret: []byte(a.Config.Auth.JWTSecret)}
}

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	require.NoError(t, err)
	return b
}

func seg(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(b)
}

// claimsWith returns a copy of the genuine claims with changes applied.
func (f *forgery) claimsWith(changes map[string]any) jwt.MapClaims {
	c := jwt.MapClaims{}
	for k, v := range f.claims {
		c[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

// sign signs claims with HS256 and key, under the genuine kid.
func (f *forgery) sign(t *testing.T, c jwt.MapClaims, key []byte) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	tok.Header["kid"] = f.kid
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

// refused asserts the token gets a 401 problem with the given code.
func (f *forgery) refused(t *testing.T, tok, code string) {
	t.Helper()
	res := f.a.Do(t, http.MethodGet, adminRoute, nil, tok)
	require.Equal(t, http.StatusUnauthorized, res.Status, string(res.Body))
	require.Equal(t, code, res.Problem(t).Code)
	require.Contains(t, res.Header.Get("WWW-Authenticate"), `error="invalid_token"`)
}

func TestTokenAttackAlgNone(t *testing.T) {
	f := newForgery(t)
	for _, alg := range []string{"none", "None", "NONE"} {
		tok := seg(t, map[string]any{"alg": alg, "typ": "JWT", "kid": f.kid}) + "." + seg(t, f.claims) + "."
		f.refused(t, tok, "invalid_token")
	}
	// golang-jwt's own "none" signer, used as an attacker would.
	tok := jwt.NewWithClaims(jwt.SigningMethodNone, f.claims)
	tok.Header["kid"] = f.kid
	s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)
	f.refused(t, s, "invalid_token")
}

func TestTokenAttackSignedWithAnotherKey(t *testing.T) {
	f := newForgery(t)
	other := []byte("an-attacker-chosen-secret-of-enough-length-0123456789")
	f.refused(t, f.sign(t, f.claims, other), "invalid_token")
	// Without a kid, or with one we do not know, the token is refused
	// before any key is tried.
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, f.claims)
	s, err := tok.SignedString(f.secret)
	require.NoError(t, err)
	f.refused(t, s, "invalid_token")
	tok.Header["kid"] = "0123456789abcdef"
	s, err = tok.SignedString(f.secret)
	require.NoError(t, err)
	f.refused(t, s, "invalid_token")
}

func TestTokenAttackRS256HS256Confusion(t *testing.T) {
	f := newForgery(t)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	// 1. A genuinely RS256-signed token: the verifier accepts HS256 only.
	rs := jwt.NewWithClaims(jwt.SigningMethodRS256, f.claims)
	rs.Header["kid"] = f.kid
	s, err := rs.SignedString(key)
	require.NoError(t, err)
	f.refused(t, s, "invalid_token")
	// 2. The classic confusion: HS256 keyed with an RSA public key's PEM,
	// which a verifier that lets the header pick the algorithm would use
	// as the HMAC secret.
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	require.NoError(t, err)
	pub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	f.refused(t, f.sign(t, f.claims, pub), "invalid_token")
	// 3. Header claims RS256 but the signature is an HMAC with the real
	// secret: the algorithm is pinned, so it is still refused.
	hs := f.sign(t, f.claims, f.secret)
	parts := strings.Split(hs, ".")
	forged := seg(t, map[string]any{"alg": "RS256", "typ": "JWT", "kid": f.kid}) + "." + parts[1] + "." + parts[2]
	f.refused(t, forged, "invalid_token")
	// 4. Another HMAC algorithm with the real secret: pinned to HS256, so
	// even a correct HS512 signature is refused.
	for _, m := range []jwt.SigningMethod{jwt.SigningMethodHS384, jwt.SigningMethodHS512} {
		tok := jwt.NewWithClaims(m, f.claims)
		tok.Header["kid"] = f.kid
		s, err := tok.SignedString(f.secret)
		require.NoError(t, err)
		f.refused(t, s, "invalid_token")
	}
}

func TestTokenAttackExpired(t *testing.T) {
	f := newForgery(t)
	tok := f.a.AdminToken(t)
	// Past expiry plus the 30 s skew leeway.
	f.a.Advance(f.a.Config.Auth.JWTTTL + 31*time.Second)
	f.refused(t, tok, "token_expired")
	// A token signed with the right key but carrying a past exp.
	past := f.a.Now().Add(-time.Hour).Unix()
	f.refused(t, f.sign(t, f.claimsWith(map[string]any{"exp": past}), f.secret), "token_expired")
	// exp is required: a token without one never expires, so it is refused.
	f.refused(t, f.sign(t, f.claimsWith(map[string]any{"exp": nil}), f.secret), "invalid_token")
}

func TestTokenAttackNotYetValid(t *testing.T) {
	f := newForgery(t)
	future := f.a.Now().Add(10 * time.Minute).Unix()
	f.refused(t, f.sign(t, f.claimsWith(map[string]any{"nbf": future}), f.secret), "invalid_token")
	f.refused(t, f.sign(t, f.claimsWith(map[string]any{"iat": future, "nbf": nil}), f.secret), "invalid_token")
}

func TestTokenAttackWrongIssuerOrAudience(t *testing.T) {
	f := newForgery(t)
	f.refused(t, f.sign(t, f.claimsWith(map[string]any{"iss": "someone-else"}), f.secret), "invalid_token")
	f.refused(t, f.sign(t, f.claimsWith(map[string]any{"iss": nil}), f.secret), "invalid_token")
	f.refused(t, f.sign(t, f.claimsWith(map[string]any{"aud": "another-api"}), f.secret), "invalid_token")
	f.refused(t, f.sign(t, f.claimsWith(map[string]any{"aud": []string{"another-api"}}), f.secret), "invalid_token")
	f.refused(t, f.sign(t, f.claimsWith(map[string]any{"aud": nil}), f.secret), "invalid_token")
}

func TestTokenAttackTamperedPermissionClaim(t *testing.T) {
	f := newForgery(t)
	weak := f.a.Token(t, domain.PermProductRead)
	res := f.a.Do(t, http.MethodGet, adminRoute, nil, weak)
	require.Equal(t, http.StatusForbidden, res.Status, "the genuine weak token lacks user:admin")
	parts := strings.Split(weak, ".")
	claims := map[string]any{}
	require.NoError(t, json.Unmarshal(b64(t, parts[1]), &claims))
	claims["perms"] = []string{"product:read", "user:admin"}
	f.refused(t, parts[0]+"."+seg(t, claims)+"."+parts[2], "invalid_token")
	// Tampering the subject is caught the same way.
	claims["perms"] = []string{"product:read"}
	claims["sub"] = "1"
	f.refused(t, parts[0]+"."+seg(t, claims)+"."+parts[2], "invalid_token")
}

// A deactivated user's token stops working within a second, well before it
// expires: deactivation raises the user's token generation, which every
// replica's cache sees (decision 0026). A new login then fails with the
// common invalid_credentials.
func TestTokenAttackDeactivatedUserRevoked(t *testing.T) {
	a := apptest.New(t, "sqlite")
	u := a.NewUser(t, domain.PermProductRead)
	tok := loginToken(t, a, u.Login, u.Password)
	res := a.Do(t, http.MethodGet, "/api/v1/users/me", nil, tok)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	res = a.Do(t, http.MethodPost, "/api/v1/users/"+strconv.FormatInt(u.ID, 10)+"/deactivate", nil, a.AdminToken(t))
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	require.Eventually(t, func() bool {
		return a.Do(t, http.MethodGet, "/api/v1/users/me", nil, tok).Status == http.StatusUnauthorized
	}, time.Second, 20*time.Millisecond, "the token of a deactivated user is refused within a second")
	res = a.Do(t, http.MethodPost, "/api/v1/auth/login", map[string]string{"login": u.Login, "password": u.Password}, "")
	require.Equal(t, http.StatusUnauthorized, res.Status)
	require.Equal(t, "invalid_credentials", res.Problem(t).Code)
}

func TestTokenAttackMissingOrMalformedHeader(t *testing.T) {
	f := newForgery(t)
	tok := f.a.AdminToken(t)
	cases := map[string]string{
		"":                                  "missing_token",
		"Basic YWRtaW46YWRtaW4=":            "invalid_token",
		"Bearer":                            "invalid_token",
		"Bearer ":                           "invalid_token",
		"Bearer a.b":                        "invalid_token",
		"Bearer not-a-jwt-at-all":           "invalid_token",
		"Bearer " + tok + " x":              "invalid_token",
		"Bearer " + tok[:len(tok)-2] + "AA": "invalid_token", // corrupted signature
		"Token " + tok:                      "invalid_token",
	}
	for hdr, code := range cases {
		h := http.Header{}
		if hdr != "" {
			h.Set("Authorization", hdr)
		}
		res := f.a.DoHeader(t, http.MethodGet, adminRoute, nil, h)
		require.Equalf(t, http.StatusUnauthorized, res.Status, "Authorization: %q", hdr)
		require.Equalf(t, code, res.Problem(t).Code, "Authorization: %q", hdr)
	}
	// The scheme is case-insensitive (RFC 7235).
	h := http.Header{}
	h.Set("Authorization", "bearer "+tok)
	require.Equal(t, http.StatusOK, f.a.DoHeader(t, http.MethodGet, adminRoute, nil, h).Status)
}

// TestJWTSecretRotation: with the new secret in DOLIBARR_JWT_SECRET and the
// old one in DOLIBARR_JWT_PREVIOUS_SECRET, tokens from before the rotation
// keep working until they expire; once the previous secret is dropped they
// are refused. New tokens are signed with the new secret.
func TestJWTSecretRotation(t *testing.T) {
	a := apptest.New(t, "sqlite")
	old := a.AdminToken(t)
	rotated := a.Config
	rotated.Auth.JWTPreviousSecret = rotated.Auth.JWTSecret
	rotated.Auth.JWTSecret = "the-new-secret-after-rotation-0123456789abcdef"
	rt := a.Restart(t, rotated)
	require.Equal(t, http.StatusOK, rt.Do(t, http.MethodGet, adminRoute, nil, old).Status, "old token during rotation")
	fresh := loginToken(t, rt, apptest.AdminLogin, apptest.AdminPassword)
	require.Equal(t, http.StatusOK, rt.Do(t, http.MethodGet, adminRoute, nil, fresh).Status)
	require.Equal(t, http.StatusUnauthorized, a.Do(t, http.MethodGet, adminRoute, nil, fresh).Status,
		"a token signed with the new secret is unknown to a server without it")

	done := rotated
	done.Auth.JWTPreviousSecret = ""
	after := a.Restart(t, done)
	res := after.Do(t, http.MethodGet, adminRoute, nil, old)
	require.Equal(t, http.StatusUnauthorized, res.Status, "old token after the previous secret is dropped")
	require.Equal(t, http.StatusOK, after.Do(t, http.MethodGet, adminRoute, nil, fresh).Status)
}

// TestTokenAttackLooseEncodings: issue 21 found tokens with exp written as
// a string accepted, a crit header ignored and "Bearer" followed by two
// spaces accepted. Each needs the signing key to exploit, but a strict
// verifier refuses every one: time claims are JSON numbers only, no crit
// extension is understood, and the header is "Bearer", one space, the
// token.
func TestTokenAttackLooseEncodings(t *testing.T) {
	f := newForgery(t)
	exp := f.a.Now().Add(time.Hour).Unix()
	now := f.a.Now().Unix()
	for name, change := range map[string]map[string]any{
		"exp as a string":       {"exp": strconv.FormatInt(exp, 10)},
		"nbf as a string":       {"nbf": strconv.FormatInt(now, 10)},
		"iat as a string":       {"iat": strconv.FormatInt(now, 10)},
		"exp as a float string": {"exp": strconv.FormatInt(exp, 10) + ".5"},
		"exp as an object":      {"exp": map[string]any{"n": exp}},
		"nbf as true":           {"nbf": true},
	} {
		t.Run(name, func(t *testing.T) { f.refused(t, f.sign(t, f.claimsWith(change), f.secret), "invalid_token") })
	}
	// The same claims under a differently cased key, which encoding/json
	// matches to exp all the same.
	c := f.claimsWith(map[string]any{"exp": nil})
	c["EXP"] = strconv.FormatInt(exp, 10)
	f.refused(t, f.sign(t, c, f.secret), "invalid_token")
	// Numbers stay accepted, integral or not (RFC 7519 NumericDate).
	res := f.a.Do(t, http.MethodGet, adminRoute, nil, f.sign(t, f.claimsWith(map[string]any{"exp": float64(exp) + 0.5}), f.secret))
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))

	for _, crit := range []any{[]string{"exp"}, []string{"b64"}, []string{}, "exp"} {
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, f.claims)
		tok.Header["kid"] = f.kid
		tok.Header["crit"] = crit
		s, err := tok.SignedString(f.secret)
		require.NoError(t, err)
		f.refused(t, s, "invalid_token")
	}

	good := f.sign(t, f.claims, f.secret)
	for _, hdr := range []string{"Bearer  " + good, "Bearer\t" + good, "Bearer " + good + "\t", "Bearer " + good + " ", "Bearer " + good + ",x"} {
		res := f.a.DoHeader(t, http.MethodGet, adminRoute, nil, http.Header{"Authorization": {hdr}})
		require.Equalf(t, http.StatusUnauthorized, res.Status, "Authorization: %q", hdr)
		require.Equalf(t, "invalid_token", res.Problem(t).Code, "Authorization: %q", hdr)
	}
	for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
		res := f.a.DoHeader(t, http.MethodGet, adminRoute, nil, http.Header{"Authorization": {scheme + " " + good}})
		require.Equal(t, http.StatusOK, res.Status, scheme)
	}
}
