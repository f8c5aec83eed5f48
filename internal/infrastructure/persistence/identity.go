package persistence

import (
	"context"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/identity"
)

type userRow struct {
	ID              int64 `gorm:"primaryKey"`
	Login           string
	Name            string
	Email           string
	Active          bool
	PasswordHash    string
	TokenGeneration int64 `gorm:"->"` // written only by BumpGeneration
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

func (userRow) TableName() string { return "users" }

type roleRow struct {
	ID          int64 `gorm:"primaryKey"`
	Name        string
	Description string
	Builtin     bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (roleRow) TableName() string { return "roles" }

type rolePermissionRow struct {
	RoleID     int64  `gorm:"primaryKey;autoIncrement:false"`
	Permission string `gorm:"primaryKey"`
}

func (rolePermissionRow) TableName() string { return "role_permissions" }

type userRoleRow struct {
	UserID int64 `gorm:"primaryKey;autoIncrement:false"`
	RoleID int64 `gorm:"primaryKey;autoIncrement:false"`
}

func (userRoleRow) TableName() string { return "user_roles" }

func toUser(r userRow, roles []domain.Role) domain.User {
	return domain.User{
		ID: r.ID, Login: r.Login, Name: r.Name, Email: r.Email, Active: r.Active, PasswordHash: r.PasswordHash,
		Roles: roles, TokenGeneration: r.TokenGeneration, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

func toUserRow(u *domain.User) userRow {
	return userRow{ID: u.ID, Login: u.Login, Name: u.Name, Email: u.Email, Active: u.Active, PasswordHash: u.PasswordHash}
}

func toRole(r roleRow, perms []domain.Permission) domain.Role {
	return domain.Role{ID: r.ID, Name: r.Name, Description: r.Description, Builtin: r.Builtin, Permissions: perms}
}

// UserRepo stores users and their role assignments.
type UserRepo struct{ db *DB }

// RoleRepo stores roles and their permissions.
type RoleRepo struct{ db *DB }

var (
	_ identity.UserRepo = (*UserRepo)(nil)
	_ identity.RoleRepo = (*RoleRepo)(nil)
)

// NewUserRepo returns the user repository on db.
func NewUserRepo(db *DB) *UserRepo { return &UserRepo{db: db} }

// NewRoleRepo returns the role repository on db.
func NewRoleRepo(db *DB) *RoleRepo { return &RoleRepo{db: db} }

const whatUser = "a user with this login"

// Create inserts u and its role assignments.
func (r *UserRepo) Create(ctx context.Context, u *domain.User) error {
	return r.db.Do(ctx, func(ctx context.Context) error {
		row := toUserRow(u)
		row.ID = 0 // a new row; u may carry the id of an attempt Do rolled back
		if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
			return translate(err, whatUser)
		}
		if err := setUserRoles(ctx, r.db, row.ID, u.Roles, false); err != nil {
			return err
		}
		u.ID, u.CreatedAt, u.UpdatedAt = row.ID, row.CreatedAt, row.UpdatedAt
		return nil
	})
}

// Update writes u's name, e-mail, active flag and roles.
func (r *UserRepo) Update(ctx context.Context, u *domain.User) error {
	return r.db.Do(ctx, func(ctx context.Context) error {
		now := time.Now().UTC()
		res := r.db.Gorm(ctx).Model(&userRow{}).Where("id = ?", u.ID).Updates(map[string]any{
			"name": u.Name, "email": u.Email, "active": u.Active, "updated_at": now,
		})
		if res.Error != nil {
			return translate(res.Error, whatUser)
		}
		if res.RowsAffected == 0 {
			return domain.E(domain.ErrNotFound, "not_found", "user %d not found", u.ID)
		}
		u.UpdatedAt = now
		return setUserRoles(ctx, r.db, u.ID, u.Roles, true)
	})
}

func setUserRoles(ctx context.Context, db *DB, userID int64, roles []domain.Role, replace bool) error {
	g := db.Gorm(ctx)
	if replace {
		if err := g.Where("user_id = ?", userID).Delete(&userRoleRow{}).Error; err != nil {
			return translate(err, "user roles")
		}
	}
	if len(roles) == 0 {
		return nil
	}
	rows := make([]userRoleRow, 0, len(roles))
	for _, ro := range roles {
		rows = append(rows, userRoleRow{UserID: userID, RoleID: ro.ID})
	}
	return translate(g.Create(&rows).Error, "user role")
}

// SetPasswordHash replaces a user's password hash.
func (r *UserRepo) SetPasswordHash(ctx context.Context, id int64, hash string) error {
	res := r.db.Gorm(ctx).Model(&userRow{}).Where("id = ?", id).
		Updates(map[string]any{"password_hash": hash, "updated_at": time.Now().UTC()})
	if res.Error != nil {
		return translate(res.Error, "user")
	}
	if res.RowsAffected == 0 {
		return domain.E(domain.ErrNotFound, "not_found", "user %d not found", id)
	}
	return nil
}

// Get returns a user with its roles.
func (r *UserRepo) Get(ctx context.Context, id int64) (domain.User, error) {
	var row userRow
	if err := r.db.Gorm(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return domain.User{}, translate(err, "user")
	}
	return r.withRoles(ctx, row)
}

// ByLogin returns the user with a normalised login, with its roles.
func (r *UserRepo) ByLogin(ctx context.Context, login string) (domain.User, error) {
	var row userRow
	if err := r.db.Gorm(ctx).Where("login = ?", login).Take(&row).Error; err != nil {
		return domain.User{}, translate(err, "user")
	}
	return r.withRoles(ctx, row)
}

func (r *UserRepo) withRoles(ctx context.Context, row userRow) (domain.User, error) {
	roles, err := rolesOfUsers(ctx, r.db, []int64{row.ID})
	if err != nil {
		return domain.User{}, err
	}
	return toUser(row, roles[row.ID]), nil
}

// List returns a page of users, by id, and the number matching.
func (r *UserRepo) List(ctx context.Context, q identity.ListUsers) ([]domain.User, int64, error) {
	g := r.db.Gorm(ctx).Model(&userRow{})
	if q.Q != "" {
		like := "%" + escapeLike(strings.ToLower(q.Q)) + "%"
		g = g.Where("(LOWER(login) LIKE ? ESCAPE '!' OR LOWER(name) LIKE ? ESCAPE '!' OR LOWER(email) LIKE ? ESCAPE '!')", like, like, like)
	}
	if q.Active != nil {
		g = g.Where("active = ?", *q.Active)
	}
	var total int64
	if err := g.Count(&total).Error; err != nil {
		return nil, 0, translate(err, "users")
	}
	var rows []userRow
	if err := g.Order("id").Limit(q.Limit).Offset(q.Offset).Find(&rows).Error; err != nil {
		return nil, 0, translate(err, "users")
	}
	ids := make([]int64, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	roles, err := rolesOfUsers(ctx, r.db, ids)
	if err != nil {
		return nil, 0, err
	}
	out := make([]domain.User, len(rows))
	for i, row := range rows {
		out[i] = toUser(row, roles[row.ID])
	}
	return out, total, nil
}

// escapeLike escapes LIKE wildcards with '!', an escape character every
// dialect accepts without quoting trouble (a backslash means different
// things in MySQL and PostgreSQL string literals).
func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

// Count returns the number of users.
func (r *UserRepo) Count(ctx context.Context) (int64, error) {
	var n int64
	err := r.db.Gorm(ctx).Model(&userRow{}).Count(&n).Error
	return n, translate(err, "users")
}

const adminsFrom = ` FROM users u
JOIN user_roles ur ON ur.user_id = u.id
JOIN role_permissions rp ON rp.role_id = ur.role_id
WHERE u.active = ? AND rp.permission = ?`

// LockAdmins locks the rows that make users administrators, in id order.
// SQLite needs nothing: its transactions start with BEGIN IMMEDIATE and so
// already exclude every other writer.
func (r *UserRepo) LockAdmins(ctx context.Context) error {
	if r.db.Dialect().SingleWriter() {
		return nil
	}
	var ids []int64
	err := r.db.Gorm(ctx).Raw("SELECT u.id"+adminsFrom+" ORDER BY u.id FOR UPDATE", true, string(domain.PermUserAdmin)).
		Scan(&ids).Error
	return translate(err, "administrators")
}

// CountAdmins counts the active users holding user:admin.
func (r *UserRepo) CountAdmins(ctx context.Context) (int64, error) {
	var n int64
	err := r.db.Gorm(ctx).Raw("SELECT COUNT(DISTINCT u.id)"+adminsFrom, true, string(domain.PermUserAdmin)).Scan(&n).Error
	return n, translate(err, "administrators")
}

// rolesOfUsers loads the roles (with permissions) of each user in ids.
func rolesOfUsers(ctx context.Context, db *DB, ids []int64) (map[int64][]domain.Role, error) {
	out := map[int64][]domain.Role{}
	if len(ids) == 0 {
		return out, nil
	}
	var links []userRoleRow
	if err := db.Gorm(ctx).Where("user_id IN ?", ids).Find(&links).Error; err != nil {
		return nil, translate(err, "user roles")
	}
	if len(links) == 0 {
		return out, nil
	}
	roleIDs := make([]int64, 0, len(links))
	for _, l := range links {
		roleIDs = append(roleIDs, l.RoleID)
	}
	slices.Sort(roleIDs)
	roles, err := loadRoles(ctx, db, db.Gorm(ctx).Where("id IN ?", slices.Compact(roleIDs)))
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]domain.Role, len(roles))
	for _, ro := range roles {
		byID[ro.ID] = ro
	}
	for _, l := range links {
		out[l.UserID] = append(out[l.UserID], byID[l.RoleID])
	}
	for id := range out {
		slices.SortFunc(out[id], func(a, b domain.Role) int { return strings.Compare(a.Name, b.Name) })
	}
	return out, nil
}

// loadRoles runs q on roles and attaches each role's permissions.
func loadRoles(ctx context.Context, db *DB, q *gorm.DB) ([]domain.Role, error) {
	var rows []roleRow
	if err := q.Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "roles")
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rows))
	for i, row := range rows {
		ids[i] = row.ID
	}
	var perms []rolePermissionRow
	if err := db.Gorm(ctx).Where("role_id IN ?", ids).Find(&perms).Error; err != nil {
		return nil, translate(err, "role permissions")
	}
	byRole := map[int64][]domain.Permission{}
	for _, p := range perms {
		byRole[p.RoleID] = append(byRole[p.RoleID], domain.Permission(p.Permission))
	}
	out := make([]domain.Role, len(rows))
	for i, row := range rows {
		out[i] = toRole(row, domain.SortPermissions(byRole[row.ID]))
	}
	return out, nil
}

