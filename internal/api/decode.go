package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// errBodyTooLarge answers a body over the server's limit, however it was
// sent: Echo's BodyLimit refuses a declared Content-Length up front and
// fails the read of a chunked body once it passes the limit.
var errBodyTooLarge = &Error{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large", Detail: "the request body is too large"}

// decodeJSON reads exactly one JSON value with no unknown fields and turns
// every decoding failure into a 400 with a stable code and a useful message.
// A body whose strings hold what no database column can store (NUL,
// invalid UTF-8, an unpaired surrogate escape) is a 422 naming each field:
// every request body passes here, so no such string reaches a use case.
func decodeJSON(r io.Reader, v any) error {
	body, err := io.ReadAll(r)
	if err != nil {
		var (
			mber *http.MaxBytesError
			he   *echo.HTTPError
		)
		if errors.As(err, &mber) || (errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge) {
			return errBodyTooLarge
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// The server's read deadline (Options.RequestTimeout) passed
			// while the body trickled in or stopped short of its length.
			return &Error{Status: http.StatusRequestTimeout, Code: "request_timeout", Detail: "the request body did not arrive within the request timeout"}
		}
		return BadRequest("malformed_json", "the request body could not be read")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if len(bytes.Trim(body[dec.InputOffset():], " \t\r\n")) > 0 { // JSON whitespace only
		return BadRequest("malformed_json", "the request body holds more than one JSON value")
	}
	// Valid UTF-8 without a \u escape cannot hold any of the three: the
	// common body costs one pass of utf8.Valid and one of bytes.Index.
	if utf8.Valid(body) && !bytes.Contains(body, []byte(`\u`)) {
		return nil
	}
	return badStrings(body)
}

func decodeError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.EOF):
		return BadRequest("empty_body", "the request body is empty; a JSON object is expected")
	case errors.As(err, &syn):
		return BadRequest("malformed_json", fmt.Sprintf("malformed JSON at byte %d", syn.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return BadRequest("malformed_json", "the request body must be a JSON object")
		}
		return BadRequest("wrong_type", fmt.Sprintf("field %q must be %s", field, jsonKind(typ.Type.Kind().String())))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return BadRequest("unknown_field", strings.TrimPrefix(err.Error(), "json: ")+" is not accepted")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return BadRequest("malformed_json", "the JSON body ends too early")
	}
	return BadRequest("malformed_json", "the request body is not valid JSON")
}

// Field codes of a string no column can store.
const (
	codeNUL         = "nul_character"
	codeInvalidUTF8 = "invalid_utf8"
)

// badStrings walks body, one JSON value already known to be well formed,
// and reports every string holding a NUL (PostgreSQL text refuses it),
// invalid UTF-8 or an unpaired UTF-16 surrogate escape (encoding/json
// would silently store U+FFFD instead of what the client sent) under its
// path: "name", "lines[2].description", "to[0]".
func badStrings(body []byte) error {
	w := stringWalker{b: body, v: &domain.ValidationError{}}
	w.value("")
	return w.v.Err()
}

type stringWalker struct {
	b []byte
	i int
	v *domain.ValidationError
}

func (w *stringWalker) ws() {
	for w.i < len(w.b) && (w.b[w.i] == ' ' || w.b[w.i] == '\t' || w.b[w.i] == '\n' || w.b[w.i] == '\r') {
		w.i++
	}
}

func (w *stringWalker) value(path string) {
	w.ws()
	if w.i >= len(w.b) {
		return
	}
	switch w.b[w.i] {
	case '{':
		w.i++
		for {
			w.ws()
			if w.i >= len(w.b) || w.b[w.i] == '}' {
				w.i++
				return
			}
			if w.b[w.i] == ',' {
				w.i++
				continue
			}
			key, problem := w.str(true)
			field := key
			if path != "" {
				field = path + "." + key
			}
			if problem != "" {
				w.report(field, problem)
			}
			w.ws()
			w.i++ // ':'
			w.value(field)
		}
	case '[':
		w.i++
		for n := 0; ; {
			w.ws()
			if w.i >= len(w.b) || w.b[w.i] == ']' {
				w.i++
				return
			}
			if w.b[w.i] == ',' {
				w.i++
				continue
			}
			w.value(path + "[" + strconv.Itoa(n) + "]")
			n++
		}
	case '"':
		if _, problem := w.str(false); problem != "" {
			w.report(path, problem)
		}
	default: // number, true, false, null
		for w.i < len(w.b) && !strings.ContainsRune(",]} \t\r\n", rune(w.b[w.i])) {
			w.i++
		}
	}
}

func (w *stringWalker) report(field, code string) {
	if field == "" {
		field = "body"
	}
	msg := "must not contain the NUL character (U+0000)"
	if code == codeInvalidUTF8 {
		msg = "must be valid UTF-8 text (no invalid bytes, no unpaired surrogate escape)"
	}
	w.v.Add(field, code, "%s", msg)
}

// str reads the string at w.i and returns the first problem found in it
// and, when keep (a key, for the paths below it), its text with invalid
// bytes replaced.
func (w *stringWalker) str(keep bool) (string, string) {
	w.i++ // opening quote
	var (
		sb      strings.Builder
		problem string
	)
	flag := func(code string) {
		if problem == "" || code == codeNUL {
			problem = code
		}
	}
	for w.i < len(w.b) {
		c := w.b[w.i]
		switch {
		case c == '"':
			w.i++
			return sb.String(), problem
		case c == '\\' && w.i+1 < len(w.b):
			if w.b[w.i+1] != 'u' {
				if keep {
					sb.WriteByte(unescape(w.b[w.i+1]))
				}
				w.i += 2
				continue
			}
			r := hex4(w.b[w.i+2:])
			w.i += 6
			switch {
			case r == 0:
				flag(codeNUL)
			case utf16.IsSurrogate(r):
				if r < 0xDC00 && w.i+6 <= len(w.b) && w.b[w.i] == '\\' && w.b[w.i+1] == 'u' {
					if pair := utf16.DecodeRune(r, hex4(w.b[w.i+2:])); pair != utf8.RuneError {
						if keep {
							sb.WriteRune(pair)
						}
						w.i += 6
						continue
					}
				}
				flag(codeInvalidUTF8)
				r = utf8.RuneError
			}
			if keep {
				sb.WriteRune(r)
			}
		case c < utf8.RuneSelf:
			if keep {
				sb.WriteByte(c)
			}
			w.i++
		default:
			r, n := utf8.DecodeRune(w.b[w.i:])
			if r == utf8.RuneError && n == 1 {
				flag(codeInvalidUTF8)
			}
			if keep {
				sb.WriteRune(r)
			}
			w.i += n
		}
	}
	return sb.String(), problem
}

func unescape(c byte) byte {
	switch c {
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	}
	return c // " \ /
}

// hex4 decodes the four hex digits of a \u escape (valid: the body has
// been decoded already); -1 when they are missing.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 16)
	if err != nil {
		return -1
	}
	return rune(n)
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "ptr":
		return "a value of another type"
	}
	return "a number"
}

// Bind decodes the JSON body of c into v, requiring a JSON content type
// when one is sent.
func Bind(c echo.Context, v any) error {
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" && !isJSON(ct) {
		return &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Detail: "send the body as application/json"}
	}
	return decodeJSON(c.Request().Body, v)
}

// isJSON reports whether a Content-Type value is application/json, with or
// without parameters. Media types compare case-insensitively (RFC 9110
// 8.3.1), and a longer type such as application/jsonp is not JSON.
func isJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.EqualFold(strings.TrimSpace(mt), echo.MIMEApplicationJSON)
}
