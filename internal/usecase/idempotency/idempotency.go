// Package idempotency makes a retried request safe (decision 0027): the
// first request with an idempotency key runs, and its answer is stored in
// the same transaction as its change; the same key with the same request
// gets that answer again without running anything, with a different request
// an error, and while the first still runs a conflict.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Outcome is what a reservation found.
type Outcome int

// The outcomes of Store.Reserve.
const (
	Reserved   Outcome = iota + 1 // the key is ours: run the request
	Completed                     // a request with the key finished: Response is its answer
	InProgress                    // a request with the key is running
	Mismatch                      // the key was used for another request
)

// Request is what Reserve claims.
type Request struct {
	UserID  int64
	Key     string
	Hash    string // of method, path and body
	Now     time.Time
	TTL     time.Duration // how long the key is remembered
	LockFor time.Duration // after which an unfinished reservation is deemed abandoned
}

// Response is a stored answer.
type Response struct {
	Status  int
	Headers string // JSON object of the replayed headers
	Body    string
}

// Reservation is the result of Reserve.
type Reservation struct {
	Outcome  Outcome
	ID       int64
	Token    string // proves ownership of a Reserved key
	Response Response
}

// Store keeps idempotency keys.
type Store interface {
	// Reserve claims the key in its own short transaction (so concurrent
	// requests see it at once), or reports what holds it. An expired key,
	// or one reserved by a request that never finished (LockFor elapsed),
	// is taken over.
	Reserve(ctx context.Context, r Request) (Reservation, error)
	// Complete stores the answer inside ctx's transaction, the one of the
	// business change; it fails when the reservation is no longer ours.
	Complete(ctx context.Context, id int64, token string, resp Response) error
	// Release frees the key after a request that failed (rolled back).
	Release(ctx context.Context, id int64, token string) error
}

// MaxKeyLen is the longest key accepted.
const MaxKeyLen = domain.MaxIdempotencyKeyLen

// Errors with stable codes.
var (
	ErrInvalidKey = domain.E(domain.ErrInvalid, "invalid_idempotency_key",
		"the Idempotency-Key header must be 1 to 255 visible ASCII characters")
	ErrKeyReused = domain.E(domain.ErrInvalid, "idempotency_key_reused",
		"this Idempotency-Key was already used for a different request (method, path or body); use a new key")
	ErrInProgress = domain.E(domain.ErrConflict, "idempotency_key_in_use",
		"a request with this Idempotency-Key is still running; retry after it finishes")
	// errNotStored rolls back an answer that is not stored (an error).
	errNotStored = errors.New("idempotency: answer not stored")
)

// ValidKey reports whether k is 1 to MaxKeyLen visible ASCII characters.
func ValidKey(k string) bool {
	if k == "" || len(k) > MaxKeyLen {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// Hash identifies a request: its method, path and body.
func Hash(method, path string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(method + " " + path + "\n"))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Config tunes the Service.
type Config struct {
	TTL     time.Duration // default 24 h
	LockFor time.Duration // default 90 s
	Now     func() time.Time
	// Fault, in tests, is called at "after-complete" (inside the business
	// transaction, after its change and the stored answer, before commit)
	// and "before-answer" (after commit, before the client hears); an error
	// stops the request there, as a crash would.
	Fault func(stage string) error
}

// Service runs requests under idempotency keys.
type Service struct {
	store Store
	tx    domain.Transactor
	cfg   Config
}

// New returns the Service.
func New(store Store, tx domain.Transactor, cfg Config) *Service {
	if cfg.TTL <= 0 {
		cfg.TTL = 24 * time.Hour
	}
	if cfg.LockFor <= 0 {
		cfg.LockFor = 90 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{store: store, tx: tx, cfg: cfg}
}

// Result is what Run did: replayed a stored answer, or ran the request.
type Result struct {
	Replayed bool
	Response Response // the stored answer when Replayed
}

// Run runs fn once for (userID, key, hash). fn runs in a transaction
// carried by the context it gets, which every use case it calls joins; it
// returns the answer and whether to store it (a success). A stored answer
// commits with the change; an answer not stored, or an error, rolls the
// change back and frees the key. fn may run more than once when the
// database picks the transaction as a deadlock victim (domain.Transactor).
func (s *Service) Run(ctx context.Context, userID int64, key, hash string, fn func(ctx context.Context) (Response, bool, error)) (Result, error) {
	r, err := s.store.Reserve(ctx, Request{UserID: userID, Key: key, Hash: hash, Now: s.cfg.Now(), TTL: s.cfg.TTL, LockFor: s.cfg.LockFor})
	if err != nil {
		return Result{}, err
	}
	switch r.Outcome {
	case Completed:
		return Result{Replayed: true, Response: r.Response}, nil
	case InProgress:
		return Result{}, ErrInProgress
	case Mismatch:
		return Result{}, ErrKeyReused
	case Reserved:
	}
	var fnErr error
	err = s.tx.Do(ctx, func(ctx context.Context) error {
		fnErr = nil
		resp, store, err := fn(ctx)
		if err != nil {
			fnErr = err
			return err
		}
		if !store {
			return errNotStored
		}
		if err := s.store.Complete(ctx, r.ID, r.Token, resp); err != nil {
			return err
		}
		return s.fault("after-complete")
	})
	if err != nil {
		// Nothing committed: free the key for a retry. Best effort: if this
		// fails too, the reservation lapses after LockFor.
		_ = s.store.Release(context.WithoutCancel(ctx), r.ID, r.Token)
		if errors.Is(err, errNotStored) {
			return Result{}, nil
		}
		if fnErr != nil {
			return Result{}, fnErr
		}
		return Result{}, err
	}
	return Result{}, s.fault("before-answer")
}

func (s *Service) fault(stage string) error {
	if s.cfg.Fault == nil {
		return nil
	}
	return s.cfg.Fault(stage)
}
