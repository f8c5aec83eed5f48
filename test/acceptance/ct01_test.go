package acceptance

import (
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/testdb"
	"github.com/dolibarr-go/dolibarr/internal/testproc"
)

// CT-01 (portability): the binaries are fully static and run with nothing
// else in their root filesystem, as in a FROM scratch image.

func TestCT01BinariesAreStatic(t *testing.T) {
	dir := binaries(t)
	for _, name := range []string{"dolibarr", "dolibarr-api", "dolibarr-runner"} {
		f, err := elf.Open(filepath.Join(dir, name))
		require.NoError(t, err, name)
		for _, p := range f.Progs {
			require.NotEqual(t, elf.PT_INTERP, p.Type, "%s has a program interpreter", name)
			require.NotEqual(t, elf.PT_DYNAMIC, p.Type, "%s has a dynamic segment", name)
		}
		require.Nil(t, f.Section(".dynamic"), "%s has a .dynamic section", name)
		require.Nil(t, f.Section(".interp"), "%s has an .interp section", name)
		require.NoError(t, f.Close())
	}
}

// chrootCmd runs binary alone in an empty directory used as its root.
func chrootCmd(t *testing.T, binary string, env []string, args ...string) (*exec.Cmd, *testproc.Buffer, string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatalf("CT-01 runs the binary in a chroot and needs root; run the suite as root (CI does)")
	}
	root := t.TempDir()
	dst := filepath.Join(root, filepath.Base(binary))
	copyFile(t, binary, dst)
	cmd := exec.Command("/"+filepath.Base(binary), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Chroot: root}
	cmd.Dir = "/"
	cmd.Env = env
	logs := &testproc.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	return cmd, logs, root
}

func copyFile(t *testing.T, src, dst string) {
	in, err := os.Open(src)
	require.NoError(t, err)
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o755)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, err)
	require.NoError(t, out.Close())
}

func TestCT01AllInOneRunsAloneInAnEmptyRoot(t *testing.T) {
	addr := testproc.FreeAddr(t)
	cmd, logs, root := chrootCmd(t, filepath.Join(binaries(t), "dolibarr"),
		[]string{"DOLIBARR_HTTP_ADDR=" + addr, "DOLIBARR_RUNNER_HEALTH_ADDR=127.0.0.1:0"})
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill() }()

	waitStatus(t, "http://"+addr+"/health", 200, 20*time.Second, logs)
	body := waitStatus(t, "http://"+addr+"/ready", 200, 20*time.Second, logs)
	require.Contains(t, body, `"database":"ok"`)
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.Contains(t, names, "dolibarr-data", "the data directory lives beside the binary: %v", names)
	require.FileExists(t, filepath.Join(root, "dolibarr-data", "dolibarr.db"), "the embedded SQLite file is in it")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, 0, testproc.WaitExit(t, cmd, 20*time.Second, logs), "exit code after SIGTERM\n%s", logs)
	require.Contains(t, logs.String(), `"msg":"stopped"`)
}

func TestCT01APIRunsAloneInAnEmptyRootOnPostgres(t *testing.T) {
	dsn := testdb.DSN(t, "postgres")
	require.True(t, strings.Contains(dsn, "127.0.0.1") || strings.Contains(dsn, "localhost"), "PostgreSQL is local: %s", dsn)
	env := []string{
		"DOLIBARR_DB_DRIVER=postgres", "DOLIBARR_DB_DSN=" + dsn,
		"DOLIBARR_JWT_SECRET=ct01-secret-that-is-long-enough-0123456789",
	}
	bin := filepath.Join(binaries(t), "dolibarr-api")

	// The migrate subcommand, as the Helm hook runs it.
	mig, mlogs, _ := chrootCmd(t, bin, env, "migrate", "up")
	require.NoError(t, mig.Run(), "migrate up:\n%s", mlogs)
	require.Contains(t, mlogs.String(), "version ")

	addr := testproc.FreeAddr(t)
	cmd, logs, _ := chrootCmd(t, bin, append(env, "DOLIBARR_HTTP_ADDR="+addr))
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill() }()
	waitStatus(t, "http://"+addr+"/health", 200, 20*time.Second, logs)
	waitStatus(t, "http://"+addr+"/ready", 200, 20*time.Second, logs)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, 0, testproc.WaitExit(t, cmd, 20*time.Second, logs), "exit code after SIGTERM\n%s", logs)
}
