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
	require.Equal(t, "file:dolibarr-data/dolibarr.db", cfg.DB.DSN)
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
	red := cfg.Redacted(ModeAllInOne)
	require.NotContains(t, red["DOLIBARR_DB_DSN"], "hunter2")
	require.Contains(t, red["DOLIBARR_DB_DSN"], "app:xxxxx@db:5432")

	// Every other secret is masked whole; plain values are shown as set.
	cfg, err = LoadConfig(AllInOne, []string{"DOLIBARR_JWT_SECRET=top-secret-signing-key-0123456789abcdef", "DOLIBARR_LOG_LEVEL=debug"})
	require.NoError(t, err)
	red = cfg.Redacted(ModeAllInOne)
	require.Equal(t, "xxxxx", red["DOLIBARR_JWT_SECRET"])
	require.Equal(t, "debug", red["DOLIBARR_LOG_LEVEL"])
	require.Len(t, red, len(EnvVars())-1, "one entry per variable the all-in-one uses (all but the runner binary's probe port)")

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

// TestEachBinaryLogsTheSettingsItUses: the start-up line of the API has no
// runner or SMTP settings, the runner's none of the API's, and the
// all-in-one's everything but the runner binary's probe port.
func TestEachBinaryLogsTheSettingsItUses(t *testing.T) {
	cfg, err := LoadConfig(AllInOne, nil)
	require.NoError(t, err)
	api, runner, aio := cfg.Redacted(ModeAPI), cfg.Redacted(ModeRunner), cfg.Redacted(ModeAllInOne)
	for _, k := range []string{"DOLIBARR_HTTP_ADDR", "DOLIBARR_JWT_SECRET", "DOLIBARR_AUTH_FAILURE_WINDOW", "DOLIBARR_SALES_INVOICE_MASK", "DOLIBARR_STOCK_ALLOW_NEGATIVE"} {
		require.Contains(t, api, k)
		require.NotContains(t, runner, k)
		require.Contains(t, aio, k)
	}
	for _, k := range []string{"DOLIBARR_RUNNER_WORKERS", "DOLIBARR_SMTP_HOST", "DOLIBARR_SMTP_PASSWORD"} {
		require.NotContains(t, api, k)
		require.Contains(t, runner, k)
		require.Contains(t, aio, k)
	}
	require.Contains(t, runner, "DOLIBARR_RUNNER_HEALTH_ADDR")
	require.NotContains(t, aio, "DOLIBARR_RUNNER_HEALTH_ADDR", "the all-in-one serves its probes on the API port")
	for _, k := range []string{"DOLIBARR_DB_DSN", "DOLIBARR_LOG_FORMAT", "DOLIBARR_COMPANY_NAME", "DOLIBARR_PDF_LANGUAGE", "DOLIBARR_RUNNER_LISTEN"} {
		require.Contains(t, api, k)
		require.Contains(t, runner, k)
	}
	require.Len(t, aio, len(EnvVars())-1)
}

// TestSQLiteFilesLiveInOneDataDirectory: the all-in-one keeps its database,
// JWT secret and mail outbox in dolibarr-data/ by default, in
// DOLIBARR_DATA_DIR when set, and beside a database its DSN names.
func TestSQLiteFilesLiveInOneDataDirectory(t *testing.T) {
	t.Chdir(t.TempDir())
	cfg, err := LoadConfig(AllInOne, nil)
	require.NoError(t, err)
	require.Equal(t, "dolibarr-data", cfg.DataDir)
	require.Equal(t, "file:dolibarr-data/dolibarr.db", cfg.DB.DSN)
	require.False(t, cfg.legacyDataDir)

	cfg, err = LoadConfig(AllInOne, []string{"DOLIBARR_DATA_DIR=/var/lib/dolibarr"})
	require.NoError(t, err)
	require.Equal(t, "file:/var/lib/dolibarr/dolibarr.db", cfg.DB.DSN)

	cfg, err = LoadConfig(AllInOne, []string{"DOLIBARR_DB_DSN=file:/srv/erp/erp.db?_pragma=busy_timeout(5000)"})
	require.NoError(t, err)
	require.Equal(t, "/srv/erp", cfg.DataDir, "beside the database the DSN names")

	cfg, err = LoadConfig(AllInOne, []string{"DOLIBARR_DB_DSN=file::memory:"})
	require.NoError(t, err)
	require.Empty(t, cfg.DataDir, "an in-memory database has no files")

	cfg, err = LoadConfig(AllInOne, []string{"DOLIBARR_DB_DRIVER=postgres", "DOLIBARR_DB_DSN=postgres://u@h/db", "DOLIBARR_JWT_SECRET=" + strings.Repeat("k", 32)})
	require.NoError(t, err)
	require.Empty(t, cfg.DataDir)

	// A database left in the working directory by an older release keeps
	// being used there, not silently replaced by an empty one.
	require.NoError(t, os.WriteFile("dolibarr.db", nil, 0o600))
	cfg, err = LoadConfig(AllInOne, nil)
	require.NoError(t, err)
	require.Equal(t, ".", cfg.DataDir)
	require.Equal(t, "file:dolibarr.db", cfg.DB.DSN)
	require.True(t, cfg.legacyDataDir)
	// Once moved, the data directory wins.
	require.NoError(t, os.Mkdir("dolibarr-data", 0o700))
	require.NoError(t, os.Rename("dolibarr.db", "dolibarr-data/dolibarr.db"))
	cfg, err = LoadConfig(AllInOne, nil)
	require.NoError(t, err)
	require.Equal(t, "dolibarr-data", cfg.DataDir)
	require.False(t, cfg.legacyDataDir)
}
