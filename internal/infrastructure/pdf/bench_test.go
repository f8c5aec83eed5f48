package pdf

import (
	"context"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// benchmarkInvoice renders an invoice of n lines in French (accents, two
// fonts, page numbers, payments) as the API would, b.N times.
func benchmarkInvoice(b *testing.B, n, wantPages int) {
	r, err := New(Options{MaxConcurrent: 1})
	require.NoError(b, err)
	doc := sampleInvoice(n, "fr")
	var pages, size int
	r.opts.Observe = func(rep Report) { pages, size = rep.Pages, rep.Bytes }
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if err := r.Render(context.Background(), doc, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	// CPU time per render (process user + system, so GC work counts too):
	// steadier than wall time on a machine shared with other jobs.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(size)/1024, "pdf-KiB")
	require.Equal(b, wantPages, pages, "lines=%d", n)
}

// BenchmarkInvoice1Page is a one-page invoice (7 lines, every block).
func BenchmarkInvoice1Page(b *testing.B) { benchmarkInvoice(b, 7, 1) }

// BenchmarkInvoice10Pages is a ten-page invoice.
func BenchmarkInvoice10Pages(b *testing.B) { benchmarkInvoice(b, 175, 10) }

// BenchmarkDraft1Page is the one-page invoice as a draft: the watermark
// image is embedded on the page.
func BenchmarkDraft1Page(b *testing.B) {
	r, err := New(Options{MaxConcurrent: 1})
	require.NoError(b, err)
	doc := sampleInvoice(7, "fr")
	doc.Draft = true
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Render(context.Background(), doc, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
