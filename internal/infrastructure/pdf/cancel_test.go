package pdf

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/phpdave11/gofpdf"
	"github.com/stretchr/testify/require"
)

// observed runs one render whose Progress hook calls at(ctx, done, total)
// and returns Render's error, what was written and the render's report.
func observed(t *testing.T, r *Renderer, ctx context.Context, lines int, at func(ctx context.Context, done, total int)) ([]byte, Report, error) {
	t.Helper()
	reports := make(chan Report, 1)
	r.opts.Observe = func(rep Report) { reports <- rep }
	r.opts.Progress = at
	var buf bytes.Buffer
	err := r.Render(ctx, sampleInvoice(lines, "en"), &buf)
	select {
	case rep := <-reports:
		return buf.Bytes(), rep, err
	case <-time.After(30 * time.Second):
		t.Fatal("the render goroutine never reported")
		return nil, Report{}, nil
	}
}

// TestPreCancelledRenderDoesNothing: a context already done returns its
// error before any goroutine starts or any slot is taken.
func TestPreCancelledRenderDoesNothing(t *testing.T) {
	r := newRenderer(t, Options{MaxConcurrent: 1})
	r.opts.Observe = func(Report) { t.Error("no render should start") }
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	require.ErrorIs(t, r.Render(ctx, sampleInvoice(3, "en"), &buf), context.Canceled)
	require.Zero(t, buf.Len())
	require.Empty(t, r.slots, "no slot taken")
}

// TestCancelDuringBuild cancels while rows are being added: the goroutine
// stops at the next row, having built fewer rows than the document has.
func TestCancelDuringBuild(t *testing.T) {
	r := newRenderer(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const at = 5
	out, rep, err := observed(t, r, ctx, 200, func(_ context.Context, done, _ int) {
		if done == at {
			cancel()
		}
	})
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, rep.Err, context.Canceled, "the render goroutine itself saw the cancellation")
	require.Equal(t, at, rep.Done, "it stopped at the very next unit")
	require.Less(t, rep.Done, rep.Units)
	require.Empty(t, out, "nothing written")
}

// TestCancelInsideGenerate cancels after every row was built, while
// maroto's Generate draws them: the checkpoint in the next row aborts
// Generate, so the render stops before drawing the rest.
func TestCancelInsideGenerate(t *testing.T) {
	r := newRenderer(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var built int
	out, rep, err := observed(t, r, ctx, 300, func(_ context.Context, done, total int) {
		body := (total - 2) / 2
		if done == 1+body+3 { // the third row drawn by Generate
			built = body
			cancel()
		}
	})
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, rep.Err, context.Canceled)
	require.Positive(t, built, "the cancellation came during Generate")
	require.Equal(t, 1+built+3, rep.Done)
	require.Less(t, rep.Done, rep.Units, "rows left undrawn")
	require.Empty(t, out)
}

// TestDeadlineStopsARender: the timeout the use case sets behaves as a
// cancellation, with context.DeadlineExceeded.
func TestDeadlineStopsARender(t *testing.T) {
	r := newRenderer(t, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	out, rep, err := observed(t, r, ctx, 100, func(c context.Context, done, _ int) {
		if done == 10 {
			<-c.Done() // a unit slower than the whole budget
		}
	})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, rep.Err, context.DeadlineExceeded)
	require.Equal(t, 10, rep.Done)
	require.Empty(t, out)
}

