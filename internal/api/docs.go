package api

import (
	_ "embed"
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"
	"sigs.k8s.io/yaml"
)

// docsPage is the API reference page: plain HTML, CSS and script written
// for this project (decision 0030), which reads /api/v1/openapi.json and
// renders every operation. Nothing is loaded from elsewhere: the
// Content-Security-Policy says so too.
//
//go:embed docs.html
var docsPage []byte

var (
	openAPIJSONOnce sync.Once
	openAPIJSON     []byte
	openAPIJSONErr  error
)

// serveOpenAPIJSON answers the document converted to JSON once.
func serveOpenAPIJSON(c echo.Context) error {
	openAPIJSONOnce.Do(func() { openAPIJSON, openAPIJSONErr = yaml.YAMLToJSON(OpenAPI) })
	if openAPIJSONErr != nil {
		return openAPIJSONErr
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openAPIJSON)
}

func serveDocs(c echo.Context) error {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	return c.HTMLBlob(http.StatusOK, docsPage)
}
