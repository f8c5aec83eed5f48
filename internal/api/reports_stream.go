package api

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/logging"
	"github.com/dolibarr-go/dolibarr/internal/usecase/reports"
)

const (
	// reportBuffer is how much of a report is gathered before it goes to
	// the connection: large enough for few writes, small enough that the
	// memory a download holds does not grow with the report.
	reportBuffer = 32 << 10
	// reportFlushEvery pushes rows to the client at least every so many
	// rows, even when the database yields them slowly; the first row is
	// flushed at once so the download visibly starts.
	reportFlushEvery = 1000
)

// reportWriter writes one report format.
type reportWriter interface {
	begin() error
	row(reports.Row) error
	flush() error
	end() error
}

// streamReport writes res row by row as its iterator yields them from the
// database cursor: nothing but the current row and a fixed-size buffer is
// held, whatever the length of the report. The status line waits for the
// first row (or the end of an empty report), so a query that fails at once
// still gets a problem response.
func streamReport(c echo.Context, res *reports.Result, format string, opts csvOptions) error {
	var w reportWriter
	if format == formatCSV {
		w = newCSVReport(c, res, opts)
	} else {
		w = newJSONReport(c, res)
	}
	started := false
	var n int
	for row, err := range res.Rows() {
		if err != nil {
			if !started {
				return err
			}
			streamErr(c, res, err)
		}
		if !started {
			started = true
			if err := w.begin(); err != nil {
				return clientGone(c, res, err)
			}
		}
		// Returning from the loop ends the iteration, which closes the
		// cursor: a client that goes away stops the query.
		if err := w.row(row); err != nil {
			return clientGone(c, res, err)
		}
		if n++; n == 1 || n%reportFlushEvery == 0 {
			if err := w.flush(); err != nil {
				return clientGone(c, res, err)
			}
		}
	}
	if !started {
		if err := w.begin(); err != nil {
			return clientGone(c, res, err)
		}
	}
	if err := w.end(); err != nil {
		return clientGone(c, res, err)
	}
	return nil
}

// clientGone ends a report whose connection failed while writing: there is
// no one left to answer.
func clientGone(c echo.Context, res *reports.Result, err error) error {
	logging.From(c.Request().Context()).Debug("report stream stopped: writing failed",
		zap.String("report", string(res.Def.Name)), zap.Int64("rows", res.Count()), zap.Error(err))
	return nil
}

// flushResponse sends what the response has buffered to the client.
func flushResponse(c echo.Context) error {
	return http.NewResponseController(c.Response().Writer).Flush()
}

// jsonReport writes {"report", "parameters", "data": [...], "totals",
// "row_count"}; each row is an object keyed by column name, amounts are
// decimal strings and counts and ids are numbers.
type jsonReport struct {
	c    echo.Context
	res  *reports.Result
	bw   *bufio.Writer
	buf  []byte
	keys [][]byte // `"name":` of each column
	n    int
}

func newJSONReport(c echo.Context, res *reports.Result) *jsonReport {
	w := &jsonReport{c: c, res: res, bw: bufio.NewWriterSize(c.Response(), reportBuffer)}
	for i, col := range res.Columns {
		k := appendJSONString(nil, col.Name)
		if i > 0 {
			k = append([]byte{','}, k...)
		}
		w.keys = append(w.keys, append(k, ':'))
	}
	return w
}

func (w *jsonReport) begin() error {
	params, err := json.Marshal(reportParameters(w.res))
	if err != nil {
		return err
	}
	h := w.c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	w.c.Response().WriteHeader(http.StatusOK)
	w.buf = append(w.buf[:0], `{"report":`...)
	w.buf = appendJSONString(w.buf, string(w.res.Def.Name))
	w.buf = append(w.buf, `,"parameters":`...)
	w.buf = append(w.buf, params...)
	w.buf = append(w.buf, `,"data":[`...)
	_, err = w.bw.Write(w.buf)
	return err
}

func (w *jsonReport) row(r reports.Row) error {
	w.buf = w.buf[:0]
	if w.n > 0 {
		w.buf = append(w.buf, ',')
	}
	w.n++
	w.buf = append(w.buf, '{')
	for i, v := range r {
		w.buf = append(w.buf, w.keys[i]...)
		w.buf = appendJSONValue(w.buf, w.res.Columns[i], v)
	}
	w.buf = append(w.buf, '}')
	_, err := w.bw.Write(w.buf)
	return err
}

