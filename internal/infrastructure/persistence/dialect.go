package persistence

import "fmt"

// Dialect is the database engine behind a DB. Code that must differ between
// engines asks it for the difference by name (RowLocks, Returning, GapLocks,
// ...) rather than comparing driver names, so every engine difference the
// code relies on is listed, documented and found here (house style 10:
// grown only when an engine forces it).
type Dialect string

// The supported engines; the values are DOLIBARR_DB_DRIVER's.
const (
	Postgres Dialect = "postgres"
	MySQL    Dialect = "mysql" // MySQL 8 and MariaDB 10.6+
	SQLite   Dialect = "sqlite"
)

// ParseDialect reads a driver name (DOLIBARR_DB_DRIVER).
func ParseDialect(driver string) (Dialect, error) {
	switch d := Dialect(driver); d {
	case Postgres, MySQL, SQLite:
		return d, nil
	}
	return "", fmt.Errorf("unknown database driver %q", driver)
}

// Name is the driver name: the folder of the engine's migrations and
// report queries, and what logs show.
func (d Dialect) Name() string { return string(d) }

// SingleWriter reports an engine with one writer at a time and no row
// locks: SQLite, whose transactions begin with BEGIN IMMEDIATE and so hold
// the database's write lock from their first statement. There FOR UPDATE
// does not exist (GORM's SQLite dialector drops clause.Locking) and is not
// needed.
func (d Dialect) SingleWriter() bool { return d == SQLite }

// Returning reports INSERT/UPDATE ... RETURNING (PostgreSQL, SQLite). MySQL
// has none; MariaDB's exists on INSERT only and cannot tell an upsert's
// update from its insert.
func (d Dialect) Returning() bool { return d != MySQL }

// OnConflict reports INSERT ... ON CONFLICT (PostgreSQL, SQLite); MySQL
// writes upserts as INSERT ... ON DUPLICATE KEY UPDATE, and a failed
// statement there rolls back only itself, not the transaction.
func (d Dialect) OnConflict() bool { return d != MySQL }

// GapLocks reports InnoDB's gap locks: a locking read that finds no row
// locks the gap where it would be, and two transactions holding such gap
// locks then inserting into the gap deadlock.
func (d Dialect) GapLocks() bool { return d == MySQL }

// KeyShareLocks reports PostgreSQL's weaker row locks: FOR NO KEY UPDATE
// does not conflict with the FOR KEY SHARE a foreign-key check takes, so a
// row referenced by an insert need not wait for its updater.
func (d Dialect) KeyShareLocks() bool { return d == Postgres }

// Listen reports LISTEN/NOTIFY (PostgreSQL): an enqueue can wake idle
// runners at commit.
func (d Dialect) Listen() bool { return d == Postgres }

// JSONRecordset reports jsonb_to_recordset (PostgreSQL): a batch of rows can
// travel as one JSON parameter instead of one parameter per value.
func (d Dialect) JSONRecordset() bool { return d == Postgres }

// CachedPlans reports a driver that prepares and caches every statement
// (pgx on PostgreSQL): from a statement's sixth run the server may choose
// a generic plan, blind to the values of that run.
func (d Dialect) CachedPlans() bool { return d == Postgres }

// LocalFile reports a database that is a file of this process (SQLite):
// files the process keeps with its data (a generated JWT secret, the mail
// outbox) can live next to it.
func (d Dialect) LocalFile() bool { return d == SQLite }

// Explain is the prefix that makes a query show its plan; with analyze the
// query also runs, where the engine can (PostgreSQL: EXPLAIN (ANALYZE,
// BUFFERS); MySQL/MariaDB: ANALYZE). SQLite only shows its query plan.
func (d Dialect) Explain(analyze bool) string {
	switch d {
	case Postgres:
		if analyze {
			return "EXPLAIN (ANALYZE, BUFFERS) "
		}
		return "EXPLAIN "
	case MySQL:
		if analyze {
			return "ANALYZE "
		}
		return "EXPLAIN "
	case SQLite:
	}
	return "EXPLAIN QUERY PLAN "
}
