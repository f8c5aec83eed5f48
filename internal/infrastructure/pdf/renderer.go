// Package pdf renders sales documents (proposals, orders, invoices) to PDF
// with maroto v2, for the printing use case (internal/usecase/printing).
//
// # Cancellation
//
// maroto has no context.Context anywhere: Generate() runs to completion.
// This renderer makes as much of the work cancellable as it controls:
//
//   - It lays the document out itself (text is measured and wrapped here,
//     page breaks are decided here) and checks ctx before adding each row to
//     maroto: the "build" units.
//   - Each body row carries an invisible checkpoint component. maroto's
//     Generate renders rows one by one and calls the checkpoint before the
//     row's content; when ctx is done the checkpoint aborts Generate by
//     panicking with a private value that the render goroutine recovers.
//     The half-built gofpdf document is thrown away, never written. In
//     sequential mode (the one used) maroto holds no lock and starts no
//     goroutine, so unwinding through it is safe: these are the "render"
//     units.
//   - What stays uninterruptible is the serialisation at the end of
//     Generate (gofpdf's font subsetting, compression and output), a few
//     milliseconds per document, and maroto.New (font parsing).
//
// A render runs in its own goroutine so that the caller returns as soon as
// ctx ends, even from inside that last uninterruptible step. To keep those
// abandoned steps bounded, at most Options.MaxConcurrent renders run at
// once: a render takes a slot before starting (waiting for one is
// cancellable too) and its goroutine, not the caller, gives it back when it
// has really finished. Drain waits for every render goroutine.
package pdf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/core/entity"
	"github.com/johnfercher/maroto/v2/pkg/repository"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/pdf/i18n"
	"github.com/dolibarr-go/dolibarr/internal/usecase/printing"
)

var _ printing.Renderer = (*Renderer)(nil)

// Options tune a Renderer.
type Options struct {
	// MaxConcurrent bounds the renders running at once, abandoned ones
	// included; 0 means GOMAXPROCS.
	MaxConcurrent int
	// Observe, if set, is called once when each render goroutine ends,
	// with what it did: for logs and metrics. It must not block.
	Observe func(Report)
	// Progress, if set, is called by the render goroutine after each unit
	// of work with the render's context, the units done and the total. For
	// progress metrics and for tests that must act at a known point of a
	// render; it runs on the rendering path, so it must be fast.
	Progress func(ctx context.Context, done, total int)
}

// Report describes one render.
type Report struct {
	Kind     printing.Kind
	Ref      string
	Language string // the catalog used
	// Units is the number of units of work the document has (setup, one
	// build and one render unit per body row, output); Done how many were
	// completed. Done < Units means the render stopped early.
	Units int
	Done  int
	Pages int
	Bytes int
	// Waited is the time spent waiting for a free slot, Duration the time
	// the render goroutine ran.
	Waited   time.Duration
	Duration time.Duration
	Err      error
}

// Renderer renders documents with maroto. It is safe for concurrent use.
type Renderer struct {
	opts       Options
	fonts      []*entity.CustomFont
	metrics    *metrics
	glyphs     *glyphs
	watermarks *watermarks
	slots      chan struct{}
	wg         sync.WaitGroup
}

// New loads the embedded fonts and catalogs and returns a Renderer.
func New(opts Options) (*Renderer, error) {
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = runtime.GOMAXPROCS(0)
	}
	if err := i18n.Check(); err != nil {
		return nil, err
	}
	fonts, err := repository.New().
		AddUTF8FontFromBytes(fontFamily, fontstyle.Normal, regularTTF).
		AddUTF8FontFromBytes(fontFamily, fontstyle.Bold, boldTTF).
		Load()
	if err != nil {
		return nil, fmt.Errorf("pdf: loading fonts: %w", err)
	}
	m, err := newMetrics(regularTTF, boldTTF)
	if err != nil {
		return nil, err
	}
	g, err := newGlyphs(regularTTF, boldTTF)
	if err != nil {
		return nil, err
	}
	wm, err := newWatermarks(boldTTF)
	if err != nil {
		return nil, err
	}
	return &Renderer{opts: opts, fonts: fonts, metrics: m, glyphs: g, watermarks: wm, slots: make(chan struct{}, opts.MaxConcurrent)}, nil
}

