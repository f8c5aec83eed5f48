package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// ServeMetrics adds observe as the outermost middleware and serves h at
// GET /metrics, public like /health and /ready (decision 0031). observe
// runs before routing (Echo's Pre) and reads the route template after its
// handler returns, when the access log and recover middleware have written
// the final status.
func (s *Server) ServeMetrics(observe echo.MiddlewareFunc, h http.Handler) {
	s.Echo.Pre(observe)
	s.Public(http.MethodGet, "/metrics", echo.WrapHandler(h))
}
