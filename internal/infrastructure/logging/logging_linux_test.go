package logging_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/logging"
)

// openPTY opens a pseudo-terminal pair: what a person's terminal is to the
// process writing to the second file.
func openPTY(t *testing.T) (*os.File, *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = master.Close() })
	require.NoError(t, unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0))
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	require.NoError(t, err)
	tty, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tty.Close() })
	return master, tty
}

// TestAutoFormatIsConsoleOnATerminal: DOLIBARR_LOG_FORMAT=auto (the
// default) writes for a person on a terminal and JSON lines anywhere else.
func TestAutoFormatIsConsoleOnATerminal(t *testing.T) {
	_, tty := openPTY(t)
	require.True(t, logging.IsTerminal(tty))

	f, err := os.Create(t.TempDir() + "/log")
	require.NoError(t, err)
	defer f.Close()
	require.False(t, logging.IsTerminal(f))
	require.False(t, logging.IsTerminal(&bytes.Buffer{}))

	log, err := logging.New("info", "auto", f)
	require.NoError(t, err)
	log.Info("hello")
	b, err := os.ReadFile(f.Name())
	require.NoError(t, err)
	var line map[string]any
	require.NoError(t, json.Unmarshal(b, &line), "not a terminal: JSON, got %s", b)

	// On the terminal the same call writes a console line: read it back
	// from the terminal's other end.
	master, tty := openPTY(t)
	log, err = logging.New("info", "auto", tty)
	require.NoError(t, err)
	log.Info("hello")
	buf := make([]byte, 4096)
	n, err := master.Read(buf)
	require.NoError(t, err)
	out := buf[:n]
	require.Contains(t, string(out), "hello")
	require.False(t, json.Valid(bytes.TrimSpace(out)), "a terminal gets the console format, got %s", out)
	require.Contains(t, string(out), "INFO")
}
