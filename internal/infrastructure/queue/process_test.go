package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
	"github.com/dolibarr-go/dolibarr/internal/testproc"
)

// Process tests: the runner as a real process (testdata/testrunner, which
// is dolibarr-runner's app.Main plus the test.work kind), stopped by real
// signals.

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// runnerBinary builds testdata/testrunner once per test process.
func runnerBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "dolibarr-testrunner-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "testrunner")
		out, err := exec.Command("go", "build", "-o", binPath, "./testdata/testrunner").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build testrunner: %w\n%s", err, out)
		}
	})
	require.NoError(t, binErr)
	return binPath
}

type proc struct {
	cmd  *exec.Cmd
	out  *testproc.Buffer
	done chan struct{}
	err  error
}

// startRunnerProc starts a runner process on dsn with env overrides. Its
// pool is small: three of them run beside another test package, within the
// 100 connections a stock PostgreSQL allows.
func startRunnerProc(t *testing.T, driver, dsn string, env ...string) *proc {
	t.Helper()
	cmd := exec.Command(runnerBinary(t))
	cmd.Env = append(os.Environ(),
		"DOLIBARR_DB_DRIVER="+driver, "DOLIBARR_DB_DSN="+dsn, "DOLIBARR_RUNNER_HEALTH_ADDR=127.0.0.1:0",
		"DOLIBARR_LOG_LEVEL=info", "DOLIBARR_DB_MAX_OPEN_CONNS=8", "DOLIBARR_DB_MAX_IDLE_CONNS=8")
	cmd.Env = append(cmd.Env, env...)
	p := &proc{cmd: cmd, out: &testproc.Buffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	require.NoError(t, cmd.Start())
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("runner %d output (tail):\n%s", cmd.Process.Pid, tailOf(p.out.String(), 6000))
		}
	})
	return p
}

func tailOf(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (p *proc) pid() string { return strconv.Itoa(p.cmd.Process.Pid) }

// stop sends sig and waits for the exit, returning its code and how long
// the process took to exit after the signal.
func (p *proc) stop(t *testing.T, sig syscall.Signal, within time.Duration) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	require.NoError(t, p.cmd.Process.Signal(sig))
	select {
	case <-p.done:
	case <-time.After(within):
		t.Fatalf("runner %s did not exit within %s of %s", p.pid(), within, sig)
	}
	took := time.Since(start)
	var ee *exec.ExitError
	if p.err != nil && !errors.As(p.err, &ee) {
		t.Fatalf("runner %s: %v", p.pid(), p.err)
	}
	return p.cmd.ProcessState.ExitCode(), took
}

// processDB creates a migrated database with the test.work tables and
// returns it with its DSN.
func processDB(t *testing.T, driver string) (*persistence.DB, string) {
	t.Helper()
	dsn := testdb.DSN(t, driver)
	db, err := persistence.Open(persistence.Options{Driver: driver, DSN: dsn, MaxOpenConns: 10, MaxIdleConns: 10})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, db.MigrateUp())
	g := db.Gorm(context.Background())
	require.NoError(t, g.Exec("CREATE TABLE test_starts (job_id BIGINT NOT NULL, attempt INT NOT NULL, runner VARCHAR(32) NOT NULL)").Error)
	require.NoError(t, g.Exec("CREATE TABLE test_done (job_id BIGINT NOT NULL PRIMARY KEY, runner VARCHAR(32) NOT NULL)").Error)
	return db, dsn
}

func count(t *testing.T, db *persistence.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	require.NoError(t, db.Gorm(context.Background()).Raw(query, args...).Scan(&n).Error)
	return n
}

func enqueueWork(t *testing.T, db *persistence.DB, n int, payload string) {
	t.Helper()
	batch := make([]domain.NewJob, n)
	for i := range batch {
		batch[i] = domain.NewJob{Kind: "test.work", Payload: json.RawMessage(payload), RunAt: time.Now().Add(-time.Second)}
	}
	require.NoError(t, NewStore(db, StoreOptions{}).EnqueueMany(context.Background(), batch))
}

