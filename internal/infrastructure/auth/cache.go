package auth

import (
	"sync"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// verified remembers tokens that passed full verification, keyed by the
// exact token string: a client sends the same token on every request for its
// whole lifetime, and re-running the HMAC and the claims decode each time is
// most of the middleware's cost. Only the time-dependent checks (exp, nbf,
// iat, with the same leeway) are repeated on a hit; the signature, algorithm,
// key id, issuer and audience cannot change for the same bytes. A tampered
// token is a different string, so it misses and is verified in full. Only
// valid tokens enter, so an attacker cannot fill it with junk; when full, an
// arbitrary entry is evicted (Go's map order), which keeps the cost O(1).
type verified struct {
	mu  sync.RWMutex
	m   map[string]cachedToken
	max int
}

type cachedToken struct {
	p         domain.Principal
	notBefore time.Time // the later of nbf and iat
}

func newVerified(n int) *verified {
	return &verified{m: make(map[string]cachedToken, min(n, 1024)), max: n}
}

func (v *verified) get(raw string) (cachedToken, bool) {
	v.mu.RLock()
	e, ok := v.m[raw]
	v.mu.RUnlock()
	return e, ok
}

func (v *verified) put(raw string, e cachedToken) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.m[raw]; !ok && len(v.m) >= v.max {
		for k := range v.m {
			delete(v.m, k)
			break
		}
	}
	v.m[raw] = e
}

func (v *verified) drop(raw string) {
	v.mu.Lock()
	delete(v.m, raw)
	v.mu.Unlock()
}