// TestAbandonedRenderKeepsItsSlot: with one slot, a render whose caller
// has gone but whose goroutine has not ended yet still holds the slot, so
// the next render waits (and gives up when its own context ends); once
// the goroutine ends, renders run again.
func TestAbandonedRenderKeepsItsSlot(t *testing.T) {
	r := newRenderer(t, Options{MaxConcurrent: 1})
	ctx, cancel := context.WithCancel(context.Background())
	inside, release := make(chan struct{}), make(chan struct{})
	reports := make(chan Report, 3)
	r.opts.Observe = func(rep Report) { reports <- rep }
	r.opts.Progress = func(c context.Context, done, _ int) {
		if c == ctx && done == 2 {
			close(inside)
			<-release // an uninterruptible step that takes long
		}
	}
	first := make(chan error, 1)
	go func() { first <- r.Render(ctx, sampleInvoice(20, "en"), &bytes.Buffer{}) }()
	<-inside
	cancel()
	require.ErrorIs(t, <-first, context.Canceled, "the caller returns at once")
	require.Len(t, r.slots, 1, "the abandoned goroutine still holds the slot")

	waiting, stop := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer stop()
	require.ErrorIs(t, r.Render(waiting, sampleInvoice(1, "en"), &bytes.Buffer{}), context.DeadlineExceeded, "no slot: it waited, then gave up")

	close(release)
	rep := <-reports
	require.ErrorIs(t, rep.Err, context.Canceled, "the abandoned goroutine stopped at its next unit")
	require.Equal(t, 2, rep.Done)
	require.NoError(t, r.Drain(context.Background()))
	require.Empty(t, r.slots)
	var buf bytes.Buffer
	require.NoError(t, r.Render(context.Background(), sampleInvoice(1, "en"), &buf))
	require.True(t, bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")))
	<-reports
}

// TestPanicBecomesAnError: a panic on the render goroutine (no HTTP
// middleware recovers it there) is an error, not a crash.
func TestPanicBecomesAnError(t *testing.T) {
	r := newRenderer(t, Options{})
	_, rep, err := observed(t, r, context.Background(), 3, func(_ context.Context, done, _ int) {
		if done == 4 {
			panic("boom")
		}
	})
	require.ErrorContains(t, err, "boom")
	require.Equal(t, rep.Err, err)
	require.False(t, errors.Is(err, context.Canceled))
}

// TestMetricsMatchGofpdf: the layout's text widths are gofpdf's own, for
// accented, symbol and out-of-table text, in both styles.
func TestMetricsMatchGofpdf(t *testing.T) {
	r := newRenderer(t, Options{})
	f := gofpdf.New("P", "mm", "A4", "")
	f.AddUTF8FontFromBytes(fontFamily, "", regularTTF)
	f.AddUTF8FontFromBytes(fontFamily, "B", boldTTF)
	for _, s := range []string{"Société Générale d'Équipements", "1 234,56 €", "Ωμέγα Приве́т", "中文 ☃", "W", ""} {
		for _, bold := range []bool{false, true} {
			style := map[bool]string{false: "", true: "B"}[bold]
			f.SetFont(fontFamily, style, 9)
			require.InDelta(t, f.GetStringWidth(s), r.metrics.width(s, bold, 9), 1e-9, "%q bold=%v", s, bold)
		}
	}
	require.NoError(t, f.Error())
}

// TestWrapStaysInsideTheColumn: every wrapped line fits, words are not
// lost, a word wider than the column is cut.
func TestWrapStaysInsideTheColumn(t *testing.T) {
	r := newRenderer(t, Options{})
	text := strings.Repeat("Abat-jour en lin naturel, diamètre 45 cm, fabriqué à São João del-Rei ", 5) + strings.Repeat("X", 120)
	lines := r.metrics.wrap(text, false, 8, 40)
	require.Greater(t, len(lines), 5)
	for _, ln := range lines {
		require.LessOrEqual(t, r.metrics.width(ln, false, 8), 40.0, ln)
	}
	require.Equal(t, strings.Join(strings.Fields(text), ""), strings.ReplaceAll(strings.Join(lines, ""), " ", ""))
	require.Equal(t, []string{"a\u00a0b", "", "c"}, r.metrics.wrap("a\u00a0b\n\nc", false, 8, 40), "no-break spaces hold, paragraphs stay")
	require.Nil(t, r.metrics.wrap("  \n ", false, 8, 40))
}
