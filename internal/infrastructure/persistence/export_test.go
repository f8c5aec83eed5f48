package persistence

import (
	"context"
	"database/sql"
	"time"
)

// SetWriterWait shortens SQLite's writer-slot wait for tests.
func SetWriterWait(d *DB, w time.Duration) { d.writerWait = w }

// SQLRow runs a query on the connection ctx carries (raw.go).
func (d *DB) SQLRow(ctx context.Context, q string, args ...any) *sql.Row {
	return d.queryRow(ctx, q, args...)
}
