// Package testproc holds the helpers tests use to run real processes: a
// buffer that collects a running process's output, a free local address to
// hand it, and a bounded wait for its exit.
package testproc

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Buffer collects a process's output safely while the process writes it
// and the test reads it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// FreeAddr returns a 127.0.0.1 address with a port nothing listened on a
// moment ago, for a child process to bind.
func FreeAddr(t *testing.T) string {
	t.Helper()
	var lc net.ListenConfig
	l, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// WaitExit waits for the started cmd to end within limit and returns its
// exit code (-1 when a signal killed it). Past the limit it kills the
// process and fails the test, printing logs.
func WaitExit(t *testing.T, cmd *exec.Cmd, limit time.Duration, logs fmt.Stringer) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("wait: %v", err)
		}
		return cmd.ProcessState.ExitCode()
	case <-time.After(limit):
		_ = cmd.Process.Kill()
		t.Fatalf("process did not exit within %s\noutput:\n%s", limit, logs)
	}
	return -1
}
