package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// fuzzBody has the shapes request bodies have: plain and optional strings,
// numbers, booleans, string lists, nested objects and lists of objects.
type fuzzBody struct {
	Name  string      `json:"name"`
	Note  *string     `json:"note"`
	ID    *int64      `json:"id"`
	Flag  *bool       `json:"flag"`
	To    []string    `json:"to"`
	Lines []fuzzLine  `json:"lines"`
	Inner *fuzzInner  `json:"inner"`
	Any   interface{} `json:"any"`
}

type fuzzLine struct {
	Description *string `json:"description"`
	Quantity    *string `json:"quantity"`
}

type fuzzInner struct {
	Text string `json:"text"`
}

// FuzzDecodeJSON holds the decoder every request body goes through to its
// contract on any bytes: it never panics; what it accepts is one JSON
// value, all of whose strings are valid UTF-8 without NUL; what it refuses
// is a 400 or 413 with a code, or a 422 whose every field names a string
// of the body that holds a NUL or U+FFFD where the client sent invalid
// text. Seeds live in testdata/fuzz/FuzzDecodeJSON.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"a","lines":[{"description":"x"}]}`,
		`{"name":"a\u0000"}`, `{"to":["ok","b\u0000"]}`, `{"lines":[{},{"quantity":"\ud800"}]}`,
		"{\"name\":\"\xff\"}", `{"name":"\ud83d\ude00"}`, `{"any":{"k":["\u0000"]}}`, `{"inner":{"text":"\udc00x"}}`,
		`{} x`, `{}]`, "{}\u00a0", ``, `   `, `[]`, `"x"`, `{"name":1}`, `{"nope":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v fuzzBody
		err := decodeJSON(bytes.NewReader(body), &v)
		if err == nil {
			if !json.Valid(body) || !utf8.Valid(body) {
				t.Fatalf("accepted %q, which is not valid JSON in UTF-8", body)
			}
			if bad := badString(reflect.ValueOf(v)); bad != "" {
				t.Fatalf("accepted %q, decoded string %q", body, bad)
			}
			return
		}
		var (
			ae *Error
			ve *domain.ValidationError
		)
		switch {
		case errors.As(err, &ae):
			if ae.Code == "" || (ae.Status != http.StatusBadRequest && ae.Status != http.StatusRequestEntityTooLarge) {
				t.Fatalf("%q: error %d %q", body, ae.Status, ae.Code)
			}
		case errors.As(err, &ve):
			bad, top := tokenStrings(t, body)
			if !bad {
				t.Fatalf("422 on %q, whose strings hold neither NUL nor invalid text: %v", body, ve)
			}
			for _, fe := range ve.Fields {
				first, _, _ := strings.Cut(fe.Field, ".")
				first, _, _ = strings.Cut(first, "[")
				if (fe.Code != codeNUL && fe.Code != codeInvalidUTF8) || (!top[first] && !top[fe.Field] && !strings.Contains(string(body), first)) {
					t.Fatalf("422 on %q names %s (%s)", body, fe.Field, fe.Code)
				}
			}
		default:
			t.Fatalf("%q: unexpected error %T %v", body, err, err)
		}
	})
}

// badString returns the first string of v holding NUL or invalid UTF-8.
func badString(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); !textOK(s) {
			return s
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return badString(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if s := badString(v.Field(i)); s != "" {
				return s
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			if s := badString(v.Index(i)); s != "" {
				return s
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			if s := badString(k); s != "" {
				return s
			}
			if s := badString(v.MapIndex(k)); s != "" {
				return s
			}
		}
	default: // numbers and booleans hold no text
	}
	return ""
}

// tokenStrings reads body with encoding/json's tokenizer, which keeps
// duplicate keys, and reports whether any key or string holds NUL or
// U+FFFD (what encoding/json makes of invalid UTF-8 and unpaired
// surrogates), and the keys of the top-level object.
func tokenStrings(t *testing.T, body []byte) (bad bool, top map[string]bool) {
	t.Helper()
	top = map[string]bool{}
	type frame struct{ object, wantKey bool }
	var stack []frame
	// valueRead: in an object, a key comes next.
	valueRead := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return bad, top
		}
		n := len(stack)
		isKey := n > 0 && stack[n-1].object && stack[n-1].wantKey
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if n > 0 && stack[n-1].object {
					stack[n-1].wantKey = false // the container is a value
				}
				stack = append(stack, frame{object: v == '{', wantKey: v == '{'})
			default:
				stack = stack[:n-1]
				valueRead()
			}
			continue
		case string:
			if strings.ContainsRune(v, 0) || strings.ContainsRune(v, utf8.RuneError) {
				bad = true
			}
			if isKey && n == 1 {
				top[v] = true
			}
		}
		if isKey {
			stack[n-1].wantKey = false
		} else {
			valueRead()
		}
	}
}

// FuzzCheckQuery holds strictQuery's parser to net/url: a query string is
// accepted exactly when url.ParseQuery parses it and every name and value
// it yields is valid UTF-8 without NUL. Seeds live in
// testdata/fuzz/FuzzCheckQuery.
func FuzzCheckQuery(f *testing.F) {
	for _, s := range []string{"q=a", "q=a%00", "q=%FF", "q=%zz", "a=1;b=2", "a", "&&", "=x", "%00=1", "q=caf%C3%A9", "q=+%2B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		err := checkQuery(raw)
		vals, perr := url.ParseQuery(raw)
		want := perr == nil
		for k, vs := range vals {
			want = want && textOK(k)
			for _, v := range vs {
				want = want && textOK(v)
			}
		}
		if (err == nil) != want {
			t.Fatalf("checkQuery(%q) = %v, net/url: %v %q", raw, err, perr, vals)
		}
		if err != nil {
			var ae *Error
			if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || ae.Code != "invalid_query" {
				t.Fatalf("checkQuery(%q): %v", raw, err)
			}
		}
	})
}

// FuzzNumbersAndDates holds the scalar parsers of paths, queries and
// bodies to their grammars: parseNatural accepts exactly the canonical
// spelling of an int64 ≥ 0 and nothing else; parseDate accepts exactly a
// YYYY-MM-DD date of the years 1 to 9999 and gives it back unchanged.
// Decimals are fuzzed in the domain (FuzzParseDecimal). Seeds live in
// testdata/fuzz/FuzzNumbersAndDates.
func FuzzNumbersAndDates(f *testing.F) {
	for _, s := range []string{"0", "1", "+1", "01", "-1", "1.0", "9223372036854775807", "9223372036854775808", " 1", "٣",
		"2024-02-29", "2023-02-29", "0000-01-01", "0001-01-01", "9999-12-31", "2024-1-5", "+2024-01-01"} {
		f.Add(s)
	}
	natural := regexp.MustCompile(`^(0|[1-9][0-9]*)$`)
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parseNatural(s)
		if ok != (natural.MatchString(s) && fitsInt64(s)) || (ok && strconv.FormatInt(n, 10) != s) {
			t.Fatalf("parseNatural(%q) = %d, %v", s, n, ok)
		}
		d, ok := parseDate(s)
		if ok && (d.Format(time.DateOnly) != s || d.Year() < 1 || d.Year() > 9999) {
			t.Fatalf("parseDate(%q) = %v", s, d)
		}
	})
}

func fitsInt64(s string) bool {
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// FuzzBearer holds the Authorization parser to RFC 6750: a token comes
// back only from "Bearer" (any case), one space and a b64token, and is
// what follows the space, unchanged. Seeds live in testdata/fuzz/FuzzBearer.
func FuzzBearer(f *testing.F) {
	for _, s := range []string{"Bearer abc.def.ghi", "bearer x", "Bearer  x", "Bearer\tx", "Bearer x ", "Bearer ", "Basic x", "Bearer a=b", "Bearer ab=="} {
		f.Add(s)
	}
	token := regexp.MustCompile(`^[A-Za-z0-9\-._~+/]+=*$`)
	f.Fuzz(func(t *testing.T, h string) {
		tok, err := bearer(h)
		if err != nil {
			var ae *Error
			if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
				t.Fatalf("bearer(%q): %v", h, err)
			}
			return
		}
		if len(h) < 7 || !strings.EqualFold(h[:7], "Bearer ") || h[7:] != tok || !token.MatchString(tok) {
			t.Fatalf("bearer(%q) accepted %q", h, tok)
		}
	})
}