const whatRole = "a role with this name"

// Create inserts a role and its permissions.
func (r *RoleRepo) Create(ctx context.Context, ro *domain.Role) error {
	return r.db.Do(ctx, func(ctx context.Context) error {
		row := roleRow{Name: ro.Name, Description: ro.Description, Builtin: ro.Builtin}
		if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
			return translate(err, whatRole)
		}
		ro.ID = row.ID
		return setRolePermissions(ctx, r.db, row.ID, nil, ro.Permissions)
	})
}

// Update writes a role's name, description and permissions.
func (r *RoleRepo) Update(ctx context.Context, ro *domain.Role) error {
	return r.db.Do(ctx, func(ctx context.Context) error {
		res := r.db.Gorm(ctx).Model(&roleRow{}).Where("id = ?", ro.ID).Updates(map[string]any{
			"name": ro.Name, "description": ro.Description, "updated_at": time.Now().UTC(),
		})
		if res.Error != nil {
			return translate(res.Error, whatRole)
		}
		if res.RowsAffected == 0 {
			return domain.E(domain.ErrNotFound, "not_found", "role %d not found", ro.ID)
		}
		current, err := r.Get(ctx, ro.ID)
		if err != nil {
			return err
		}
		return setRolePermissions(ctx, r.db, ro.ID, current.Permissions, ro.Permissions)
	})
}