func (w *jsonReport) flush() error {
	if err := w.bw.Flush(); err != nil {
		return err
	}
	return flushResponse(w.c)
}

func (w *jsonReport) end() error {
	w.buf = append(w.buf[:0], ']')
	if w.res.HasTotals() {
		w.buf = append(w.buf, `,"totals":{`...)
		first := true
		for i, v := range w.res.Totals() {
			col := w.res.Columns[i]
			if !col.Sum {
				continue
			}
			if !first {
				w.buf = append(w.buf, ',')
			}
			first = false
			w.buf = appendJSONString(w.buf, col.Name)
			w.buf = append(w.buf, ':')
			w.buf = appendJSONValue(w.buf, col, v)
		}
		w.buf = append(w.buf, '}')
	}
	w.buf = append(w.buf, `,"row_count":`...)
	w.buf = strconv.AppendInt(w.buf, w.res.Count(), 10)
	w.buf = append(w.buf, "}\n"...)
	if _, err := w.bw.Write(w.buf); err != nil {
		return err
	}
	return w.flush()
}

func appendJSONValue(b []byte, col reports.Column, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, x)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case domain.Decimal:
		b = append(b, '"')
		b = append(b, x.Text(col.MinScale)...)
		return append(b, '"')
	}
	// reports.Row holds only the types above (reports.Source's contract).
	return append(b, "null"...)
}

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// csvReport writes RFC 4180 CSV: a header row of column names, one record
// per row, then, for reports with totals, a last record with "Total" in
// the first text column and the sums.
type csvReport struct {
	c   echo.Context
	res *reports.Result
	bw  *bufio.Writer
	cw  *csv.Writer
	rec []string
	opt csvOptions
}

func newCSVReport(c echo.Context, res *reports.Result, opts csvOptions) *csvReport {
	bw := bufio.NewWriterSize(c.Response(), reportBuffer)
	cw := csv.NewWriter(bw)
	if opts.semicolon {
		cw.Comma = ';'
	}
	return &csvReport{c: c, res: res, bw: bw, cw: cw, rec: make([]string, len(res.Columns)), opt: opts}
}

func (w *csvReport) begin() error {
	h := w.c.Response().Header()
	h.Set(echo.HeaderContentType, MIMETextCSV+"; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": reportFileName(w.res)}))
	w.c.Response().WriteHeader(http.StatusOK)
	if w.opt.bom {
		if _, err := w.bw.WriteString("\ufeff"); err != nil {
			return err
		}
	}
	for i, col := range w.res.Columns {
		w.rec[i] = col.Name
	}
	return w.cw.Write(w.rec)
}

func (w *csvReport) row(r reports.Row) error {
	for i, v := range r {
		w.rec[i] = w.cell(w.res.Columns[i], v)
	}
	return w.cw.Write(w.rec)
}

func (w *csvReport) flush() error {
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return err
	}
	if err := w.bw.Flush(); err != nil {
		return err
	}
	return flushResponse(w.c)
}

func (w *csvReport) end() error {
	if w.res.HasTotals() {
		labelled := false
		for i, v := range w.res.Totals() {
			col := w.res.Columns[i]
			switch {
			case col.Sum:
				w.rec[i] = w.cell(col, v)
			case col.Type == reports.ColText && !labelled:
				w.rec[i], labelled = "Total", true
			default:
				w.rec[i] = ""
			}
		}
		if err := w.cw.Write(w.rec); err != nil {
			return err
		}
	}
	return w.flush()
}

// cell formats one value in the asked dialect: with `;` separators,
// numbers take a decimal comma.
func (w *csvReport) cell(col reports.Column, v any) string {
	s := csvCell(col, v)
	if w.opt.semicolon {
		if _, ok := v.(domain.Decimal); ok {
			s = strings.Replace(s, ".", ",", 1)
		}
	}
	return s
}

// csvCell formats one value. Text that a spreadsheet would run as a
// formula (starting with =, +, -, @, tab or carriage return: a customer
// named "=HYPERLINK(...)") gets a leading apostrophe, which spreadsheets
// show as text; numbers and amounts are never altered.
func csvCell(col reports.Column, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if x != "" {
			switch x[0] {
			case '=', '+', '-', '@', '\t', '\r':
				return "'" + x
			}
		}
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case domain.Decimal:
		return x.Text(col.MinScale)
	}
	return ""
}
