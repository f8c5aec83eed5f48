package app

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
)

// TestReadinessHasItsOwnConnection: with every connection of the
// application's pool busy, readiness through that pool times out (the
// flapping the chart's probes saw under load), while readiness through the
// probe's own connection answers.
func TestReadinessHasItsOwnConnection(t *testing.T) {
	for _, driver := range []string{"postgres", "mysql"} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			dsn := testdb.DSN(t, driver)
			cfg := Config{}
			cfg.DB.Driver, cfg.DB.DSN = driver, dsn
			db, err := persistence.Open(persistence.Options{Driver: driver, DSN: dsn, MaxOpenConns: 1, MaxIdleConns: 1})
			require.NoError(t, err)
			defer db.Close()
			require.NoError(t, db.MigrateUp())
			probe, closeProbe, err := openProbeDB(cfg, db)
			require.NoError(t, err)
			defer closeProbe()
			require.NotSame(t, db, probe)

			busy, err := db.SQL().Conn(ctx) // the pool's only connection, held
			require.NoError(t, err)
			defer busy.Close()
			viaApp, err := readiness(db)
			require.NoError(t, err)
			_, err = viaApp.Check(ctx)
			require.Error(t, err, "the saturated pool should make the old probe fail")
			viaProbe, err := readiness(probe)
			require.NoError(t, err)
			_, err = viaProbe.Check(ctx)
			require.NoError(t, err)
		})
	}
}
