package acceptance

import (
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/testproc"
)

// Bad configuration stops every binary before it starts, naming every bad
// variable in one report.
func TestBadConfigurationExitsNamingEveryVariable(t *testing.T) {
	dir := binaries(t)
	bad := []string{
		"DOLIBARR_DB_DRIVER=oracle",
		"DOLIBARR_DB_MAX_OPEN_CONNS=-1",
		"DOLIBARR_DB_MAX_IDLE_CONNS=-5",
		"DOLIBARR_LOG_FORMAT=xml",
	}
	for _, name := range []string{"dolibarr", "dolibarr-api", "dolibarr-runner"} {
		out, code := runFor(t, filepath.Join(dir, name), bad)
		require.NotZero(t, code, "%s accepted a bad configuration", name)
		for _, v := range []string{"DOLIBARR_DB_DRIVER", "DOLIBARR_DB_MAX_OPEN_CONNS", "DOLIBARR_DB_MAX_IDLE_CONNS", "DOLIBARR_LOG_FORMAT"} {
			require.Contains(t, out, v+":", "%s does not name %s:\n%s", name, v, out)
		}
	}
	// A malformed DSN is caught before any connection is tried.
	out, code := runFor(t, filepath.Join(dir, "dolibarr"), []string{"DOLIBARR_DB_DRIVER=postgres", "DOLIBARR_DB_DSN=postgres://u:topsecret@h:port/db"})
	require.NotZero(t, code)
	require.Contains(t, out, "DOLIBARR_DB_DSN:")
	require.NotContains(t, out, "topsecret")
}

func runFor(t *testing.T, bin string, env []string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = env
	logs := &testproc.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start())
	code := testproc.WaitExit(t, cmd, 10*time.Second, logs)
	return logs.String(), code
}
