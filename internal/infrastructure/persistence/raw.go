package persistence

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// The hot write paths (a sales document's create and validation, stock
// movements) run hand-written SQL on the transaction's connection instead
// of GORM's reflective builders, which cost more API CPU than the round
// trip itself (docs/benchmarks.md, sales). Queries are written with ?
// placeholders; rebind turns them into PostgreSQL's $n.

// conn is what ctx's statements run on: the transaction ctx carries, or
// the pool.
func (d *DB) conn(ctx context.Context) gorm.ConnPool {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx.Statement.ConnPool
	}
	return d.sql
}

// rebind rewrites ? placeholders as $1, $2... on PostgreSQL. The hot
// queries hold no ? inside string literals.
func (d *DB) rebind(q string) string {
	if d.driver != "postgres" || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] != '?' {
			b.WriteByte(q[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

func (d *DB) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return d.conn(ctx).ExecContext(ctx, d.rebind(q), args...)
}

func (d *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return d.conn(ctx).QueryContext(ctx, d.rebind(q), args...)
}

func (d *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return d.conn(ctx).QueryRowContext(ctx, d.rebind(q), args...)
}

// placeholders returns "(?, ?, ...)" for n columns, repeated rows times and
// joined by commas: the VALUES list of a multi-row insert.
func placeholders(n, rows int) string {
	one := "(" + strings.Repeat("?, ", n-1) + "?)"
	return strings.Repeat(one+", ", rows-1) + one
}

// insertID runs an INSERT of one row and returns its generated id:
// RETURNING on PostgreSQL and SQLite, LAST_INSERT_ID() on MySQL, which has
// no RETURNING.
func (d *DB) insertID(ctx context.Context, q string, args ...any) (int64, error) {
	if d.driver == "mysql" {
		res, err := d.exec(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		return res.LastInsertId()
	}
	var id int64
	err := d.queryRow(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, err
}
