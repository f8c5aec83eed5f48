package auth_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/auth"
)

const secret = "unit-test-secret-0123456789-abcdefghij"

func tokens(t *testing.T, now func() time.Time, prev string) *auth.Tokens {
	t.Helper()
	tk, err := auth.NewTokens(auth.TokenConfig{Secret: secret, PreviousSecret: prev, Issuer: "iss", Audience: "aud", TTL: time.Minute, Now: now})
	require.NoError(t, err)
	return tk
}

func TestTokensRoundTripClaims(t *testing.T) {
	tk := tokens(t, nil, "")
	perms := domain.NewPermissionSet(domain.PermInvoicePay, domain.PermProductRead)
	raw, exp, err := tk.Issue(42, "jane", perms, 0)
	require.NoError(t, err)
	p, err := tk.Verify(raw)
	require.NoError(t, err)
	require.Equal(t, int64(42), p.UserID)
	require.Equal(t, "jane", p.Login)
	require.Equal(t, perms, p.Permissions)
	require.Equal(t, exp.Unix(), p.ExpiresAt.Unix())
	require.NotEmpty(t, p.TokenID)
	other, _, err := tk.Issue(42, "jane", perms, 0)
	require.NoError(t, err)
	q, err := tk.Verify(other)
	require.NoError(t, err)
	require.NotEqual(t, p.TokenID, q.TokenID, "jti is unique")
}

func TestNewTokensRefusesWeakConfig(t *testing.T) {
	_, err := auth.NewTokens(auth.TokenConfig{Secret: "short", Issuer: "i", Audience: "a", TTL: time.Minute})
	require.Error(t, err)
	_, err = auth.NewTokens(auth.TokenConfig{Secret: secret, PreviousSecret: "short", Issuer: "i", Audience: "a", TTL: time.Minute})
	require.Error(t, err)
	_, err = auth.NewTokens(auth.TokenConfig{Secret: secret, TTL: time.Minute})
	require.Error(t, err)
}

func TestPreviousSecretStillVerifies(t *testing.T) {
	oldTk := tokens(t, nil, "")
	raw, _, err := oldTk.Issue(1, "a", domain.PermissionSet{}, 0)
	require.NoError(t, err)
	rotated, err := auth.NewTokens(auth.TokenConfig{Secret: "a-brand-new-secret-0123456789-abcdefgh", PreviousSecret: secret, Issuer: "iss", Audience: "aud", TTL: time.Minute})
	require.NoError(t, err)
	_, err = rotated.Verify(raw)
	require.NoError(t, err)
	fresh, _, err := rotated.Issue(1, "a", domain.PermissionSet{}, 0)
	require.NoError(t, err)
	_, err = oldTk.Verify(fresh)
	require.ErrorIs(t, err, domain.ErrUnauthorized, "new tokens are signed with the new secret")
}

func TestExpiryUsesTheClockAndLeeway(t *testing.T) {
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	tk := tokens(t, clock, "")
	raw, _, err := tk.Issue(1, "a", domain.PermissionSet{}, 0)
	require.NoError(t, err)
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	_, err = tk.Verify(raw)
	require.Same(t, auth.ErrTokenExpired, err)
}

// TestPermClaimParsing covers the hand-written decoder of the perms claim:
// escapes fall back to encoding/json, unknown names grant nothing, and
// malformed arrays are refused rather than half-read.
func TestPermClaimParsing(t *testing.T) {
	tk := tokens(t, nil, "")
	raw, _, err := tk.Issue(1, "a", domain.NewPermissionSet(domain.PermStockMove), 0)
	require.NoError(t, err)
	p, err := tk.Verify(raw)
	require.NoError(t, err)
	require.Equal(t, []domain.Permission{domain.PermStockMove}, p.Permissions.List())
	require.False(t, p.Can(domain.PermUserAdmin))
	require.True(t, p.Can(domain.PermAuthenticated))

	for in, want := range map[string][]domain.Permission{
		`[]`:                                    {},
		` [ "stock:move" , "invoice:pay" ] `:    {domain.PermInvoicePay, domain.PermStockMove},
		`["user\u003aadmin"]`:                   {domain.PermUserAdmin},
		`["no:such", "product:read", "no\"pe"]`: {domain.PermProductRead},
	} {
		got, err := auth.ParsePermClaim([]byte(in))
		require.NoError(t, err, in)
		require.ElementsMatch(t, want, got.List(), in)
	}
	for _, bad := range []string{`"user:admin"`, `[1]`, `["a",]`, `["a" "b"]`, `["a`, `{}`, `[`, `null`} {
		_, err := auth.ParsePermClaim([]byte(bad))
		require.Error(t, err, bad)
	}
}

func TestHasherVerifiesAndRejects(t *testing.T) {
	h, err := auth.NewHasher(auth.Argon2Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16})
	require.NoError(t, err)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "correct horse")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(enc, "$argon2id$v=19$m=1024,t=1,p=1$"), enc)
	again, err := h.Hash(ctx, "correct horse")
	require.NoError(t, err)
	require.NotEqual(t, enc, again, "salted")
	ok, err := h.Verify(ctx, enc, "correct horse")
	require.NoError(t, err)
	require.True(t, ok)
	ok, _ = h.Verify(ctx, enc, "correct horsE")
	require.False(t, ok)
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1024,t=1,p=1$AAAA$AAAA",
		"$argon2id$v=19$m=99999999,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		ok, err := h.Verify(ctx, bad, "correct horse")
		require.NoError(t, err)
		require.False(t, ok, bad)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	// A cancelled caller waiting for a hashing slot gives up; with free
	// slots it may still run, so only check that it never succeeds wrongly.
	if ok, err := h.Verify(cctx, enc, "wrong"); err == nil {
		require.False(t, ok)
	}
}

