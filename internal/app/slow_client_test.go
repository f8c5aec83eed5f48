package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// slowClientTimeout is the request timeout of these tests: short, so the
// bounds are checked in seconds rather than the production 30 s.
const slowClientTimeout = time.Second

// serveSlowClientApp serves the real API server, with its own http.Server
// settings, on a loopback listener.
func serveSlowClientApp(t *testing.T) string {
	t.Helper()
	a := apptest.New(t, "sqlite", apptest.WithConfig(func(c *app.Config) { c.HTTP.RequestTimeout = slowClientTimeout }))
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- a.Server.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, a.Server.Shutdown(ctx))
		require.NoError(t, <-done)
	})
	return ln.Addr().String()
}

// trickle writes the request head and then body one byte per tick until
// stop is closed or the server stops reading; the server's answer (nil when
// it closed the connection without one) and the time it took come back.
func trickle(t *testing.T, addr, head, body string, tick time.Duration) (*http.Response, []byte, time.Duration) {
	t.Helper()
	conn, err := (&net.Dialer{}).DialContext(context.Background(), "tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	start := time.Now()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		if _, err := io.WriteString(conn, head); err != nil {
			return
		}
		for i := range len(body) {
			select {
			case <-stop:
				return
			case <-time.After(tick):
			}
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				return
			}
		}
	}()
	// Generous: the bound under test is slowClientTimeout; the old server
	// held such a client for 60 s.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(slowClientTimeout+10*time.Second)))
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		var ne net.Error
		require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server held the connection for %s without an answer", time.Since(start))
		require.ErrorIs(t, err, io.ErrUnexpectedEOF, "the connection ends with no answer")
		return nil, nil, time.Since(start)
	}
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	return res, b, time.Since(start)
}

func requireTimeoutProblem(t *testing.T, res *http.Response, body []byte, took time.Duration) {
	t.Helper()
	t.Logf("answered after %s", took)
	require.NotNil(t, res, "no answer after %s", took)
	require.Equal(t, http.StatusRequestTimeout, res.StatusCode, "%s", body)
	require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	var p struct{ Code string }
	require.NoError(t, json.Unmarshal(body, &p))
	require.Equal(t, "request_timeout", p.Code)
	require.GreaterOrEqual(t, took, slowClientTimeout-100*time.Millisecond)
	require.Less(t, took, slowClientTimeout+5*time.Second, "answered within the request timeout, not the old 60 s")
}

const loginHead = "POST /api/v1/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: "

// TestBodyStoppingShortIsAnswered408: a body that stops short of its
// Content-Length is answered 408 request_timeout once the request timeout
// has passed (issue 21, defect 7: it was held 60 s and closed unanswered).
func TestBodyStoppingShortIsAnswered408(t *testing.T) {
	addr := serveSlowClientApp(t)
	// 11 bytes sent of the 200 announced, then silence.
	res, body, took := trickle(t, addr, loginHead+"200\r\n\r\n"+`{"login":"a`, "", 0)
	requireTimeoutProblem(t, res, body, took)
}

// TestTrickledBodyIsAnswered408: a body that keeps trickling, one byte every
// 50 ms, does not keep the request alive past the request timeout.
func TestTrickledBodyIsAnswered408(t *testing.T) {
	addr := serveSlowClientApp(t)
	body := `{"login":"admin","password":"` + strings.Repeat("x", 150) + `"}`
	res, b, took := trickle(t, addr, loginHead+strconv.Itoa(len(body))+"\r\n\r\n", body, 50*time.Millisecond)
	requireTimeoutProblem(t, res, b, took)
}

// TestTrickledHeadersAreCutOff: headers that trickle in are cut off within
// the header timeout (at most the request timeout); Go's server closes such a
// connection without an answer, as there is no request to answer yet.
func TestTrickledHeadersAreCutOff(t *testing.T) {
	addr := serveSlowClientApp(t)
	res, _, took := trickle(t, addr, "GET /health HTTP/1.1\r\nHost: test\r\n", "X-Slow: "+strings.Repeat("y", 400), 50*time.Millisecond)
	if res != nil {
		require.Equal(t, http.StatusRequestTimeout, res.StatusCode)
	}
	require.Less(t, took, slowClientTimeout+5*time.Second, "headers are bounded by the request timeout")
}

// TestPromptClientIsServed: the short timeouts leave a normal request alone.
func TestPromptClientIsServed(t *testing.T) {
	addr := serveSlowClientApp(t)
	body := `{"login":"admin","password":"` + apptest.AdminPassword + `"}`
	res, b, _ := trickle(t, addr, loginHead+strconv.Itoa(len(body))+"\r\n\r\n", body, 0)
	require.NotNil(t, res)
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", b)
}
