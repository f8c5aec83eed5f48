package app_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
	"github.com/dolibarr-go/dolibarr/internal/testproc"
)

var (
	runnerBinOnce sync.Once
	runnerBin     string
	runnerBinErr  error
)

// runnerBinary builds cmd/runner, the production runner, once.
func runnerBinary(t *testing.T) string {
	t.Helper()
	runnerBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dolibarr-runner-")
		if err != nil {
			runnerBinErr = err
			return
		}
		runnerBin = filepath.Join(dir, "dolibarr-runner")
		out, err := exec.Command("go", "build", "-o", runnerBin, "../../cmd/runner").CombinedOutput()
		if err != nil {
			runnerBinErr = err
			t.Logf("%s", out)
		}
	})
	require.NoError(t, runnerBinErr)
	return runnerBin
}

func startRunner(t *testing.T, driver, dsn string) (*exec.Cmd, *testproc.Buffer) {
	t.Helper()
	cmd := exec.Command(runnerBinary(t))
	cmd.Env = append(os.Environ(),
		"DOLIBARR_DB_DRIVER="+driver, "DOLIBARR_DB_DSN="+dsn, "DOLIBARR_RUNNER_HEALTH_ADDR=127.0.0.1:0",
		"DOLIBARR_DB_MAX_OPEN_CONNS=8", "DOLIBARR_DB_MAX_IDLE_CONNS=8", "DOLIBARR_LOG_LEVEL=warn",
		"DOLIBARR_RUNNER_POLL_INTERVAL=20ms", "DOLIBARR_RUNNER_MAINTENANCE_INTERVAL=50ms",
		// A killed runner's jobs are rescued when their lease ends.
		"DOLIBARR_RUNNER_LEASE=7s", "DOLIBARR_RUNNER_JOB_TIMEOUT=5s",
		"DOLIBARR_WEBHOOKS_TIMEOUT=1s", "DOLIBARR_WEBHOOKS_ALLOW_PRIVATE=true",
		"DOLIBARR_WEBHOOKS_RETRY_SCHEDULE=20ms,40ms,80ms,160ms,320ms", "DOLIBARR_WEBHOOKS_HOLD_WAIT=10ms")
	out := &testproc.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		if t.Failed() {
			t.Logf("runner %d output:\n%s", cmd.Process.Pid, out.String())
		}
	})
	return cmd, out
}

// TestWebhooksSurviveRunnerKill: the production runner binary is killed
// with kill -9 while deliveries are in flight (the receiver answers
// slowly); a second runner delivers everything once the first one's leases
// expire. Every event arrives (duplicates allowed, losses not), signed, in
// order per object.
func TestWebhooksSurviveRunnerKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts runner processes")
	}
	for _, driver := range testdb.Drivers {
		t.Run(driver, func(t *testing.T) {
			a, dsn := apptest.NewDSN(t, driver, webhookConfig())
			rcv := newReceiver(t)
			rcv.slow = func(string, int) time.Duration { return 150 * time.Millisecond }
			f := newSalesFix(t, a, "100", "")
			before := lastEventID(t, a)
			w := subscribe(t, a, f.admin, rcv.URL)
			rcv.setSecret(w.Secret)
			scriptedDay(t, f, 3)
			events := outbox(t, a, before)

			first, _ := startRunner(t, driver, dsn)
			require.Eventually(t, func() bool {
				rcv.mu.Lock()
				defer rcv.mu.Unlock()
				return len(rcv.seen) >= 4
			}, 30*time.Second, 5*time.Millisecond)
			require.NoError(t, first.Process.Signal(syscall.SIGKILL))
			require.Equal(t, -1, testproc.WaitExit(t, first, 10*time.Second, &testproc.Buffer{}), "killed by the signal")
			require.Less(t, len(rcv.received()), len(events), "the kill interrupted the deliveries")

			startRunner(t, driver, dsn)
			require.Eventually(t, func() bool {
				seen := map[string]bool{}
				for _, g := range rcv.received() {
					seen[g.ID] = true
				}
				return len(seen) == len(events)
			}, 90*time.Second, 20*time.Millisecond)
			require.Empty(t, rcv.badSignatures())
			requireAllInOrder(t, events, rcv.received())
		})
	}
}
