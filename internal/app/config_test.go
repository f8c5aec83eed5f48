package app

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAllInOneRunsWithNoConfiguration(t *testing.T) {
	cfg, err := LoadConfig(AllInOne, nil)
	require.NoError(t, err)
	require.Equal(t, "sqlite", cfg.DB.Driver)
	require.Equal(t, "file:dolibarr.db", cfg.DB.DSN)
	require.Equal(t, ":8080", cfg.HTTP.Addr)
	require.True(t, cfg.MigrateOnStart)
	require.Equal(t, 20, cfg.DB.MaxOpenConns)
}

func TestAPIRequiresADatabaseAndDoesNotMigrateByDefault(t *testing.T) {
	_, err := LoadConfig(APIOnly, nil)
	var ce *ConfigError
	require.ErrorAs(t, err, &ce)
	require.Contains(t, err.Error(), "DOLIBARR_DB_DRIVER: required")

	cfg, err := LoadConfig(APIOnly, []string{
		"DOLIBARR_DB_DRIVER=postgres", "DOLIBARR_DB_DSN=postgres://u:pw@db:5432/erp",
	})
	require.NoError(t, filterUnrelated(err))
	require.False(t, cfg.MigrateOnStart)
}

// filterUnrelated ignores problems that later features add for the API
// profile (for example a required JWT secret), keeping this test about the
// database settings.
func filterUnrelated(err error) error {
	var ce *ConfigError
	if !errors.As(err, &ce) {
		return err
	}
	var keep []string
	for _, p := range ce.Problems {
		if strings.HasPrefix(p, "DOLIBARR_DB_") || strings.HasPrefix(p, "DOLIBARR_MIGRATE") {
			keep = append(keep, p)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	return &ConfigError{Problems: keep}
}

func TestBadConfigurationNamesEveryVariableAtOnce(t *testing.T) {
	_, err := LoadConfig(AllInOne, []string{
		"DOLIBARR_DB_DRIVER=oracle",
		"DOLIBARR_DB_MAX_OPEN_CONNS=-3",
		"DOLIBARR_DB_MAX_IDLE_CONNS=lots",
		"DOLIBARR_DB_CONN_MAX_LIFETIME=forever",
		"DOLIBARR_LOG_LEVEL=loud",
		"DOLIBARR_LOG_FORMAT=xml",
		"DOLIBARR_HTTP_ADDR=8080",
	})
	var ce *ConfigError
	require.ErrorAs(t, err, &ce)
	msg := err.Error()
	for _, name := range []string{
		"DOLIBARR_DB_DRIVER", "DOLIBARR_DB_MAX_OPEN_CONNS", "DOLIBARR_DB_MAX_IDLE_CONNS",
		"DOLIBARR_DB_CONN_MAX_LIFETIME", "DOLIBARR_LOG_LEVEL", "DOLIBARR_LOG_FORMAT", "DOLIBARR_HTTP_ADDR",
	} {
		require.Contains(t, msg, name+":", "problem list names %s", name)
	}
}

func TestMalformedDSNIsReportedWithoutItsPassword(t *testing.T) {
	for _, tc := range []struct{ driver, dsn string }{
		{"postgres", "postgres://admin:s3cr3t@db:notaport/erp"},
		{"mysql", "admin:s3cr3t@tcp(db:3306"},
		{"sqlite", "file:?a=%zz"},
	} {
		_, err := LoadConfig(AllInOne, []string{"DOLIBARR_DB_DRIVER=" + tc.driver, "DOLIBARR_DB_DSN=" + tc.dsn})
		require.Error(t, err, tc.driver)
		require.Contains(t, err.Error(), "DOLIBARR_DB_DSN:", tc.driver)
		require.NotContains(t, err.Error(), "s3cr3t", tc.driver)
	}
}

func TestSecretFromFileAndMasking(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dsn")
	require.NoError(t, os.WriteFile(path, []byte("postgres://app:hunter2@db:5432/erp?sslmode=disable\n"), 0o600))
	cfg, err := LoadConfig(AllInOne, []string{"DOLIBARR_DB_DRIVER=postgres", "DOLIBARR_DB_DSN_FILE=" + path})
	require.NoError(t, filterUnrelated(err))
	require.Equal(t, "postgres://app:hunter2@db:5432/erp?sslmode=disable", cfg.DB.DSN)
	red := cfg.Redacted()
	require.NotContains(t, red["DOLIBARR_DB_DSN"], "hunter2")
	require.Contains(t, red["DOLIBARR_DB_DSN"], "app:xxxxx@db:5432")

	// Every other secret is masked whole; plain values are shown as set.
	cfg, err = LoadConfig(AllInOne, []string{"DOLIBARR_JWT_SECRET=top-secret-signing-key-0123456789abcdef", "DOLIBARR_LOG_LEVEL=debug"})
	require.NoError(t, err)
	red = cfg.Redacted()
	require.Equal(t, "xxxxx", red["DOLIBARR_JWT_SECRET"])
	require.Equal(t, "debug", red["DOLIBARR_LOG_LEVEL"])
	require.Len(t, red, len(EnvVars()), "one entry per variable")

	_, err = LoadConfig(AllInOne, []string{"DOLIBARR_DB_DSN=file:x.db", "DOLIBARR_DB_DSN_FILE=" + path})
	require.ErrorContains(t, err, "both set")
	_, err = LoadConfig(AllInOne, []string{"DOLIBARR_DB_DSN_FILE=/nonexistent/secret"})
	require.ErrorContains(t, err, "DOLIBARR_DB_DSN_FILE: cannot read")
}

func TestRedactDSNForms(t *testing.T) {
	require.Equal(t, "postgres://u:xxxxx@h/db", RedactDSN("postgres://u:pw@h/db"))
	require.Equal(t, "u:xxxxx@tcp(h:3306)/db", RedactDSN("u:pw@tcp(h:3306)/db"))
	require.Equal(t, "host=h user=u password=xxxxx", RedactDSN("host=h user=u password=pw"))
	require.Equal(t, "file:dolibarr.db", RedactDSN("file:dolibarr.db"))
}

func TestEnvVarsListsEveryTaggedField(t *testing.T) {
	keys := map[string]EnvVar{}
	for _, ev := range EnvVars() {
		keys[ev.Key] = ev
	}
	for _, k := range []string{"DOLIBARR_DB_DRIVER", "DOLIBARR_DB_DSN", "DOLIBARR_DB_MAX_OPEN_CONNS", "DOLIBARR_DB_MAX_IDLE_CONNS",
		"DOLIBARR_DB_CONN_MAX_LIFETIME", "DOLIBARR_HTTP_ADDR", "DOLIBARR_MIGRATE_ON_START", "DOLIBARR_LOG_LEVEL", "DOLIBARR_LOG_FORMAT"} {
		require.Contains(t, keys, k)
	}
	require.True(t, keys["DOLIBARR_DB_DSN"].Secret)
	require.False(t, keys["DOLIBARR_DB_DRIVER"].Secret)
}
