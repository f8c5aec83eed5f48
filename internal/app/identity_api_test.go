package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

func problemCode(t *testing.T, res *apptest.Response, status int) string {
	t.Helper()
	require.Equal(t, status, res.Status, string(res.Body))
	return res.Problem(t).Code
}

// TestUserAdministration runs the /api/v1/users life cycle on every engine.
func TestUserAdministration(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		res := a.Do(t, http.MethodPost, "/api/v1/users", map[string]any{
			"login": "Jane.Doe", "name": "Jane Doe", "email": "jane@example.com",
			"password": "jane-password-1", "roles": []string{"sales", "warehouse"},
		}, admin)
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		var jane api.UserResponse
		res.JSON(t, &jane)
		require.Equal(t, "jane.doe", jane.Login, "logins are stored lower-cased")
		require.True(t, jane.Active)
		require.Equal(t, []string{"sales", "warehouse"}, jane.Roles)
		id := strconv.FormatInt(jane.ID, 10)
		require.Equal(t, "/api/v1/users/"+id, res.Header.Get("Location"))

		// Duplicate login, whatever its case.
		res = a.Do(t, http.MethodPost, "/api/v1/users", map[string]any{"login": "JANE.DOE", "name": "Other", "password": "other-password-1"}, admin)
		require.Equal(t, "duplicate", problemCode(t, res, http.StatusConflict))

		// Every invalid field at once.
		res = a.Do(t, http.MethodPost, "/api/v1/users", map[string]any{
			"login": "bad login!", "name": "", "email": "not-an-address", "password": "short", "roles": []string{"nope"},
		}, admin)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status)
		fields := map[string]string{}
		for _, f := range res.Problem(t).Errors {
			fields[f.Field] = f.Code
		}
		require.Equal(t, map[string]string{"login": "invalid", "name": "required", "email": "invalid", "password": "too_short", "roles": "unknown_role"}, fields)

		res = a.Do(t, http.MethodGet, "/api/v1/users/"+id, nil, admin)
		require.Equal(t, http.StatusOK, res.Status)
		require.Equal(t, "not_found", problemCode(t, a.Do(t, http.MethodGet, "/api/v1/users/999999", nil, admin), http.StatusNotFound))
		require.Equal(t, "invalid_id", problemCode(t, a.Do(t, http.MethodGet, "/api/v1/users/abc", nil, admin), http.StatusBadRequest))

		// List, search, filter, page.
		var list api.List[api.UserResponse]
		res = a.Do(t, http.MethodGet, "/api/v1/users?q=JANE&limit=10", nil, admin)
		require.Equal(t, http.StatusOK, res.Status)
		res.JSON(t, &list)
		require.Equal(t, int64(1), list.Paging.Total)
		require.Equal(t, "jane.doe", list.Data[0].Login)
		res = a.Do(t, http.MethodGet, "/api/v1/users?q=%25", nil, admin)
		res.JSON(t, &list)
		require.Equal(t, int64(0), list.Paging.Total, "LIKE wildcards in q are literal")
		res = a.Do(t, http.MethodGet, "/api/v1/users?limit=1&offset=1", nil, admin)
		res.JSON(t, &list)
		require.Equal(t, int64(2), list.Paging.Total)
		require.Len(t, list.Data, 1)
		require.Equal(t, "invalid_query", problemCode(t, a.Do(t, http.MethodGet, "/api/v1/users?limit=1000", nil, admin), http.StatusBadRequest))

		// Partial update: roles replaced, name kept.
		res = a.Do(t, http.MethodPatch, "/api/v1/users/"+id, map[string]any{"roles": []string{"accountant"}, "email": ""}, admin)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &jane)
		require.Equal(t, []string{"accountant"}, jane.Roles)
		require.Equal(t, "Jane Doe", jane.Name)
		require.Empty(t, jane.Email)
		tok := loginToken(t, a, "jane.doe", "jane-password-1")
		require.Equal(t, http.StatusForbidden, a.Do(t, http.MethodGet, "/api/v1/users", nil, tok).Status)

		// Deactivate, then reactivate.
		res = a.Do(t, http.MethodPost, "/api/v1/users/"+id+"/deactivate", nil, admin)
		require.Equal(t, http.StatusOK, res.Status)
		res.JSON(t, &jane)
		require.False(t, jane.Active)
		res = a.Do(t, http.MethodGet, "/api/v1/users?active=false", nil, admin)
		res.JSON(t, &list)
		require.Equal(t, int64(1), list.Paging.Total)
		require.Equal(t, "invalid_query", problemCode(t, a.Do(t, http.MethodGet, "/api/v1/users?active=maybe", nil, admin), http.StatusBadRequest))
		require.Equal(t, "invalid_credentials", problemCode(t, tryLogin(t, a, "jane.doe", "jane-password-1"), http.StatusUnauthorized))
		require.Equal(t, http.StatusOK, a.Do(t, http.MethodPatch, "/api/v1/users/"+id, map[string]any{"active": true}, admin).Status)

		// Set password (admin), change own password (self).
		require.Equal(t, http.StatusNoContent, a.Do(t, http.MethodPut, "/api/v1/users/"+id+"/password", map[string]string{"password": "jane-password-2"}, admin).Status)
		require.Equal(t, "invalid_credentials", problemCode(t, tryLogin(t, a, "jane.doe", "jane-password-1"), http.StatusUnauthorized))
		tok = loginToken(t, a, "jane.doe", "jane-password-2")
		res = a.Do(t, http.MethodPut, "/api/v1/users/me/password", map[string]string{"current_password": "wrong-one-00", "new_password": "jane-password-3"}, tok)
		require.Equal(t, "validation_failed", problemCode(t, res, http.StatusUnprocessableEntity))
		res = a.Do(t, http.MethodPut, "/api/v1/users/me/password", map[string]string{"current_password": "jane-password-2", "new_password": "jane-password-3"}, tok)
		require.Equal(t, http.StatusNoContent, res.Status, string(res.Body))
		loginToken(t, a, "jane.doe", "jane-password-3")
	})
}

