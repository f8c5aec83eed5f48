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

// TestThirdPartyLanguageRoundTrip: the preferred language is written on
// create and update (normalised by the use case), read back by get and
// list, and defaults to "" (the company default).
func TestThirdPartyLanguageRoundTrip(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		repo := persistence.NewThirdPartyRepo(db)
		cat := catalog.NewThirdParties(db, repo, persistence.NewCounterRepo(db), time.Now)

		plain, err := cat.Create(ctx, catalog.ThirdPartyFields{Name: ptr("Plain")})
		require.NoError(t, err)
		got, err := repo.Get(ctx, plain.ID)
		require.NoError(t, err)
		require.Equal(t, "", got.Language, "none: the company default")

		tp, err := cat.Create(ctx, catalog.ThirdPartyFields{Name: ptr("Élodie SARL"), Customer: ptr(true), Language: ptr("FR")})
		require.NoError(t, err)
		require.Equal(t, "fr", tp.Language)
		got, err = repo.Get(ctx, tp.ID)
		require.NoError(t, err)
		require.Equal(t, "fr", got.Language)

		// An update leaving the language out keeps it.
		tp, err = cat.Update(ctx, tp.ID, tp.Version, catalog.ThirdPartyFields{Town: ptr("Lyon")})
		require.NoError(t, err)
		got, err = repo.Get(ctx, tp.ID)
		require.NoError(t, err)
		require.Equal(t, "fr", got.Language)
		require.Equal(t, "Lyon", got.Town)

		tp, err = cat.Update(ctx, tp.ID, tp.Version, catalog.ThirdPartyFields{Language: ptr("pt-br")})
		require.NoError(t, err)
		got, err = repo.Get(ctx, tp.ID)
		require.NoError(t, err)
		require.Equal(t, "pt-BR", got.Language)

		page, err := repo.List(ctx, catalog.ThirdPartyFilter{ListParams: domain.ListParams{Limit: 10}})
		require.NoError(t, err)
		langs := map[int64]string{}
		for _, it := range page.Items {
			langs[it.ID] = it.Language
		}
		require.Equal(t, map[int64]string{plain.ID: "", tp.ID: "pt-BR"}, langs)

		// Back to the company default.
		tp, err = cat.Update(ctx, tp.ID, tp.Version, catalog.ThirdPartyFields{Language: ptr("")})
		require.NoError(t, err)
		got, err = repo.Get(ctx, tp.ID)
		require.NoError(t, err)
		require.Equal(t, "", got.Language)

		// A language without catalogs is refused before anything is written.
		_, err = cat.Update(ctx, tp.ID, tp.Version, catalog.ThirdPartyFields{Language: ptr("de")})
		require.ErrorIs(t, err, domain.ErrInvalid)
		got, err = repo.Get(ctx, tp.ID)
		require.NoError(t, err)
		require.Equal(t, "", got.Language)
		require.Equal(t, tp.Version, got.Version)
	})
}
