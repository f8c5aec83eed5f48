package metrics

import (
	"time"

	"github.com/labstack/echo/v4"
)

// statusClasses label the code dimension: the class, not the exact status,
// keeps the series count small and is what ratios and alerts use.
var statusClasses = [...]string{"1xx", "1xx", "2xx", "3xx", "4xx", "5xx"}

// HTTP returns the Echo middleware that counts and times requests by
// route template (c.Path(), never the raw URL: /invoices/:id is one series,
// not one per invoice), method and status class. Requests that match no
// route are labelled route="unmatched", so scanners cannot grow the series.
// It goes outside the access log and recover middleware, so the status it
// reads is the one written, problem answers and panics included.
func (m *Metrics) HTTP() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			m.httpInFlight.Inc()
			defer m.httpInFlight.Dec()
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err) // write the answer now so the status below is final
			}
			took := time.Since(start)
			status := c.Response().Status
			route := c.Path()
			if route == "" { // no route matched (404)
				route = "unmatched"
			}
			class := "5xx"
			if i := status / 100; i >= 1 && i < len(statusClasses) {
				class = statusClasses[i]
			}
			method := c.Request().Method
			m.httpRequests.WithLabelValues(route, method, class).Inc()
			m.httpDuration.WithLabelValues(route, method).Observe(took.Seconds())
			return nil
		}
	}
}