// TestTheLastAdministratorCannotBeRemoved: deactivating the only
// administrator, taking away their admin role, or emptying the custom role
// that makes someone an administrator, are all refused with last_admin.
func TestTheLastAdministratorCannotBeRemoved(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		adminID := strconv.FormatInt(meID(t, a, admin), 10)
		res := a.Do(t, http.MethodPost, "/api/v1/users/"+adminID+"/deactivate", nil, admin)
		require.Equal(t, "last_admin", problemCode(t, res, http.StatusConflict))
		res = a.Do(t, http.MethodPatch, "/api/v1/users/"+adminID, map[string]any{"roles": []string{"sales"}}, admin)
		require.Equal(t, "last_admin", problemCode(t, res, http.StatusConflict))
		res = a.Do(t, http.MethodGet, "/api/v1/users/me", nil, admin)
		var me api.MeResponse
		res.JSON(t, &me)
		require.True(t, me.Active)
		require.Equal(t, []string{"admin"}, me.Roles, "the refused change was rolled back")

		// A second administrator through a custom role: now the first can go,
		// but the custom role can then not lose user:admin.
		res = a.Do(t, http.MethodPost, "/api/v1/roles", map[string]any{"name": "Security", "permissions": []string{"user:admin"}}, admin)
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		var role api.RoleResponse
		res.JSON(t, &role)
		roleID := strconv.FormatInt(role.ID, 10)
		res = a.Do(t, http.MethodPost, "/api/v1/users", map[string]any{"login": "sec", "name": "Sec", "password": "sec-password-1", "roles": []string{"Security"}}, admin)
		require.Equal(t, http.StatusCreated, res.Status)
		require.Equal(t, http.StatusOK, a.Do(t, http.MethodPost, "/api/v1/users/"+adminID+"/deactivate", nil, admin).Status)
		res = a.Do(t, http.MethodPatch, "/api/v1/roles/"+roleID, map[string]any{"permissions": []string{"product:read"}}, admin)
		require.Equal(t, "last_admin", problemCode(t, res, http.StatusConflict))
		res = a.Do(t, http.MethodDelete, "/api/v1/roles/"+roleID, nil, admin)
		require.Equal(t, "last_admin", problemCode(t, res, http.StatusConflict))
	})
}

