package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/labstack/echo/v4"
)

// decodeJSON reads exactly one JSON value with no unknown fields and turns
// every decoding failure into a 400 with a stable code and a useful message.
func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var (
			syn  *json.SyntaxError
			typ  *json.UnmarshalTypeError
			mber *http.MaxBytesError
		)
		switch {
		case errors.Is(err, io.EOF):
			return BadRequest("empty_body", "the request body is empty; a JSON object is expected")
		case errors.Is(err, os.ErrDeadlineExceeded):
			// The server's read deadline (Options.RequestTimeout) passed
			// while the body trickled in or stopped short of its length.
			return &Error{Status: http.StatusRequestTimeout, Code: "request_timeout", Detail: "the request body did not arrive within the request timeout"}
		case errors.As(err, &mber):
			return &Error{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large", Detail: "the request body is too large"}
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
	if dec.More() {
		return BadRequest("malformed_json", "the request body holds more than one JSON value")
	}
	return nil
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
