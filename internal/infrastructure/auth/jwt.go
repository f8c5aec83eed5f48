// Package auth issues and verifies the API's JWT access tokens, hashes
// passwords with argon2id and throttles repeated login failures.
//
// Tokens are HS256 only: the verifier pins the algorithm, the issuer and the
// audience, requires exp (exp, nbf and iat as JSON numbers only), refuses a
// crit header and non-canonical base64url, and picks the key by the token's
// kid so a secret can be rotated while tokens signed by the previous one
// stay valid until they expire.
package auth

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// MinSecretLen is the shortest secret accepted: HS256 wants at least 256 bits.
const MinSecretLen = 32

// Errors a verification can end with. Both unwrap to domain.ErrUnauthorized.
var (
	ErrTokenExpired = domain.E(domain.ErrUnauthorized, "token_expired", "the access token has expired; log in again")
	ErrTokenInvalid = domain.E(domain.ErrUnauthorized, "invalid_token", "the access token is invalid")
)

// TokenConfig configures Tokens.
type TokenConfig struct {
	Secret         string // signs new tokens
	PreviousSecret string // optional: still verifies tokens it signed
	Issuer         string
	Audience       string
	TTL            time.Duration
	// Leeway tolerates clock skew between replicas on exp, nbf and iat.
	Leeway time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// CacheSize bounds the verified-token cache (entries); 0 means 10000,
	// a negative value disables it.
	CacheSize int
}

type key struct {
	id     string
	secret []byte
}

// Tokens issues and verifies access tokens.
type Tokens struct {
	cur      key
	prev     *key
	issuer   string
	audience string
	ttl      time.Duration
	leeway   time.Duration
	now      func() time.Time
	parser   *jwt.Parser
	cache    *verified
}

// NewTokens checks c and returns a Tokens.
func NewTokens(c TokenConfig) (*Tokens, error) {
	if len(c.Secret) < MinSecretLen {
		return nil, fmt.Errorf("auth: the JWT secret must be at least %d bytes", MinSecretLen)
	}
	if c.PreviousSecret != "" && len(c.PreviousSecret) < MinSecretLen {
		return nil, fmt.Errorf("auth: the previous JWT secret must be at least %d bytes", MinSecretLen)
	}
	if c.Issuer == "" || c.Audience == "" || c.TTL <= 0 {
		return nil, errors.New("auth: issuer, audience and a positive TTL are required")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	t := &Tokens{cur: newKey(c.Secret), issuer: c.Issuer, audience: c.Audience, ttl: c.TTL, leeway: c.Leeway, now: c.Now}
	switch {
	case c.CacheSize == 0:
		t.cache = newVerified(10000)
	case c.CacheSize > 0:
		t.cache = newVerified(c.CacheSize)
	}
	if c.PreviousSecret != "" && c.PreviousSecret != c.Secret {
		k := newKey(c.PreviousSecret)
		t.prev = &k
	}
	t.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(c.Issuer),
		jwt.WithAudience(c.Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(c.Leeway),
		jwt.WithTimeFunc(c.Now),
		// Canonical base64url only: one token, one spelling.
		jwt.WithStrictDecoding(),
	)
	return t, nil
}

// newKey derives the key id from the secret: a short hash names the key
// without revealing anything the signature does not already expose.
func newKey(secret string) key {
	sum := sha256.Sum256([]byte("dolibarr-go jwt kid\x00" + secret))
	return key{id: hex.EncodeToString(sum[:8]), secret: []byte(secret)}
}

// TTL returns the lifetime of issued tokens.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// claims is the token body: the registered claims plus the login and the
// permission list.
type claims struct {
	jwt.RegisteredClaims
	Login string    `json:"login"`
	Perms permClaim `json:"perms"`
	// Gen is the user's token generation at issue (decision 0026); absent
	// means 0, the generation of a user never revoked.
	Gen int64 `json:"gen,omitempty"`
}

// Issue signs a token for the user with the given permissions and returns it
// with its expiry.
func (t *Tokens) Issue(userID int64, login string, perms domain.PermissionSet, generation int64) (string, time.Time, error) {
	now := t.now().Truncate(time.Second)
	exp := now.Add(t.ttl)
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", time.Time{}, err
	}
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.issuer,
			Subject:   strconv.FormatInt(userID, 10),
			Audience:  jwt.ClaimStrings{t.audience},
			ExpiresAt: jwt.NewNumericDate(exp),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        base64.RawURLEncoding.EncodeToString(jti[:]),
		},
		Login: login,
		Perms: permClaim{set: perms},
		Gen:   generation,
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	tok.Header["kid"] = t.cur.id
	s, err := tok.SignedString(t.cur.secret)
	if err != nil {
		return "", time.Time{}, err
	}
	return s, exp, nil
}

