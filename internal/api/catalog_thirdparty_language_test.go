package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// TestThirdPartyLanguageHTTP: a third party's preferred document language
// is set on create, normalised, read back, kept by a PATCH that leaves it
// out, changed and cleared by one that names it; an unsupported language is
// a 422 field error, never a 500.
func TestThirdPartyLanguageHTTP(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		res := a.Do(t, "POST", "/api/v1/thirdparties", obj{"name": "Plain"}, admin)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		require.Equal(t, "", decode(t, res)["language"], "none: the company default")

		res = a.Do(t, "POST", "/api/v1/thirdparties", obj{"name": "Martin SARL", "customer": true, "language": "FR"}, admin)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		tp := decode(t, res)
		require.Equal(t, "fr", tp["language"], "stored in its canonical spelling")
		path := fmt.Sprintf("/api/v1/thirdparties/%d", idOf(t, tp))

		res = a.Do(t, "GET", path, nil, a.Token(t, domain.PermThirdPartyRead))
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, "fr", decode(t, res)["language"])

		res = a.Do(t, "PATCH", path, obj{"town": "Lyon", "version": 1}, admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, "fr", decode(t, res)["language"], "a PATCH leaving language out keeps it")

		res = a.Do(t, "PATCH", path, obj{"language": "pt-br", "version": 2}, admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, "pt-BR", decode(t, res)["language"])
		res = a.Do(t, "GET", "/api/v1/thirdparties?q=martin", nil, admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		items := decode(t, res)["data"].([]any)
		require.Len(t, items, 1)
		require.Equal(t, "pt-BR", items[0].(obj)["language"])

		// Refused: unsupported, malformed, too long; nothing changes.
		for _, bad := range []string{"de", "pt", "fr-CA", "français", "en_US!", strings.Repeat("x", 300)} {
			res = a.Do(t, "PATCH", path, obj{"language": bad, "version": 3}, admin)
			require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%q: %s", bad, res.Body)
			p := res.Problem(t)
			require.Equal(t, "validation_failed", p.Code)
			require.Len(t, p.Errors, 1)
			require.Equal(t, "language", p.Errors[0].Field)
			require.Equal(t, "invalid", p.Errors[0].Code)
		}
		res = a.Do(t, "POST", "/api/v1/thirdparties", obj{"name": "Müller GmbH", "language": "de"}, admin)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
		require.Equal(t, []string{"language"}, problemFields(t, res))
		res = a.Do(t, "POST", "/api/v1/thirdparties", `{"name":"Typed","language":42}`, admin)
		require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)

		res = a.Do(t, "PATCH", path, obj{"language": "", "version": 3}, admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, "", decode(t, res)["language"], "cleared: back to the company default")
		res = a.Do(t, "GET", path, nil, admin)
		require.Equal(t, "", decode(t, res)["language"])
	})
}