func TestThrottleWindowPerLoginAndPerClient(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	th := auth.NewThrottle(auth.ThrottleConfig{PerLogin: 2, PerClient: 3, Window: time.Minute, Now: func() time.Time { return now }})
	require.Zero(t, th.Begin("bob", "1.1.1.1"))
	require.Zero(t, th.Begin("bob", "2.2.2.2"))
	require.Equal(t, time.Minute, th.Begin("bob", "3.3.3.3"), "third attempt on bob waits for the window")
	now = now.Add(20 * time.Second)
	require.Equal(t, 40*time.Second, th.Begin("bob", "3.3.3.3"))
	require.Zero(t, th.Begin("alice", "1.1.1.1"), "other logins are not affected")
	require.Zero(t, th.Begin("carol", "1.1.1.1"))
	require.Equal(t, 40*time.Second, th.Begin("dave", "1.1.1.1"), "client 1.1.1.1 reached 3 attempts")
	now = now.Add(41 * time.Second)
	require.Zero(t, th.Begin("bob", "4.4.4.4"), "window over")

	// Success forgets the login's failures and refunds the attempt, not
	// the client's earlier failures.
	th2 := auth.NewThrottle(auth.ThrottleConfig{PerLogin: 2, PerClient: 2, Window: time.Minute, Now: func() time.Time { return now }})
	require.Zero(t, th2.Begin("eve", "9.9.9.9"))
	require.Zero(t, th2.Begin("eve", "9.9.9.9"))
	th2.Succeeded("eve", "9.9.9.9")
	require.Zero(t, th2.Begin("frank", "8.8.8.8"))
	require.Zero(t, th2.Begin("eve", "8.8.8.8"), "eve's failures were forgotten")
	// 9.9.9.9 keeps the failure before eve's success: one more attempt
	// reaches its limit of 2, the next waits.
	require.Zero(t, th2.Begin("zed", "9.9.9.9"))
	require.NotZero(t, th2.Begin("yan", "9.9.9.9"))
}

func TestThrottleDisabledAndBounded(t *testing.T) {
	th := auth.NewThrottle(auth.ThrottleConfig{Window: time.Minute})
	for range 100 {
		require.Zero(t, th.Begin("x", "y"), "zero limits disable throttling")
	}
	now := time.Unix(0, 0)
	tb := auth.NewThrottle(auth.ThrottleConfig{PerLogin: 1, PerClient: 1000, Window: time.Minute, MaxKeys: 10, Now: func() time.Time { return now }})
	for i := range 100 {
		tb.Begin("user"+string(rune('a'+i%26))+string(rune('a'+i/26)), "c")
	}
	require.LessOrEqual(t, tb.Len(), 10)
	now = now.Add(2 * time.Minute)
	tb.Begin("fresh", "c")
	require.LessOrEqual(t, tb.Len(), 2, "expired keys are swept")
}

// TestVerifiedCacheRechecksTimeAndNothingElse: a cached token is still
// refused once expired; a token differing by one byte is verified in full;
// the cache never grows past its bound.
func TestVerifiedCacheRechecksTimeAndNothingElse(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	tk, err := auth.NewTokens(auth.TokenConfig{Secret: secret, Issuer: "iss", Audience: "aud", TTL: time.Minute,
		Leeway: 10 * time.Second, Now: clock, CacheSize: 3})
	require.NoError(t, err)
	raw, _, err := tk.Issue(1, "a", domain.NewPermissionSet(domain.PermProductRead), 0)
	require.NoError(t, err)
	_, err = tk.Verify(raw)
	require.NoError(t, err)
	require.Equal(t, 1, tk.CacheLen())
	p, err := tk.Verify(raw)
	require.NoError(t, err, "cache hit")
	require.True(t, p.Can(domain.PermProductRead))

	// Change the signature's first character: all six of its bits count.
	// (The last one of a 43-character signature carries two padding bits,
	// so flipping it can leave the decoded signature unchanged.)
	i := strings.LastIndexByte(raw, '.') + 1
	tampered := raw[:i] + map[bool]string{true: "A", false: "B"}[raw[i] != 'A'] + raw[i+1:]
	_, err = tk.Verify(tampered)
	require.ErrorIs(t, err, domain.ErrUnauthorized)

	mu.Lock()
	now = now.Add(time.Minute + 5*time.Second) // past exp, within leeway
	mu.Unlock()
	_, err = tk.Verify(raw)
	require.NoError(t, err, "the leeway applies to cached tokens as to fresh ones")
	mu.Lock()
	now = now.Add(10 * time.Second)
	mu.Unlock()
	_, err = tk.Verify(raw)
	require.Same(t, auth.ErrTokenExpired, err)
	require.Zero(t, tk.CacheLen(), "the expired entry is dropped")

	for i := range 10 {
		r, _, err := tk.Issue(int64(i+1), "a", domain.PermissionSet{}, 0)
		require.NoError(t, err)
		_, err = tk.Verify(r)
		require.NoError(t, err)
	}
	require.Equal(t, 3, tk.CacheLen())
}

// BenchmarkPasswordVerify is the cost of one login check with the default
// argon2id parameters: what bounds online guessing per core.
func BenchmarkPasswordVerify(b *testing.B) {
	h, err := auth.NewHasher(auth.DefaultArgon2)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	enc, err := h.Hash(ctx, "correct horse battery")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _ := h.Verify(ctx, enc, "correct horse battery"); !ok {
			b.Fatal("mismatch")
		}
	}
}
