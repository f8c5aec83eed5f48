package persistence

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/auth"
	"github.com/dolibarr-go/dolibarr/internal/usecase/identity"
)

// bumpAuthVersion raises the one-row revocation version every replica
// polls (decision 0026). It runs in the transaction of the change it
// announces, so a replica that sees the new version reads the change.
func bumpAuthVersion(ctx context.Context, db *DB) error {
	return translate(db.Gorm(ctx).Exec("UPDATE auth_state SET version = version + 1 WHERE id = 1").Error, "auth state")
}

// BumpGeneration ends every token of user id.
func (r *UserRepo) BumpGeneration(ctx context.Context, id int64) error {
	return r.db.Do(ctx, func(ctx context.Context) error {
		// Raw: the column is read-only to the model, so no other write of a
		// user can lower it.
		res := r.db.Gorm(ctx).Exec("UPDATE users SET token_generation = token_generation + 1 WHERE id = ?", id)
		if res.Error != nil {
			return translate(res.Error, "user")
		}
		if res.RowsAffected == 0 {
			return domain.E(domain.ErrNotFound, "not_found", "user %d not found", id)
		}
		return bumpAuthVersion(ctx, r.db)
	})
}

// BumpHolders ends every token of the holders of role id.
func (r *RoleRepo) BumpHolders(ctx context.Context, id int64) error {
	return r.db.Do(ctx, func(ctx context.Context) error {
		err := r.db.Gorm(ctx).Exec("UPDATE users SET token_generation = token_generation + 1 WHERE id IN "+
			"(SELECT user_id FROM user_roles WHERE role_id = ?)", id).Error
		if err != nil {
			return translate(err, "users")
		}
		return bumpAuthVersion(ctx, r.db)
	})
}

type apiKeyRow struct {
	ID         int64 `gorm:"primaryKey"`
	UserID     int64
	Name       string
	Prefix     string
	SecretHash string
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	CreatedBy  *int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (apiKeyRow) TableName() string { return "api_keys" }

type apiKeyPermissionRow struct {
	APIKeyID   int64  `gorm:"column:api_key_id;primaryKey;autoIncrement:false"`
	Permission string `gorm:"primaryKey"`
}

func (apiKeyPermissionRow) TableName() string { return "api_key_permissions" }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func toAPIKey(r apiKeyRow, perms []domain.Permission) domain.APIKey {
	k := domain.APIKey{
		ID: r.ID, UserID: r.UserID, Name: r.Name, Prefix: r.Prefix, SecretHash: r.SecretHash,
		Permissions: domain.SortPermissions(perms), ExpiresAt: utcPtr(r.ExpiresAt), LastUsedAt: utcPtr(r.LastUsedAt),
		RevokedAt: utcPtr(r.RevokedAt), CreatedAt: r.CreatedAt.UTC(),
	}
	if r.CreatedBy != nil {
		k.CreatedBy = *r.CreatedBy
	}
	return k
}

// APIKeyRepo stores API keys.
type APIKeyRepo struct{ db *DB }

var (
	_ identity.APIKeyRepo = (*APIKeyRepo)(nil)
	_ auth.KeyStore       = (*APIKeyRepo)(nil)
)

// NewAPIKeyRepo returns the API key repository on db.
func NewAPIKeyRepo(db *DB) *APIKeyRepo { return &APIKeyRepo{db: db} }

// Create inserts k and its permissions.
func (r *APIKeyRepo) Create(ctx context.Context, k *domain.APIKey) error {
	return r.db.Do(ctx, func(ctx context.Context) error {
		now := time.Now().UTC()
		row := apiKeyRow{UserID: k.UserID, Name: k.Name, Prefix: k.Prefix, SecretHash: k.SecretHash, ExpiresAt: k.ExpiresAt,
			CreatedAt: now, UpdatedAt: now}
		if k.CreatedBy != 0 {
			row.CreatedBy = &k.CreatedBy
		}
		if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
			return translate(err, "an API key with this prefix")
		}
		perms := make([]apiKeyPermissionRow, 0, len(k.Permissions))
		for _, p := range k.Permissions {
			perms = append(perms, apiKeyPermissionRow{APIKeyID: row.ID, Permission: string(p)})
		}
		if len(perms) > 0 {
			if err := r.db.Gorm(ctx).Create(&perms).Error; err != nil {
				return translate(err, "API key permission")
			}
		}
		k.ID, k.CreatedAt = row.ID, row.CreatedAt
		return nil
	})
}

