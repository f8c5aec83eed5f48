package identity

import (
	"context"
	"errors"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// RefreshToken is a stored refresh token: only its hash is kept. Each use
// rotates it (UsedAt set, a new one of the same Family issued); presenting
// a used one again is theft or a replay, and revokes the family.
type RefreshToken struct {
	ID        int64
	UserID    int64
	Family    string
	Hash      string
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
}

// RefreshRepo stores refresh tokens.
type RefreshRepo interface {
	Create(ctx context.Context, t *RefreshToken) error
	// ByHash returns the token with hash, locked for update; ErrNotFound
	// when none.
	ByHash(ctx context.Context, hash string) (RefreshToken, error)
	// MarkUsed sets UsedAt if the token is neither used nor revoked and
	// reports whether it did.
	MarkUsed(ctx context.Context, id int64, at time.Time) (bool, error)
	RevokeFamily(ctx context.Context, family string, at time.Time) error
}

// ErrInvalidRefresh is the one answer to an unknown, expired, used or
// revoked refresh token.
var ErrInvalidRefresh = domain.E(domain.ErrUnauthorized, "invalid_refresh_token",
	"the refresh token is invalid, expired or already used; log in again")

// issue signs an access token for u and, in the transaction of ctx, a new
// refresh token of family (a new family when empty).
func (s *Service) issue(ctx context.Context, u domain.User, family string) (Token, error) {
	tok, exp, err := s.tokens.Issue(u.ID, u.Login, u.Permissions(), u.TokenGeneration)
	if err != nil {
		return Token{}, err
	}
	// Rounded up: exp has whole-second precision and was just issued.
	left := (exp.Sub(s.now()) + time.Second - 1).Truncate(time.Second)
	out := Token{AccessToken: tok, ExpiresAt: exp, ExpiresIn: left}
	if s.refresh == nil {
		return out, nil
	}
	raw, err := newOpaque(32)
	if err != nil {
		return Token{}, err
	}
	if family == "" {
		if family, err = newOpaque(16); err != nil {
			return Token{}, err
		}
	}
	rt := RefreshToken{UserID: u.ID, Family: family, Hash: HashSecret(raw), ExpiresAt: s.now().Add(s.refreshTTL).UTC()}
	if err := s.tx.Do(ctx, func(ctx context.Context) error { return s.refresh.Create(ctx, &rt) }); err != nil {
		return Token{}, err
	}
	out.RefreshToken = raw
	return out, nil
}

// Refresh exchanges a refresh token for a new access token and a new
// refresh token of the same family, with the user's current permissions
// and generation. A token used twice revokes its whole family, so a thief
// and the rightful client cannot both keep a session.
func (s *Service) Refresh(ctx context.Context, raw string) (Token, error) {
	if raw == "" || len(raw) > 256 {
		return Token{}, ErrInvalidRefresh
	}
	hash := HashSecret(raw)
	var out Token
	reused := false
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		reused = false
		now := s.now()
		t, err := s.refresh.ByHash(ctx, hash)
		if errors.Is(err, domain.ErrNotFound) {
			return ErrInvalidRefresh
		}
		if err != nil {
			return err
		}
		if t.RevokedAt != nil || !now.Before(t.ExpiresAt) {
			return ErrInvalidRefresh
		}
		ok := false
		if t.UsedAt == nil {
			if ok, err = s.refresh.MarkUsed(ctx, t.ID, now); err != nil {
				return err
			}
		}
		if !ok {
			reused = true
			return s.refresh.RevokeFamily(ctx, t.Family, now)
		}
		u, err := s.users.Get(ctx, t.UserID)
		if err != nil {
			return err
		}
		if !u.Active {
			return ErrInvalidRefresh
		}
		out, err = s.issue(ctx, u, t.Family)
		return err
	})
	if err == nil && reused {
		return Token{}, ErrInvalidRefresh
	}
	return out, err
}

// Logout revokes the family of a refresh token: neither it nor any token
// rotated from the same login can be used again. Unknown tokens are ignored
// (logging out twice succeeds).
func (s *Service) Logout(ctx context.Context, raw string) error {
	if raw == "" || len(raw) > 256 {
		return nil
	}
	return s.tx.Do(ctx, func(ctx context.Context) error {
		t, err := s.refresh.ByHash(ctx, HashSecret(raw))
		if errors.Is(err, domain.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.refresh.RevokeFamily(ctx, t.Family, s.now())
	})
}
