package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// TestCatalogTimestampsFollowTheServerClock: created_at and updated_at of
// every catalogue record, and the date in a generated third-party code,
// come from the server's one clock (apptest's, moved 400 days ahead here),
// not from the database layer's own reading of the wall clock.
func TestCatalogTimestampsFollowTheServerClock(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		a.Advance(400 * 24 * time.Hour)
		at := func(t *testing.T, m obj, field string) time.Time {
			t.Helper()
			s, ok := m[field].(string)
			require.True(t, ok, "no %s in %v", field, m)
			ts, err := time.Parse(time.RFC3339Nano, s)
			require.NoError(t, err)
			return ts
		}
		for _, c := range []struct{ path, body string }{
			{"/api/v1/products", `{"ref":"CLOCK-1","label":"Clock"}`},
			{"/api/v1/warehouses", `{"label":"Clock"}`},
			{"/api/v1/thirdparties", `{"name":"Clock","customer":true}`},
			{"/api/v1/contacts", `{"lastname":"Clock"}`},
		} {
			res := a.Do(t, "POST", c.path, c.body, a.AdminToken(t))
			require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
			m := decode(t, res)
			created := at(t, m, "created_at")
			require.WithinDuration(t, a.Now(), created, time.Minute, "%s: created_at is the server clock's", c.path)
			require.Equal(t, m["created_at"], m["updated_at"])
			if c.path == "/api/v1/thirdparties" {
				require.Equal(t, fmt.Sprintf("CU%s-0001", created.Format("0601")), m["customer_code"], "dated by the same clock")
			}

			a.Advance(time.Hour)
			admin := a.AdminToken(t)
			path := fmt.Sprintf("%s/%d", c.path, idOf(t, m))
			res = a.DoHeader(t, "PATCH", path, obj{}, http.Header{"Authorization": {"Bearer " + admin}, "If-Match": {`"1"`}})
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			m = decode(t, res)
			require.Equal(t, created, at(t, m, "created_at"), "%s: an edit keeps created_at", c.path)
			require.WithinDuration(t, a.Now(), at(t, m, "updated_at"), time.Minute, "%s: updated_at is the server clock's", c.path)

			res = a.Do(t, "GET", path, nil, admin)
			require.Equal(t, http.StatusOK, res.Status)
			require.Equal(t, m["updated_at"], decode(t, res)["updated_at"], "%s: what an edit answers is what is stored", c.path)
		}
	})
}
