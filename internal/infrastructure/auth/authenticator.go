package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/identity"
)

// KeyGrant is an API key with what the verifier needs of its user.
type KeyGrant struct {
	Key             domain.APIKey
	Login           string
	Active          bool
	UserPermissions domain.PermissionSet
}

// KeyStore finds API keys by their public prefix and records their use.
type KeyStore interface {
	KeyByPrefix(ctx context.Context, prefix string) (KeyGrant, error)
	TouchKey(ctx context.Context, id int64, at time.Time) error
}

// touchEvery bounds last-used writes: at most one per key, replica and
// minute, however many requests the key makes.
const touchEvery = time.Minute

// Authenticator checks a request's credential: an API key ("dgo_...") or
// a JWT access token, the latter also against the revocation cache.
// Every failure, whatever its cause (malformed, unknown, wrong secret,
// expired, revoked, deactivated user), is ErrTokenInvalid or
// ErrTokenExpired, the answers a wrong JWT gets.
type Authenticator struct {
	tokens *Tokens
	rev    *Revocations // nil: no revocation check (benchmarks)
	store  KeyStore     // nil: API keys refused
	now    func() time.Time
	log    *zap.Logger

	mu    sync.RWMutex
	keys  map[string]*cachedKey // by prefix
	epoch atomic.Int64          // bumped on each flush, so a lookup racing one is not cached
	wg    sync.WaitGroup        // last-used writes in flight
}

type cachedKey struct {
	hash      [sha256.Size]byte
	p         domain.Principal
	expires   time.Time // zero: never
	lastTouch atomic.Int64
}

// NewAuthenticator returns the verifier of the Authorize middleware.
func NewAuthenticator(tokens *Tokens, rev *Revocations, store KeyStore, now func() time.Time, log *zap.Logger) *Authenticator {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = zap.NewNop()
	}
	a := &Authenticator{tokens: tokens, rev: rev, store: store, now: now, log: log, keys: map[string]*cachedKey{}}
	if rev != nil {
		rev.OnChange(a.flushKeys)
	}
	return a
}

// flushKeys forgets every cached key: a key was revoked or a user changed,
// and the next use of each key reads it again.
func (a *Authenticator) flushKeys() {
	a.mu.Lock()
	a.epoch.Add(1)
	clear(a.keys)
	a.mu.Unlock()
}

// Verify returns the principal raw authenticates.
func (a *Authenticator) Verify(ctx context.Context, raw string) (domain.Principal, error) {
	if identity.IsAPIKey(raw) {
		return a.verifyKey(ctx, raw)
	}
	p, err := a.tokens.Verify(raw)
	if err != nil {
		return p, err
	}
	if a.rev != nil && p.Generation < a.rev.Generation(p.UserID) {
		return domain.Principal{}, ErrTokenInvalid
	}
	return p, nil
}

func (a *Authenticator) verifyKey(ctx context.Context, raw string) (domain.Principal, error) {
	prefix, secret, ok := identity.ParseAPIKey(raw)
	if !ok || a.store == nil {
		return domain.Principal{}, ErrTokenInvalid
	}
	sum := sha256.Sum256([]byte(secret))
	a.mu.RLock()
	e := a.keys[prefix]
	a.mu.RUnlock()
	if e == nil {
		var err error
		if e, err = a.loadKey(ctx, prefix); err != nil {
			return domain.Principal{}, err
		}
	}
	if subtle.ConstantTimeCompare(sum[:], e.hash[:]) != 1 {
		return domain.Principal{}, ErrTokenInvalid
	}
	now := a.now()
	if !e.expires.IsZero() && !now.Before(e.expires) {
		return domain.Principal{}, ErrTokenInvalid
	}
	a.touch(e, now)
	return e.p, nil
}

// loadKey reads a key the cache lacks and caches it when it can be used.
func (a *Authenticator) loadKey(ctx context.Context, prefix string) (*cachedKey, error) {
	epoch := a.epoch.Load()
	g, err := a.store.KeyByPrefix(ctx, prefix)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, err
	}
	k := g.Key
	if !g.Active || k.RevokedAt != nil {
		return nil, ErrTokenInvalid
	}
	h, err := hex.DecodeString(k.SecretHash)
	if err != nil || len(h) != sha256.Size {
		return nil, ErrTokenInvalid
	}
	e := &cachedKey{p: domain.Principal{
		UserID: k.UserID, Login: g.Login, APIKeyID: k.ID,
		// Never more than the user holds now: a role taken away narrows
		// the key too.
		Permissions: domain.NewPermissionSet(k.Permissions...).Intersect(g.UserPermissions),
	}}
	copy(e.hash[:], h)
	if k.ExpiresAt != nil {
		e.expires = *k.ExpiresAt
		e.p.ExpiresAt = *k.ExpiresAt
	}
	if k.LastUsedAt != nil {
		e.lastTouch.Store(k.LastUsedAt.UnixNano())
	}
	a.mu.Lock()
	if a.epoch.Load() == epoch {
		a.keys[prefix] = e
	}
	a.mu.Unlock()
	return e, nil
}

// touch records the key's use at most once per touchEvery, off the
// request's path.
func (a *Authenticator) touch(e *cachedKey, now time.Time) {
	last := e.lastTouch.Load()
	if now.UnixNano()-last < int64(touchEvery) || !e.lastTouch.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := a.store.TouchKey(ctx, e.p.APIKeyID, now); err != nil {
			a.log.Warn("recording an API key's last use failed", zap.Int64("api_key_id", e.p.APIKeyID), zap.Error(err))
		}
	}()
}

// Wait waits for the last-used writes in flight (tests, shutdown).
func (a *Authenticator) Wait() { a.wg.Wait() }
