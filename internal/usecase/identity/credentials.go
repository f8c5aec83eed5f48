package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// API key format (decision 0025): "dgo_" + 12 hex characters of public
// prefix + "_" + 43 base64url characters of secret (256 random bits). The
// "dgo_" start tells a key from a JWT (which starts with "eyJ" and holds two
// dots) without parsing it, and secret scanners can match it.
const (
	APIKeyScheme    = "dgo_"
	apiKeyPrefixLen = 12
	apiKeySecretLen = 43
	apiKeyLen       = len(APIKeyScheme) + apiKeyPrefixLen + 1 + apiKeySecretLen
)

// NewAPIKeySecret returns a fresh key, its public prefix and the hex SHA-256
// of its secret, the only part stored.
func NewAPIKeySecret() (raw, prefix, hash string, err error) {
	var p [apiKeyPrefixLen / 2]byte
	var s [32]byte
	if _, err := rand.Read(p[:]); err != nil {
		return "", "", "", err
	}
	if _, err := rand.Read(s[:]); err != nil {
		return "", "", "", err
	}
	prefix = hex.EncodeToString(p[:])
	secret := base64.RawURLEncoding.EncodeToString(s[:])
	return APIKeyScheme + prefix + "_" + secret, prefix, HashSecret(secret), nil
}

// ParseAPIKey splits a presented key into its prefix and secret; ok is
// false for anything not of the exact format, which is refused without a
// database lookup.
func ParseAPIKey(raw string) (prefix, secret string, ok bool) {
	if len(raw) != apiKeyLen || !strings.HasPrefix(raw, APIKeyScheme) {
		return "", "", false
	}
	prefix = raw[len(APIKeyScheme) : len(APIKeyScheme)+apiKeyPrefixLen]
	if raw[len(APIKeyScheme)+apiKeyPrefixLen] != '_' {
		return "", "", false
	}
	for i := 0; i < len(prefix); i++ {
		c := prefix[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", "", false
		}
	}
	secret = raw[len(APIKeyScheme)+apiKeyPrefixLen+1:]
	for i := 0; i < len(secret); i++ {
		c := secret[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && c != '-' && c != '_' {
			return "", "", false
		}
	}
	return prefix, secret, true
}

// IsAPIKey reports whether a bearer credential is meant as an API key
// (rather than a JWT), so it is checked as one even when malformed.
func IsAPIKey(raw string) bool { return strings.HasPrefix(raw, APIKeyScheme) }

// HashSecret returns the hex SHA-256 of a high-entropy secret (an API key's
// or a refresh token's). A fast hash suffices: the secret has 256 random
// bits, so the hash cannot be reversed by guessing, unlike a password's.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// newOpaque returns n random bytes base64url-encoded (refresh tokens and
// their families).
func newOpaque(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
