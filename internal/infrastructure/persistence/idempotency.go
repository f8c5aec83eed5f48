package persistence

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/idempotency"
)

type idempotencyRow struct {
	ID              int64 `gorm:"primaryKey"`
	UserID          int64
	IdemKey         string
	RequestHash     string
	State           string
	LockToken       string
	LockedUntil     time.Time
	ResponseStatus  *int
	ResponseHeaders *string
	ResponseBody    *string
	CreatedAt       time.Time `gorm:"autoCreateTime:false"`
	ExpiresAt       time.Time
}

func (idempotencyRow) TableName() string { return "idempotency_keys" }

const (
	idemInProgress = "in_progress"
	idemCompleted  = "completed"
)

// IdempotencyStore stores the idempotency keys of POST requests
// (decision 0027).
type IdempotencyStore struct{ db *DB }

var _ idempotency.Store = (*IdempotencyStore)(nil)

// NewIdempotencyStore returns the store on db.
func NewIdempotencyStore(db *DB) *IdempotencyStore { return &IdempotencyStore{db: db} }

func newLockToken() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

func idemTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Reserve claims (user, key) for a request whose body hashes to hash, in
// its own short transaction, or reports what holds it.
func (s *IdempotencyStore) Reserve(ctx context.Context, r idempotency.Request) (idempotency.Reservation, error) {
	tok, err := newLockToken()
	if err != nil {
		return idempotency.Reservation{}, err
	}
	now := idemTime(r.Now)
	fresh := idempotencyRow{
		UserID: r.UserID, IdemKey: r.Key, RequestHash: r.Hash, State: idemInProgress, LockToken: tok,
		LockedUntil: now.Add(r.LockFor), CreatedAt: now, ExpiresAt: now.Add(r.TTL),
	}
	var out idempotency.Reservation
	err = s.db.Do(ctx, func(ctx context.Context) error {
		out = idempotency.Reservation{}
		row := fresh
		res := s.db.Gorm(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
		if res.Error != nil {
			return translate(res.Error, "idempotency key")
		}
		// Whose row it is, read back rather than inferred from the rows
		// affected, which MySQL reports as 1 for an ignored duplicate too
		// when the connection asks for found rows.
		var cur idempotencyRow
		err := s.db.Gorm(ctx).Clauses(forUpdate).Where("user_id = ? AND idem_key = ?", r.UserID, r.Key).Take(&cur).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			// Deleted (released or expired) between the insert and the read.
			return &domain.RetryLater{Code: "idempotency_key_in_use", After: time.Second,
				Message: "a request with this Idempotency-Key was just finishing; retry it"}
		}
		if err != nil {
			return translate(err, "idempotency key")
		}
		switch {
		case cur.LockToken == tok:
			out = idempotency.Reservation{Outcome: idempotency.Reserved, ID: cur.ID, Token: tok}
		case !now.Before(cur.ExpiresAt) || (cur.State == idemInProgress && !now.Before(cur.LockedUntil)):
			// Expired, or abandoned by a process that died mid-request
			// (its transaction never committed): take it over afresh.
			err := s.db.Gorm(ctx).Model(&idempotencyRow{}).Where("id = ?", cur.ID).Updates(map[string]any{
				"request_hash": r.Hash, "state": idemInProgress, "lock_token": tok, "locked_until": fresh.LockedUntil,
				"response_status": nil, "response_headers": nil, "response_body": nil,
				"created_at": now, "expires_at": fresh.ExpiresAt,
			}).Error
			if err != nil {
				return translate(err, "idempotency key")
			}
			out = idempotency.Reservation{Outcome: idempotency.Reserved, ID: cur.ID, Token: tok}
		case cur.RequestHash != r.Hash:
			out.Outcome = idempotency.Mismatch
		case cur.State == idemInProgress:
			out.Outcome = idempotency.InProgress
		default:
			out = idempotency.Reservation{Outcome: idempotency.Completed, ID: cur.ID}
			if cur.ResponseStatus != nil {
				out.Response.Status = *cur.ResponseStatus
			}
			if cur.ResponseHeaders != nil {
				out.Response.Headers = *cur.ResponseHeaders
			}
			if cur.ResponseBody != nil {
				out.Response.Body = *cur.ResponseBody
			}
		}
		return nil
	})
	return out, err
}

// Complete stores the response of reservation id in the transaction of
// ctx, the business change's; it fails if the reservation was lost.
func (s *IdempotencyStore) Complete(ctx context.Context, id int64, token string, resp idempotency.Response) error {
	if !InTx(ctx) {
		return errNoTx
	}
	res := s.db.Gorm(ctx).Model(&idempotencyRow{}).Where("id = ? AND lock_token = ? AND state = ?", id, token, idemInProgress).
		Updates(map[string]any{"state": idemCompleted, "response_status": resp.Status, "response_headers": resp.Headers,
			"response_body": resp.Body})
	if res.Error != nil {
		return translate(res.Error, "idempotency key")
	}
	if res.RowsAffected != 1 {
		return domain.E(domain.ErrConflict, "idempotency_key_in_use",
			"another request took this Idempotency-Key over; this one was not applied")
	}
	return nil
}

// Release frees a reservation whose request failed, so the key can be used
// again (the failed attempt changed nothing).
func (s *IdempotencyStore) Release(ctx context.Context, id int64, token string) error {
	return s.db.Do(ctx, func(ctx context.Context) error {
		return translate(s.db.Gorm(ctx).Where("id = ? AND lock_token = ? AND state = ?", id, token, idemInProgress).
			Delete(&idempotencyRow{}).Error, "idempotency key")
	})
}

// DeleteExpired deletes keys past their expiry, at most 10 batches of
// 1,000 a call (the runner's upkeep calls it every tick).
func (s *IdempotencyStore) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for range 10 {
		var ids []int64
		if err := s.db.Gorm(ctx).Model(&idempotencyRow{}).Where("expires_at <= ?", idemTime(now)).Order("expires_at").
			Limit(1000).Pluck("id", &ids).Error; err != nil {
			return total, translate(err, "idempotency keys")
		}
		if len(ids) == 0 {
			break
		}
		res := s.db.Gorm(ctx).Where("id IN ? AND expires_at <= ?", ids, idemTime(now)).Delete(&idempotencyRow{})
		if res.Error != nil {
			return total, translate(res.Error, "idempotency keys")
		}
		total += res.RowsAffected
		if len(ids) < 1000 {
			break
		}
	}
	return total, nil
}
