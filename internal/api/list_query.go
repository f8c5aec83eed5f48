package api

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Paging limits of the catalogue, stock and document lists.
const (
	listDefaultLimit = 50
	listMaxLimit     = 500
	listMaxOffset    = 1_000_000
	listMaxQ         = 100
)

// pageBounds are the paging limits of one kind of list: the limit used when
// none is asked for, and the largest limit and offset accepted. Lists differ
// only in these numbers, never in how limit and offset are read.
type pageBounds struct {
	defaultLimit, maxLimit, maxOffset int
}

// listPaging bounds the lists parseList reads.
var listPaging = pageBounds{defaultLimit: listDefaultLimit, maxLimit: listMaxLimit, maxOffset: listMaxOffset}

// parsePaging reads the limit and offset query parameters, every list's one
// way: an absent parameter takes its default (b.defaultLimit, 0); anything
// but an integer in 1..b.maxLimit (limit) or 0..b.maxOffset (offset),
// numbers too large for an int included, is a 400 invalid_query naming the
// accepted range. Checking the range here rather than in the use case keeps
// a bad page a 400 on every list, and an offset bound keeps a client from
// asking the database to skip billions of rows.
func parsePaging(c echo.Context, b pageBounds) (limit, offset int, err error) {
	if limit, err = rangeQuery(c, "limit", b.defaultLimit, 1, b.maxLimit); err != nil {
		return 0, 0, err
	}
	if offset, err = rangeQuery(c, "offset", 0, 0, b.maxOffset); err != nil {
		return 0, 0, err
	}
	return limit, offset, nil
}

// parseNatural parses the one spelling of a natural number the API
// accepts in paths, query parameters and If-Match: ASCII digits, no sign,
// no leading zero but in "0" itself, at most what an int64 holds. "+1",
// "01" and " 1" are refused rather than read as 1, so a resource has one
// URL and a number one text (issue 21).
func parseNatural(s string) (int64, bool) {
	if s == "" || len(s) > 19 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// rangeQuery parses an optional integer query parameter in lo..hi (def when
// absent).
func rangeQuery(c echo.Context, name string, def, lo, hi int) (int, error) {
	s := c.QueryParam(name)
	if s == "" {
		return def, nil
	}
	n, ok := parseNatural(s)
	if !ok || n < int64(lo) || n > int64(hi) {
		return 0, BadRequest("invalid_query", fmt.Sprintf("%s must be an integer from %d to %d", name, lo, hi))
	}
	return int(n), nil
}

// parseList reads limit, offset, sort and q. sort is a field of sorts,
// prefixed with "-" for descending order; anything else is a 400 naming the
// accepted fields, so no request text ever reaches an ORDER BY.
func parseList(c echo.Context, sorts []string) (domain.ListParams, error) {
	p := domain.ListParams{Sort: "id"}
	var err error
	if p.Limit, p.Offset, err = parsePaging(c, listPaging); err != nil {
		return p, err
	}
	if s := c.QueryParam("sort"); s != "" {
		field, desc := strings.CutPrefix(s, "-")
		if !slices.Contains(sorts, field) {
			return p, BadRequest("invalid_sort", "sort must be one of "+strings.Join(sorts, ", ")+", optionally prefixed with - for descending order")
		}
		p.Sort, p.Desc = field, desc
	}
	q := strings.TrimSpace(c.QueryParam("q"))
	if !utf8.ValidString(q) || utf8.RuneCountInString(q) > listMaxQ || strings.ContainsRune(q, 0) {
		return p, BadRequest("invalid_query", fmt.Sprintf("q must be valid text of at most %d characters", listMaxQ))
	}
	p.Q = q
	return p, parseSync(c, &p)
}

// boolQuery parses an optional boolean query parameter.
func boolQuery(c echo.Context, name string) (*bool, error) {
	s := c.QueryParam(name)
	if s == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return nil, BadRequest("invalid_query", name+" must be true or false")
	}
	return &b, nil
}

// idQuery parses an optional positive id query parameter (0 when absent).
func idQuery(c echo.Context, name string) (int64, error) {
	s := c.QueryParam(name)
	if s == "" {
		return 0, nil
	}
	id, ok := parseNatural(s)
	if !ok || id == 0 {
		return 0, BadRequest("invalid_query", name+" must be a positive integer written without sign or leading zeros")
	}
	return id, nil
}

// inDateRange reports whether t, in UTC, falls in the years 1 to 9999,
// which every engine stores: time.Parse reads "0000-01-01", which
// PostgreSQL refuses (issue 21's fuzzing found a 500).
func inDateRange(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1 && y <= 9999
}

// parseDate parses a YYYY-MM-DD date of the years 1 to 9999.
func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil && inDateRange(t)
}

// timeQuery parses an optional RFC 3339 time or YYYY-MM-DD date (midnight
// UTC) query parameter.
func timeQuery(c echo.Context, name string) (time.Time, error) {
	s := c.QueryParam(name)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil && inDateRange(t) {
		return t.UTC(), nil
	}
	if t, ok := parseDate(s); ok {
		return t, nil
	}
	return time.Time{}, BadRequest("invalid_query", name+" must be an RFC 3339 time or a YYYY-MM-DD date")
}

// pathID parses the :id path parameter.
func pathID(c echo.Context) (int64, error) { return idParam(c, "id", "the id") }

// idParam parses the path parameter name, a positive id written as
// parseNatural accepts; what names it in the error.
func idParam(c echo.Context, name, what string) (int64, error) {
	id, ok := parseNatural(c.Param(name))
	if !ok || id == 0 {
		return 0, BadRequest("invalid_id", what+" in the path must be a positive integer written without sign or leading zeros")
	}
	return id, nil
}

// listOf builds the list envelope, converting each item with conv, and
// the next cursor of a keyset page.
func listOf[T, R any](c echo.Context, page domain.Page[T], p domain.ListParams, conv func(*T) R) List[R] {
	out := List[R]{Data: make([]R, 0, len(page.Items)), Paging: Paging{Total: page.Total, Limit: p.Limit, Offset: p.Offset,
		NextCursor: nextCursor(c, page.Items, p)}}
	for i := range page.Items {
		out.Data = append(out.Data, conv(&page.Items[i]))
	}
	return out
}
