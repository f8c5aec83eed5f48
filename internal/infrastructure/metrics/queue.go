package metrics

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
)

var _ queue.Observer = (*Metrics)(nil)

// Claimed counts one job claimed (queue.Observer).
func (m *Metrics) Claimed(kind string) {
	if m != nil {
		m.jobClaims.WithLabelValues(kind).Inc()
	}
}

// Finished counts one attempt's outcome and times it (queue.Observer).
func (m *Metrics) Finished(kind string, outcome queue.Outcome, took time.Duration) {
	if m == nil {
		return
	}
	m.jobRuns.WithLabelValues(kind, string(outcome)).Inc()
	m.jobDuration.WithLabelValues(kind).Observe(took.Seconds())
}

// QueueSource is what the queue collector reads: the jobs table's depth
// (queue.Store.Depth) and the runner's worker slots (queue.Runner.Slots).
type QueueSource struct {
	Depth func(ctx context.Context, now time.Time) ([]queue.Depth, time.Time, error)
	Slots func() (busy, total int)
	// Kinds are the registered job kinds, reported at zero when they have
	// no jobs so a series does not vanish when its backlog drains.
	Kinds []string
	// Every is how long a depth reading is reused (5 s): several
	// Prometheus servers, or a short scrape interval, cost the database
	// one set of queries per period.
	Every time.Duration
	Now   func() time.Time
}

// Queue registers the runner's queue and worker gauges.
func (m *Metrics) Queue(src QueueSource) {
	if src.Every == 0 {
		src.Every = 5 * time.Second
	}
	if src.Now == nil {
		src.Now = time.Now
	}
	m.reg.MustRegister(&queueCollector{
		src:     src,
		jobs:    prometheus.NewDesc("dolibarr_jobs", "Jobs in the queue by kind and state (available, running, retryable, failed); read every few seconds.", []string{"kind", "state"}, nil),
		oldest:  prometheus.NewDesc("dolibarr_job_oldest_available_age_seconds", "Age of the oldest job that is due and waits for a runner (0: none waits).", nil, nil),
		failing: prometheus.NewDesc("dolibarr_job_queue_read_errors_total", "Failed reads of the queue's depth (the gauges then keep their last values).", nil, nil),
		workers: prometheus.NewDesc("dolibarr_runner_workers", "Worker slots of this runner (DOLIBARR_RUNNER_WORKERS).", nil, nil),
		busy:    prometheus.NewDesc("dolibarr_runner_workers_busy", "Worker slots running a job now.", nil, nil),
	})
}

type queueCollector struct {
	src                                  QueueSource
	jobs, oldest, failing, workers, busy *prometheus.Desc

	mu     sync.Mutex
	read   time.Time // when depth and oldestAt were read
	depth  []queue.Depth
	age    float64
	errors float64
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.jobs, c.oldest, c.failing, c.workers, c.busy} {
		ch <- d
	}
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.src.Now()
	if now.Sub(c.read) >= c.src.Every {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		depth, oldest, err := c.src.Depth(ctx, now)
		cancel()
		c.read = now // a failing database is not queried on every scrape either
		if err != nil {
			c.errors++
		} else {
			c.depth, c.age = depth, 0
			if !oldest.IsZero() && now.After(oldest) {
				c.age = now.Sub(oldest).Seconds()
			}
		}
	}
	seen := map[[2]string]bool{}
	for _, d := range c.depth {
		seen[[2]string{d.Kind, d.State}] = true
		ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(d.Jobs), d.Kind, d.State)
	}
	for _, k := range c.src.Kinds {
		for _, st := range queue.DepthStates {
			if !seen[[2]string{k, st}] {
				ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, 0, k, st)
			}
		}
	}
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, c.age)
	ch <- prometheus.MustNewConstMetric(c.failing, prometheus.CounterValue, c.errors)
	if c.src.Slots != nil {
		busy, total := c.src.Slots()
		ch <- prometheus.MustNewConstMetric(c.workers, prometheus.GaugeValue, float64(total))
		ch <- prometheus.MustNewConstMetric(c.busy, prometheus.GaugeValue, float64(busy))
	}
}