func meID(t *testing.T, a *apptest.App, tok string) int64 {
	t.Helper()
	res := a.Do(t, http.MethodGet, "/api/v1/users/me", nil, tok)
	require.Equal(t, http.StatusOK, res.Status)
	var me api.MeResponse
	res.JSON(t, &me)
	return me.ID
}

// TestRoleAdministration runs the /api/v1/roles life cycle on every engine.
func TestRoleAdministration(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		res := a.Do(t, http.MethodPost, "/api/v1/roles", map[string]any{
			"name": "Auditor", "description": "Reads invoices",
			"permissions": []string{"report:read", "invoice:read", "invoice:read"},
		}, admin)
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		var r api.RoleResponse
		res.JSON(t, &r)
		require.False(t, r.Builtin)
		require.Equal(t, []domain.Permission{"invoice:read", "report:read"}, r.Permissions, "sorted, deduplicated")
		id := strconv.FormatInt(r.ID, 10)

		res = a.Do(t, http.MethodPost, "/api/v1/roles", map[string]any{"name": "Auditor"}, admin)
		require.Equal(t, "duplicate", problemCode(t, res, http.StatusConflict))
		res = a.Do(t, http.MethodPost, "/api/v1/roles", map[string]any{"name": "admin"}, admin)
		require.Equal(t, "validation_failed", problemCode(t, res, http.StatusUnprocessableEntity))
		res = a.Do(t, http.MethodPost, "/api/v1/roles", map[string]any{"name": "X", "permissions": []string{"invoice:steal", "authenticated"}}, admin)
		require.Equal(t, "validation_failed", problemCode(t, res, http.StatusUnprocessableEntity))
		require.Len(t, res.Problem(t).Errors, 2, "both unknown permissions are reported")

		// A holder gets a changed role's permissions at the next login.
		res = a.Do(t, http.MethodPost, "/api/v1/users", map[string]any{"login": "aud", "name": "Aud", "password": "aud-password-1", "roles": []string{"Auditor"}}, admin)
		require.Equal(t, http.StatusCreated, res.Status)
		res = a.Do(t, http.MethodPatch, "/api/v1/roles/"+id, map[string]any{"permissions": []string{"invoice:read", "invoice:pay"}}, admin)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &r)
		require.Equal(t, "Reads invoices", r.Description, "absent fields keep their value")
		tok := loginToken(t, a, "aud", "aud-password-1")
		res = a.Do(t, http.MethodGet, "/api/v1/users/me", nil, tok)
		var me api.MeResponse
		res.JSON(t, &me)
		require.Equal(t, []domain.Permission{"invoice:read", "invoice:pay"}, me.Permissions)

		// Built-in roles are read-only.
		var list api.List[api.RoleResponse]
		a.Do(t, http.MethodGet, "/api/v1/roles", nil, admin).JSON(t, &list)
		var builtin api.RoleResponse
		for _, ro := range list.Data {
			if ro.Name == domain.RoleSales {
				builtin = ro
			}
		}
		bid := strconv.FormatInt(builtin.ID, 10)
		require.Equal(t, "builtin_role", problemCode(t, a.Do(t, http.MethodPatch, "/api/v1/roles/"+bid, map[string]any{"description": "x"}, admin), http.StatusConflict))
		require.Equal(t, "builtin_role", problemCode(t, a.Do(t, http.MethodDelete, "/api/v1/roles/"+bid, nil, admin), http.StatusConflict))

		// Deleting a custom role takes it from its holders.
		require.Equal(t, http.StatusNoContent, a.Do(t, http.MethodDelete, "/api/v1/roles/"+id, nil, admin).Status)
		require.Equal(t, http.StatusNotFound, a.Do(t, http.MethodGet, "/api/v1/roles/"+id, nil, admin).Status)
		tok = loginToken(t, a, "aud", "aud-password-1")
		res = a.Do(t, http.MethodGet, "/api/v1/users/me", nil, tok)
		res.JSON(t, &me)
		require.Empty(t, me.Roles)
		require.Empty(t, me.Permissions)

		res = a.Do(t, http.MethodGet, "/api/v1/permissions", nil, admin)
		require.Equal(t, http.StatusOK, res.Status)
	})
}

