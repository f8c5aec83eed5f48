package auth

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// Decoding the claims is most of a token verification's cost when left to
// encoding/json's reflection, and it runs on every request. The fast path
// below reads the flat object our own Issue writes: string keys without
// escapes, string or number values, aud as a string or an array of strings,
// perms as an array. Anything else (an escape, a nested object, a value of
// an unexpected type) goes to encoding/json instead, so the fast path never
// decides differently, it only decides sooner. It runs before the signature
// is checked, so it must also never panic on hostile input (fuzzed).

var errNotFast = errors.New("claims: not on the fast path")

// rawClaims has claims' fields without its UnmarshalJSON: the slow path.
type rawClaims claims

// UnmarshalJSON decodes the token body.
func (c *claims) UnmarshalJSON(b []byte) error {
	var fast claims
	if err := fast.decodeFast(b); err == nil {
		*c = fast
		return nil
	}
	*c = claims{}
	if err := strictTimes(b); err != nil {
		return err
	}
	return jsonUnmarshal(b, (*rawClaims)(c))
}

// timeClaims has the tags of the three NumericDate claims, so that
// encoding/json picks for each exactly the value (last duplicate, key of
// any case) it hands jwt.NumericDate when decoding rawClaims.
type timeClaims struct {
	Exp json.RawMessage `json:"exp"`
	Nbf json.RawMessage `json:"nbf"`
	Iat json.RawMessage `json:"iat"`
}

var errTimeNotNumber = errors.New("claims: exp, nbf and iat must be JSON numbers")

// strictTimes refuses exp, nbf or iat written as anything but a JSON
// number. jwt.NumericDate also reads a string holding a number ("exp":
// "1790000000") and null; RFC 7519 2 defines NumericDate as a number, and
// a strict verifier accepts nothing else (issue 21).
func strictTimes(b []byte) error {
	var t timeClaims
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	for _, raw := range []json.RawMessage{t.Exp, t.Nbf, t.Iat} {
		if raw == nil {
			continue // absent
		}
		l := lexer{b: raw}
		if _, err := l.num(); err != nil || l.end() != nil {
			return errTimeNotNumber
		}
	}
	return nil
}

// jsonUnmarshal is the slow path, named so tests can compare against it.
var jsonUnmarshal = json.Unmarshal

type lexer struct {
	b []byte
	i int
}

func (l *lexer) ws() {
	for l.i < len(l.b) {
		switch l.b[l.i] {
		case ' ', '\t', '\n', '\r':
			l.i++
		default:
			return
		}
	}
}

func (l *lexer) peek() byte {
	l.ws()
	if l.i < len(l.b) {
		return l.b[l.i]
	}
	return 0
}

func (l *lexer) eat(ch byte) bool {
	if l.peek() == ch {
		l.i++
		return true
	}
	return false
}

// str reads a string without escapes or control characters and returns
// its bytes (a view into the input).
func (l *lexer) str() ([]byte, error) {
	if !l.eat('"') {
		return nil, errNotFast
	}
	start := l.i
	for l.i < len(l.b) {
		switch ch := l.b[l.i]; {
		case ch == '"':
			l.i++
			v := l.b[start : l.i-1]
			if !utf8.Valid(v) { // encoding/json would substitute U+FFFD
				return nil, errNotFast
			}
			return v, nil
		case ch == '\\' || ch < 0x20:
			return nil, errNotFast
		}
		l.i++
	}
	return nil, errNotFast
}

// digits advances over [0-9]* and reports how many it read.
func (l *lexer) digits() int {
	n := 0
	for l.i < len(l.b) && l.b[l.i] >= '0' && l.b[l.i] <= '9' {
		l.i++
		n++
	}
	return n
}

// num reads a number of JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (l *lexer) num() (float64, error) {
	l.ws()
	start := l.i
	if l.i < len(l.b) && l.b[l.i] == '-' {
		l.i++
	}
	switch {
	case l.i < len(l.b) && l.b[l.i] == '0':
		l.i++
	case l.digits() == 0:
		return 0, errNotFast
	}
	if l.i < len(l.b) && l.b[l.i] == '.' {
		l.i++
		if l.digits() == 0 {
			return 0, errNotFast
		}
	}
	if l.i < len(l.b) && (l.b[l.i] == 'e' || l.b[l.i] == 'E') {
		l.i++
		if l.i < len(l.b) && (l.b[l.i] == '+' || l.b[l.i] == '-') {
			l.i++
		}
		if l.digits() == 0 {
			return 0, errNotFast
		}
	}
	f, err := strconv.ParseFloat(string(l.b[start:l.i]), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, errNotFast
	}
	return f, nil
}

// array returns the raw bytes of an array of escape-free strings.
func (l *lexer) array() ([]byte, error) {
	l.ws()
	start := l.i
	if !l.eat('[') {
		return nil, errNotFast
	}
	if l.eat(']') {
		return l.b[start:l.i], nil
	}
	for {
		if _, err := l.str(); err != nil {
			return nil, err
		}
		if l.eat(']') {
			return l.b[start:l.i], nil
		}
		if !l.eat(',') {
			return nil, errNotFast
		}
	}
}

func numericDate(f float64) *jwt.NumericDate {
	sec, frac := math.Modf(f)
	return jwt.NewNumericDate(time.Unix(int64(sec), int64(frac*1e9)))
}

func (c *claims) decodeFast(b []byte) error {
	l := lexer{b: b}
	if !l.eat('{') {
		return errNotFast
	}
	if l.eat('}') {
		return l.end()
	}
	for {
		key, err := l.str()
		if err != nil {
			return err
		}
		if !l.eat(':') {
			return errNotFast
		}
		switch string(key) {
		case "iss", "sub", "jti", "login":
			v, err := l.str()
			if err != nil {
				return err
			}
			switch string(key) {
			case "iss":
				c.Issuer = string(v)
			case "sub":
				c.Subject = string(v)
			case "jti":
				c.ID = string(v)
			default:
				c.Login = string(v)
			}
		case "exp", "nbf", "iat":
			f, err := l.num()
			if err != nil {
				return err
			}
			switch string(key) {
			case "exp":
				c.ExpiresAt = numericDate(f)
			case "nbf":
				c.NotBefore = numericDate(f)
			default:
				c.IssuedAt = numericDate(f)
			}
		case "gen":
			f, err := l.num()
			if err != nil {
				return err
			}
			// Only what encoding/json would read into an int64 exactly.
			if f < 0 || f != math.Trunc(f) || f > 1<<53 {
				return errNotFast
			}
			c.Gen = int64(f)
		case "aud":
			if l.peek() == '"' {
				v, _ := l.str()
				if v == nil {
					return errNotFast
				}
				c.Audience = jwt.ClaimStrings{string(v)}
				break
			}
			if !l.eat('[') {
				return errNotFast
			}
			c.Audience = make(jwt.ClaimStrings, 0, 1)
			for !l.eat(']') {
				if len(c.Audience) > 0 && !l.eat(',') {
					return errNotFast
				}
				v, err := l.str()
				if err != nil {
					return err
				}
				c.Audience = append(c.Audience, string(v))
			}
		case "perms":
			raw, err := l.array()
			if err != nil {
				return err
			}
			if err := c.Perms.UnmarshalJSON(raw); err != nil {
				return errNotFast
			}
		default:
			return errNotFast // unknown claim: let encoding/json handle it
		}
		if l.eat('}') {
			return l.end()
		}
		if !l.eat(',') {
			return errNotFast
		}
	}
}

func (l *lexer) end() error {
	l.ws()
	if l.i != len(l.b) {
		return errNotFast
	}
	return nil
}
