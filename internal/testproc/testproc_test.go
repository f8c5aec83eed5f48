package testproc_test

import (
	"net"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/testproc"
)

func TestWaitExitReturnsTheCode(t *testing.T) {
	out := &testproc.Buffer{}
	cmd := exec.Command("sh", "-c", "echo hello; exit 3")
	cmd.Stdout = out
	require.NoError(t, cmd.Start())
	require.Equal(t, 3, testproc.WaitExit(t, cmd, 10*time.Second, out))
	require.Equal(t, "hello\n", out.String())
}

func TestBufferTakesConcurrentWrites(t *testing.T) {
	var b testproc.Buffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				_, _ = b.Write([]byte("x"))
				_ = b.String()
			}
		})
	}
	wg.Wait()
	require.Len(t, b.String(), 800)
}

func TestFreeAddrCanBeBound(t *testing.T) {
	l, err := net.Listen("tcp", testproc.FreeAddr(t))
	require.NoError(t, err)
	require.NoError(t, l.Close())
}
