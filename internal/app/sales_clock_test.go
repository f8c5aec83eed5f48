package app_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// TestOneClockStampsATransition: with the server's clock moved two days
// ahead of the database's, every timestamp of a creation (created_at,
// updated_at, its event) and of a validation (validated_at, updated_at, its
// event, the stock movement it makes) is one reading of the server's clock;
// none comes from another clock deep in persistence.
func TestOneClockStampsATransition(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "100", "")
		a.Advance(48 * time.Hour)
		f.admin = a.AdminToken(t) // a token of the moved clock
		inv := f.invoice(t, obj{"product_id": f.goods, "quantity": "2"})
		created, err := time.Parse(time.RFC3339Nano, inv.CreatedAt)
		require.NoError(t, err)
		require.WithinDuration(t, a.Now(), created, time.Minute, "created_at is the server's clock")
		require.Equal(t, inv.CreatedAt, inv.UpdatedAt)

		res := f.do(t, http.MethodPost, invPath(inv.ID)+"/validate", obj{"warehouse_id": f.warehouse})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		var v api.InvoiceResponse
		res.JSON(t, &v)
		require.NotNil(t, v.ValidatedAt)
		require.Equal(t, *v.ValidatedAt, v.UpdatedAt, "validated_at and updated_at: one reading")
		require.Equal(t, inv.CreatedAt, v.CreatedAt)

		res = f.do(t, http.MethodGet, invPath(inv.ID)+"/events", nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		var evs struct {
			Data []api.EventResponse `json:"data"`
		}
		res.JSON(t, &evs)
		require.Len(t, evs.Data, 2)
		require.Equal(t, inv.CreatedAt, evs.Data[0].At, "the creation's event")
		require.Equal(t, *v.ValidatedAt, evs.Data[1].At, "the validation's event")

		res = f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/stock/movements?product_id=%d&sort=-id&limit=1", f.goods), nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		var moves struct {
			Data []api.MovementResponse `json:"data"`
		}
		res.JSON(t, &moves)
		require.Len(t, moves.Data, 1)
		require.Equal(t, "invoice", moves.Data[0].OriginType)
		require.Equal(t, *v.ValidatedAt, moves.Data[0].CreatedAt, "the stock movement of the validation")
	})
}
