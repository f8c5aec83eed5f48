package persistence_test

import (
	"context"
	"errors"
	"io/fs"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
	"github.com/dolibarr-go/dolibarr/migrations"
)

// The conformance suite: the same cases on PostgreSQL, MariaDB and SQLite.

func TestTransactorCommitRollbackAndNesting(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		repo := persistence.NewSettingsRepo(db)

		// Commit.
		require.NoError(t, db.Do(ctx, func(ctx context.Context) error {
			require.True(t, persistence.InTx(ctx))
			return repo.Put(ctx, "a", "1")
		}))
		v, err := repo.Get(ctx, "a")
		require.NoError(t, err)
		require.Equal(t, "1", v)

		// Rollback, including work done by a nested call that joined.
		boom := errors.New("boom")
		err = db.Do(ctx, func(ctx context.Context) error {
			require.NoError(t, repo.Put(ctx, "a", "2"))
			require.NoError(t, db.Do(ctx, func(ctx context.Context) error { return repo.Put(ctx, "b", "nested") }))
			// Inside the transaction the writes are visible.
			got, err := repo.Get(ctx, "b")
			require.NoError(t, err)
			require.Equal(t, "nested", got)
			return boom
		})
		require.ErrorIs(t, err, boom)
		v, err = repo.Get(ctx, "a")
		require.NoError(t, err)
		require.Equal(t, "1", v, "outer write rolled back")
		_, err = repo.Get(ctx, "b")
		require.ErrorIs(t, err, domain.ErrNotFound, "nested write joined the outer transaction and rolled back with it")

		// A nested failure that the outer call returns rolls back the whole unit.
		err = db.Do(ctx, func(ctx context.Context) error {
			require.NoError(t, repo.Put(ctx, "c", "x"))
			return db.Do(ctx, func(ctx context.Context) error { return boom })
		})
		require.ErrorIs(t, err, boom)
		_, err = repo.Get(ctx, "c")
		require.ErrorIs(t, err, domain.ErrNotFound)
	})
}

func TestTransactorCancelledContext(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		repo := persistence.NewSettingsRepo(db)
		err := db.Do(ctx, func(ctx context.Context) error {
			require.NoError(t, repo.Put(ctx, "k", "v"))
			cancel()
			return repo.Put(ctx, "k2", "v2")
		})
		require.Error(t, err)
		_, err = repo.Get(context.Background(), "k")
		require.ErrorIs(t, err, domain.ErrNotFound, "a cancelled transaction keeps nothing")
	})
}

func TestSettingsUpsertAndList(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		repo := persistence.NewSettingsRepo(db)
		require.NoError(t, repo.Put(ctx, "company.name", "Acme"))
		require.NoError(t, repo.Put(ctx, "company.name", "Acme SARL"))
		require.NoError(t, repo.Put(ctx, "company.country", "FR"))
		all, err := repo.All(ctx)
		require.NoError(t, err)
		require.Equal(t, map[string]string{"company.name": "Acme SARL", "company.country": "FR"}, all)
		_, err = repo.Get(ctx, "missing")
		require.ErrorIs(t, err, domain.ErrNotFound)
	})
}

func TestMigrationsDownAndUpAgain(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		want, err := persistence.ExpectedVersion(db.Dialect().Name())
		require.NoError(t, err)
		v, dirty, err := db.SchemaVersion(ctx)
		require.NoError(t, err)
		require.False(t, dirty)
		require.Equal(t, want, v)

		m, err := db.NewMigrator()
		require.NoError(t, err)
		defer m.Close()
		require.NoError(t, m.DownAll(), "every down migration runs")
		v, _, err = m.Version()
		require.NoError(t, err)
		require.Zero(t, v)
		require.NoError(t, m.Up(), "and every up migration runs again")
		v, dirty, err = db.SchemaVersion(ctx)
		require.NoError(t, err)
		require.False(t, dirty)
		require.Equal(t, want, v)
	})
}

// TestMigrationVersionsMatchAcrossDialects keeps the three folders in step:
// same versions, same names, an up and a down for each.
func TestMigrationVersionsMatchAcrossDialects(t *testing.T) {
	list := func(dir string) []string {
		entries, err := fs.ReadDir(migrations.FS, dir)
		require.NoError(t, err)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		sort.Strings(names)
		return names
	}
	pg := list("postgres")
	require.NotEmpty(t, pg)
	require.Equal(t, pg, list("mysql"), "mysql migrations differ from postgres")
	require.Equal(t, pg, list("sqlite"), "sqlite migrations differ from postgres")
	ups := map[string]bool{}
	downs := map[string]bool{}
	for _, n := range pg {
		switch {
		case strings.HasSuffix(n, ".up.sql"):
			ups[strings.TrimSuffix(n, ".up.sql")] = true
		case strings.HasSuffix(n, ".down.sql"):
			downs[strings.TrimSuffix(n, ".down.sql")] = true
		default:
			t.Errorf("unexpected file %s", n)
		}
	}
	require.Equal(t, ups, downs, "each migration has an up and a down")
}

// TestSQLiteWriterQueueGivesUpAsBusy: on SQLite a transaction waits for the
// single writer slot at most writerWait (busy_timeout in production), then
// fails as database_busy (503) instead of hanging; a cancelled caller stops
// waiting at once; the slot serves the next writer once it is free.
func TestSQLiteWriterQueueGivesUpAsBusy(t *testing.T) {
	db := testdb.New(t, "sqlite")
	persistence.SetWriterWait(db, 50*time.Millisecond)
	ctx := context.Background()
	held, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- db.Do(ctx, func(context.Context) error { close(held); <-release; return nil })
	}()
	<-held

	err := db.Do(ctx, func(context.Context) error { t.Error("ran while the slot was held"); return nil })
	require.ErrorIs(t, err, domain.ErrUnavailable)
	var de *domain.RetryLater
	require.ErrorAs(t, err, &de)
	require.Equal(t, "database_busy", de.Code)
	require.Positive(t, de.After)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, db.Do(cctx, func(context.Context) error { return nil }), context.Canceled)

	close(release)
	require.NoError(t, <-done)
	require.NoError(t, db.Do(ctx, func(ctx context.Context) error { return persistence.NewSettingsRepo(db).Put(ctx, "k", "v") }))
}
