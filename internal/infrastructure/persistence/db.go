// Package persistence implements the domain's repositories with GORM on
// PostgreSQL (pgx), MySQL/MariaDB and SQLite (modernc.org/sqlite, pure Go).
// GORM models live here; no GORM type leaves this package.
package persistence

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" database/sql driver
)

// Options select and tune the database connection.
type Options struct {
	Driver          string // postgres | mysql | sqlite
	DSN             string
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
}

// DB is the application's database handle: GORM on top of a tuned pool, the
// dialect, and the transaction port.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB
	dialect Dialect
	dsn     string
	// writer, on SQLite only, admits one transaction at a time in FIFO
	// order. SQLite has a single writer anyway (BEGIN IMMEDIATE); queueing
	// here instead of in its busy handler, which polls and favours no one,
	// keeps a burst of concurrent writers from starving one of them past
	// busy_timeout.
	writer     chan struct{}
	writerWait time.Duration
	retry      retryPolicy
}

// Open connects to the database named by o and applies the pool settings.
// It does not wait for the server: a server that is down makes /ready fail
// until it comes back, rather than failing start-up.
func Open(o Options) (*DB, error) {
	dialect, err := ParseDialect(o.Driver)
	if err != nil {
		return nil, err
	}
	dsn, err := normalizeDSN(dialect, o.DSN)
	if err != nil {
		return nil, err
	}
	var dial gorm.Dialector
	switch dialect {
	case Postgres:
		conn, err := openPostgres(dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		dial = postgres.New(postgres.Config{Conn: conn})
	case MySQL:
		conn, err := openMySQL(dsn)
		if err != nil {
			return nil, fmt.Errorf("open mysql: %w", err)
		}
		dial = mysql.New(mysql.Config{DSN: dsn, Conn: conn})
	case SQLite:
		// gorm.io/driver/sqlite's dialector over modernc.org/sqlite's "sqlite"
		// driver: see docs/decisions/0001-sqlite-driver.md.
		dial = sqlite.Dialector{DriverName: "sqlite", DSN: dsn}
		// The reports' exact decimal functions (reports_sqlite.go) exist
		// only on connections opened after they are registered: before any.
		if err := registerSQLiteDecimals(); err != nil {
			return nil, fmt.Errorf("register sqlite functions: %w", err)
		}
	}
	g, err := gorm.Open(dial, &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true, // writes run in explicit transactions
		Logger:                 logger.Discard,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dialect, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	if o.MaxOpenConns > 0 {
		sqlDB.SetMaxOpenConns(o.MaxOpenConns)
	}
	sqlDB.SetMaxIdleConns(o.MaxIdleConns)
	sqlDB.SetConnMaxLifetime(o.ConnMaxLifetime)
	db := &DB{gorm: g, sql: sqlDB, dialect: dialect, dsn: dsn, retry: retryPolicy{attempts: txAttempts, backoff: txBackoff}}
	if dialect.SingleWriter() {
		db.writer = make(chan struct{}, 1)
		db.writerWait = sqliteWriterWait
	}
	return db, nil
}

// Dialect returns the database engine and its differences.
func (d *DB) Dialect() Dialect { return d.dialect }

// Gorm returns the GORM handle for ctx: the transaction ctx carries, if any.
func (d *DB) Gorm(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return d.gorm.WithContext(ctx)
}

// SQL returns the underlying pool.
func (d *DB) SQL() *sql.DB { return d.sql }

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.sql.PingContext(ctx) }

// Close closes the pool.
func (d *DB) Close() error { return d.sql.Close() }

// openMySQL opens a MySQL/MariaDB pool whose connections run their
// transactions READ COMMITTED, PostgreSQL's default and the level every use
// case is written and tested for: each statement reads the latest committed
// rows. Under InnoDB's default REPEATABLE READ a transaction's first plain
// read fixes a snapshot; with MariaDB's innodb_snapshot_isolation (on by
// default from 11.6.2) a later locking read of a row changed since then
// fails with 1020, and plain searches take gap locks, a source of deadlocks
// READ COMMITTED does not have (decision 0008). Set once per connection, in
// SQL both servers accept, it costs no round trip per transaction.
func openMySQL(dsn string) (*sql.DB, error) {
	cfg, err := mysqldrv.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	c, err := mysqldrv.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(readCommitted{c}), nil
}

// readCommitted sets the isolation level of each new connection.
type readCommitted struct{ driver.Connector }

func (r readCommitted) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := r.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	ex, ok := conn.(driver.ExecerContext)
	if !ok {
		_ = conn.Close()
		return nil, errors.New("mysql connection cannot execute statements")
	}
	if _, err := ex.ExecContext(ctx, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", nil); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return conn, nil
}

// normalizeDSN adds the settings our code relies on to a user's DSN.
func normalizeDSN(dialect Dialect, dsn string) (string, error) {
	switch dialect {
	case MySQL:
		c, err := mysqldrv.ParseDSN(dsn)
		if err != nil {
			return "", err
		}
		c.ParseTime = true
		c.Loc = time.UTC
		return c.FormatDSN(), nil
	case SQLite:
		return sqliteDSN(dsn), nil
	case Postgres:
	}
	return dsn, nil
}

// sqliteDSN turns on WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE
// (the single-writer lock that replaces FOR UPDATE), unless the DSN says
// otherwise.
func sqliteDSN(dsn string) string {
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + dsn
	}
	name, query, _ := strings.Cut(dsn, "?")
	q, _ := url.ParseQuery(query)
	pragmas := strings.Join(q["_pragma"], ",")
	add := func(key, val string) {
		if !strings.Contains(pragmas, key) {
			q.Add("_pragma", key+"("+val+")")
		}
	}
	add("busy_timeout", "10000")
	add("journal_mode", "WAL")
	add("foreign_keys", "1")
	add("synchronous", "NORMAL")
	if q.Get("_txlock") == "" {
		q.Set("_txlock", "immediate")
	}
	return name + "?" + q.Encode()
}
