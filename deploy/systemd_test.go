package deploy_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/app"
)

// unit is a systemd unit file: section -> key -> values (keys may repeat).
type unit map[string]map[string][]string

func parseUnit(t *testing.T, path string) unit {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	u := unit{}
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
			require.NotContains(t, u, section, "%s:%d: section [%s] twice", path, n, section)
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			require.True(t, ok, "%s:%d: not key=value: %q", path, n, line)
			require.NotEmpty(t, section, "%s:%d: key outside a section", path, n)
			u[section][k] = append(u[section][k], v)
		}
	}
	require.NoError(t, sc.Err())
	return u
}

// TestSystemdUnit: the unit runs the all-in-one binary under a dynamic user
// with its state in /var/lib/dolibarr (the data directory) and the
// hardening promised in the README, reads the EnvironmentFile example,
// whose variables the binary knows and accepts. systemd-analyze verifies
// it where systemd is installed.
func TestSystemdUnit(t *testing.T) {
	const path = "systemd/dolibarr.service"
	u := parseUnit(t, path)
	require.Equal(t, []string{"Unit", "Service", "Install"}, func() []string {
		var s []string
		for _, k := range []string{"Unit", "Service", "Install"} {
			if _, ok := u[k]; ok {
				s = append(s, k)
			}
		}
		return s
	}())
	svc := u["Service"]
	require.Equal(t, []string{"/usr/local/bin/dolibarr"}, svc["ExecStart"])
	require.Equal(t, []string{"-/etc/dolibarr/dolibarr.env"}, svc["EnvironmentFile"])
	require.Contains(t, svc["Environment"], "DOLIBARR_DATA_DIR=/var/lib/dolibarr")
	require.Equal(t, []string{"dolibarr"}, svc["StateDirectory"])
	for key, want := range map[string]string{
		"DynamicUser": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes",
		"NoNewPrivileges": "yes", "CapabilityBoundingSet": "", "RestrictSUIDSGID": "yes", "MemoryDenyWriteExecute": "yes",
		"StateDirectoryMode": "0700", "UMask": "0077", "KillSignal": "SIGTERM",
	} {
		require.Equal(t, []string{want}, svc[key], "[Service] %s", key)
	}
	require.Equal(t, []string{"multi-user.target"}, u["Install"]["WantedBy"])

	// The example EnvironmentFile sets only variables the binary reads, to
	// values it accepts, with the unit's own settings.
	env := []string{"DOLIBARR_DATA_DIR=" + t.TempDir()}
	known := map[string]bool{}
	for _, ev := range app.EnvVars() {
		known[ev.Key] = true
	}
	b, err := os.ReadFile("systemd/dolibarr.env")
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, _, ok := strings.Cut(line, "=")
		require.True(t, ok, "dolibarr.env: %q", line)
		require.True(t, known[k], "dolibarr.env: %s is not a variable the binaries read", k)
		env = append(env, line)
	}
	_, err = app.LoadConfig(app.AllInOne, env)
	require.NoError(t, err)

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze not installed: the unit was parsed, not verified by systemd")
		return
	}
	// verify wants ExecStart to exist: point it at a binary that does.
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	tmp := filepath.Join(t.TempDir(), "dolibarr.service")
	require.NoError(t, os.WriteFile(tmp, []byte(strings.ReplaceAll(string(src), "/usr/local/bin/dolibarr", "/bin/true")), 0o600))
	out, err := exec.Command(analyze, "verify", tmp).CombinedOutput()
	require.NoError(t, err, "systemd-analyze verify:\n%s", out)
	require.Empty(t, strings.TrimSpace(string(out)), "systemd-analyze verify has remarks")
}
