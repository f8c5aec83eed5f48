package app

import (
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// cgroupFiles hold the container's memory limit: cgroup v2, then v1.
var cgroupFiles = []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}

// cgroupMemoryLimit returns the container's memory limit in bytes, 0 when
// there is none ("max", or v1's huge sentinel) or it cannot be read.
func cgroupMemoryLimit() int64 {
	for _, f := range cgroupFiles {
		b, err := os.ReadFile(f) //nolint:gosec // the fixed cgroup paths above
		if err != nil {
			continue
		}
		v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		if err != nil || v <= 0 || v >= math.MaxInt64/2 {
			return 0 // "max": unlimited
		}
		return v
	}
	return 0
}

// memoryLimit is the memory the process may use: GOMEMLIMIT when set, else
// the container's limit; 0 when neither is known.
func memoryLimit() int64 {
	if l := debug.SetMemoryLimit(-1); l < math.MaxInt64 {
		return l
	}
	return cgroupMemoryLimit()
}

// deriveGOMEMLIMIT sets the Go runtime's soft memory limit to 90 % of the
// container's, unless GOMEMLIMIT is set: the garbage collector then works
// harder near the limit instead of letting the heap grow into the OOM
// killer (the chart sets memory limits; compose and systemd may). It
// returns the limit set, 0 when none.
func deriveGOMEMLIMIT(getenv func(string) string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return 0
	}
	l := cgroupMemoryLimit()
	if l == 0 {
		return 0
	}
	soft := l / 10 * 9
	debug.SetMemoryLimit(soft)
	return soft
}
