package app

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/auth"
)

// TestMemoryLimitSizesHashingAndGOMEMLIMIT: the container's memory limit
// (cgroup v2 or v1) bounds the concurrent password hashes to a quarter of
// it, and sets GOMEMLIMIT to 90 % of it unless GOMEMLIMIT is set.
func TestMemoryLimitSizesHashingAndGOMEMLIMIT(t *testing.T) {
	dir := t.TempDir()
	v2, v1 := filepath.Join(dir, "memory.max"), filepath.Join(dir, "limit_in_bytes")
	saved := cgroupFiles
	t.Cleanup(func() { cgroupFiles = saved })
	cgroupFiles = []string{v2, v1}

	require.Zero(t, cgroupMemoryLimit(), "no cgroup files")
	require.NoError(t, os.WriteFile(v2, []byte("max\n"), 0o600))
	require.Zero(t, cgroupMemoryLimit(), "unlimited")
	require.NoError(t, os.WriteFile(v2, []byte("536870912\n"), 0o600))
	require.Equal(t, int64(512<<20), cgroupMemoryLimit())
	require.NoError(t, os.Remove(v2))
	require.NoError(t, os.WriteFile(v1, []byte("9223372036854771712\n"), 0o600))
	require.Zero(t, cgroupMemoryLimit(), "v1's unlimited sentinel")
	require.NoError(t, os.WriteFile(v1, []byte("1073741824\n"), 0o600))
	require.Equal(t, int64(1<<30), cgroupMemoryLimit())

	// The chart's 512 MiB API on a 64-CPU node: 6 hashes (114 MiB), not 64.
	require.Equal(t, 6, auth.HashSlots(auth.DefaultArgon2, 512<<20, 64))
	require.Equal(t, 2, auth.HashSlots(auth.DefaultArgon2, 512<<20, 2), "never more than one per CPU")
	require.Equal(t, 1, auth.HashSlots(auth.DefaultArgon2, 32<<20, 8), "at least one")
	require.Equal(t, 4, auth.HashSlots(auth.DefaultArgon2, 0, 64), "no known limit")

	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	require.Zero(t, deriveGOMEMLIMIT(func(string) string { return "200MiB" }), "GOMEMLIMIT set: left alone")
	require.Equal(t, prev, debug.SetMemoryLimit(-1))
	require.Equal(t, int64(1<<30)/10*9, deriveGOMEMLIMIT(func(string) string { return "" }))
	require.Equal(t, int64(1<<30)/10*9, debug.SetMemoryLimit(-1))
	require.Equal(t, int64(1<<30)/10*9, memoryLimit(), "GOMEMLIMIT wins once set")
}
