package api

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/logging"
	"github.com/dolibarr-go/dolibarr/internal/usecase/reports"
)

// reportRoutes maps each report to its path under /api/v1/reports.
var reportRoutes = []struct {
	path string
	name reports.Name
}{
	{"/turnover", reports.Turnover},
	{"/aging", reports.Aging},
	{"/vat", reports.VAT},
	{"/top-customers", reports.TopCustomers},
	{"/top-products", reports.TopProducts},
	{"/stock-valuation", reports.StockValuation},
	{"/payables-aging", reports.PayablesAging},
	{"/purchases-by-supplier", reports.PurchasesBySupplier},
}

// Report output formats.
const (
	formatJSON = "json"
	formatCSV  = "csv"
	// MIMETextCSV is the media type of CSV reports.
	MIMETextCSV = "text/csv"
)

type reportHandlers struct{ svc *reports.Service }

// RegisterReports registers the report routes, all guarded by report:read.
func RegisterReports(s *Server, svc *reports.Service) {
	h := &reportHandlers{svc: svc}
	for _, r := range reportRoutes {
		s.Guarded(http.MethodGet, "/api/v1/reports"+r.path, domain.PermReportRead, h.serve(r.name))
	}
}

// serve answers one report as JSON or CSV. Parameters are checked before
// anything is written, so bad ones and a query that fails at once get a
// problem response; rows are then written as the database cursor yields
// them (see streamReport).
func (h *reportHandlers) serve(name reports.Name) echo.HandlerFunc {
	def, ok := reports.Lookup(name)
	if !ok {
		panic("api: no report definition for " + string(name))
	}
	return func(c echo.Context) error {
		format, err := reportFormat(c)
		if err != nil {
			return err
		}
		p, err := reportParams(c, def.Params)
		if err != nil {
			return err
		}
		opts, err := csvOptionsOf(c)
		if err != nil {
			return err
		}
		res, err := h.svc.Run(c.Request().Context(), name, p)
		if err != nil {
			return err
		}
		return streamReport(c, res, format, opts)
	}
}

// reportFormat reads ?format=json|csv, else the Accept header: CSV when it
// prefers text/csv to application/json, JSON otherwise (also when it
// accepts neither: the default format rather than a 406).
func reportFormat(c echo.Context) (string, error) {
	switch f := c.QueryParam("format"); f {
	case formatJSON, formatCSV:
		return f, nil
	case "":
	default:
		return "", BadRequest("invalid_query", "format must be json or csv")
	}
	csvQ, jsonQ := acceptQuality(c.Request().Header.Get(echo.HeaderAccept))
	if csvQ > jsonQ {
		return formatCSV, nil
	}
	return formatJSON, nil
}

// acceptQuality returns the quality an Accept header gives text/csv and
// application/json: that of the most specific media range matching each.
func acceptQuality(accept string) (csvQ, jsonQ float64) {
	if strings.TrimSpace(accept) == "" {
		return 0, 1
	}
	csvSpec, jsonSpec := -1, -1
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(s, 64); err == nil && v >= 0 && v <= 1 {
				q = v
			}
		}
		match := func(full string, spec *int, quality *float64) {
			typ, _, _ := strings.Cut(full, "/")
			s := -1
			switch mt {
			case full:
				s = 2
			case typ + "/*":
				s = 1
			case "*/*":
				s = 0
			}
			if s > *spec {
				*spec, *quality = s, q
			}
		}
		match(MIMETextCSV, &csvSpec, &csvQ)
		match(echo.MIMEApplicationJSON, &jsonSpec, &jsonQ)
	}
	return csvQ, jsonQ
}

