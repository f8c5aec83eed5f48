package persistence

import (
	"context"
	"database/sql"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// SetWriterWait shortens SQLite's writer-slot wait for tests.
func SetWriterWait(d *DB, w time.Duration) { d.writerWait = w }

// SetRetry changes how many times Do runs a transaction the database chose
// as a victim, and its first pause, for tests.
func SetRetry(d *DB, attempts int, backoff time.Duration) {
	d.retry = retryPolicy{attempts: attempts, backoff: backoff}
}

// SQLRow runs a query through GORM on the transaction ctx carries, if any.
func (d *DB) SQLRow(ctx context.Context, q string, args ...any) *sql.Row {
	return d.Gorm(ctx).Raw(q, args...).Row()
}

// DecimalPlanInUse reports whether a pooled PostgreSQL connection encodes
// domain.Decimal with the plan pgtypes.go registers, not pgx's Valuer
// fallback.
func DecimalPlanInUse(ctx context.Context, d *DB) (bool, error) {
	c, err := d.sql.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer c.Close()
	var ok bool
	err = c.Raw(func(dc any) error {
		m := dc.(*stdlib.Conn).Conn().TypeMap()
		_, ok = m.PlanEncode(pgtype.NumericOID, pgtype.BinaryFormatCode, domain.MustDecimal("1.5")).(*decimalPlan)
		return nil
	})
	return ok, err
}
