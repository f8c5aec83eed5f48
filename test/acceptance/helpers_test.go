// Package acceptance holds the process-level acceptance tests: real binaries,
// real signals, real databases.
package acceptance

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// repoRoot is the module root, where scripts/ lives.
func repoRoot(t *testing.T) string {
	_, file, _, ok := runtime.Caller(0)
	require.True(t, ok)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// binaries builds the three static binaries once per test process with the
// same script the Dockerfile runs, and returns the directory holding them.
func binaries(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "dolibarr-bin-")
		if buildErr != nil {
			return
		}
		cmd := exec.Command("sh", "scripts/build-static.sh", buildDir)
		cmd.Dir = repoRoot(t)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			buildErr = fmt.Errorf("build-static.sh: %w\n%s", err, out.String())
		}
	})
	require.NoError(t, buildErr)
	return buildDir
}

// get returns the status and body of GET url, or 0 when nothing answers.
func get(url string) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// waitStatus polls url until it answers want, failing after limit. Polling an
// observable state is the synchronisation here, not the sleep between tries.
func waitStatus(t *testing.T, url string, want int, limit time.Duration, logs fmt.Stringer) string {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		code, body := get(url)
		if code == want {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: want %d within %s, last answer %d %s\nprocess output:\n%s", url, want, limit, code, body, logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
