package identity_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/usecase/identity"
)

func TestAPIKeyFormat(t *testing.T) {
	raw, prefix, hash, err := identity.NewAPIKeySecret()
	require.NoError(t, err)
	require.Len(t, raw, 60)
	require.True(t, identity.IsAPIKey(raw))
	p, secret, ok := identity.ParseAPIKey(raw)
	require.True(t, ok)
	require.Equal(t, prefix, p)
	require.Equal(t, hash, identity.HashSecret(secret))
	require.NotContains(t, raw, hash)

	other, _, _, err := identity.NewAPIKeySecret()
	require.NoError(t, err)
	require.NotEqual(t, raw, other)

	for _, bad := range []string{
		"", "dgo_", raw[:59], raw + "A", strings.Replace(raw, "dgo_", "dgx_", 1),
		"dgo_" + strings.ToUpper(prefix) + raw[16:], // the prefix is lower-case hex
		raw[:16] + "-" + raw[17:],                   // the separator
		raw[:59] + "=", raw[:59] + ".",              // outside base64url
		"eyJhbGciOiJIUzI1NiJ9.e30.sig",
	} {
		_, _, ok := identity.ParseAPIKey(bad)
		require.False(t, ok, bad)
	}
	require.False(t, identity.IsAPIKey("eyJhbGciOiJIUzI1NiJ9.e30.sig"))
}
