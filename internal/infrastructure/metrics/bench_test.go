package metrics_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/metrics"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
)

func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkHTTPMiddleware measures what the metrics middleware adds to one
// request: a bare Echo with one templated route, without and with it. The
// difference, over the CPU of a real request (BenchmarkGetProductHTTP in
// internal/api), is the share docs/benchmarks.md records (goal < 3 %).
func BenchmarkHTTPMiddleware(b *testing.B) {
	for _, with := range []bool{false, true} {
		name := "bare"
		if with {
			name = "metrics"
		}
		b.Run(name, func(b *testing.B) {
			e := echo.New()
			if with {
				e.Pre(metrics.New().HTTP())
			}
			e.GET("/api/v1/products/:id", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
			req := httptest.NewRequest(http.MethodGet, "/api/v1/products/1", nil)
			b.ReportAllocs()
			cpu := cpuTime()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					rec := httptest.NewRecorder()
					e.ServeHTTP(rec, req)
				}
			})
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkScrape measures one scrape of a registry holding what a busy
// all-in-one exposes: 60 routes x 3 methods x 2 classes, 5 job kinds, the
// pool, Go and process collectors (queue depth served from its cache).
func BenchmarkScrape(b *testing.B) {
	m := metrics.New()
	e := echo.New()
	e.Pre(m.HTTP())
	for i := range 60 {
		e.Any("/api/v1/r"+strconv.Itoa(i)+"/:id", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	}
	for i := range 60 {
		for _, meth := range []string{"GET", "POST", "PATCH"} {
			e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(meth, "/api/v1/r"+strconv.Itoa(i)+"/1", nil))
		}
	}
	m.DBPool("primary", func() sql.DBStats { return sql.DBStats{MaxOpenConnections: 20} })
	kinds := []string{"a", "b", "c", "d", "e"}
	for _, k := range kinds {
		m.Claimed(k)
		m.Finished(k, queue.OutcomeCompleted, time.Millisecond)
	}
	m.Queue(metrics.QueueSource{
		Depth: func(context.Context, time.Time) ([]queue.Depth, time.Time, error) {
			return nil, time.Time{}, nil
		},
		Kinds: kinds, Slots: func() (int, int) { return 1, 10 }, Every: time.Hour,
	})
	h := m.Handler()
	b.ReportAllocs()
	cpu := cpuTime()
	b.ResetTimer()
	for range b.N {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		_, _ = io.Copy(io.Discard, rec.Body)
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
}
