// Command queue benchmarks the job queue on PostgreSQL (or MariaDB) with the
// runner's own code (internal/infrastructure/queue), in a fresh database
// created on the server named by -admin and dropped afterwards.
//
//	go run ./bench/queue -mode insert     # batch insert rate of -jobs jobs
//	go run ./bench/queue -mode throughput -runners 1   # -jobs no-op jobs inserted, then timed to completion
//	go run ./bench/queue -mode throughput -runners 3
//	go run ./bench/queue -mode throughput -at-once   # every job completed with its own statement (queue.CompleteAtOnce)
//	go run ./bench/queue -mode latency    # enqueue-to-start on an idle queue, one job at a time
//
// Throughput runs each runner in its own process (this program re-executed
// with -mode child): the children connect, report ready, and start claiming
// together on the parent's signal; the time runs from that signal to the
// last completion (max finished_at).
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/dolibarr-go/dolibarr/bench/internal/harness"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
)

type options struct {
	mode     string
	admin    string
	dsn      string
	jobs     int
	runners  int
	workers  int
	buffer   int
	cooldown time.Duration
	samples  int
	gap      time.Duration
	listen   bool
	atOnce   bool
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "throughput", "insert | throughput | latency | child")
	flag.StringVar(&o.admin, "admin", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL admin DSN")
	flag.StringVar(&o.dsn, "dsn", "", "child mode: the benchmark database")
	flag.IntVar(&o.jobs, "jobs", 100_000, "jobs inserted")
	flag.IntVar(&o.runners, "runners", 1, "runner processes")
	flag.IntVar(&o.workers, "workers", 100, "workers per runner")
	flag.IntVar(&o.buffer, "buffer", 100, "buffer per runner")
	flag.DurationVar(&o.cooldown, "cooldown", 2*time.Millisecond, "fetch cooldown")
	flag.IntVar(&o.samples, "samples", 1000, "latency samples")
	flag.DurationVar(&o.gap, "gap", 20*time.Millisecond, "latency: idle time between two jobs")
	flag.BoolVar(&o.listen, "listen", true, "use LISTEN/NOTIFY")
	flag.BoolVar(&o.atOnce, "at-once", false, "register the no-op kind with queue.CompleteAtOnce (a completion statement per job)")
	flag.Parse()
	var err error
	switch o.mode {
	case "insert":
		err = withDB(o, benchInsert)
	case "throughput":
		err = withDB(o, benchThroughput)
	case "latency":
		err = withDB(o, benchLatency)
	case "child":
		err = child(o)
	default:
		err = fmt.Errorf("unknown mode %q", o.mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// withDB creates and migrates a fresh database, runs fn, and drops it.
func withDB(o options, fn func(o options, db *persistence.DB) error) error {
	tdb, err := harness.CreateDB(context.Background(), o.admin, "dgbench")
	if err != nil {
		return err
	}
	defer tdb.Drop()
	o.dsn = tdb.DSN
	db, err := openDB(o.dsn, 20)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.MigrateUp(); err != nil {
		return err
	}
	return fn(o, db)
}

func openDB(dsn string, conns int) (*persistence.DB, error) {
	return persistence.Open(persistence.Options{Driver: "postgres", DSN: dsn, MaxOpenConns: conns, MaxIdleConns: conns})
}

func noopJobs(n int) []domain.NewJob {
	out := make([]domain.NewJob, n)
	for i := range out {
		out[i] = domain.NewJob{Kind: "bench.noop", Payload: []byte(`{}`)}
	}
	return out
}

// insert enqueues n no-op jobs in one EnqueueMany (multi-row INSERTs of
// 1,000 rows in one transaction) and returns the time taken.
func insert(db *persistence.DB, n int) (time.Duration, error) {
	jobs := noopJobs(n)
	start := time.Now()
	err := queue.NewStore(db, queue.StoreOptions{}).EnqueueMany(context.Background(), jobs)
	return time.Since(start), err
}

func benchInsert(o options, db *persistence.DB) error {
	took, err := insert(db, o.jobs)
	if err != nil {
		return err
	}
	fmt.Printf("insert: %d jobs in %s = %.0f jobs/s\n", o.jobs, took.Round(time.Millisecond), float64(o.jobs)/took.Seconds())
	return nil
}

func benchThroughput(o options, db *persistence.DB) error {
	took, err := insert(db, o.jobs)
	if err != nil {
		return err
	}
	fmt.Printf("inserted %d jobs in %s (%.0f jobs/s)\n", o.jobs, took.Round(time.Millisecond), float64(o.jobs)/took.Seconds())
	if _, err := db.SQL().Exec("VACUUM ANALYZE jobs"); err != nil { // the server runs with autovacuum off
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	type kid struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
	}
	var kids []kid
	defer func() {
		for _, k := range kids {
			_ = k.cmd.Process.Signal(syscall.SIGTERM)
			_ = k.cmd.Wait()
		}
	}()
	for range o.runners {
		cmd := exec.Command(self, "-mode", "child", "-dsn", o.dsn,
			"-workers", fmt.Sprint(o.workers), "-buffer", fmt.Sprint(o.buffer), "-cooldown", o.cooldown.String(),
			fmt.Sprintf("-listen=%t", o.listen), fmt.Sprintf("-at-once=%t", o.atOnce))
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return err
		}
		stdin, err := cmd.StdinPipe()
		if err != nil {
			return err
		}
		if err := cmd.Start(); err != nil {
			return err
		}
		kids = append(kids, kid{cmd, stdin})
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || strings.TrimSpace(line) != "ready" {
			return fmt.Errorf("child did not get ready: %q: %w", line, err)
		}
	}
	pgBefore := backendCPU(dbName(o.dsn)) // the insert and VACUUM ran on our own backends
	start := time.Now()
	for _, k := range kids {
		if _, err := io.WriteString(k.stdin, "go\n"); err != nil {
			return err
		}
	}
	for {
		var left int64
		if err := db.SQL().QueryRow("SELECT count(*) FROM jobs WHERE state IN ('available', 'running')").Scan(&left); err != nil {
			return err
		}
		if left == 0 {
			break
		}
		if time.Since(start) > 10*time.Minute {
			return fmt.Errorf("%d jobs left after 10 minutes", left)
		}
		time.Sleep(50 * time.Millisecond) // polling a benchmark's progress; the end time comes from finished_at
	}
	var done int64
	var last time.Time
	if err := db.SQL().QueryRow("SELECT count(*), max(finished_at) FROM jobs WHERE state = 'completed'").Scan(&done, &last); err != nil {
		return err
	}
	if done != int64(o.jobs) {
		return fmt.Errorf("%d of %d jobs completed", done, o.jobs)
	}
	took = last.Sub(start)
	// CPU spent, independent of what else the machine runs: the database
	// backends serving this benchmark's database (read before the children
	// disconnect) and the runner processes.
	pgCPU := backendCPU(dbName(o.dsn)) - pgBefore
	for _, k := range kids {
		_ = k.cmd.Process.Signal(syscall.SIGTERM)
		_ = k.cmd.Wait()
	}
	var runnerCPU time.Duration
	for _, k := range kids {
		runnerCPU += k.cmd.ProcessState.UserTime() + k.cmd.ProcessState.SystemTime()
	}
	kids = nil
	cpu := pgCPU + runnerCPU
	fmt.Printf("throughput: %d runner(s) x %d workers (buffer %d, cooldown %s, listen %t, at once %t): %d jobs in %s = %.0f jobs/s\n",
		o.runners, o.workers, o.buffer, o.cooldown, o.listen, o.atOnce, o.jobs, took.Round(time.Millisecond), float64(o.jobs)/took.Seconds())
	fmt.Printf("cpu: runners %s + postgres backends %s = %.1f µs per job; on 2 idle cores that is at most %.0f jobs/s\n",
		runnerCPU.Round(time.Millisecond), pgCPU.Round(time.Millisecond), float64(cpu.Microseconds())/float64(o.jobs),
		2*float64(o.jobs)/cpu.Seconds())
	return nil
}

func dbName(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

// backendCPU sums the user and system time of the PostgreSQL backends
// connected to database name (their process titles name it), from /proc.
// It needs the server on this host; elsewhere it reports 0.
func backendCPU(name string) time.Duration {
	dirs, _ := os.ReadDir("/proc")
	var total time.Duration
	for _, d := range dirs {
		cmdline, err := os.ReadFile("/proc/" + d.Name() + "/cmdline")
		if err != nil || !strings.HasPrefix(string(cmdline), "postgres: ") || !strings.Contains(string(cmdline), " "+name+" ") {
			continue
		}
		if pid, err := strconv.Atoi(d.Name()); err == nil {
			total += harness.CPUTime(pid)
		}
	}
	return total
}

func quietLogger() *zap.Logger {
	l, _ := zap.NewProduction(zap.IncreaseLevel(zapcore.WarnLevel))
	return l
}

// child runs one runner with a no-op handler: it says "ready", waits for
// "go" on stdin, and runs until SIGTERM.
func child(o options) error {
	db, err := openDB(o.dsn, 20)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Ping(context.Background()); err != nil {
		return err
	}
	reg := queue.NewRegistry()
	var opts []queue.HandlerOption
	if o.atOnce {
		opts = append(opts, queue.CompleteAtOnce())
	}
	if err := reg.Register("bench.noop", func(context.Context, *domain.Job) error { return nil }, opts...); err != nil {
		return err
	}
	cfg := queue.Config{Workers: o.workers, Buffer: o.buffer, FetchCooldown: o.cooldown}
	if o.listen {
		cfg.ListenDSN = o.dsn
	}
	r, err := queue.New(queue.NewStore(db, queue.StoreOptions{}), reg, cfg, quietLogger())
	if err != nil {
		return err
	}
	fmt.Println("ready")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return r.Run(ctx)
}

// benchLatency measures enqueue-to-start on an idle queue: one job at a
// time, the next enqueued gap after the previous started.
func benchLatency(o options, db *persistence.DB) error {
	started := make(chan time.Time, 1)
	reg := queue.NewRegistry()
	if err := reg.Register("bench.ping", func(context.Context, *domain.Job) error {
		started <- time.Now()
		return nil
	}); err != nil {
		return err
	}
	cfg := queue.Config{Workers: 10, Buffer: 10, FetchCooldown: o.cooldown}
	if o.listen {
		cfg.ListenDSN = o.dsn
	}
	// The runner has its own pool, as a runner process would.
	rdb, err := openDB(o.dsn, 20)
	if err != nil {
		return err
	}
	defer rdb.Close()
	r, err := queue.New(queue.NewStore(rdb, queue.StoreOptions{}), reg, cfg, quietLogger())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			fmt.Fprintln(os.Stderr, "runner stop:", err)
		}
	}()
	store := queue.NewStore(db, queue.StoreOptions{Notify: o.listen})
	time.Sleep(500 * time.Millisecond) // let the runner connect and LISTEN before the first sample
	lat := make([]time.Duration, 0, o.samples)
	for range o.samples {
		t0 := time.Now()
		if _, err := store.Enqueue(context.Background(), domain.NewJob{Kind: "bench.ping"}); err != nil {
			return err
		}
		select {
		case t1 := <-started:
			lat = append(lat, t1.Sub(t0))
		case <-time.After(10 * time.Second):
			return fmt.Errorf("job not started within 10 s")
		}
		time.Sleep(o.gap) // the queue goes idle again between jobs
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	fmt.Printf("latency (listen %t, %d samples, %s idle between jobs): p50 %s  p90 %s  p99 %s  max %s\n", o.listen, len(lat), o.gap,
		pct(0.50).Round(10*time.Microsecond), pct(0.90).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond),
		lat[len(lat)-1].Round(10*time.Microsecond))
	return nil
}
