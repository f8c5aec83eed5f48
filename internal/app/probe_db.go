package app

import (
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
)

// openProbeDB returns the pool /ready checks the database through: one
// connection of its own, so a saturated application pool (every connection
// busy under load) does not make the probe wait, time out and take the pod
// out of the Service, which would push its load onto the others (readiness
// flapping). Its failure then means the database itself does not answer.
// SQLite, in one process, shares the application's handle (an in-memory
// database is per connection).
func openProbeDB(cfg Config, db *persistence.DB) (*persistence.DB, func(), error) {
	if db.Dialect().LocalFile() {
		return db, func() {}, nil
	}
	p, err := persistence.Open(persistence.Options{
		Driver: cfg.DB.Driver, DSN: cfg.DB.DSN, MaxOpenConns: 1, MaxIdleConns: 1, ConnMaxLifetime: cfg.DB.ConnMaxLifetime,
	})
	if err != nil {
		return nil, nil, err
	}
	return p, func() { _ = p.Close() }, nil
}
