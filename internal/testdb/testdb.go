// Package testdb gives tests an isolated, migrated database on each real
// engine: PostgreSQL, MariaDB/MySQL and SQLite. It uses the servers named by
// DOLIBARR_TEST_PG_DSN and DOLIBARR_TEST_MYSQL_DSN, else the ones on
// 127.0.0.1:5432 and :3306; when none answers it starts a throwaway server
// from the installed binaries (installing them with apt-get when running as
// root). It never skips: a test that cannot get its engine fails and says how
// to provide one.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for admin connections

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
)

// Drivers is every engine the conformance suites run on.
var Drivers = []string{"postgres", "mysql", "sqlite"}

// Each runs fn as a subtest on a fresh, migrated database of every engine.
func Each(t *testing.T, fn func(t *testing.T, db *persistence.DB)) {
	t.Helper()
	for _, d := range Drivers {
		t.Run(d, func(t *testing.T) { fn(t, New(t, d)) })
	}
}

// New returns a fresh, migrated database on driver, dropped at cleanup.
func New(t testing.TB, driver string) *persistence.DB {
	t.Helper()
	dsn := DSN(t, driver)
	// 20, the production default: two test packages run at once (go test
	// -p 2) and some start runner processes of their own, all within the
	// 100 connections a stock PostgreSQL allows.
	db, err := persistence.Open(persistence.Options{Driver: driver, DSN: dsn, MaxOpenConns: 20, MaxIdleConns: 20})
	if err != nil {
		t.Fatalf("testdb: open %s: %v", driver, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.MigrateUp(); err != nil {
		t.Fatalf("testdb: migrate %s: %v", driver, err)
	}
	return db
}

// DSN creates an empty database on driver's server and returns its DSN
// (unmigrated), for tests that run binaries or migrations themselves.
func DSN(t testing.TB, driver string) string {
	t.Helper()
	name := "dgt_" + randHex(6)
	switch driver {
	case "sqlite":
		return "file:" + filepath.Join(t.TempDir(), name+".db")
	case "postgres":
		admin := server(t, driver)
		adminExec(t, driver, admin, "CREATE DATABASE "+name)
		t.Cleanup(func() { execQuiet(driver, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
		u, _ := url.Parse(admin)
		u.Path = "/" + name
		return u.String()
	case "mysql":
		admin := server(t, driver)
		adminExec(t, driver, admin, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
		t.Cleanup(func() { execQuiet(driver, admin, "DROP DATABASE IF EXISTS "+name) })
		c, _ := mysqldrv.ParseDSN(admin)
		c.DBName = name
		return c.FormatDSN()
	}
	t.Fatalf("testdb: unknown driver %q", driver)
	return ""
}

// AdminDSN returns the DSN of driver's server (its maintenance database),
// for tests that need to observe the server (pg_stat_activity, ...).
func AdminDSN(t testing.TB, driver string) string { return server(t, driver) }

var (
	mu      sync.Mutex
	servers = map[string]string{}
	failed  = map[string]error{}
)

// server returns a working admin DSN for driver, finding or starting one.
func server(t testing.TB, driver string) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if dsn, ok := servers[driver]; ok {
		return dsn
	}
	if err, ok := failed[driver]; ok {
		t.Fatalf("testdb: no %s server: %v", driver, err)
	}
	dsn, err := findOrStart(driver)
	if err != nil {
		failed[driver] = err
		t.Fatalf("testdb: no %s server: %v\n%s", driver, err, howTo(driver))
	}
	servers[driver] = dsn
	return dsn
}

func howTo(driver string) string {
	if driver == "postgres" {
		return "Provide one with DOLIBARR_TEST_PG_DSN=postgres://user@host:port/postgres?sslmode=disable, run PostgreSQL on 127.0.0.1:5432 with trust auth, or install the postgresql package so a throwaway server can be started."
	}
	return "Provide one with DOLIBARR_TEST_MYSQL_DSN=root@tcp(host:port)/, run MariaDB/MySQL on 127.0.0.1:3306 (root, no password), or install the mariadb-server package so a throwaway server can be started."
}

func findOrStart(driver string) (string, error) {
	var candidates []string
	if driver == "postgres" {
		candidates = []string{getenv("DOLIBARR_TEST_PG_DSN"), "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"}
	} else {
		candidates = []string{getenv("DOLIBARR_TEST_MYSQL_DSN"), "root@tcp(127.0.0.1:3306)/"}
	}
	if getenv("DOLIBARR_TEST_THROWAWAY") == "" { // set it to prove the fallback path
		for _, c := range candidates {
			if c != "" && ping(driver, c) == nil {
				return c, nil
			}
		}
	}
	return startThrowaway(driver)
}

func ping(driver, dsn string) error {
	db, err := sql.Open(sqlDriver(driver), dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

func sqlDriver(driver string) string {
	if driver == "postgres" {
		return "pgx"
	}
	return driver
}

func adminExec(t testing.TB, driver, dsn, stmt string) {
	t.Helper()
	db, err := sql.Open(sqlDriver(driver), dsn)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt); err != nil {
		t.Fatalf("testdb: %s: %v", stmt, err)
	}
}

func execQuiet(driver, dsn, stmt string) {
	db, err := sql.Open(sqlDriver(driver), dsn)
	if err != nil {
		return
	}
	defer db.Close()
	_, _ = db.Exec(stmt)
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}
