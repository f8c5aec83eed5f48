package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/logging"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
)

func TestRunnerConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig(AllInOne, nil)
	require.NoError(t, err)
	r := cfg.Runner
	require.Equal(t, 10, r.Workers)
	require.Equal(t, 10, r.Buffer)
	require.Equal(t, 15*time.Second, r.DrainTimeout, "CT-04: at most 15 s of drain")
	require.Equal(t, 30*time.Second, r.JobTimeout, "the IO budget")
	require.Equal(t, 2*time.Minute, r.Lease)
	require.Equal(t, time.Second, r.PollInterval)
	require.True(t, r.Listen)
}

func TestRunnerConfigNamesEveryProblem(t *testing.T) {
	_, err := LoadConfig(AllInOne, []string{
		"DOLIBARR_RUNNER_WORKERS=0", "DOLIBARR_RUNNER_BUFFER=-1", "DOLIBARR_RUNNER_DRAIN_TIMEOUT=0s",
		"DOLIBARR_RUNNER_LEASE=10s", "DOLIBARR_RUNNER_JOB_TIMEOUT=30s", "DOLIBARR_RUNNER_FETCH_COOLDOWN=-1ms",
	})
	require.Error(t, err)
	for _, key := range []string{"DOLIBARR_RUNNER_WORKERS", "DOLIBARR_RUNNER_BUFFER", "DOLIBARR_RUNNER_DRAIN_TIMEOUT",
		"DOLIBARR_RUNNER_LEASE", "DOLIBARR_RUNNER_FETCH_COOLDOWN"} {
		require.Contains(t, err.Error(), key)
	}
}

// TestAllInOneWorksJobsInProcess: the all-in-one binary's Run works jobs on
// the same pool, and stops cleanly when its context ends.
func TestAllInOneWorksJobsInProcess(t *testing.T) {
	cfg, err := LoadConfig(AllInOne, []string{
		"DOLIBARR_DB_DSN=file:" + filepath.Join(t.TempDir(), "aio.db"), "DOLIBARR_HTTP_ADDR=127.0.0.1:0",
		"DOLIBARR_RUNNER_POLL_INTERVAL=20ms",
	})
	require.NoError(t, err)
	ran := make(chan string, 1)
	handlers := WithJobHandlers(func(reg *queue.Registry, _ *persistence.DB) error {
		return reg.Register("test.ping", func(ctx context.Context, _ *domain.Job) error {
			ran <- logging.RequestID(ctx)
			return nil
		})
	})
	// Migrate first, so the enqueue below does not race Run's own
	// migration for SQLite's write lock; Run then finds nothing to do.
	db, err := openDB(cfg)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.MigrateUp())

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, ModeAllInOne, zap.NewNop(), handlers) }()

	store := jobQueue(deps{cfg: cfg, db: db})
	rctx := logging.WithRequestID(context.Background(), "req-aio")
	_, err = store.Enqueue(rctx, domain.NewJob{Kind: "test.ping"})
	require.NoError(t, err)
	select {
	case rid := <-ran:
		require.Equal(t, "req-aio", rid)
	case err := <-done:
		t.Fatalf("Run stopped before running the job: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the in-process runner did not run the job")
	}
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not stop")
	}
}

// TestAllInOneWiresSalesAndPDFOnce: the all-in-one's runner reuses the
// API's sales and documents use cases (one PDF renderer, so
// DOLIBARR_PDF_MAX_CONCURRENT bounds the whole process), and the runner
// binary wires its own.
func TestAllInOneWiresSalesAndPDFOnce(t *testing.T) {
	cfg, err := LoadConfig(AllInOne, []string{"DOLIBARR_DB_DSN=file:" + filepath.Join(t.TempDir(), "once.db")})
	require.NoError(t, err)
	db, err := openDB(cfg)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.MigrateUp())
	ctx := context.Background()
	d := deps{cfg: cfg, db: db, log: zap.NewNop(), now: time.Now}

	w, err := buildAPI(ctx, d)
	require.NoError(t, err)
	docs, routes := w.documents, len(w.routes)
	_, err = buildRunner(ctx, d, w, nil)
	require.NoError(t, err)
	require.Same(t, docs, w.documents, "the runner built a second sales use case and PDF renderer")
	require.Len(t, w.routes, routes)

	own := &wiring{}
	_, err = buildRunner(ctx, d, own, nil)
	require.NoError(t, err)
	require.NotNil(t, own.documents, "the runner binary reads documents through the wiring it is given")

	ready, err := readiness(db)
	require.NoError(t, err)
	for _, m := range []Mode{ModeAllInOne, ModeAPI, ModeRunner} {
		srv, runner, err := build(ctx, d, m, ready, nil)
		require.NoError(t, err)
		require.Equal(t, m.Runner, runner != nil)
		hasAPI := false
		for _, r := range srv.Routes() {
			hasAPI = hasAPI || r.Path == "/api/v1/invoices"
		}
		require.Equal(t, m.API, hasAPI, "mode %+v", m)
	}
}
