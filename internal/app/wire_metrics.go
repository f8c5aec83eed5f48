package app

import (
	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/metrics"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
)

// withMetrics gives d the process's metrics registry, with the collector
// of its database pool, unless it has one. One registry per process: the
// all-in-one's API and runner share it.
func withMetrics(d deps) deps {
	if d.metrics == nil {
		d.metrics = metrics.New()
		d.metrics.DBPool("primary", d.db.SQL().Stats)
	}
	return d
}

// serveMetrics serves the metrics at /metrics on srv (the API's port, or
// the runner's health port) and counts srv's requests; with a runner, it
// adds the queue's depth and the runner's worker slots.
func serveMetrics(d deps, srv *api.Server, runner *queue.Runner) {
	if runner != nil {
		d.metrics.Queue(metrics.QueueSource{
			Depth: jobQueue(d).Depth, Slots: runner.Slots, Kinds: runner.Kinds(),
		})
	}
	srv.ServeMetrics(d.metrics.HTTP(), d.metrics.Handler())
}
