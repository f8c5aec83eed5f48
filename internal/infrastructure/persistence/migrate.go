package persistence

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"
	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database"
	migratemysql "github.com/golang-migrate/migrate/v4/database/mysql"
	migratepgx "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	migratesqlite "github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/dolibarr-go/dolibarr/migrations"
)

// ExpectedVersion is the newest migration version embedded for the driver
// (Dialect.Name: its folder in migrations.FS): the version /ready requires.
func ExpectedVersion(driver string) (uint, error) {
	entries, err := fs.ReadDir(migrations.FS, driver)
	if err != nil {
		return 0, err
	}
	var newest uint
	for _, e := range entries {
		n, _, ok := strings.Cut(e.Name(), "_")
		if !ok {
			continue
		}
		v, err := strconv.ParseUint(n, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("migration %s: %w", e.Name(), err)
		}
		newest = max(newest, uint(v))
	}
	return newest, nil
}

// Migrator runs the embedded migrations on its own connection, so closing it
// never closes the application's pool. PostgreSQL and MySQL take an advisory
// lock, so replicas migrating at once wait for each other.
type Migrator struct {
	m *migrate.Migrate
}

// NewMigrator opens a migration connection for d's database.
func (d *DB) NewMigrator() (*Migrator, error) {
	src, err := iofs.New(migrations.FS, d.dialect.Name())
	if err != nil {
		return nil, err
	}
	var (
		db  *sql.DB
		drv database.Driver
	)
	switch d.dialect {
	case Postgres:
		if db, err = sql.Open("pgx", d.dsn); err == nil {
			drv, err = migratepgx.WithInstance(db, &migratepgx.Config{})
		}
	case MySQL:
		var c *mysqldrv.Config
		if c, err = mysqldrv.ParseDSN(d.dsn); err == nil {
			c.MultiStatements = true
			if db, err = sql.Open("mysql", c.FormatDSN()); err == nil {
				drv, err = migratemysql.WithInstance(db, &migratemysql.Config{})
			}
		}
	case SQLite:
		if db, err = sql.Open("sqlite", d.dsn); err == nil {
			drv, err = migratesqlite.WithInstance(db, &migratesqlite.Config{})
		}
	}
	if err != nil {
		if db != nil {
			_ = db.Close()
		}
		return nil, fmt.Errorf("migrations: %w", err)
	}
	m, err := migrate.NewWithInstance("iofs", src, d.dialect.Name(), drv)
	if err != nil {
		_ = drv.Close()
		return nil, fmt.Errorf("migrations: %w", err)
	}
	// A long migration on one replica must not make the others give up.
	m.LockTimeout = 2 * time.Minute
	return &Migrator{m: m}, nil
}

// Up applies every pending migration.
func (g *Migrator) Up() error {
	if err := g.m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return err
	}
	return nil
}

// Down reverts the last applied migration.
func (g *Migrator) Down() error {
	if err := g.m.Steps(-1); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return err
	}
	return nil
}

// DownAll reverts every migration.
func (g *Migrator) DownAll() error {
	if err := g.m.Down(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return err
	}
	return nil
}

// Version returns the applied version (0 when none) and the dirty flag.
func (g *Migrator) Version() (uint, bool, error) {
	v, dirty, err := g.m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		return 0, false, nil
	}
	return v, dirty, err
}

// Close releases the migration connection.
func (g *Migrator) Close() error {
	se, de := g.m.Close()
	return errors.Join(se, de)
}

// MigrateUp is the start-up shortcut: open, apply, close.
func (d *DB) MigrateUp() error {
	g, err := d.NewMigrator()
	if err != nil {
		return err
	}
	defer g.Close()
	return g.Up()
}

// SchemaVersion reads the applied migration version straight from the
// migrations table, cheaply enough for every /ready probe.
func (d *DB) SchemaVersion(ctx context.Context) (uint, bool, error) {
	var (
		v     int64
		dirty bool
	)
	err := d.sql.QueryRowContext(ctx, "SELECT version, dirty FROM schema_migrations LIMIT 1").Scan(&v, &dirty)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if v < 0 {
		return 0, dirty, fmt.Errorf("negative schema version %d", v)
	}
	return uint(v), dirty, nil
}
