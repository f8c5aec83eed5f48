package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/logging"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
)

// Mode says which parts a binary runs.
type Mode struct {
	API    bool
	Runner bool
}

// Modes of the three binaries.
var (
	ModeAllInOne = Mode{API: true, Runner: true}
	ModeAPI      = Mode{API: true}
	ModeRunner   = Mode{Runner: true}
)

// Main is the body of the three mains: it loads and validates the
// configuration, handles the migrate and health subcommands, and otherwise
// runs until ctx is cancelled. It returns the process exit code.
func Main(ctx context.Context, p Profile, m Mode, args []string, environ []string, stderr io.Writer, opts ...RunOption) int {
	cfg, err := LoadConfig(p, environ)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", p.Name, err)
		return 2
	}
	log, err := logging.New(cfg.Log.Level, cfg.Log.Format, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", p.Name, err)
		return 2
	}
	defer func() { _ = log.Sync() }() // stderr cannot always sync; nothing to do about it
	if len(args) == 1 && args[0] == "health" {
		if err := healthcheck(ctx, cfg, m, stderr); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", p.Name, err)
			return 1
		}
		return 0
	}
	if len(args) > 0 {
		if err := command(cfg, args, stderr); err != nil {
			log.Error("command failed", zap.Strings("args", args), zap.Error(err))
			return 1
		}
		return 0
	}
	log.Info("starting", zap.String("binary", p.Name), zap.Any("config", cfg.Redacted(m)))
	if soft := deriveGOMEMLIMIT(os.Getenv); soft > 0 {
		log.Info("GOMEMLIMIT derived from the container's memory limit", zap.Int64("bytes", soft))
	}
	if cfg.legacyDataDir {
		log.Warn("using dolibarr.db in the working directory, with its JWT secret and mail outbox beside it, as releases " +
			"before DOLIBARR_DATA_DIR did; to keep them in one folder, stop the process and run: mkdir -m 700 " + p.DefaultDataDir +
			" && mv dolibarr.db* dolibarr-jwt.secret mail-outbox " + p.DefaultDataDir + "/ (or set DOLIBARR_DATA_DIR=. to keep this layout quietly)")
	}
	if err := Run(ctx, cfg, m, log, opts...); err != nil {
		log.Error("stopped with error", zap.Error(err))
		return 1
	}
	log.Info("stopped")
	return 0
}