// fontCopies gives one render its own font bytes: gofpdf pads the font
// data in place while it writes a document, so renders running at once
// must not share the backing arrays (the race detector caught it).
func (r *Renderer) fontCopies() []*entity.CustomFont {
	out := make([]*entity.CustomFont, len(r.fonts))
	for i, f := range r.fonts {
		c := *f
		c.Bytes = append(make([]byte, 0, len(f.Bytes)), f.Bytes...)
		out[i] = &c
	}
	return out
}

type result struct {
	pdf []byte
	err error
}

// Render writes doc as PDF to w. It returns ctx.Err() as soon as ctx ends,
// having written nothing; the render goroutine then stops at its next
// checkpoint (see the package documentation).
func (r *Renderer) Render(ctx context.Context, doc printing.Document, w io.Writer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	start := time.Now()
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	waited := time.Since(start)
	// Buffered: an abandoned goroutine still delivers its result and ends.
	done := make(chan result, 1)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() { <-r.slots }()
		rep := Report{Kind: doc.Kind, Ref: doc.Ref, Waited: waited}
		began := time.Now()
		b, err := r.render(ctx, doc, &rep)
		rep.Duration, rep.Err, rep.Bytes = time.Since(began), err, len(b)
		if r.opts.Observe != nil {
			r.opts.Observe(rep)
		}
		done <- result{pdf: b, err: err}
	}()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case res := <-done:
		if res.err != nil {
			return res.err
		}
		_, err := w.Write(res.pdf)
		return err
	}
}

// Drain waits until every render goroutine has ended, including those
// whose caller already returned, or until ctx ends.
func (r *Renderer) Drain(ctx context.Context) error {
	ch := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(ch)
	}()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// abort is the panic value a checkpoint uses to stop maroto's Generate.
type abort struct{ err error }

// render runs on the render goroutine.
func (r *Renderer) render(ctx context.Context, doc printing.Document, rep *Report) (out []byte, err error) {
	// A panic from the layout, maroto or gofpdf on some unexpected input
	// must not take the process down: this goroutine is ours, no
	// middleware recovers it. It becomes an error, which the documents use
	// case reports as a failed rendering.
	defer func() {
		if p := recover(); p != nil {
			if a, ok := p.(abort); ok {
				out, err = nil, a.err
				return
			}
			out, err = nil, fmt.Errorf("pdf: rendering panicked: %v", p)
		}
	}()
	doc = r.glyphs.document(doc)
	loc := i18n.For(doc.Language)
	rep.Language = loc.Tag()
	plan, err := r.plan(doc, loc)
	if err != nil {
		return nil, err
	}
	rep.Units = 2 + 2*len(plan.body)
	step := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rep.Done++
		if r.opts.Progress != nil {
			r.opts.Progress(ctx, rep.Done, rep.Units)
		}
		return nil
	}
	// Unit 1: set-up (maroto parses the fonts here).
	m, err := r.setup(doc, loc, plan)
	if err != nil {
		return nil, err
	}
	if err := step(); err != nil {
		return nil, err
	}
	// Build units: one per body row, paginated here.
	pg := newPager(m, plan)
	for _, br := range plan.body {
		if err := step(); err != nil {
			return nil, err
		}
		br.checkpoint.check = func() {
			if err := step(); err != nil {
				panic(abort{err})
			}
		}
		pg.add(br)
	}
	rep.Pages = pg.pages
	// Render units happen inside Generate, at each row's checkpoint.
	d, err := m.Generate()
	if err != nil {
		return nil, fmt.Errorf("pdf: generating: %w", err)
	}
	// Last unit: the output.
	if err := step(); err != nil {
		return nil, err
	}
	b := d.GetBytes()
	if len(b) == 0 {
		return nil, errors.New("pdf: maroto produced an empty document")
	}
	return b, nil
}
