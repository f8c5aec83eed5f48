package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
)

// schemaPoll is how often a process waiting for its schema looks again.
var schemaPoll = 2 * time.Second

// awaitSchema returns at once when the database answers and its schema is
// at least this binary's. Otherwise (an empty database the migration hook
// has not run on, a database still starting) it serves /health and a
// failing /ready on ln, saying why, until the schema is there: the pod
// stays alive and not ready instead of crash-looping on the first query.
// It returns false when ctx ended first (shutdown while waiting).
func awaitSchema(ctx context.Context, db *persistence.DB, ln net.Listener, log *zap.Logger) (bool, error) {
	want, err := persistence.ExpectedVersion(db.Dialect().Name())
	if err != nil {
		return false, err
	}
	why := schemaBehind(ctx, db, want)
	if why == "" {
		return true, nil
	}
	tcp, ok := ln.(*net.TCPListener)
	if !ok {
		return false, fmt.Errorf("database not ready: %s", why)
	}
	log.Warn("not ready: waiting for the database schema; /ready answers 503 until it is there",
		zap.String("reason", why), zap.Duration("poll", schemaPoll))
	// The probe server's own readiness: its shutdown marks it draining.
	ready, err := readiness(db)
	if err != nil {
		return false, err
	}
	srv := api.NewProbeServer(log, ready)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lent{tcp}) }()
	stop := func() error {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		err := errors.Join(srv.Shutdown(sctx), <-served)
		// Give the listener back, accepting again, to the real server.
		return errors.Join(err, tcp.SetDeadline(time.Time{}))
	}
	tick := time.NewTicker(schemaPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return false, stop()
		case <-tick.C:
		}
		if why = schemaBehind(ctx, db, want); why == "" {
			log.Info("database schema ready: starting")
			return true, stop()
		}
	}
}

// schemaBehind says why the schema is not usable yet, "" when it is (at
// this binary's version, or newer: see readiness).
func schemaBehind(ctx context.Context, db *persistence.DB, want uint) string {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	v, dirty, err := db.SchemaVersion(cctx)
	switch {
	case err != nil:
		return "cannot read the schema version: " + err.Error()
	case v > want:
		return ""
	case dirty:
		return fmt.Sprintf("schema version %d is dirty: a migration failed; fix it and run migrate", v)
	case v < want:
		return fmt.Sprintf("schema version %d, binary expects %d: run migrate up", v, want)
	}
	return ""
}

// lent is a listener the waiting probe server borrows: its Close, called
// by the server's shutdown, only wakes the Accept loop (a deadline in the
// past), so the real server can serve the same socket afterwards.
type lent struct{ *net.TCPListener }

func (l lent) Close() error { return l.SetDeadline(time.Now()) }