func (r *APIKeyRepo) load(ctx context.Context, q *gorm.DB) ([]domain.APIKey, error) {
	var rows []apiKeyRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, "API keys")
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	var perms []apiKeyPermissionRow
	if err := r.db.Gorm(ctx).Where("api_key_id IN ?", ids).Find(&perms).Error; err != nil {
		return nil, translate(err, "API key permissions")
	}
	by := map[int64][]domain.Permission{}
	for _, p := range perms {
		by[p.APIKeyID] = append(by[p.APIKeyID], domain.Permission(p.Permission))
	}
	out := make([]domain.APIKey, len(rows))
	for i, row := range rows {
		out[i] = toAPIKey(row, by[row.ID])
	}
	return out, nil
}

// Get returns one key.
func (r *APIKeyRepo) Get(ctx context.Context, id int64) (domain.APIKey, error) {
	ks, err := r.load(ctx, r.db.Gorm(ctx).Where("id = ?", id))
	if err != nil {
		return domain.APIKey{}, err
	}
	if len(ks) == 0 {
		return domain.APIKey{}, domain.E(domain.ErrNotFound, "not_found", "API key %d not found", id)
	}
	return ks[0], nil
}

// List returns a page of keys, newest first.
func (r *APIKeyRepo) List(ctx context.Context, userID int64, limit, offset int) ([]domain.APIKey, int64, error) {
	g := r.db.Gorm(ctx).Model(&apiKeyRow{})
	if userID != 0 {
		g = g.Where("user_id = ?", userID)
	}
	var total int64
	if err := g.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "API keys")
	}
	ks, err := r.load(ctx, g.Order("id DESC").Limit(limit).Offset(offset))
	return ks, total, err
}

// Revoke marks key id revoked and bumps the revocation version.
func (r *APIKeyRepo) Revoke(ctx context.Context, id int64, at time.Time) error {
	return r.db.Do(ctx, func(ctx context.Context) error {
		res := r.db.Gorm(ctx).Model(&apiKeyRow{}).Where("id = ? AND revoked_at IS NULL", id).
			Updates(map[string]any{"revoked_at": at.UTC(), "updated_at": at.UTC()})
		if res.Error != nil {
			return translate(res.Error, "API key")
		}
		if res.RowsAffected == 0 {
			return nil
		}
		return bumpAuthVersion(ctx, r.db)
	})
}

// KeyByPrefix returns the key with prefix and what the verifier needs of
// its user.
func (r *APIKeyRepo) KeyByPrefix(ctx context.Context, prefix string) (auth.KeyGrant, error) {
	ks, err := r.load(ctx, r.db.Gorm(ctx).Where("prefix = ?", prefix))
	if err != nil {
		return auth.KeyGrant{}, err
	}
	if len(ks) == 0 {
		return auth.KeyGrant{}, domain.E(domain.ErrNotFound, "not_found", "API key not found")
	}
	u, err := NewUserRepo(r.db).Get(ctx, ks[0].UserID)
	if err != nil {
		return auth.KeyGrant{}, err
	}
	return auth.KeyGrant{Key: ks[0], Login: u.Login, Active: u.Active, UserPermissions: u.Permissions()}, nil
}

