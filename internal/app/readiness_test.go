package app

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
)

// TestReadinessSchemaVersion: a binary is ready on its own schema version
// and on a newer one (a rolling upgrade migrates first and migrations are
// backward compatible, so old pods must keep serving, even while the newer
// migration runs and the version is marked dirty), and not ready on an
// older schema or when its own version is dirty.
func TestReadinessSchemaVersion(t *testing.T) {
	ctx := context.Background()
	db := testdb.New(t, "sqlite")
	want, err := persistence.ExpectedVersion(db.Dialect().Name())
	require.NoError(t, err)
	require.Greater(t, want, uint(1))
	ready, err := readiness(db)
	require.NoError(t, err)
	set := func(v uint, dirty bool) {
		t.Helper()
		_, err := db.SQL().ExecContext(ctx, "UPDATE schema_migrations SET version = ?, dirty = ?", v, dirty)
		require.NoError(t, err)
	}
	check := func() error {
		_, err := ready.Check(ctx)
		return err
	}

	require.NoError(t, check(), "freshly migrated")
	set(want+1, true)
	require.NoError(t, check(), "a newer migration is running")
	set(want+1, false)
	require.NoError(t, check(), "the schema is ahead of this binary")
	set(want, true)
	require.ErrorContains(t, check(), "is dirty")
	set(want-1, false)
	require.ErrorContains(t, check(), "binary expects")
}