// reportParams reads the query parameters named in accepted. Text that does
// not parse (a date that is not YYYY-MM-DD, a non-numeric limit) is a 400;
// whether the values make sense is the use case's to say (422).
func reportParams(c echo.Context, accepted []string) (reports.Params, error) {
	var p reports.Params
	for _, name := range accepted {
		s := c.QueryParam(name)
		if s == "" {
			continue
		}
		var err error
		switch name {
		case "from":
			p.From, err = dateQuery(name, s)
		case "to":
			p.To, err = dateQuery(name, s)
		case "as_of":
			p.AsOf, err = dateQuery(name, s)
		case "group_by":
			p.GroupBy = reports.Grain(s)
		case "customer_id":
			p.CustomerID, err = idQuery(c, name)
		case "warehouse_id":
			p.WarehouseID, err = idQuery(c, name)
		case "supplier_id":
			p.SupplierID, err = idQuery(c, name)
		case "per_customer":
			var b *bool
			if b, err = boolQuery(c, name); b != nil {
				p.PerCustomer = *b
			}
		case "limit":
			// 0 would read as "not given"; the upper bound is the use case's.
			n, convErr := strconv.Atoi(s)
			if convErr != nil || n < 1 {
				err = BadRequest("invalid_query", "limit must be a positive integer")
			}
			p.Limit = n
		}
		if err != nil {
			return p, err
		}
	}
	return p, nil
}

// dateQuery parses a YYYY-MM-DD date. Year 1 is refused here: its zero
// time would read as "not given" downstream.
func dateQuery(name, s string) (time.Time, error) {
	d, ok := parseDate(s)
	if !ok || d.IsZero() {
		return time.Time{}, BadRequest("invalid_query", name+" must be a date (YYYY-MM-DD) after year 1")
	}
	return d, nil
}

// reportParameters echoes the parameters the report ran with, defaults
// filled in, under their API names.
func reportParameters(res *reports.Result) map[string]any {
	out := make(map[string]any, len(res.Def.Params))
	p := res.Params
	for _, name := range res.Def.Params {
		switch name {
		case "from":
			out[name] = dateString(p.From)
		case "to":
			out[name] = dateString(p.To)
		case "as_of":
			out[name] = dateString(p.AsOf)
		case "group_by":
			out[name] = string(p.GroupBy)
		case "customer_id":
			out[name] = optInt(p.CustomerID)
		case "warehouse_id":
			out[name] = optInt(p.WarehouseID)
		case "supplier_id":
			out[name] = optInt(p.SupplierID)
		case "per_customer":
			out[name] = p.PerCustomer
		case "limit":
			out[name] = p.Limit
		}
	}
	return out
}

// reportFileName is the CSV download's name: the report and its dates.
func reportFileName(res *reports.Result) string {
	parts := []string{strings.ReplaceAll(string(res.Def.Name), "_", "-")}
	for _, name := range res.Def.Params {
		switch name {
		case "from":
			parts = append(parts, dateString(res.Params.From))
		case "to":
			parts = append(parts, dateString(res.Params.To))
		case "as_of":
			parts = append(parts, dateString(res.Params.AsOf))
		}
	}
	return strings.Join(parts, "_") + ".csv"
}

// streamErr handles an error the rows yield once the response has begun:
// the status line is gone, so the only honest signal left is to cut the
// connection. Panicking with http.ErrAbortHandler makes net/http drop it
// without the final chunk, so the client sees a truncated transfer, never
// a short report that looks complete.
func streamErr(c echo.Context, res *reports.Result, err error) {
	ctx := c.Request().Context()
	log := logging.From(ctx)
	switch {
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		log.Debug("report stream stopped: the client went away", zap.String("report", string(res.Def.Name)))
	default:
		log.Error("report stream failed after the response began", zap.String("report", string(res.Def.Name)),
			zap.Int64("rows_sent", res.Count()), zap.Error(err))
	}
	panic(http.ErrAbortHandler)
}

// csvOptions are the CSV dialect asked for: Europe's spreadsheets expect
// `;` between fields and a decimal comma, and a byte order mark to read
// UTF-8 (decision 0038).
type csvOptions struct {
	semicolon bool
	bom       bool
}

func csvOptionsOf(c echo.Context) (csvOptions, error) {
	var o csvOptions
	switch c.QueryParam("separator") {
	case "", "comma":
	case "semicolon":
		o.semicolon = true
	default:
		return o, BadRequest("invalid_query", "separator must be comma or semicolon")
	}
	b, err := boolQuery(c, "bom")
	if err != nil {
		return o, err
	}
	o.bom = b != nil && *b
	return o, nil
}