// command runs a subcommand: migrate up|down|version. Each says what it did
// and the version the schema is at, so a successful run is not silent.
func command(cfg Config, args []string, out io.Writer) error {
	if args[0] != "migrate" || len(args) != 2 {
		return fmt.Errorf("usage: migrate up|down|version (got %q)", args)
	}
	switch args[1] {
	case "up", "down", "version":
	default:
		return fmt.Errorf("usage: migrate up|down|version (got %q)", args[1])
	}
	db, err := openDB(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	mg, err := db.NewMigrator()
	if err != nil {
		return err
	}
	defer mg.Close()
	before, _, err := mg.Version()
	if err != nil {
		return err
	}
	switch args[1] {
	case "up":
		err = mg.Up()
	case "down":
		err = mg.Down()
	}
	if err != nil {
		return err
	}
	v, dirty, err := mg.Version()
	if err != nil {
		return err
	}
	want, _ := persistence.ExpectedVersion(db.Dialect().Name())
	switch {
	case args[1] == "version":
		fmt.Fprintf(out, "schema at version %d", v)
	case v == before:
		fmt.Fprintf(out, "migrate %s: nothing to do, schema at version %d", args[1], v)
	default:
		fmt.Fprintf(out, "migrate %s: schema moved from version %d to %d", args[1], before, v)
	}
	fmt.Fprintf(out, " (this binary's latest: %d)", want)
	if dirty {
		fmt.Fprint(out, "; DIRTY: a migration failed half-way, fix the schema by hand and force the version")
	}
	fmt.Fprintln(out)
	return nil
}

func openDB(cfg Config) (*persistence.DB, error) {
	if cfg.DB.Driver == "sqlite" && cfg.DataDir != "" {
		// Owner only: it holds the JWT secret and the database.
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
	}
	return persistence.Open(persistence.Options{
		Driver: cfg.DB.Driver, DSN: cfg.DB.DSN,
		MaxOpenConns: cfg.DB.MaxOpenConns, MaxIdleConns: cfg.DB.MaxIdleConns, ConnMaxLifetime: cfg.DB.ConnMaxLifetime,
	})
}

// Run starts the parts of mode m and blocks until ctx is cancelled, then
// shuts down in order: /ready turns 503, the HTTP server drains, the runner
// drains, the database closes.
func Run(ctx context.Context, cfg Config, m Mode, log *zap.Logger, opts ...RunOption) error {
	started := time.Now()
	addr := cfg.HTTP.Addr
	if !m.API {
		addr = cfg.Runner.HealthAddr
	}
	// Bind before the slow steps (migrations, the first administrator's
	// password hashing): a taken port is reported at once, as itself, not
	// after them or as the cancellation of whichever step an impatient ^C
	// interrupted. Connections wait in the backlog until Serve.
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	// Serve's shutdown closes it; this closes it when start-up fails.
	defer ln.Close()
	db, err := openDB(cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.MigrateOnStart {
		if err := db.MigrateUp(); err != nil {
			return fmt.Errorf("migrate on start: %w", err)
		}
	}
	if ok, err := awaitSchema(ctx, db, ln, log); !ok || err != nil {
		return err
	}
	probe, closeProbe, err := openProbeDB(cfg, db)
	if err != nil {
		return err
	}
	defer closeProbe()
	ready, err := readiness(probe)
	if err != nil {
		return err
	}

	d := deps{cfg: cfg, db: db, log: log, now: time.Now}
	srv, runner, err := build(ctx, d, m, ready, opts)
	if err != nil {
		return err
	}
	// Start-up is done, and its one-off allocations (the first admin's
	// argon2id hashes, 19 MiB each; font and catalog loading) are garbage:
	// hand that memory back to the OS now rather than minutes later, so an
	// idle process is small (docs/benchmarks.md).
	debug.FreeOSMemory()
	log.Info("listening", zap.String("addr", ln.Addr().String()), zap.Bool("api", m.API), zap.Bool("runner", m.Runner),
		zap.String("db_driver", db.Dialect().Name()), zap.Duration("startup", time.Since(started)))

	var wg sync.WaitGroup
	errc := make(chan error, 2)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil {
			errc <- fmt.Errorf("http server: %w", err)
		}
	}()

	runCtx, stopRunner := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRunner()
	runnerDone := make(chan struct{})
	var runnerErr error
	if m.Runner {
		// The runner stops claiming when runCtx ends, drains for at most
		// DOLIBARR_RUNNER_DRAIN_TIMEOUT, then cancels and hands back what
		// is left (queue.Runner.Run).
		go func() {
			defer close(runnerDone)
			runnerErr = runner.Run(runCtx)
		}()
	} else {
		close(runnerDone)
	}

	select {
	case <-ctx.Done():
		log.Info("shutdown requested")
	case err = <-errc:
	}
	stopping := time.Now()

	// 1. Not ready any more; 2. drain HTTP.
	ready.SetDraining()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.HTTP.ShutdownTimeout)
	if serr := srv.Shutdown(sctx); serr != nil {
		log.Warn("http drain incomplete", zap.Error(serr))
	}
	cancel()
	wg.Wait()
	// 3. Drain the runner.
	stopRunner()
	<-runnerDone
	if runnerErr != nil {
		runnerErr = fmt.Errorf("job runner shutdown: %w", runnerErr)
	}
	log.Info("drained", zap.Duration("shutdown", time.Since(stopping)), zap.Duration("uptime", time.Since(started)))
	return errors.Join(err, runnerErr)
}

// build wires the parts of mode m: the API server (else the probe server)
// and, with the runner, the runner. The all-in-one wires every feature once:
// the runner's job handlers use the API's use cases (one PDF renderer).
func build(ctx context.Context, d deps, m Mode, ready *api.Readiness, opts []RunOption) (*api.Server, *queue.Runner, error) {
	d = withMetrics(d)
	w := &wiring{}
	if m.API {
		var err error
		if w, err = buildAPI(ctx, d); err != nil {
			return nil, nil, err
		}
	}
	var runner *queue.Runner
	if m.Runner {
		var err error
		if runner, err = buildRunner(ctx, d, w, opts); err != nil {
			return nil, nil, err
		}
	}
	var srv *api.Server
	if m.API {
		srv = apiServer(d, w, ready)
	} else {
		srv = api.NewProbeServer(d.log, ready)
	}
	serveMetrics(d, srv, runner)
	return srv, runner, nil
}

func readiness(db *persistence.DB) (*api.Readiness, error) {
	want, err := persistence.ExpectedVersion(db.Dialect().Name())
	if err != nil {
		return nil, err
	}
	return api.NewReadiness(
		api.Check{Name: "database", Fn: db.Ping},
		api.Check{Name: "migrations", Fn: func(ctx context.Context) error {
			v, dirty, err := db.SchemaVersion(ctx)
			switch {
			case err != nil:
				return errors.New("cannot read schema version: if the database is new, run migrate up")
			case v > want:
				// A rolling upgrade migrates before it replaces the pods, and
				// migrations are backward compatible (expand, then contract):
				// this older binary keeps serving on the newer schema, even
				// while the newer migration runs (golang-migrate marks it dirty).
				return nil
			case dirty:
				return fmt.Errorf("schema version %d is dirty: a migration failed; fix it and run migrate", v)
			case v < want:
				return fmt.Errorf("schema version %d, binary expects %d: run migrate up", v, want)
			}
			return nil
		}},
	), nil
}

// Environ is os.Environ, here so tests can pass their own.
var Environ = os.Environ
