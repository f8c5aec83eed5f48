package persistence_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

// TestCatalogReposStoreTheUseCaseClock: each catalogue repository stores
// the created_at and updated_at the use case stamped (a clock years away
// from the wall clock), as microseconds in UTC, on create and on update.
func TestCatalogReposStoreTheUseCaseClock(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		clock := time.Date(2031, 5, 7, 10, 11, 12, 123456789, time.FixedZone("UTC+2", 2*3600))
		now := func() time.Time { return clock }
		stamp := func() time.Time { return clock.UTC().Truncate(time.Microsecond) }
		tpRepo, ctRepo := persistence.NewThirdPartyRepo(db), persistence.NewContactRepo(db)
		prRepo, whRepo := persistence.NewProductRepo(db), persistence.NewWarehouseRepo(db)
		tps := catalog.NewThirdParties(db, tpRepo, persistence.NewCounterRepo(db), now)
		cts := catalog.NewContacts(ctRepo, persistence.NewCatalogRepo(db), now)
		prs := catalog.NewProducts(prRepo, now)
		whs := catalog.NewWarehouses(whRepo, now)

		tp, err := tps.Create(ctx, catalog.ThirdPartyFields{Name: ptr("ACME"), Customer: ptr(true)})
		require.NoError(t, err)
		ct, err := cts.Create(ctx, catalog.ContactFields{ThirdPartyID: &tp.ID, Lastname: ptr("Doe")})
		require.NoError(t, err)
		pr, err := prs.Create(ctx, catalog.ProductFields{Ref: ptr("P-1"), Label: ptr("Chair")})
		require.NoError(t, err)
		wh, err := whs.Create(ctx, catalog.WarehouseFields{Label: ptr("Main")})
		require.NoError(t, err)
		created := stamp()

		type stamps struct{ created, updated time.Time }
		read := func() map[string]stamps {
			t.Helper()
			g1, err := tpRepo.Get(ctx, tp.ID)
			require.NoError(t, err)
			g2, err := ctRepo.Get(ctx, ct.ID)
			require.NoError(t, err)
			g3, err := prRepo.Get(ctx, pr.ID)
			require.NoError(t, err)
			g4, err := whRepo.Get(ctx, wh.ID)
			require.NoError(t, err)
			return map[string]stamps{
				"third party": {g1.CreatedAt, g1.UpdatedAt}, "contact": {g2.CreatedAt, g2.UpdatedAt},
				"product": {g3.CreatedAt, g3.UpdatedAt}, "warehouse": {g4.CreatedAt, g4.UpdatedAt},
			}
		}
		want := stamps{created, created}
		require.Equal(t, map[string]stamps{"third party": want, "contact": want, "product": want, "warehouse": want}, read())
		require.Equal(t, "CU3105-0001", tp.CustomerCode)

		clock = clock.Add(36 * time.Hour)
		_, err = tps.Update(ctx, tp.ID, 1, catalog.ThirdPartyFields{Supplier: ptr(true)})
		require.NoError(t, err)
		_, err = cts.Update(ctx, ct.ID, 1, catalog.ContactFields{Role: ptr("Buyer")})
		require.NoError(t, err)
		_, err = prs.Update(ctx, pr.ID, 1, catalog.ProductFields{Label: ptr("Chair v2")})
		require.NoError(t, err)
		_, err = whs.Update(ctx, wh.ID, 1, catalog.WarehouseFields{Town: ptr("Lyon")})
		require.NoError(t, err)
		want = stamps{created, stamp()}
		require.Equal(t, map[string]stamps{"third party": want, "contact": want, "product": want, "warehouse": want}, read())
	})
}

// TestCatalogRepoUpdatesAreVersionedWholeRows: an update writes every
// editable column of the row it is given (empty and false values
// included) only at the version it names, tells a stale version from a
// deleted record, and never writes the product's average cost, which a
// stock receipt may have changed since the product was read.
func TestCatalogRepoUpdatesAreVersionedWholeRows(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		repo := persistence.NewProductRepo(db)
		p := &domain.Product{Ref: "P-1", Label: "Chair", Description: "wooden", Type: domain.ProductGoods,
			PriceBase: domain.PriceExclTax, VATRate: domain.MustDecimal("20"), OnSale: true, OnPurchase: true,
			CreatedAt: at, UpdatedAt: at}
		p.SetPrice(domain.MustDecimal("100"), domain.PriceExclTax)
		require.NoError(t, repo.Create(ctx, p))
		require.Equal(t, int64(1), p.Version)

		// A receipt moves the average cost after the edit read the product.
		require.NoError(t, db.Do(ctx, func(ctx context.Context) error {
			return persistence.NewStockRepo(db).SetAverageCost(ctx, p.ID, domain.MustDecimal("42.5"))
		}))
		p.Description, p.OnSale, p.UpdatedAt = "", false, at.Add(time.Hour)
		require.NoError(t, repo.Update(ctx, p))
		require.Equal(t, int64(2), p.Version)
		got, err := repo.Get(ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, "", got.Description)
		require.False(t, got.OnSale)
		require.Equal(t, "42.5", got.AverageCost.String(), "the receipt's cost survives the edit")
		require.Equal(t, at, got.CreatedAt)
		require.Equal(t, at.Add(time.Hour), got.UpdatedAt)

		stale := *got
		stale.Version = 1
		stale.Label = "Lost update"
		err = repo.Update(ctx, &stale)
		var sv *domain.StaleVersion
		require.ErrorAs(t, err, &sv)
		require.Equal(t, domain.StaleVersion{What: "product", ID: p.ID, Expected: 1}, *sv)
		got, err = repo.Get(ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, "Chair", got.Label)
		require.Equal(t, int64(2), got.Version)

		require.NoError(t, repo.Delete(ctx, p.ID))
		err = repo.Update(ctx, got)
		require.ErrorIs(t, err, domain.ErrNotFound)
		require.ErrorIs(t, repo.Delete(ctx, p.ID), domain.ErrNotFound)

		// Third parties without codes store NULL codes, which the unique
		// indexes let repeat; a referenced third party is a conflict to delete.
		tps := persistence.NewThirdPartyRepo(db)
		a := &domain.ThirdParty{Name: "A", Active: true, CreatedAt: at, UpdatedAt: at}
		b := &domain.ThirdParty{Name: "B", Active: true, CreatedAt: at, UpdatedAt: at}
		require.NoError(t, tps.Create(ctx, a))
		require.NoError(t, tps.Create(ctx, b))
		c := &domain.Contact{ThirdPartyID: a.ID, Lastname: "Doe", Active: true, CreatedAt: at, UpdatedAt: at}
		require.NoError(t, persistence.NewContactRepo(db).Create(ctx, c))
		require.ErrorIs(t, tps.Delete(ctx, a.ID), domain.ErrConflict)
		require.NoError(t, tps.Delete(ctx, b.ID))
	})
}
