package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// TestEveryValidateRouteRequiresItsDocumentsValidatePermission walks every
// route of the fully wired server: each POST .../{id}/validate (and the
// reopen and cancel that undo or close a validation) of a document kind is
// guarded by that kind's own <doc>:validate permission, and a token
// holding every other permission is refused with 403, while one holding
// it gets past authorization (404 for an id no row has, 400 for a missing
// body). The kinds found
// must be the three sales kinds at least, so a new kind's route joins the
// walk by itself.
func TestEveryValidateRouteRequiresItsDocumentsValidatePermission(t *testing.T) {
	a := apptest.New(t, "sqlite")
	kinds := map[string]string{"proposals": "proposal", "orders": "order", "invoices": "invoice"}
	seen := map[string]bool{}
	for _, r := range a.Server.Routes() {
		if r.Method != http.MethodPost {
			continue
		}
		parts := strings.Split(strings.TrimPrefix(r.Path, "/api/v1/"), "/")
		if len(parts) != 3 || parts[1] != ":id" || (parts[2] != "validate" && parts[2] != "reopen" && parts[2] != "cancel") {
			continue
		}
		kind, ok := kinds[parts[0]]
		if !ok {
			continue // not a commercial document (jobs have their own cancel)
		}
		key := r.Method + " " + r.Path
		t.Run(key, func(t *testing.T) {
			want := domain.Permission(kind + ":validate")
			require.Equalf(t, want, r.Permission, "%s must require %s", key, want)
			var others []domain.Permission
			for _, p := range domain.AllPermissions {
				if p != want {
					others = append(others, p)
				}
			}
			res := a.Do(t, r.Method, concrete(r.Path), nil, a.Token(t, others...))
			require.Equalf(t, http.StatusForbidden, res.Status, "%s with every permission but %s: %s", key, want, res.Body)
			res = a.Do(t, r.Method, concrete(r.Path), nil, a.Token(t, want))
			require.Containsf(t, []int{http.StatusNotFound, http.StatusBadRequest}, res.Status, "%s with %s gets past authorization: %s", key, want, res.Body)
		})
		if parts[2] == "validate" {
			seen[kind] = true
		}
	}
	require.Equal(t, map[string]bool{"proposal": true, "order": true, "invoice": true}, seen)
}
