package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
)

// userOf returns the id of the user token authenticates.
func userOf(t *testing.T, a *apptest.App, token string) int64 {
	t.Helper()
	res := a.Do(t, http.MethodGet, "/api/v1/users/me", nil, token)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	return idOf(t, decode(t, res))
}

// userIDs returns the user_id of each journal line the query selects, in id
// order (nil for unknown).
func userIDs(t *testing.T, a *apptest.App, token, query string) []any {
	t.Helper()
	res := a.Do(t, http.MethodGet, "/api/v1/stock/movements?sort=id&"+query, nil, token)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	data := decode(t, res)["data"].([]any)
	out := make([]any, len(data))
	for i, m := range data {
		out[i] = m.(obj)["user_id"]
	}
	return out
}

// TestStockMovementsShowTheirUser: a movement, a transfer and a correction
// are journaled as made by their caller, an invoice's validation and reopening
// by the user who validated or reopened it; the journal filters on user_id and
// refuses a bad one with 400.
func TestStockMovementsShowTheirUser(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		p := idOf(t, decode(t, a.Do(t, "POST", "/api/v1/products", obj{"ref": "P", "label": "P", "price": "10", "vat_rate": "20"}, admin)))
		w1 := idOf(t, decode(t, a.Do(t, "POST", "/api/v1/warehouses", obj{"label": "W1"}, admin)))
		w2 := idOf(t, decode(t, a.Do(t, "POST", "/api/v1/warehouses", obj{"label": "W2"}, admin)))
		customer := idOf(t, decode(t, a.Do(t, "POST", "/api/v1/thirdparties", obj{"name": "ACME", "customer": true}, admin)))
		perms := []domain.Permission{domain.PermStockMove, domain.PermStockRead, domain.PermProductRead}
		alice, bob := a.Token(t, perms...), a.Token(t, perms...)
		aliceID, bobID := userOf(t, a, alice), userOf(t, a, bob)
		require.NotEqual(t, aliceID, bobID)
		clerk := a.Token(t, domain.PermInvoiceRead, domain.PermInvoiceWrite, domain.PermInvoiceValidate, domain.PermThirdPartyRead, domain.PermProductRead)
		clerkID := userOf(t, a, clerk)

		res := a.Do(t, "POST", "/api/v1/stock/movements", obj{"product_id": p, "warehouse_id": w1, "quantity": "10"}, alice)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		require.EqualValues(t, aliceID, decode(t, res)["user_id"])

		res = a.Do(t, "POST", "/api/v1/stock/transfers", obj{"product_id": p, "from_warehouse_id": w1, "to_warehouse_id": w2, "quantity": "4"}, bob)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		for _, leg := range decode(t, res)["movements"].([]any) {
			require.EqualValues(t, bobID, leg.(obj)["user_id"])
		}

		res = a.Do(t, "POST", "/api/v1/stock/corrections", obj{"product_id": p, "warehouse_id": w2, "counted": "3"}, alice)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.EqualValues(t, aliceID, decode(t, res)["movement"].(obj)["user_id"])

		// An invoice's stock movements carry the validating user, then the
		// reopening one.
		res = a.Do(t, "POST", "/api/v1/invoices", obj{"customer_id": customer, "lines": []obj{{"product_id": p, "quantity": "2"}}}, clerk)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		inv := idOf(t, decode(t, res))
		res = a.Do(t, "POST", fmt.Sprintf("/api/v1/invoices/%d/validate", inv), obj{"warehouse_id": w1}, clerk)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res = a.Do(t, "POST", fmt.Sprintf("/api/v1/invoices/%d/reopen", inv), nil, admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		adminID := userOf(t, a, admin)
		res = a.Do(t, "GET", fmt.Sprintf("/api/v1/stock/movements?sort=id&warehouse_id=%d&q=invoice", w1), nil, alice)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		lines := decode(t, res)["data"].([]any)
		require.Len(t, lines, 2, "%s", res.Body)
		require.Equal(t, "invoice", lines[0].(obj)["origin_type"])
		require.EqualValues(t, inv, lines[0].(obj)["origin_id"])
		require.Equal(t, "-2", lines[0].(obj)["quantity"])
		require.EqualValues(t, clerkID, lines[0].(obj)["user_id"], "validation by the clerk")
		require.Equal(t, "2", lines[1].(obj)["quantity"])
		require.EqualValues(t, adminID, lines[1].(obj)["user_id"], "reopening by the administrator")

		// The whole journal, then filtered by user.
		all := userIDs(t, a, alice, fmt.Sprintf("product_id=%d", p))
		require.Equal(t, []any{float64(aliceID), float64(bobID), float64(bobID), float64(aliceID), float64(clerkID), float64(adminID)}, all)
		require.Equal(t, []any{float64(bobID), float64(bobID)}, userIDs(t, a, alice, fmt.Sprintf("user_id=%d", bobID)))
		require.Equal(t, []any{float64(clerkID)}, userIDs(t, a, alice, fmt.Sprintf("user_id=%d&product_id=%d", clerkID, p)))
		require.Empty(t, userIDs(t, a, alice, "user_id=987654321"))

		for _, bad := range []string{"abc", "0", "-3", "1.5", "99999999999999999999", "%20"} {
			res = a.Do(t, "GET", "/api/v1/stock/movements?user_id="+bad, nil, alice)
			require.Equal(t, http.StatusBadRequest, res.Status, "user_id=%s: %s", bad, res.Body)
			require.Equal(t, "invalid_query", res.Problem(t).Code)
		}
	})
}

// TestStockMovementOfTheSystemShowsNoUser: a journal line written on
// nobody's behalf (before user_id was recorded, or by the system) shows
// user_id null.
func TestStockMovementOfTheSystemShowsNoUser(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		p := idOf(t, decode(t, a.Do(t, "POST", "/api/v1/products", obj{"ref": "P", "label": "P"}, admin)))
		w := idOf(t, decode(t, a.Do(t, "POST", "/api/v1/warehouses", obj{"label": "W"}, admin)))
		// Journaled straight through the repository, as a line from before
		// this version reads: no user.
		require.NoError(t, persistence.NewStockRepo(a.DB).AddMovements(t.Context(), []*domain.Movement{{
			ProductID: p, WarehouseID: w, Quantity: domain.MustDecimal("1"), Kind: domain.MovementManualIn, CreatedAt: a.Now()}}))
		res := a.Do(t, "GET", fmt.Sprintf("/api/v1/stock/movements?product_id=%d", p), nil, admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		data := decode(t, res)["data"].([]any)
		require.Len(t, data, 1)
		v, present := data[0].(obj)["user_id"]
		require.True(t, present, "user_id is always present")
		require.Nil(t, v)
	})
}