// TestBootstrapRepairsBuiltinRoles: a start-up brings built-in roles back to
// domain.BuiltinRoles (a permission added in code reaches them with no new
// migration) and does not create a second administrator.
func TestBootstrapRepairsBuiltinRoles(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		ctx := context.Background()
		g := a.DB.Gorm(ctx)
		require.NoError(t, g.Exec("DELETE FROM role_permissions WHERE permission = ? AND role_id = (SELECT id FROM roles WHERE name = ?)", "stock:move", "warehouse").Error)
		require.NoError(t, g.Exec("INSERT INTO role_permissions (role_id, permission) SELECT id, ? FROM roles WHERE name = ?", "user:admin", "read-only").Error)
		require.NoError(t, g.Exec("DELETE FROM roles WHERE name = ?", "accountant").Error)

		b := a.Restart(t, a.Config)
		res := b.Do(t, http.MethodGet, "/api/v1/roles", nil, b.AdminToken(t))
		var list api.List[api.RoleResponse]
		res.JSON(t, &list)
		got := map[string][]domain.Permission{}
		for _, r := range list.Data {
			require.True(t, r.Builtin, "only built-in roles exist here")
			got[r.Name] = r.Permissions
		}
		for n, ps := range domain.BuiltinRoles {
			require.Equal(t, domain.SortPermissions(ps), got[n], n)
		}
		var users api.List[api.UserResponse]
		b.Do(t, http.MethodGet, "/api/v1/users", nil, b.AdminToken(t)).JSON(t, &users)
		require.Equal(t, int64(1), users.Paging.Total)
	})
}

// TestConcurrentRemovalKeepsAnAdministrator: two administrators deactivate
// each other at the same instant. Without the lock on administrator rows
// both transactions would see the other still active and both commit,
// leaving nobody able to administer users; with it exactly one wins.
func TestConcurrentRemovalKeepsAnAdministrator(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		firstID := meID(t, a, admin)
		res := a.Do(t, http.MethodPost, "/api/v1/users", map[string]any{"login": "second", "name": "Second", "password": "second-password", "roles": []string{"admin"}}, admin)
		require.Equal(t, http.StatusCreated, res.Status)
		second := loginToken(t, a, "second", "second-password")
		secondID := meID(t, a, second)
		for round := range 3 {
			start := make(chan struct{})
			statuses := make(chan int, 2)
			deactivate := func(tok string, id int64) {
				<-start
				req := httptest.NewRequest(http.MethodPost, "/api/v1/users/"+strconv.FormatInt(id, 10)+"/deactivate", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				rec := httptest.NewRecorder()
				a.Server.ServeHTTP(rec, req)
				statuses <- rec.Code
			}
			go deactivate(admin, secondID)
			go deactivate(second, firstID)
			close(start)
			got := []int{<-statuses, <-statuses}
			require.ElementsMatch(t, []int{http.StatusOK, http.StatusConflict}, got, "round %d", round)
			// Reactivate both for the next round, as the one still active: a
			// deactivated user's tokens are revoked (decision 0026). Then both
			// log in again, since deactivation ended their tokens.
			var active string
			for _, cred := range [][2]string{{apptest.AdminLogin, apptest.AdminPassword}, {"second", "second-password"}} {
				res := a.Do(t, http.MethodPost, "/api/v1/auth/login", map[string]any{"login": cred[0], "password": cred[1]}, "")
				if res.Status == http.StatusOK {
					var tok api.TokenResponse
					res.JSON(t, &tok)
					active = tok.AccessToken
					break
				}
			}
			require.NotEmpty(t, active, "one administrator is still active")
			for _, id := range []int64{firstID, secondID} {
				res := a.Do(t, http.MethodPatch, "/api/v1/users/"+strconv.FormatInt(id, 10), map[string]any{"active": true}, active)
				require.Equal(t, http.StatusOK, res.Status, string(res.Body))
			}
			admin = loginToken(t, a, apptest.AdminLogin, apptest.AdminPassword)
			second = loginToken(t, a, "second", "second-password")
		}
	})
}
