package auth

import (
	"sync"
	"time"
)

// ThrottleConfig bounds login attempts.
type ThrottleConfig struct {
	// PerLogin and PerClient are the failed attempts allowed in Window for one
	// login and for one client address; the next attempt waits until the
	// window that began with the first failure ends.
	PerLogin  int
	PerClient int
	Window    time.Duration
	// MaxKeys bounds memory: when full, new keys are not tracked until
	// expired ones are swept (an attacker spraying addresses cannot grow the
	// map without limit). Zero means 100000.
	MaxKeys int
	Now     func() time.Time
}

// Throttle counts failed logins per login and per client address in memory.
// Each API replica counts on its own: with N replicas an attacker gets at most
// N times the budget, which the argon2id cost still makes slow.
type Throttle struct {
	c       ThrottleConfig
	mu      sync.Mutex
	buckets map[string]*bucket
	sweepAt time.Time
}

type bucket struct {
	n     int
	reset time.Time
}

// NewThrottle returns a Throttle; a non-positive limit disables that key.
func NewThrottle(c ThrottleConfig) *Throttle {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.MaxKeys <= 0 {
		c.MaxKeys = 100000
	}
	return &Throttle{c: c, buckets: map[string]*bucket{}}
}

// Begin records an attempt for login from client before the password is
// checked, so concurrent attempts cannot slip past the limit. It returns 0
// when the attempt may proceed, else how long the caller must wait (and the
// attempt is not counted).
func (t *Throttle) Begin(login, client string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.c.Now()
	t.sweep(now)
	lk, ck := "l\x00"+login, "c\x00"+client
	wait := max(t.blocked(lk, t.c.PerLogin, now), t.blocked(ck, t.c.PerClient, now))
	if wait > 0 {
		return wait
	}
	t.count(lk, t.c.PerLogin, now)
	t.count(ck, t.c.PerClient, now)
	return 0
}

// Succeeded forgets login's failures and refunds the attempt Begin counted
// for client. The client's earlier failures stay: one valid account must not
// let an attacker reset the counter of the address it sprays from.
func (t *Throttle) Succeeded(login, client string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.buckets, "l\x00"+login)
	if b := t.buckets["c\x00"+client]; b != nil && b.n > 0 {
		b.n--
	}
}

func (t *Throttle) blocked(k string, limit int, now time.Time) time.Duration {
	if limit <= 0 {
		return 0
	}
	b := t.buckets[k]
	if b == nil || !now.Before(b.reset) || b.n < limit {
		return 0
	}
	return b.reset.Sub(now)
}

func (t *Throttle) count(k string, limit int, now time.Time) {
	if limit <= 0 {
		return
	}
	b := t.buckets[k]
	if b == nil || !now.Before(b.reset) {
		if b == nil && len(t.buckets) >= t.c.MaxKeys {
			return
		}
		b = &bucket{reset: now.Add(t.c.Window)}
		t.buckets[k] = b
	}
	b.n++
}

// sweep drops expired buckets at most once per window, or at once when the
// map is full.
func (t *Throttle) sweep(now time.Time) {
	if now.Before(t.sweepAt) && len(t.buckets) < t.c.MaxKeys {
		return
	}
	for k, b := range t.buckets {
		if !now.Before(b.reset) {
			delete(t.buckets, k)
		}
	}
	t.sweepAt = now.Add(t.c.Window)
}
