package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are argon2id's cost parameters.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	KeyLen  uint32
	SaltLen uint32
}

// DefaultArgon2 is OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane):
// about 20-40 ms per hash on one core, which bounds online guessing and keeps
// memory per login small enough to serve concurrent logins on a small pod.
var DefaultArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}

// Hasher hashes and verifies passwords with argon2id, encoded in the PHC
// string format ($argon2id$v=19$m=...,t=...,p=...$salt$hash) so parameters can
// be raised later while old hashes still verify.
type Hasher struct {
	p     Argon2Params
	dummy string
	// slots bounds concurrent hashing: each one holds p.Memory KiB, so a
	// login flood queues instead of exhausting memory.
	slots chan struct{}
}

// NewHasher returns a Hasher with parameters p that runs at most one hash
// per CPU (GOMAXPROCS, at least 2) at once.
func NewHasher(p Argon2Params) (*Hasher, error) {
	return NewHasherSlots(p, max(2, runtime.GOMAXPROCS(0)))
}

// NewHasherSlots returns a Hasher that runs at most slots hashes at once
// (at least 1); the others wait their turn, or their context.
func NewHasherSlots(p Argon2Params, slots int) (*Hasher, error) {
	h := &Hasher{p: p, slots: make(chan struct{}, max(1, slots))}
	var junk [16]byte
	if _, err := rand.Read(junk[:]); err != nil {
		return nil, err
	}
	d, err := h.hash(base64.RawStdEncoding.EncodeToString(junk[:]))
	if err != nil {
		return nil, err
	}
	h.dummy = d
	return h, nil
}

// Hash returns the encoded argon2id hash of pw with a fresh salt.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return h.hash(pw)
}

func (h *Hasher) hash(pw string) (string, error) {
	salt := make([]byte, h.p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	sum := argon2.IDKey([]byte(pw), salt, h.p.Time, h.p.Memory, h.p.Threads, h.p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.p.Memory, h.p.Time, h.p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(sum)), nil
}

// Verify reports whether pw matches encoded. An empty or malformed encoded
// hash is checked against a dummy hash instead, so an unknown login costs the
// same time as a wrong password and the answer reveals nothing.
func (h *Hasher) Verify(ctx context.Context, encoded, pw string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.release()
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		// Same work as a real check; the result is discarded.
		p, salt, _, _ = decodeHash(h.dummy)
		argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
		return false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want))) //nolint:gosec // len of a decoded hash
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

// Slots returns how many hashes may run at once.
func (h *Hasher) Slots() int { return cap(h.slots) }

// HashSlots sizes the bound on concurrent hashes from the process's memory
// limit (0: none known): at most a quarter of it goes to hashing, each hash
// holding p.Memory KiB, and never more than cpus, nor fewer than 1. Without
// a known limit it is min(cpus, 4): a node's CPU count is no bound when the
// pod has no CPU limit (64 CPUs x 19 MiB is 1.2 GiB).
func HashSlots(p Argon2Params, memLimit int64, cpus int) int {
	n := min(cpus, 4)
	if memLimit > 0 {
		n = min(cpus, int(memLimit/4/(int64(p.Memory)*1024)))
	}
	return max(1, n)
}

// maxArgonMemory refuses hashes whose parameters would let a tampered row
// make one login allocate gigabytes.
const maxArgonMemory = 1 << 20 // KiB: 1 GiB

func decodeHash(s string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("not an argon2id hash")
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, errors.New("unsupported argon2 version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, errors.New("malformed argon2 parameters")
	}
	if p.Memory == 0 || p.Memory > maxArgonMemory || p.Time == 0 || p.Time > 64 || p.Threads == 0 {
		return p, nil, nil, errors.New("argon2 parameters out of range")
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, errors.New("malformed salt")
	}
	sum, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(sum) < 16 {
		return p, nil, nil, errors.New("malformed hash")
	}
	p.KeyLen = uint32(len(sum))   //nolint:gosec // small
	p.SaltLen = uint32(len(salt)) //nolint:gosec // small
	return p, salt, sum, nil
}
