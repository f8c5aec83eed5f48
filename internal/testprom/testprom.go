// Package testprom runs a real Prometheus server for tests: Debian's
// prometheus package, installed with apt-get when missing and running as
// root (as internal/testdb does for the database servers). It never skips:
// a test that cannot get Prometheus fails and says why.
package testprom

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var installMu sync.Mutex

// Binary returns the path of name ("prometheus" or "promtool"), installing
// Debian's prometheus package when it is missing.
func Binary(t testing.TB, name string) string {
	t.Helper()
	installMu.Lock()
	defer installMu.Unlock()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Geteuid() != 0 {
		t.Fatalf("testprom: %s is not installed (Debian package prometheus) and we are not root to install it: apt-get install prometheus", name)
	}
	for _, args := range [][]string{{"update"}, {"install", "-y", "--no-install-recommends", "prometheus"}} {
		cmd := exec.CommandContext(context.Background(), "apt-get", args...) //nolint:gosec // fixed arguments: the harness installs one package
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("testprom: apt-get %s: %v\n%s", strings.Join(args, " "), err, tail(string(out), 2000))
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("testprom: %s still missing after installing prometheus: %v", name, err)
	}
	return p
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// Server is a running Prometheus.
type Server struct {
	URL string
}

// Target is one scrape job: its name and the host:port of its /metrics.
type Target struct {
	Job  string
	Addr string
}

// Start runs Prometheus scraping targets every interval (at least 1 s)
// and stops it at cleanup.
func Start(t testing.TB, interval time.Duration, targets ...Target) *Server {
	t.Helper()
	bin := Binary(t, "prometheus")
	dir := t.TempDir()
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  scrape_interval: %s\n  evaluation_interval: %s\nscrape_configs:\n", interval, interval)
	for _, tg := range targets {
		fmt.Fprintf(&b, "  - job_name: %q\n    static_configs:\n      - targets: [%q]\n", tg.Job, tg.Addr)
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	logf, err := os.Create(filepath.Join(dir, "prometheus.log")) //nolint:gosec // the test's own temporary directory
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(context.Background(), bin, "--config.file="+cfg, //nolint:gosec // the installed prometheus, on the test's own files "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("testprom: start prometheus: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		_ = logf.Close()
	})
	s := &Server{URL: "http://" + addr}
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, s.URL+"/-/ready", nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logf.Name())
			t.Fatalf("testprom: prometheus exited at start:\n%s", tail(string(log), 2000))
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logf.Name())
			t.Fatalf("testprom: prometheus not ready within 30 s:\n%s", tail(string(log), 2000))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Sample is one series of an instant vector.
type Sample struct {
	Labels map[string]string
	Value  float64
}

// Query runs an instant PromQL query and returns its vector (a scalar
// result comes back as one sample without labels).
func (s *Server) Query(ctx context.Context, q string) ([]Sample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/api/v1/query?query="+url.QueryEscape(q), nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("query %q: %w", q, err)
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("query %q: %s", q, body.Error)
	}
	switch body.Data.ResultType {
	case "vector":
		var vec []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		}
		if err := json.Unmarshal(body.Data.Result, &vec); err != nil {
			return nil, err
		}
		out := make([]Sample, 0, len(vec))
		for _, v := range vec {
			f, err := strconv.ParseFloat(fmt.Sprint(v.Value[1]), 64)
			if err != nil {
				return nil, err
			}
			out = append(out, Sample{Labels: v.Metric, Value: f})
		}
		return out, nil
	case "scalar":
		var sc [2]any
		if err := json.Unmarshal(body.Data.Result, &sc); err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(fmt.Sprint(sc[1]), 64)
		return []Sample{{Value: f}}, err
	}
	return nil, fmt.Errorf("query %q: result type %s", q, body.Data.ResultType)
}

// Value runs q, which must return exactly one sample, and returns its
// value; ok is false when it returned none.
func (s *Server) Value(ctx context.Context, q string) (v float64, ok bool, err error) {
	got, err := s.Query(ctx, q)
	if err != nil || len(got) == 0 {
		return 0, false, err
	}
	if len(got) > 1 {
		return 0, false, fmt.Errorf("query %q: %d series, want one", q, len(got))
	}
	return got[0].Value, true, nil
}
