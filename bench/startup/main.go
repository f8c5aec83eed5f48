// Command startup measures the all-in-one binary's start-up-to-ready time
// and its idle resident memory on a fresh SQLite file.
//
//	scripts/build-static.sh /tmp/dlb && go run ./bench/startup -bin /tmp/dlb/dolibarr -n 20
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "bin/dolibarr", "all-in-one binary")
	n := flag.Int("n", 10, "runs")
	idle := flag.Duration("idle", 3*time.Second, "idle time before reading RSS")
	flag.Parse()
	var ready []time.Duration
	var rss []int
	for i := 0; i < *n; i++ {
		d, kb, err := once(*bin, *idle)
		if err != nil {
			fmt.Fprintln(os.Stderr, "run", i, err)
			os.Exit(1)
		}
		ready = append(ready, d)
		rss = append(rss, kb)
	}
	sort.Slice(ready, func(i, j int) bool { return ready[i] < ready[j] })
	sort.Ints(rss)
	fmt.Printf("runs=%d ready: min=%s median=%s max=%s | idle RSS: min=%.1f MB median=%.1f MB max=%.1f MB\n",
		*n, ready[0], ready[len(ready)/2], ready[len(ready)-1],
		float64(rss[0])/1024, float64(rss[len(rss)/2])/1024, float64(rss[len(rss)-1])/1024)
}

func once(bin string, idle time.Duration) (time.Duration, int, error) {
	dir, err := os.MkdirTemp("", "startup-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	addr := l.Addr().String()
	_ = l.Close()
	abs, _ := filepath.Abs(bin)
	cmd := exec.Command(abs)
	cmd.Dir = dir
	cmd.Env = []string{"DOLIBARR_HTTP_ADDR=" + addr, "DOLIBARR_RUNNER_HEALTH_ADDR=127.0.0.1:0", "DOLIBARR_LOG_LEVEL=warn"}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	client := &http.Client{Timeout: time.Second}
	var took time.Duration
	for {
		if time.Since(start) > 10*time.Second {
			return 0, 0, fmt.Errorf("not ready within 10 s")
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/ready", nil)
		res, err := client.Do(req)
		cancel()
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				took = time.Since(start)
				break
			}
		}
		time.Sleep(time.Millisecond)
	}
	time.Sleep(idle)
	kb, err := vmRSS(cmd.Process.Pid)
	return took, kb, err
}

func vmRSS(pid int) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if strings.HasPrefix(s.Text(), "VmRSS:") {
			return strconv.Atoi(strings.Fields(s.Text())[1])
		}
	}
	return 0, fmt.Errorf("no VmRSS")
}
