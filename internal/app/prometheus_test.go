package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
	"github.com/dolibarr-go/dolibarr/internal/testproc"
	"github.com/dolibarr-go/dolibarr/internal/testprom"
)

// TestPrometheusScrapesAPIAndRunner runs the API and the runner binaries'
// Run on one PostgreSQL database, a real Prometheus scraping both every
// second, and a scripted workload: HTTP requests of known statuses and
// jobs of known outcomes. PromQL then returns exactly the workload: jobs
// completed equal jobs enqueued, failures by kind, requests by route
// template and status class, the queue drained, both targets up.
func TestPrometheusScrapesAPIAndRunner(t *testing.T) {
	const (
		works   = 40
		broken  = 2
		refused = 7 // unauthenticated list requests: 401
		unknown = 3 // paths no route knows: 404
	)
	dsn := testdb.DSN(t, "postgres")
	apiAddr, runnerAddr := testproc.FreeAddr(t), testproc.FreeAddr(t)
	common := []string{"DOLIBARR_DB_DRIVER=postgres", "DOLIBARR_DB_DSN=" + dsn, "DOLIBARR_DB_MAX_OPEN_CONNS=5", "DOLIBARR_DB_MAX_IDLE_CONNS=5"}
	apiCfg, err := LoadConfig(APIOnly, append([]string{
		"DOLIBARR_HTTP_ADDR=" + apiAddr, "DOLIBARR_JWT_SECRET=prometheus-test-secret-of-at-least-32-bytes",
	}, common...))
	require.NoError(t, err)
	runCfg, err := LoadConfig(Runner, append([]string{
		"DOLIBARR_RUNNER_HEALTH_ADDR=" + runnerAddr, "DOLIBARR_RUNNER_POLL_INTERVAL=50ms", "DOLIBARR_RUNNER_WORKERS=4",
	}, common...))
	require.NoError(t, err)
	db, err := openDB(apiCfg)
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, db.MigrateUp())

	handlers := WithJobHandlers(func(reg *queue.Registry, _ *persistence.DB) error {
		if err := reg.Register("test.work", func(ctx context.Context, _ *domain.Job) error {
			time.Sleep(5 * time.Millisecond)
			return nil
		}); err != nil {
			return err
		}
		return reg.Register("test.broken", func(context.Context, *domain.Job) error {
			return domain.JobPermanent(errors.New("the document was deleted"))
		})
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	go func() { done <- Run(ctx, apiCfg, ModeAPI, zap.NewNop()) }()
	go func() { done <- Run(ctx, runCfg, ModeRunner, zap.NewNop(), handlers) }()
	defer func() {
		cancel()
		for range 2 {
			select {
			case err := <-done:
				require.NoError(t, err)
			case <-time.After(30 * time.Second):
				t.Fatal("Run did not stop")
			}
		}
	}()
	for _, addr := range []string{apiAddr, runnerAddr} {
		require.Eventually(t, func() bool {
			res, err := http.Get("http://" + addr + "/ready")
			if err != nil {
				return false
			}
			_ = res.Body.Close()
			return res.StatusCode == http.StatusOK
		}, 20*time.Second, 50*time.Millisecond, "%s not ready", addr)
	}
	prom := testprom.Start(t, time.Second,
		testprom.Target{Job: "api", Addr: apiAddr}, testprom.Target{Job: "runner", Addr: runnerAddr})

	// The workload.
	get := func(path string, want int) {
		t.Helper()
		res, err := http.Get("http://" + apiAddr + path)
		require.NoError(t, err)
		_ = res.Body.Close()
		require.Equal(t, want, res.StatusCode, path)
	}
	for range refused {
		get("/api/v1/thirdparties", http.StatusUnauthorized)
	}
	for i := range unknown {
		get(fmt.Sprintf("/no/such/page/%d", i), http.StatusNotFound)
	}
	var batch []domain.NewJob
	for range works {
		batch = append(batch, domain.NewJob{Kind: "test.work"})
	}
	for range broken {
		batch = append(batch, domain.NewJob{Kind: "test.broken"})
	}
	require.NoError(t, jobQueue(deps{cfg: apiCfg, db: db}).EnqueueMany(ctx, batch))

	// What Prometheus sees, once its scrapes have caught up.
	expect := map[string]float64{
		`sum(dolibarr_job_runs_total{job="runner",kind="test.work",outcome="completed"})`:                   works,
		`sum(dolibarr_job_claims_total{job="runner",kind="test.work"})`:                                     works,
		`sum(dolibarr_job_runs_total{job="runner",kind="test.broken",outcome="failed"})`:                    broken,
		`sum(dolibarr_job_runs_total{job="runner",kind="test.work",outcome!="completed"}) or vector(0)`:     0,
		`dolibarr_job_run_duration_seconds_count{job="runner",kind="test.work"}`:                            works,
		`dolibarr_jobs{job="runner",kind="test.work",state="available"}`:                                    0,
		`dolibarr_jobs{job="runner",kind="test.broken",state="failed"}`:                                     broken,
		`dolibarr_job_oldest_available_age_seconds{job="runner"}`:                                           0,
		`dolibarr_runner_workers{job="runner"}`:                                                             4,
		`dolibarr_http_requests_total{job="api",route="/api/v1/thirdparties",method="GET",code="4xx"}`:      refused,
		`dolibarr_http_requests_total{job="api",route="unmatched",method="GET",code="4xx"}`:                 unknown,
		`dolibarr_db_connections_max{job="api",pool="primary"}`:                                             5,
		`count(up{job=~"api|runner"} == 1)`:                                                                 2,
		`count(dolibarr_mail_sends_total{job="runner"})`:                                                    3,
		`count(go_goroutines{job=~"api|runner"}) + count(process_resident_memory_bytes{job=~"api|runner"})`: 4,
	}
	qctx, qcancel := context.WithTimeout(ctx, 60*time.Second)
	defer qcancel()
	for q, want := range expect {
		var last string
		ok := assertEventually(qctx, func() bool {
			v, found, err := prom.Value(qctx, q)
			last = fmt.Sprintf("value %v, found %v, err %v", v, found, err)
			return err == nil && found && v == want
		})
		require.Truef(t, ok, "%s: want %v, got %s", q, want, last)
	}
	// The p99 the alert uses is computable from the histogram.
	p99 := `histogram_quantile(0.99, sum by (le) (rate(dolibarr_http_request_duration_seconds_bucket{job="api"}[1m])))`
	var last string
	require.Truef(t, assertEventually(qctx, func() bool {
		v, found, err := prom.Value(qctx, p99)
		last = fmt.Sprintf("value %v, found %v, err %v", v, found, err)
		return err == nil && found && v > 0
	}), "%s: %s", p99, last)
}

// assertEventually polls cond every 250 ms until it holds or ctx ends.
func assertEventually(ctx context.Context, cond func() bool) bool {
	for {
		if cond() {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(250 * time.Millisecond):
		}
	}
}
