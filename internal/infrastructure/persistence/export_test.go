package persistence

import (
	"context"
	"database/sql"
	"time"
)

// SetWriterWait shortens SQLite's writer-slot wait for tests.
func SetWriterWait(d *DB, w time.Duration) { d.writerWait = w }

// SQLRow runs a query through GORM on the transaction ctx carries, if any.
func (d *DB) SQLRow(ctx context.Context, q string, args ...any) *sql.Row {
	return d.Gorm(ctx).Raw(q, args...).Row()
}
