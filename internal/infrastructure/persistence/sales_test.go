package persistence_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

// TestNumberingCountersArePerPeriodAndGapFree: each (scope, period) counts
// from 1; a rolled-back transaction gives its number back.
func TestNumberingCountersArePerPeriodAndGapFree(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		repo := persistence.NewNumbering(db)
		next := func(scope, period string) int64 {
			var n int64
			require.NoError(t, db.Do(ctx, func(ctx context.Context) error {
				var err error
				n, err = repo.NextNumber(ctx, scope, period)
				return err
			}))
			return n
		}
		_, err := repo.NextNumber(ctx, "sales.invoice", "")
		require.Error(t, err, "a counter outside a transaction would not be locked")

		require.Equal(t, int64(1), next("sales.invoice", "2026-11"))
		require.Equal(t, int64(2), next("sales.invoice", "2026-11"))
		require.Equal(t, int64(1), next("sales.invoice", "2026-12"), "a new month starts again at 1")
		require.Equal(t, int64(1), next("sales.credit_note", "2026-11"), "scopes are separate")

		boom := errors.New("validation failed later")
		err = db.Do(ctx, func(ctx context.Context) error {
			n, err := repo.NextNumber(ctx, "sales.invoice", "2026-11")
			require.NoError(t, err)
			require.Equal(t, int64(3), n)
			return boom
		})
		require.ErrorIs(t, err, boom)
		require.Equal(t, int64(3), next("sales.invoice", "2026-11"), "the rolled-back number is given again")
	})
}

// TestCatalogueCountersShareTheNumberingIncrement: catalogue codes draw
// from the same counters as sales numbering (period ""), need a
// transaction, give a rolled-back number back, and hand concurrent
// transactions distinct numbers.
func TestCatalogueCountersShareTheNumberingIncrement(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		counters := persistence.NewCounterRepo(db)
		_, err := counters.Next(ctx, catalog.CustomerCodeScope)
		require.Error(t, err, "a counter outside a transaction would not be locked")

		boom := errors.New("create failed later")
		err = db.Do(ctx, func(ctx context.Context) error {
			n, err := counters.Next(ctx, catalog.CustomerCodeScope)
			require.NoError(t, err)
			require.Equal(t, int64(1), n)
			return boom
		})
		require.ErrorIs(t, err, boom)

		const workers = 6
		got := make(chan int64, workers)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				var n int64
				err := db.Do(ctx, func(ctx context.Context) error {
					var err error
					n, err = counters.Next(ctx, catalog.CustomerCodeScope)
					return err
				})
				if err == nil {
					got <- n
				}
			})
		}
		wg.Wait()
		close(got)
		seen := map[int64]bool{}
		for n := range got {
			seen[n] = true
		}
		want := map[int64]bool{}
		for i := int64(1); i <= workers; i++ {
			want[i] = true
		}
		require.Equal(t, want, seen, "each transaction got its own number, from 1 (the rolled-back 1 was given again)")

		require.NoError(t, db.Do(ctx, func(ctx context.Context) error {
			n, err := persistence.NewNumbering(db).NextNumber(ctx, catalog.CustomerCodeScope, "")
			require.NoError(t, err)
			require.Equal(t, int64(workers+1), n, "one counter row, one increment")
			return nil
		}))
	})
}

// TestSalesRepoRoundTrip: a document with 8-decimal prices, dates and
// lines reads back as written, and a save bumps the version and stores the
// updated_at the entity carries (the use case's clock).
func TestSalesRepoRoundTrip(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		cat := catalog.NewThirdParties(db, persistence.NewThirdPartyRepo(db), persistence.NewCounterRepo(db), time.Now)
		cust, err := cat.Create(ctx, catalog.ThirdPartyFields{Name: ptr("ACME"), Customer: ptr(true)})
		require.NoError(t, err)
		repo := persistence.NewInvoiceStore(db)
		inv := &domain.Invoice{Type: domain.InvoiceStandard, DueDate: time.Date(2026, 12, 30, 0, 0, 0, 0, time.UTC)}
		created := time.Date(2026, 11, 30, 9, 0, 0, 123456000, time.UTC)
		inv.CreatedAt, inv.UpdatedAt = created, created
		inv.CustomerID, inv.Date, inv.NotePublic = cust.ID, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), "héllo"
		inv.Lines = []domain.Line{
			{Description: "a", Quantity: domain.MustDecimal("1.5"), UnitPrice: domain.MustDecimal("0.12345678"), VATRate: domain.MustDecimal("5.5")},
			{Description: "b", Quantity: domain.MustDecimal("3"), UnitPrice: domain.MustDecimal("-2.5"), DiscountPercent: domain.MustDecimal("12.5"), VATRate: domain.MustDecimal("20")},
		}
		inv.Recompute()
		require.NoError(t, db.Do(ctx, func(ctx context.Context) error { return repo.Create(ctx, inv) }))
		require.NotZero(t, inv.ID)

		got, err := repo.Get(ctx, inv.ID)
		require.NoError(t, err)
		require.Equal(t, inv.Date, got.Date)
		require.Equal(t, inv.DueDate, got.DueDate)
		require.Equal(t, "héllo", got.NotePublic)
		require.Equal(t, "", got.Ref)
		require.Len(t, got.Lines, 2)
		require.Equal(t, "0.12345678", got.Lines[0].UnitPrice.String())
		require.Equal(t, "12.5", got.Lines[1].DiscountPercent.String())
		require.True(t, inv.TotalInclTax.Equal(got.TotalInclTax), "%s vs %s", inv.TotalInclTax, got.TotalInclTax)
		for i := range got.Lines {
			require.True(t, inv.Lines[i].TotalVAT.Equal(got.Lines[i].TotalVAT))
		}

		require.True(t, created.Equal(got.CreatedAt), "created_at as the entity carried it: %s", got.CreatedAt)
		require.Equal(t, int64(1), got.Version)

		got.Ref, got.Status = "FA2611-0001", domain.InvoiceValidated
		got.UpdatedAt = created.Add(time.Hour)
		require.NoError(t, db.Do(ctx, func(ctx context.Context) error { return repo.Save(ctx, got) }))
		require.Equal(t, int64(2), got.Version)
		again, err := repo.Get(ctx, inv.ID)
		require.NoError(t, err)
		require.Equal(t, "FA2611-0001", again.Ref)
		require.Equal(t, int64(2), again.Version)
		require.True(t, got.UpdatedAt.Equal(again.UpdatedAt), "the saved entity carries the updated_at stored: %s vs %s", got.UpdatedAt, again.UpdatedAt)
		require.True(t, created.Equal(again.CreatedAt), "a save leaves created_at alone")

		_, err = repo.Get(ctx, 999999)
		require.ErrorIs(t, err, domain.ErrNotFound)
	})
}
