package app

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/testdb"
	"github.com/dolibarr-go/dolibarr/internal/testproc"
)

// TestAPIWaitsNotReadyForItsSchema: the API started on an empty database
// (no migration hook) stays alive and not ready, /ready saying to run
// migrate up, instead of crash-looping; once migrated it starts serving on
// the same port. Stopped while waiting, it exits cleanly.
func TestAPIWaitsNotReadyForItsSchema(t *testing.T) {
	saved := schemaPoll
	schemaPoll = 100 * time.Millisecond
	t.Cleanup(func() { schemaPoll = saved })
	dsn := testdb.DSN(t, "postgres")
	addr := testproc.FreeAddr(t)
	cfg, err := LoadConfig(APIOnly, []string{"DOLIBARR_DB_DRIVER=postgres", "DOLIBARR_DB_DSN=" + dsn, "DOLIBARR_HTTP_ADDR=" + addr,
		"DOLIBARR_JWT_SECRET=await-schema-test-secret-of-32-bytes-or-more"})
	require.NoError(t, err)

	get := func(path string) (int, string) {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, ModeAPI, zap.NewNop()) }()
	require.Eventually(t, func() bool { s, _ := get("/health"); return s == http.StatusOK }, 10*time.Second, 20*time.Millisecond)
	status, body := get("/ready")
	require.Equal(t, http.StatusServiceUnavailable, status)
	require.Contains(t, body, "run migrate up")
	status, _ = get("/api/v1/openapi.yaml")
	require.Equal(t, http.StatusNotFound, status, "the API's routes wait for the schema")
	select {
	case err := <-done:
		t.Fatalf("Run stopped on an empty database: %v", err)
	case <-time.After(300 * time.Millisecond):
	}

	db, err := openDB(cfg)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.MigrateUp())
	require.Eventually(t, func() bool {
		s, _ := get("/api/v1/openapi.yaml")
		return s == http.StatusOK
	}, 15*time.Second, 50*time.Millisecond, "the API did not start once migrated")
	status, _ = get("/ready")
	require.Equal(t, http.StatusOK, status)
	cancel()
	require.NoError(t, <-done)

	// Stopped while still waiting: a clean exit.
	empty := testdb.DSN(t, "postgres")
	cfg.DB.DSN = empty
	ctx, cancel = context.WithCancel(context.Background())
	go func() { done <- Run(ctx, cfg, ModeAPI, zap.NewNop()) }()
	require.Eventually(t, func() bool { s, _ := get("/ready"); return s == http.StatusServiceUnavailable }, 10*time.Second, 20*time.Millisecond)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop while waiting for its schema")
	}
}
