package apptest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// TestDoValidatesAgainstTheDocument drives documented public routes through
// the real router; Do itself fails the test on any mismatch.
func TestDoValidatesAgainstTheDocument(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		res := a.Do(t, http.MethodGet, "/health", nil, "")
		require.Equal(t, http.StatusOK, res.Status)
		res = a.Do(t, http.MethodGet, "/api/v1/openapi.yaml", nil, "")
		require.Equal(t, http.StatusOK, res.Status)
		res = a.Do(t, http.MethodGet, "/ready", nil, "")
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	})
}
