package metrics

import (
	"database/sql"

	"github.com/prometheus/client_golang/prometheus"
)

// dbCollector reads sql.DBStats at each scrape: the pool keeps them, so a
// scrape costs one mutex, no query.
type dbCollector struct {
	stats                               func() sql.DBStats
	maxOpen, open, inUse, idle          *prometheus.Desc
	waitCount, waitDuration, closedIdle *prometheus.Desc
	closedLifetime                      *prometheus.Desc
}

// DBPool registers the collector of a connection pool's statistics, with
// the label pool (primary, or a replica's name).
func (m *Metrics) DBPool(pool string, stats func() sql.DBStats) {
	l := prometheus.Labels{"pool": pool}
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, l) }
	m.reg.MustRegister(&dbCollector{
		stats:          stats,
		maxOpen:        d("dolibarr_db_connections_max", "Maximum open connections of the pool (DOLIBARR_DB_MAX_OPEN_CONNS; 0: unlimited)."),
		open:           d("dolibarr_db_connections_open", "Connections open, in use or idle."),
		inUse:          d("dolibarr_db_connections_in_use", "Connections in use."),
		idle:           d("dolibarr_db_connections_idle", "Idle connections."),
		waitCount:      d("dolibarr_db_wait_total", "Times a caller waited for a free connection."),
		waitDuration:   d("dolibarr_db_wait_duration_seconds_total", "Total time callers waited for a free connection."),
		closedIdle:     d("dolibarr_db_connections_closed_idle_total", "Connections closed because the idle pool was full or they idled too long."),
		closedLifetime: d("dolibarr_db_connections_closed_lifetime_total", "Connections closed at the end of their lifetime (DOLIBARR_DB_CONN_MAX_LIFETIME)."),
	})
}

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.maxOpen, c.open, c.inUse, c.idle, c.waitCount, c.waitDuration, c.closedIdle, c.closedLifetime} {
		ch <- d
	}
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	g := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	n := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	g(c.maxOpen, float64(s.MaxOpenConnections))
	g(c.open, float64(s.OpenConnections))
	g(c.inUse, float64(s.InUse))
	g(c.idle, float64(s.Idle))
	n(c.waitCount, float64(s.WaitCount))
	n(c.waitDuration, s.WaitDuration.Seconds())
	n(c.closedIdle, float64(s.MaxIdleClosed+s.MaxIdleTimeClosed))
	n(c.closedLifetime, float64(s.MaxLifetimeClosed))
}
