package acceptance

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/testproc"
)

// startIn starts bin in the working directory dir with env only, as a user
// would start it from a shell there.
func startIn(t *testing.T, dir, bin string, env []string, args ...string) (*exec.Cmd, *testproc.Buffer) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, env
	logs := &testproc.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd, logs
}

// logLines decodes a process's JSON log lines.
func logLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), "not a JSON line (stderr is not a terminal): %s", sc.Text())
		lines = append(lines, l)
	}
	return lines
}

// TestTakenPortIsReportedBeforeStartUp: with its port already taken, each
// binary exits at once with the port error, before it migrates an empty
// database or hashes the first administrator's password (issue 21: the API
// exited with "identity bootstrap ... context canceled" instead).
func TestTakenPortIsReportedBeforeStartUp(t *testing.T) {
	bins := binaries(t)
	taken, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	addr := taken.Addr().String()
	sqlite := []string{"DOLIBARR_DB_DRIVER=sqlite", "DOLIBARR_DB_DSN=file:dolibarr.db", "DOLIBARR_MIGRATE_ON_START=true"}
	for _, c := range []struct {
		bin string
		env []string
	}{
		{"dolibarr", []string{"DOLIBARR_HTTP_ADDR=" + addr}},
		{"dolibarr-api", append([]string{"DOLIBARR_HTTP_ADDR=" + addr, "DOLIBARR_JWT_SECRET=" + strings.Repeat("s", 40)}, sqlite...)},
		{"dolibarr-runner", append([]string{"DOLIBARR_RUNNER_HEALTH_ADDR=" + addr}, sqlite...)},
	} {
		t.Run(c.bin, func(t *testing.T) {
			work := t.TempDir()
			cmd, logs := startIn(t, work, filepath.Join(bins, c.bin), c.env)
			start := time.Now()
			code := testproc.WaitExit(t, cmd, 20*time.Second, logs)
			out := logs.String()
			require.Equal(t, 1, code, out)
			require.Contains(t, out, "listen "+addr)
			require.Contains(t, out, "address already in use")
			require.NotContains(t, out, "first administrator")
			require.NotContains(t, out, "context canceled")
			entries, err := os.ReadDir(work)
			require.NoError(t, err)
			require.Empty(t, entries, "nothing was created or migrated before the port was checked")
			t.Logf("%s exited in %s", c.bin, time.Since(start))
		})
	}
}

// TestQuickStartKeepsItsFilesInOneDataDirectory runs the quick start as a
// new user does, in an empty folder with no configuration: the database, the
// JWT secret and the mail outbox all land in dolibarr-data/ (which
// .gitignore covers), nothing else in the folder. Its log, JSON when stderr
// is not a terminal, shows the generated password on a line of its own, the
// settings the all-in-one uses, and a drain time that is the drain's, not
// the process's age.
func TestQuickStartKeepsItsFilesInOneDataDirectory(t *testing.T) {
	bins := binaries(t)
	work := t.TempDir()
	addr := testproc.FreeAddr(t)
	cmd, logs := startIn(t, work, filepath.Join(bins, "dolibarr"), []string{"DOLIBARR_HTTP_ADDR=" + addr})
	waitStatus(t, "http://"+addr+"/ready", 200, 60*time.Second, logs)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, 0, testproc.WaitExit(t, cmd, 30*time.Second, logs), logs.String())

	entries, err := os.ReadDir(work)
	require.NoError(t, err)
	require.Len(t, entries, 1, "one folder in the working directory: %v", entries)
	require.Equal(t, "dolibarr-data", entries[0].Name())
	fi, err := os.Stat(filepath.Join(work, "dolibarr-data"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), "it holds the signing secret")
	var names []string
	data, err := os.ReadDir(filepath.Join(work, "dolibarr-data"))
	require.NoError(t, err)
	for _, e := range data {
		names = append(names, e.Name())
	}
	for _, want := range []string{"dolibarr.db", "dolibarr-jwt.secret", "mail-outbox"} {
		require.Contains(t, names, want)
	}
	gitignore, err := os.ReadFile(filepath.Join(repoRoot(t), ".gitignore"))
	require.NoError(t, err)
	require.True(t, slices.Contains(strings.Split(string(gitignore), "\n"), "/dolibarr-data/"), ".gitignore covers the data directory")

	var password, starting, drained map[string]any
	for _, l := range logLines(t, logs.String()) {
		msg, _ := l["msg"].(string)
		switch {
		case strings.Contains(msg, "generated password"):
			password = l
		case msg == "starting":
			starting = l
		case msg == "drained":
			drained = l
		}
	}
	require.NotNil(t, password, logs.String())
	line, _ := json.Marshal(password)
	require.Less(t, len(line), 400, "the password has a short line of its own: %s", line)
	require.Regexp(t, `^first administrator "admin" created with the generated password \S{12,} \(shown only this once`, password["msg"])

	require.NotNil(t, starting)
	cfg, _ := starting["config"].(map[string]any)
	require.Equal(t, "file:dolibarr-data/dolibarr.db", cfg["DOLIBARR_DB_DSN"])
	require.Equal(t, "dolibarr-data", cfg["DOLIBARR_DATA_DIR"])
	require.NotContains(t, cfg, "DOLIBARR_RUNNER_HEALTH_ADDR", "the all-in-one does not use the runner binary's probe port")

	require.NotNil(t, drained, logs.String())
	shutdown, ok := drained["shutdown"].(float64) // seconds
	require.True(t, ok, "%v", drained)
	uptime, ok := drained["uptime"].(float64)
	require.True(t, ok, "%v", drained)
	require.Less(t, shutdown, uptime, "shutdown is the drain's time, uptime the process's")
	require.Less(t, shutdown, 5.0, "an idle process drains at once")
}