// setRolePermissions turns a role's permission rows from have into want,
// touching only the difference.
func setRolePermissions(ctx context.Context, db *DB, roleID int64, have, want []domain.Permission) error {
	var drop []string
	for _, p := range have {
		if !slices.Contains(want, p) {
			drop = append(drop, string(p))
		}
	}
	var add []rolePermissionRow
	for _, p := range want {
		if !slices.Contains(have, p) {
			add = append(add, rolePermissionRow{RoleID: roleID, Permission: string(p)})
		}
	}
	g := db.Gorm(ctx)
	if len(drop) > 0 {
		if err := g.Where("role_id = ? AND permission IN ?", roleID, drop).Delete(&rolePermissionRow{}).Error; err != nil {
			return translate(err, "role permissions")
		}
	}
	if len(add) > 0 {
		// DoNothing: two replicas syncing built-in roles at once both add.
		if err := g.Clauses(clause.OnConflict{DoNothing: true}).Create(&add).Error; err != nil {
			return translate(err, "role permission")
		}
	}
	return nil
}

// Delete removes a role; its assignments go with it.
func (r *RoleRepo) Delete(ctx context.Context, id int64) error {
	return r.db.Do(ctx, func(ctx context.Context) error {
		g := r.db.Gorm(ctx)
		if err := g.Where("role_id = ?", id).Delete(&userRoleRow{}).Error; err != nil {
			return translate(err, "role")
		}
		if err := g.Where("role_id = ?", id).Delete(&rolePermissionRow{}).Error; err != nil {
			return translate(err, "role")
		}
		res := g.Where("id = ?", id).Delete(&roleRow{})
		if res.Error != nil {
			return translate(res.Error, "role")
		}
		if res.RowsAffected == 0 {
			return domain.E(domain.ErrNotFound, "not_found", "role %d not found", id)
		}
		return nil
	})
}

