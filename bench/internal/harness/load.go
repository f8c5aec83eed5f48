package harness

import (
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Result is what Load measured.
type Result struct {
	Rate     float64       // successful calls per second
	Errors   int64         // failed calls
	P50, P99 time.Duration // latency percentiles of all calls, failed ones included
}

// Load runs fn in a closed loop from n goroutines (i is the goroutine's
// index) for d and reports the rate of successful calls and the latency
// percentiles of all calls. The first error, if any, is printed on stderr.
func Load(n int, d time.Duration, fn func(i int) error) Result {
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		lat    []time.Duration
		ok     atomic.Int64
		failed atomic.Int64
		first  atomic.Value
	)
	stop := time.Now().Add(d)
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Latencies are kept per goroutine and merged at the end so
			// that recording them does not contend.
			local := make([]time.Duration, 0, 4096)
			for time.Now().Before(stop) {
				t0 := time.Now()
				err := fn(i)
				local = append(local, time.Since(t0))
				if err != nil {
					failed.Add(1)
					first.CompareAndSwap(nil, err.Error())
					continue
				}
				ok.Add(1)
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if e := first.Load(); e != nil {
		fmt.Fprintln(os.Stderr, "first error:", e)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	return Result{Rate: float64(ok.Load()) / el.Seconds(), Errors: failed.Load(), P50: pct(0.50), P99: pct(0.99)}
}

// Ms is d in milliseconds, for tables printed with %.2f ms.
func Ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

var seed atomic.Uint64

// FastRand is a cheap pseudo-random non-negative int (splitmix64 over a
// shared atomic counter), for picking a random row in a hot loop.
func FastRand() int {
	z := seed.Add(0x9e3779b97f4a7c15)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return int((z ^ (z >> 31)) >> 1)
}
