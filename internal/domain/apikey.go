package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// APIKey is a named credential for a machine client, acting for a user with
// at most that user's permissions (decision 0025). Only the SHA-256 of its
// secret is stored; Prefix, public, finds it.
type APIKey struct {
	ID          int64
	UserID      int64
	Name        string
	Prefix      string
	SecretHash  string
	Permissions []Permission
	ExpiresAt   *time.Time
	LastUsedAt  *time.Time
	RevokedAt   *time.Time
	CreatedBy   int64
	CreatedAt   time.Time
}

// Usable reports whether the key may authenticate at now.
func (k *APIKey) Usable(now time.Time) bool {
	return k.RevokedAt == nil && (k.ExpiresAt == nil || now.Before(*k.ExpiresAt))
}

// ValidateAPIKey records problems with a new key's name, permissions and
// expiry in v.
func ValidateAPIKey(v *ValidationError, name string, perms []Permission, expires *time.Time, now time.Time) {
	switch {
	case strings.TrimSpace(name) == "":
		v.Add("name", "required", "name is required")
	case utf8.RuneCountInString(name) > MaxAPIKeyNameLen:
		v.Add("name", "too_long", "name is at most %d characters", MaxAPIKeyNameLen)
	}
	if len(perms) == 0 {
		v.Add("permissions", "required", "list the permissions the key grants (a subset of its user's)")
	}
	for _, p := range perms {
		if _, ok := permIndex[p]; !ok {
			v.Add("permissions", "unknown_permission", "unknown permission %q", p)
		}
	}
	if expires != nil && !expires.After(now) {
		v.Add("expires_at", "in_past", "expires_at must be in the future")
	}
}
