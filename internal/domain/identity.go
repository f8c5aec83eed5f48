package domain

import (
	"math/bits"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// PermAuthenticated is the pseudo-permission of routes that any valid token
// may call (a user's own profile). It is not in AllPermissions and no role can
// be granted it: holding a verified token is the grant.
const PermAuthenticated Permission = "authenticated"

// permIndex maps each permission to its bit in a PermissionSet.
var permIndex = func() map[Permission]uint8 {
	if len(AllPermissions) > permSetWords*64 {
		panic("domain: PermissionSet too small for AllPermissions")
	}
	m := make(map[Permission]uint8, len(AllPermissions))
	for i, p := range AllPermissions {
		m[p] = uint8(i)
	}
	return m
}()

const permSetWords = 4

// PermissionSet is a fixed-size bit set over AllPermissions. Checking a
// permission is one shift and one AND, and building a set from a token's
// claim allocates nothing, however many permissions the token carries.
type PermissionSet struct{ w [permSetWords]uint64 }

// PermissionBit returns p's bit index and whether p is a known permission.
func PermissionBit(p Permission) (int, bool) {
	i, ok := permIndex[p]
	return int(i), ok
}

// NewPermissionSet returns the set of the known permissions among ps.
func NewPermissionSet(ps ...Permission) PermissionSet {
	var s PermissionSet
	for _, p := range ps {
		s.Add(p)
	}
	return s
}

// Add puts p in the set; unknown permissions are ignored (they grant nothing).
func (s *PermissionSet) Add(p Permission) bool {
	i, ok := permIndex[p]
	if ok {
		s.w[i/64] |= 1 << (i % 64)
	}
	return ok
}

// AddBytes is Add for a name held in a byte slice; the map lookup with
// string(b) does not allocate.
func (s *PermissionSet) AddBytes(b []byte) bool {
	i, ok := permIndex[Permission(b)]
	if ok {
		s.w[i/64] |= 1 << (i % 64)
	}
	return ok
}

// Has reports whether p is in the set.
func (s PermissionSet) Has(p Permission) bool {
	i, ok := permIndex[p]
	return ok && s.HasBit(int(i))
}

// HasBit reports whether the permission with bit index i is in the set.
func (s PermissionSet) HasBit(i int) bool {
	return i >= 0 && i < permSetWords*64 && s.w[i/64]&(1<<(i%64)) != 0
}

// Union returns the permissions in s or o.
func (s PermissionSet) Union(o PermissionSet) PermissionSet {
	for i := range s.w {
		s.w[i] |= o.w[i]
	}
	return s
}

// Len returns the number of permissions in the set.
func (s PermissionSet) Len() int {
	n := 0
	for _, w := range s.w {
		n += bits.OnesCount64(w)
	}
	return n
}

// List returns the permissions in the set in AllPermissions order.
func (s PermissionSet) List() []Permission {
	out := make([]Permission, 0, s.Len())
	for i, p := range AllPermissions {
		if s.HasBit(i) {
			out = append(out, p)
		}
	}
	return out
}

// Intersect returns the permissions in both s and o.
func (s PermissionSet) Intersect(o PermissionSet) PermissionSet {
	for i := range s.w {
		s.w[i] &= o.w[i]
	}
	return s
}

// SubsetOf reports whether every permission of s is in o.
func (s PermissionSet) SubsetOf(o PermissionSet) bool {
	for i := range s.w {
		if s.w[i]&^o.w[i] != 0 {
			return false
		}
	}
	return true
}

// Principal is the authenticated caller of a request, built from a verified
// token's claims (checked against the revocation cache) or from an API key.
type Principal struct {
	UserID      int64
	Login       string
	Permissions PermissionSet
	TokenID     string
	// ExpiresAt is when the credential stops working; zero for an API key
	// without expiry.
	ExpiresAt time.Time
	// Generation is the user's token generation the access token was issued
	// at; a later one (deactivation, roles, password) revokes it.
	Generation int64
	// APIKeyID is the API key the request authenticated with; 0 for a token.
	APIKeyID int64
}

// Can reports whether the principal holds p. PermAuthenticated is held by
// every principal.
func (p Principal) Can(perm Permission) bool {
	return perm == PermAuthenticated || p.Permissions.Has(perm)
}

// The built-in role names. Built-in roles are seeded by migration, cannot be
// edited or deleted through the API, and are kept equal to BuiltinRoles.
const (
	RoleAdmin      = "admin"
	RoleSales      = "sales"
	RoleWarehouse  = "warehouse"
	RoleAccountant = "accountant"
	RoleReadOnly   = "read-only"
	RoleBuyer      = "buyer"
)

// User is an account that can log in.
type User struct {
	ID           int64
	Login        string // normalised: lower case, trimmed
	Name         string
	Email        string
	Active       bool
	PasswordHash string
	Roles        []Role
	// TokenGeneration is bumped by every change that must end the user's
	// tokens and API keys' cached grants (decision 0026).
	TokenGeneration int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Permissions returns the union of the user's roles' permissions.
func (u *User) Permissions() PermissionSet {
	var s PermissionSet
	for _, r := range u.Roles {
		s = s.Union(NewPermissionSet(r.Permissions...))
	}
	return s
}

// Role is a named set of permissions.
type Role struct {
	ID          int64
	Name        string
	Description string
	Builtin     bool
	Permissions []Permission
}

// NormalizeLogin returns the canonical form logins are stored and compared in.
func NormalizeLogin(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Password rules: long enough to resist guessing, short enough that hashing
// an attacker's megabyte "password" is not a denial of service.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 128
)

// ValidateLogin records a problem with login (already normalised) in v.
func ValidateLogin(v *ValidationError, field, login string) {
	switch {
	case login == "":
		v.Add(field, "required", "login is required")
	case utf8.RuneCountInString(login) > MaxLoginLen:
		v.Add(field, "too_long", "login is at most %d characters", MaxLoginLen)
	default:
		for _, r := range login {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("._-@", r) {
				v.Add(field, "invalid", "login may contain letters, digits and . _ - @ only")
				return
			}
		}
	}
}

// ValidatePassword records a problem with a new password in v. The password
// itself never appears in the message.
func ValidatePassword(v *ValidationError, field, pw string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		v.Add(field, "too_short", "password must be at least %d characters", MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		v.Add(field, "too_long", "password must be at most %d bytes", MaxPasswordLen)
	}
}

// ValidateUserFields records problems with a user's name and e-mail in v.
func ValidateUserFields(v *ValidationError, name, email string) {
	if strings.TrimSpace(name) == "" {
		v.Add("name", "required", "name is required")
	} else if utf8.RuneCountInString(name) > MaxUserNameLen {
		v.Add("name", "too_long", "name is at most %d characters", MaxUserNameLen)
	}
	if email != "" {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email || utf8.RuneCountInString(email) > MaxUserEmailLen {
			v.Add("email", "invalid", "email is not a valid address")
		}
	}
}

// ValidateRole records problems with a custom role's name, description and
// permissions in v; the name of a built-in role is reserved.
func ValidateRole(v *ValidationError, name, description string, perms []Permission) {
	if strings.TrimSpace(name) == "" {
		v.Add("name", "required", "name is required")
	} else if utf8.RuneCountInString(name) > MaxRoleNameLen {
		v.Add("name", "too_long", "name is at most %d characters", MaxRoleNameLen)
	}
	if utf8.RuneCountInString(description) > MaxRoleDescriptionLen {
		v.Add("description", "too_long", "description is at most %d characters", MaxRoleDescriptionLen)
	}
	for _, p := range perms {
		if _, ok := permIndex[p]; !ok {
			v.Add("permissions", "unknown_permission", "unknown permission %q", p)
		}
	}
	if IsBuiltinRole(name) {
		v.Add("name", "reserved", "%q is the name of a built-in role", name)
	}
}

// SortPermissions orders ps as AllPermissions does and drops duplicates.
func SortPermissions(ps []Permission) []Permission {
	return NewPermissionSet(ps...).List()
}

// IsBuiltinRole reports whether name is a built-in role.
func IsBuiltinRole(name string) bool {
	_, ok := BuiltinRoles[name]
	return ok
}

// BuiltinRoleNames lists the built-in roles in a stable order.
func BuiltinRoleNames() []string {
	names := make([]string, 0, len(BuiltinRoles))
	for n := range BuiltinRoles {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
