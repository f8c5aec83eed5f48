// Package harness is the plumbing the load tools under bench/ share: a
// throwaway PostgreSQL database, the API binary started on it, an HTTP
// client for its JSON API, a closed-loop load generator reporting rate and
// latency percentiles, and a pgbench runner giving the machine's own
// ceiling for a transaction. Scenarios stay in each tool's main.go.
package harness

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for the admin connection
)

// TempDB is a freshly created, empty PostgreSQL database.
type TempDB struct {
	Name  string // database name, prefix + 8 random hex digits
	DSN   string // the admin DSN pointing at this database
	admin *sql.DB
}

// CreateDB creates an empty database named prefix_<random> on the server of
// adminDSN, whose role must be allowed to CREATE DATABASE. Call Drop (or Keep)
// when done.
func CreateDB(ctx context.Context, adminDSN, prefix string) (*TempDB, error) {
	var rb [4]byte
	_, _ = rand.Read(rb[:])
	name := prefix + "_" + hex.EncodeToString(rb[:])
	u, err := url.Parse(adminDSN)
	if err != nil {
		return nil, err
	}
	u.Path = "/" + name
	admin, err := sql.Open("pgx", adminDSN)
	if err != nil {
		return nil, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		_ = admin.Close()
		return nil, err
	}
	return &TempDB{Name: name, DSN: u.String(), admin: admin}, nil
}

// Drop drops the database, forcing off whatever is still connected, and
// closes the admin connection. It is best effort: a benchmark's result
// matters more than its cleanup.
func (t *TempDB) Drop() {
	_, _ = t.admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+t.Name+" WITH (FORCE)")
	_ = t.admin.Close()
}

// Keep closes the admin connection and leaves the database in place.
func (t *TempDB) Keep() { _ = t.admin.Close() }

// Credentials of the administrator StartAPI creates on first start.
const (
	AdminLogin    = "bench"
	AdminPassword = "bench-password-123"
)

// API is a running API process.
type API struct {
	Base string // http://127.0.0.1:<port>
	cmd  *exec.Cmd
}

// StartAPI starts the API binary bin on the database dsn, migrating on
// start, with a pool of conns connections (open and idle), a free local
// port, a random JWT secret and the AdminLogin administrator, and waits up
// to 30 s for /ready. Its stderr goes to ours. Call Stop when done.
func StartAPI(bin, dsn string, conns int) (*API, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	var secret [32]byte
	_, _ = rand.Read(secret[:])
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(),
		"DOLIBARR_DB_DRIVER=postgres", "DOLIBARR_DB_DSN="+dsn, "DOLIBARR_MIGRATE_ON_START=true",
		fmt.Sprintf("DOLIBARR_DB_MAX_OPEN_CONNS=%d", conns), fmt.Sprintf("DOLIBARR_DB_MAX_IDLE_CONNS=%d", conns),
		"DOLIBARR_HTTP_ADDR="+addr, "DOLIBARR_LOG_LEVEL=warn",
		"DOLIBARR_JWT_SECRET="+hex.EncodeToString(secret[:]), "DOLIBARR_JWT_TTL=2h",
		"DOLIBARR_ADMIN_LOGIN="+AdminLogin, "DOLIBARR_ADMIN_PASSWORD="+AdminPassword)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	a := &API{Base: "http://" + addr, cmd: cmd}
	if err := waitReady(a.Base); err != nil {
		a.Stop()
		return nil, err
	}
	return a, nil
}

// PID is the process id of the API, to read its CPU time or memory.
func (a *API) PID() int { return a.cmd.Process.Pid }

// Stop asks the API to shut down gracefully (SIGINT) and waits for it.
func (a *API) Stop() {
	_ = a.cmd.Process.Signal(os.Interrupt)
	_ = a.cmd.Wait()
}

// waitReady polls base/ready until it answers 200, for at most 30 s.
func waitReady(base string) error {
	hc := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		res, err := hc.Get(base + "/ready")
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("API not ready after 30 s")
}

var tpsRe = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)

// PGBench runs the pgbench script on dsn with clients connections (two
// threads, prepared statements, no vacuum) for d, rounded down to whole
// seconds, and returns the transactions per second without connection time.
func PGBench(dsn, script string, clients int, d time.Duration) (float64, error) {
	f, err := os.CreateTemp("", "pgbench-*.sql")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(script); err != nil {
		_ = f.Close()
		return 0, err
	}
	_ = f.Close()
	out, err := exec.Command("pgbench", "-n", "-M", "prepared", "-c", strconv.Itoa(clients), "-j", "2",
		"-T", strconv.Itoa(int(d.Seconds())), "-f", f.Name(), dsn).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %w: %s", err, out)
	}
	m := tpsRe.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("pgbench: no tps in %s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