// TouchKey records that key id was used at at (the verifier calls it at
// most once a minute per key and replica).
func (r *APIKeyRepo) TouchKey(ctx context.Context, id int64, at time.Time) error {
	return translate(r.db.Gorm(ctx).Model(&apiKeyRow{}).Where("id = ?", id).
		UpdateColumn("last_used_at", at.UTC()).Error, "API key")
}

// AuthState reads what the revocation cache polls.
type AuthState struct{ db *DB }

var _ auth.RevocationStore = (*AuthState)(nil)

// NewAuthState returns the revocation source on db.
func NewAuthState(db *DB) *AuthState { return &AuthState{db: db} }

// Version returns the revocation version: one primary-key read.
func (s *AuthState) Version(ctx context.Context) (int64, error) {
	var v int64
	err := s.db.Gorm(ctx).Raw("SELECT version FROM auth_state WHERE id = 1").Scan(&v).Error
	return v, translate(err, "auth state")
}

// Generations returns the token generation of every user whose tokens were
// ever revoked (the others are at 0).
func (s *AuthState) Generations(ctx context.Context) (map[int64]int64, error) {
	var rows []struct {
		ID              int64
		TokenGeneration int64
	}
	if err := s.db.Gorm(ctx).Model(&userRow{}).Select("id, token_generation").Where("token_generation > 0").
		Scan(&rows).Error; err != nil {
		return nil, translate(err, "users")
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.ID] = r.TokenGeneration
	}
	return out, nil
}

type refreshRow struct {
	ID        int64 `gorm:"primaryKey"`
	UserID    int64
	Family    string
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}

func (refreshRow) TableName() string { return "refresh_tokens" }

// RefreshRepo stores refresh tokens.
type RefreshRepo struct{ db *DB }

var _ identity.RefreshRepo = (*RefreshRepo)(nil)

// NewRefreshRepo returns the refresh token repository on db.
func NewRefreshRepo(db *DB) *RefreshRepo { return &RefreshRepo{db: db} }

// Create inserts t.
func (r *RefreshRepo) Create(ctx context.Context, t *identity.RefreshToken) error {
	row := refreshRow{UserID: t.UserID, Family: t.Family, TokenHash: t.Hash, ExpiresAt: t.ExpiresAt.UTC(), CreatedAt: time.Now().UTC()}
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "refresh token")
	}
	t.ID = row.ID
	return nil
}

// ByHash returns the token with hash, locked.
func (r *RefreshRepo) ByHash(ctx context.Context, hash string) (identity.RefreshToken, error) {
	var row refreshRow
	err := r.db.Gorm(ctx).Clauses(forUpdate).Where("token_hash = ?", hash).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return identity.RefreshToken{}, domain.E(domain.ErrNotFound, "not_found", "refresh token not found")
	}
	if err != nil {
		return identity.RefreshToken{}, translate(err, "refresh token")
	}
	return identity.RefreshToken{ID: row.ID, UserID: row.UserID, Family: row.Family, Hash: row.TokenHash,
		ExpiresAt: row.ExpiresAt.UTC(), UsedAt: utcPtr(row.UsedAt), RevokedAt: utcPtr(row.RevokedAt)}, nil
}

// MarkUsed rotates token id out, once.
func (r *RefreshRepo) MarkUsed(ctx context.Context, id int64, at time.Time) (bool, error) {
	res := r.db.Gorm(ctx).Model(&refreshRow{}).Where("id = ? AND used_at IS NULL AND revoked_at IS NULL", id).
		UpdateColumn("used_at", at.UTC())
	return res.RowsAffected == 1, translate(res.Error, "refresh token")
}

// RevokeFamily revokes every token of family.
func (r *RefreshRepo) RevokeFamily(ctx context.Context, family string, at time.Time) error {
	return translate(r.db.Gorm(ctx).Model(&refreshRow{}).Where("family = ? AND revoked_at IS NULL", family).
		UpdateColumn("revoked_at", at.UTC()).Error, "refresh tokens")
}