// TestOldWorkingDirectoryLayoutKeepsWorking: a folder where an older release
// left dolibarr.db, its secret and outbox beside it keeps its data (no new,
// empty database in dolibarr-data/, no second administrator), and the log
// says how to move to the data directory.
func TestOldWorkingDirectoryLayoutKeepsWorking(t *testing.T) {
	bins := binaries(t)
	work := t.TempDir()
	addr := testproc.FreeAddr(t)
	// The old default: everything in the working directory.
	cmd, logs := startIn(t, work, filepath.Join(bins, "dolibarr"), []string{"DOLIBARR_HTTP_ADDR=" + addr, "DOLIBARR_DB_DSN=file:dolibarr.db"})
	waitStatus(t, "http://"+addr+"/ready", 200, 60*time.Second, logs)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, 0, testproc.WaitExit(t, cmd, 30*time.Second, logs), logs.String())
	require.FileExists(t, filepath.Join(work, "dolibarr-jwt.secret"))

	cmd, logs = startIn(t, work, filepath.Join(bins, "dolibarr"), []string{"DOLIBARR_HTTP_ADDR=" + addr})
	waitStatus(t, "http://"+addr+"/ready", 200, 60*time.Second, logs)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, 0, testproc.WaitExit(t, cmd, 30*time.Second, logs), logs.String())
	out := logs.String()
	require.NotContains(t, out, "generated password", "the existing database and its administrator are used")
	require.Contains(t, out, "mkdir -m 700 dolibarr-data && mv dolibarr.db* dolibarr-jwt.secret mail-outbox dolibarr-data/")
	require.NoDirExists(t, filepath.Join(work, "dolibarr-data"))
}

// TestMigrateSaysWhatItDid: migrate up, down and version each print the
// version the schema moved from and to, or is at (issue 21: a successful
// `migrate up` printed nothing).
func TestMigrateSaysWhatItDid(t *testing.T) {
	bin := filepath.Join(binaries(t), "dolibarr")
	work := t.TempDir()
	run := func(arg string) string {
		t.Helper()
		cmd, logs := startIn(t, work, bin, nil, "migrate", arg)
		require.Equal(t, 0, testproc.WaitExit(t, cmd, 60*time.Second, logs), logs.String())
		return logs.String()
	}
	out := run("up")
	require.Regexp(t, `^migrate up: schema moved from version 0 to (\d+) \(this binary's latest: (\d+)\)\n$`, out)
	latest := strings.TrimSuffix(strings.Fields(out)[8], ")")
	require.Equal(t, "migrate up: nothing to do, schema at version "+latest+" (this binary's latest: "+latest+")\n", run("up"))
	require.Regexp(t, `^migrate down: schema moved from version `+latest+` to \d+ `, run("down"))
	require.Regexp(t, `^schema at version \d+ \(this binary's latest: `+latest+`\)\n$`, run("version"))
}