// Verify checks raw's signature, algorithm, key id, issuer, audience and
// validity period and returns the principal its claims describe.
func (t *Tokens) Verify(raw string) (domain.Principal, error) {
	if t.cache != nil {
		if e, ok := t.cache.get(raw); ok {
			now := t.now()
			if now.Before(e.p.ExpiresAt.Add(t.leeway)) && !now.Before(e.notBefore.Add(-t.leeway)) {
				return e.p, nil
			}
			// Outside its validity period: the full check below gives the
			// precise error, and the entry goes.
			t.cache.drop(raw)
		}
	}
	var c claims
	_, err := t.parser.ParseWithClaims(raw, &c, t.keyFor)
	if err != nil {
		if errors.Is(err, jwt.ErrTokenExpired) {
			return domain.Principal{}, ErrTokenExpired
		}
		return domain.Principal{}, ErrTokenInvalid
	}
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || id <= 0 || c.ID == "" || !c.Perms.present || c.Gen < 0 {
		return domain.Principal{}, ErrTokenInvalid
	}
	p := domain.Principal{
		UserID: id, Login: c.Login, Permissions: c.Perms.set, TokenID: c.ID, ExpiresAt: c.ExpiresAt.Time, Generation: c.Gen,
	}
	if t.cache != nil {
		var nbf time.Time
		if c.NotBefore != nil {
			nbf = c.NotBefore.Time
		}
		if c.IssuedAt != nil && c.IssuedAt.After(nbf) {
			nbf = c.IssuedAt.Time
		}
		t.cache.put(raw, cachedToken{p: p, notBefore: nbf})
	}
	return p, nil
}

// keyFor picks the verification key named by the token's kid. A token
// without a kid, or naming a key we do not hold, is refused. The algorithm
// has already been pinned to HS256 by the parser. A token with a crit
// header is refused too: it names extensions the verifier must understand
// (RFC 7515 4.1.11), and we understand none; golang-jwt ignores it.
func (t *Tokens) keyFor(tok *jwt.Token) (any, error) {
	if _, ok := tok.Header["crit"]; ok {
		return nil, errors.New("crit header: no extension is understood")
	}
	kid, _ := tok.Header["kid"].(string)
	switch {
	case kid == "":
	case kid == t.cur.id:
		return t.cur.secret, nil
	case t.prev != nil && kid == t.prev.id:
		return t.prev.secret, nil
	}
	return nil, errors.New("unknown key id")
}

// permClaim is the "perms" claim: a JSON array of permission names. It
// decodes straight into a bit set without allocating per permission, so
// verification cost does not grow with the number of permissions held.
type permClaim struct {
	set     domain.PermissionSet
	present bool
}

// MarshalJSON writes the permission names.
func (p permClaim) MarshalJSON() ([]byte, error) {
	return json.Marshal(p.set.List())
}

// UnmarshalJSON reads an array of strings. Names without escapes (all real
// permission names) are looked up in place; anything else falls back to
// encoding/json. Unknown names are ignored: they grant nothing.
func (p *permClaim) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' {
		return errors.New("perms: not an array")
	}
	p.present = true
	rest := bytes.TrimSpace(b[1 : len(b)-1])
	for len(rest) > 0 {
		if rest[0] != '"' {
			return errors.New("perms: not an array of strings")
		}
		end := bytes.IndexByte(rest[1:], '"')
		if end < 0 {
			return errors.New("perms: unterminated string")
		}
		name := rest[1 : 1+end]
		if bytes.IndexByte(name, '\\') >= 0 {
			return p.slow(b)
		}
		p.set.AddBytes(name)
		rest = bytes.TrimSpace(rest[end+2:])
		if len(rest) == 0 {
			break
		}
		if rest[0] != ',' {
			return errors.New("perms: malformed array")
		}
		rest = bytes.TrimSpace(rest[1:])
		if len(rest) == 0 {
			return errors.New("perms: malformed array")
		}
	}
	return nil
}

func (p *permClaim) slow(b []byte) error {
	var names []string
	if err := json.Unmarshal(b, &names); err != nil {
		return err
	}
	p.set = domain.PermissionSet{}
	for _, n := range names {
		p.set.Add(domain.Permission(n))
	}
	return nil
}
