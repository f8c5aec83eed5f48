package auth

import "github.com/dolibarr-go/dolibarr/internal/domain"

// ParsePermClaim exposes the perms claim decoder to tests.
func ParsePermClaim(b []byte) (domain.PermissionSet, error) {
	var p permClaim
	err := p.UnmarshalJSON(b)
	return p.set, err
}

// Len is the number of tracked keys.
func (t *Throttle) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.buckets)
}

// DecodeClaims runs the fast claims decoder and, separately, encoding/json,
// for the differential fuzz test.
func DecodeClaims(b []byte) (fast, slow any, fastErr, slowErr error) {
	var f, s claims
	fastErr = f.decodeFast(b)
	if slowErr = strictTimes(b); slowErr == nil {
		slowErr = jsonUnmarshal(b, (*rawClaims)(&s))
	}
	return f, s, fastErr, slowErr
}

// CacheLen is the number of cached verified tokens.
func (t *Tokens) CacheLen() int {
	if t.cache == nil {
		return 0
	}
	t.cache.mu.RLock()
	defer t.cache.mu.RUnlock()
	return len(t.cache.m)
}
