package acceptance

import (
	"io"
	"net"
	"net/url"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/testdb"
	"github.com/dolibarr-go/dolibarr/internal/testproc"
)

// tcpProxy stands between the API and PostgreSQL so a test can take the
// database away (connections cut, port refusing) and bring it back, without
// stopping the server other tests share.
type tcpProxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{addr: testproc.FreeAddr(t), target: target, conns: map[net.Conn]bool{}}
	p.start(t)
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) start(t *testing.T) {
	ln, err := net.Listen("tcp", p.addr)
	require.NoError(t, err)
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
}

func (p *tcpProxy) pipe(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = true, true
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); _ = up.Close() }()
	_, _ = io.Copy(c, up)
	_ = c.Close()
}

// stop refuses new connections and cuts the open ones: the database is gone.
func (p *tcpProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}

func TestReadyFollowsTheDatabaseAndRecoversByItself(t *testing.T) {
	dsn := testdb.DSN(t, "postgres")
	bin := filepath.Join(binaries(t), "dolibarr-api")
	env := []string{"DOLIBARR_DB_DRIVER=postgres", "DOLIBARR_JWT_SECRET=ready-test-secret-long-enough-0123456789"}

	mig := exec.Command(bin, "migrate", "up")
	mig.Env = append(env, "DOLIBARR_DB_DSN="+dsn)
	out, err := mig.CombinedOutput()
	require.NoError(t, err, string(out))

	u, err := url.Parse(dsn)
	require.NoError(t, err)
	proxy := newProxy(t, u.Host)
	u.Host = proxy.addr
	q := u.Query()
	q.Set("connect_timeout", "1")
	u.RawQuery = q.Encode()

	addr := testproc.FreeAddr(t)
	cmd := exec.Command(bin)
	cmd.Env = append(env, "DOLIBARR_DB_DSN="+u.String(), "DOLIBARR_HTTP_ADDR="+addr)
	logs := &testproc.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start())
	defer func() { _ = cmd.Process.Kill() }()
	base := "http://" + addr
	waitStatus(t, base+"/ready", 200, 20*time.Second, logs)

	proxy.stop()
	body := waitStatus(t, base+"/ready", 503, 20*time.Second, logs)
	require.Contains(t, body, `"code":"not_ready"`)
	require.Contains(t, body, "database")
	code, _ := get(base + "/health")
	require.Equal(t, 200, code, "liveness does not depend on the database")

	proxy.start(t)
	waitStatus(t, base+"/ready", 200, 30*time.Second, logs)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.Equal(t, 0, testproc.WaitExit(t, cmd, 20*time.Second, logs), "%s", logs)
}
