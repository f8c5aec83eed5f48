package harness

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// CPUTime is the user + system CPU time process pid has used, from
// /proc/<pid>/stat (clock ticks of 10 ms); 0 when unreadable.
func CPUTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// BackendPIDs lists the server processes connected to the database (the
// API's pool), so a scenario can charge PostgreSQL's CPU to its operations.
// The server must run on this machine.
func (t *TempDB) BackendPIDs(ctx context.Context) ([]int, error) {
	rows, err := t.admin.QueryContext(ctx, "SELECT pid FROM pg_stat_activity WHERE datname = $1", t.Name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return nil, err
		}
		out = append(out, pid)
	}
	return out, rows.Err()
}

// CPUMeter splits the CPU a scenario used between the API process, the
// PostgreSQL backends serving it and this load generator.
type CPUMeter struct {
	db       *TempDB
	api      int
	pids     []int
	api0     time.Duration
	pg0, me0 time.Duration
}

// CPUShare is CPU time per successful operation.
type CPUShare struct{ API, PG, Client time.Duration }

// StartCPU starts measuring. Backends opened after it are not counted, so
// call it once the pool is warm (after a first scenario).
func StartCPU(ctx context.Context, db *TempDB, apiPID int) *CPUMeter {
	m := &CPUMeter{db: db, api: apiPID}
	m.pids, _ = db.BackendPIDs(ctx)
	m.api0, m.pg0, m.me0 = CPUTime(apiPID), m.pgTime(), CPUTime(os.Getpid())
	return m
}

func (m *CPUMeter) pgTime() time.Duration {
	var t time.Duration
	for _, p := range m.pids {
		t += CPUTime(p)
	}
	return t
}

// Per returns the CPU used since StartCPU divided by ops.
func (m *CPUMeter) Per(ops int64) CPUShare {
	if ops <= 0 {
		return CPUShare{}
	}
	n := time.Duration(ops)
	return CPUShare{API: (CPUTime(m.api) - m.api0) / n, PG: (m.pgTime() - m.pg0) / n, Client: (CPUTime(os.Getpid()) - m.me0) / n}
}