// TestCT04SoftDrain: SIGTERM while two jobs run and two wait in the buffer.
// The runner claims nothing more, finishes all four, leaves the other 16
// untouched and exits 0, long before the 15 s drain limit.
func TestCT04SoftDrain(t *testing.T) {
	t.Parallel()
	for _, driver := range testdb.Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			db, dsn := processDB(t, driver)
			enqueueWork(t, db, 20, `{"sleep_ms":1500}`)
			p := startRunnerProc(t, driver, dsn, "DOLIBARR_RUNNER_WORKERS=2", "DOLIBARR_RUNNER_BUFFER=2")
			require.Eventually(t, func() bool {
				return count(t, db, "SELECT count(*) FROM test_starts") == 2 &&
					count(t, db, "SELECT count(*) FROM jobs WHERE state = 'running'") == 4
			}, 30*time.Second, 10*time.Millisecond, "two jobs running and two buffered")

			code, took := p.stop(t, syscall.SIGTERM, 20*time.Second)
			require.Equal(t, 0, code)
			require.Less(t, took, 15*time.Second, "the soft drain needs about 3 s, not the limit")

			require.EqualValues(t, 4, count(t, db, "SELECT count(*) FROM jobs WHERE state = 'completed' AND attempt = 1"))
			require.EqualValues(t, 16, count(t, db, "SELECT count(*) FROM jobs WHERE state = 'available' AND attempt = 0"))
			require.Zero(t, count(t, db, "SELECT count(*) FROM jobs WHERE state NOT IN ('completed', 'available')"))
			require.EqualValues(t, 4, count(t, db, "SELECT count(*) FROM test_done"))
			require.EqualValues(t, 4, count(t, db, "SELECT count(*) FROM test_starts"), "no job started twice")
			require.EqualValues(t, 4, count(t, db,
				"SELECT count(*) FROM jobs j JOIN test_done d ON d.job_id = j.id WHERE j.state = 'completed'"))
		})
	}
}

// TestCT04HardStop: SIGTERM while two jobs that need 60 s run and two wait
// in the buffer. After the default 15 s drain the runner cancels the two,
// hands them back to available with their attempt spent, hands the two
// buffered ones back unspent, and exits 0 within 15 s plus a small margin.
func TestCT04HardStop(t *testing.T) {
	t.Parallel()
	for _, driver := range testdb.Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			db, dsn := processDB(t, driver)
			enqueueWork(t, db, 6, `{"sleep_ms":60000}`)
			p := startRunnerProc(t, driver, dsn, "DOLIBARR_RUNNER_WORKERS=2", "DOLIBARR_RUNNER_BUFFER=2")
			require.Eventually(t, func() bool {
				return count(t, db, "SELECT count(*) FROM test_starts") == 2 &&
					count(t, db, "SELECT count(*) FROM jobs WHERE state = 'running'") == 4
			}, 30*time.Second, 10*time.Millisecond, "two jobs running and two buffered")
			var startedIDs []int64
			require.NoError(t, db.Gorm(context.Background()).Raw("SELECT job_id FROM test_starts ORDER BY job_id").Scan(&startedIDs).Error)

			code, took := p.stop(t, syscall.SIGTERM, 30*time.Second)
			require.Equal(t, 0, code)
			require.GreaterOrEqual(t, took, 15*time.Second, "the drain waits its 15 s for the running jobs")
			require.Less(t, took, 20*time.Second, "15 s drain plus a small margin (3 s cancel grace at most, then bookkeeping)")

			require.Zero(t, count(t, db, "SELECT count(*) FROM jobs WHERE state <> 'available'"), "nothing lost, nothing stuck")
			require.Zero(t, count(t, db, "SELECT count(*) FROM test_done"))
			s := NewStore(db, StoreOptions{})
			for _, id := range startedIDs {
				j := get(t, s, id)
				require.Equal(t, 1, j.Attempt, "job %d ran, its attempt is spent", id)
				require.Contains(t, j.LastError, "interrupted by shutdown")
				require.Empty(t, j.LeaseOwner)
			}
			require.EqualValues(t, 4, count(t, db, "SELECT count(*) FROM jobs WHERE attempt = 0 AND last_error IS NULL"),
				"the buffered and the unclaimed jobs kept their attempts")
		})
	}
}

