// Package metrics exposes the process's Prometheus metrics: HTTP requests,
// the database pool, the job queue and runner, PDF renders and mail sends,
// plus the Go runtime and process collectors. Each process builds one
// Metrics on its own registry (never the global one), so tests can build
// many. Names follow the Prometheus conventions: a dolibarr_ prefix, base
// units (seconds), _total on counters.
package metrics

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
	"github.com/dolibarr-go/dolibarr/internal/usecase/mailing"
)

// Metrics is one process's registry and the instruments the features
// record into.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	httpInFlight prometheus.Gauge

	jobClaims   *prometheus.CounterVec
	jobRuns     *prometheus.CounterVec
	jobDuration *prometheus.HistogramVec

	pdfRenders  *prometheus.CounterVec
	pdfDuration prometheus.Histogram

	mailSends *prometheus.CounterVec
}

// New returns the metrics of one process, with the Go runtime and process
// collectors registered.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dolibarr_http_requests_total",
			Help: "HTTP requests answered, by route template, method and status class (2xx, 4xx, ...).",
		}, []string{"route", "method", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "dolibarr_http_request_duration_seconds",
			Help: "Time from the request's routing to its handler's return, by route template and method.",
			// Hot CRUD answers in about a millisecond; reports and PDFs take
			// seconds; the request timeout is 30 s by default.
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
		httpInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "dolibarr_http_requests_in_flight",
			Help: "HTTP requests being served now.",
		}),
		jobClaims: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dolibarr_job_claims_total",
			Help: "Jobs claimed by this runner, by kind.",
		}, []string{"kind"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dolibarr_job_runs_total",
			Help: "Job attempts finished by this runner, by kind and outcome (completed, retry, failed, snoozed, interrupted, lost).",
		}, []string{"kind", "outcome"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dolibarr_job_run_duration_seconds",
			Help:    "Time one job attempt's handler ran, by kind.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"kind"}),
		pdfRenders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dolibarr_pdf_renders_total",
			Help: "PDF renders, by outcome (ok, canceled, error).",
		}, []string{"outcome"}),
		pdfDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "dolibarr_pdf_render_duration_seconds",
			Help:    "Time a PDF render ran, waiting for a slot excluded.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		mailSends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dolibarr_mail_sends_total",
			Help: "Mail sends attempted through the mail service, by outcome (sent, transient, permanent).",
		}, []string{"outcome"}),
	}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.httpRequests, m.httpDuration, m.httpInFlight,
		m.jobClaims, m.jobRuns, m.jobDuration, m.pdfRenders, m.pdfDuration, m.mailSends,
	)
	// Mail outcomes start at zero so rate() and ratios work before the
	// first failure.
	for _, o := range []string{"sent", "transient", "permanent"} {
		m.mailSends.WithLabelValues(o)
	}
	return m
}

// Registry returns the registry, for collectors a feature adds (the
// database pool, the queue depth) and for tests that gather.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, MaxRequestsInFlight: 4})
}

// PDFRendered records one PDF render that ran for took; err nil is a
// success, a context error a render stopped by its caller.
func (m *Metrics) PDFRendered(took time.Duration, err error, canceled bool) {
	if m == nil {
		return
	}
	outcome := "ok"
	switch {
	case err == nil:
	case canceled:
		outcome = "canceled"
	default:
		outcome = "error"
	}
	m.pdfRenders.WithLabelValues(outcome).Inc()
	m.pdfDuration.Observe(took.Seconds())
}

// Mailer counts the sends of a mailing.Mailer by outcome. A send the open
// circuit refused is not counted: nothing was attempted, and the breaker's
// state stays out of metrics (the specification says so); an interrupted
// send (shutdown) is not counted either.
func (m *Metrics) Mailer(next mailing.Mailer) mailing.Mailer {
	if m == nil {
		return next
	}
	return meteredMailer{Mailer: next, m: m}
}

type meteredMailer struct {
	mailing.Mailer
	m *Metrics
}

func (mm meteredMailer) Send(ctx context.Context, msg mailing.Message) (mailing.Receipt, error) {
	rec, err := mm.Mailer.Send(ctx, msg)
	var se *mailing.SendError
	switch {
	case err == nil:
		mm.m.mailSends.WithLabelValues("sent").Inc()
	case errors.As(err, &se):
		mm.m.mailSends.WithLabelValues(string(se.Class)).Inc()
	}
	return rec, err
}

// Names returns the name of every series family a process can export
// (histograms as their _bucket, _sum and _count), for the checks of the
// dashboards and alerts that query them.
func Names() []string {
	m := New()
	m.DBPool("primary", func() sql.DBStats { return sql.DBStats{} })
	m.Queue(QueueSource{
		Depth: func(context.Context, time.Time) ([]queue.Depth, time.Time, error) { return nil, time.Time{}, nil },
		Slots: func() (int, int) { return 0, 1 }, Kinds: []string{"k"},
	})
	// A vector exports nothing before its first child: make one of each.
	m.httpRequests.WithLabelValues("/", "GET", "2xx")
	m.httpDuration.WithLabelValues("/", "GET")
	m.Claimed("k")
	m.Finished("k", queue.OutcomeCompleted, 0)
	m.PDFRendered(0, nil, false)
	fams, err := m.reg.Gather()
	if err != nil {
		panic(err)
	}
	var out []string
	for _, f := range fams {
		switch f.GetType() {
		case dto.MetricType_HISTOGRAM:
			out = append(out, f.GetName()+"_bucket", f.GetName()+"_sum", f.GetName()+"_count")
		case dto.MetricType_SUMMARY:
			out = append(out, f.GetName(), f.GetName()+"_sum", f.GetName()+"_count")
		default:
			out = append(out, f.GetName())
		}
	}
	return out
}