// Get returns a role with its permissions.
func (r *RoleRepo) Get(ctx context.Context, id int64) (domain.Role, error) {
	roles, err := loadRoles(ctx, r.db, r.db.Gorm(ctx).Where("id = ?", id))
	if err != nil {
		return domain.Role{}, err
	}
	if len(roles) == 0 {
		return domain.Role{}, domain.E(domain.ErrNotFound, "not_found", "role %d not found", id)
	}
	return roles[0], nil
}

// ByNames returns the roles with the given names.
func (r *RoleRepo) ByNames(ctx context.Context, names []string) ([]domain.Role, error) {
	if len(names) == 0 {
		return nil, nil
	}
	return loadRoles(ctx, r.db, r.db.Gorm(ctx).Where("name IN ?", names))
}

// List returns every role, by id.
func (r *RoleRepo) List(ctx context.Context) ([]domain.Role, error) {
	return loadRoles(ctx, r.db, r.db.Gorm(ctx))
}

// SyncBuiltin makes the built-in roles equal to roles, creating missing
// ones and adding or dropping permission rows only where they differ, so a
// steady-state start writes nothing.
func (r *RoleRepo) SyncBuiltin(ctx context.Context, roles map[string][]domain.Permission) error {
	names := make([]string, 0, len(roles))
	for n := range roles {
		names = append(names, n)
	}
	slices.Sort(names)
	existing, err := r.ByNames(ctx, names)
	if err != nil {
		return err
	}
	for _, n := range names {
		want := domain.SortPermissions(roles[n])
		i := slices.IndexFunc(existing, func(ro domain.Role) bool { return ro.Name == n })
		if i < 0 {
			ro := domain.Role{Name: n, Builtin: true, Permissions: want}
			if err := r.Create(ctx, &ro); err != nil {
				return err
			}
			continue
		}
		ro := existing[i]
		if !ro.Builtin {
			if err := r.db.Gorm(ctx).Model(&roleRow{}).Where("id = ?", ro.ID).Update("builtin", true).Error; err != nil {
				return translate(err, "role")
			}
		}
		if !slices.Equal(ro.Permissions, want) {
			if err := setRolePermissions(ctx, r.db, ro.ID, ro.Permissions, want); err != nil {
				return err
			}
		}
	}
	return nil
}