// TestExactlyOnceAcrossThreeRunners: three runner processes work 10,000
// jobs; each job is recorded once under a unique constraint, started once,
// and claimed once.
func TestExactlyOnceAcrossThreeRunners(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 jobs through three processes; run without -short")
	}
	for _, driver := range []string{"postgres", "mysql"} {
		t.Run(driver, func(t *testing.T) {
			db, dsn := processDB(t, driver)
			const n = 10000
			enqueueWork(t, db, n, `{}`)
			var procs []*proc
			for range 3 {
				procs = append(procs, startRunnerProc(t, driver, dsn, "DOLIBARR_LOG_LEVEL=warn"))
			}
			require.Eventually(t, func() bool {
				return count(t, db, "SELECT count(*) FROM jobs WHERE state = 'completed'") == n
			}, 3*time.Minute, 100*time.Millisecond)
			for _, p := range procs {
				code, _ := p.stop(t, syscall.SIGTERM, 20*time.Second)
				require.Equal(t, 0, code)
			}
			require.EqualValues(t, n, count(t, db, "SELECT count(*) FROM test_done"))
			require.EqualValues(t, n, count(t, db, "SELECT count(*) FROM test_starts"), "a job started twice")
			require.EqualValues(t, n, count(t, db, "SELECT count(DISTINCT job_id) FROM test_starts"))
			require.Zero(t, count(t, db, "SELECT count(*) FROM jobs WHERE attempt <> 1"), "a job was claimed twice")
			type share struct {
				Runner string
				N      int64
			}
			var shares []share
			require.NoError(t, db.Gorm(context.Background()).Raw("SELECT runner, count(*) AS n FROM test_done GROUP BY runner").Scan(&shares).Error)
			require.Len(t, shares, 3, "all three runners worked: %+v", shares)
			t.Logf("%s: jobs per runner %+v", driver, shares)
		})
	}
}

// TestCrashRescue: kill -9 a runner in the middle of a job; once the lease
// expires another runner rescues the job and completes it.
func TestCrashRescue(t *testing.T) {
	t.Parallel()
	for _, driver := range testdb.Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			db, dsn := processDB(t, driver)
			enqueueWork(t, db, 1, `{"hang_on_attempt":1}`)
			short := []string{"DOLIBARR_RUNNER_LEASE=2s", "DOLIBARR_RUNNER_JOB_TIMEOUT=1s", "DOLIBARR_RUNNER_MAINTENANCE_INTERVAL=100ms",
				"DOLIBARR_RUNNER_POLL_INTERVAL=100ms"}
			a := startRunnerProc(t, driver, dsn, short...)
			require.Eventually(t, func() bool { return count(t, db, "SELECT count(*) FROM test_starts") == 1 },
				30*time.Second, 10*time.Millisecond)
			code, _ := a.stop(t, syscall.SIGKILL, 10*time.Second)
			require.Equal(t, -1, code, "killed by a signal")

			s := NewStore(db, StoreOptions{})
			var id int64
			require.NoError(t, db.Gorm(context.Background()).Raw("SELECT id FROM jobs").Scan(&id).Error)
			orphan := get(t, s, id)
			require.Equal(t, domain.JobRunning, orphan.State, "the dead runner still holds it")
			require.NotNil(t, orphan.LeaseExpiresAt)

			b := startRunnerProc(t, driver, dsn, short...)
			require.Eventually(t, func() bool { return count(t, db, "SELECT count(*) FROM jobs WHERE state = 'completed'") == 1 },
				30*time.Second, 20*time.Millisecond)
			code, _ = b.stop(t, syscall.SIGTERM, 20*time.Second)
			require.Equal(t, 0, code)

			j := get(t, s, id)
			require.Equal(t, 2, j.Attempt)
			require.False(t, j.AttemptedAt.Before(*orphan.LeaseExpiresAt), "rescued only after the lease expired")
			require.Len(t, j.Errors, 1)
			require.Contains(t, j.Errors[0].Error, "lease expired")
			require.Equal(t, 1, j.Errors[0].Attempt)
			var doneBy string
			require.NoError(t, db.Gorm(context.Background()).Raw("SELECT runner FROM test_done WHERE job_id = ?", id).Scan(&doneBy).Error)
			require.Equal(t, b.pid(), doneBy)
			require.NotEqual(t, a.pid(), doneBy)
		})
	}
}
