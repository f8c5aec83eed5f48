package persistence

import (
	"fmt"
	"strconv"
	"strings"
)

// namedSQL is a report query with its :name parameters rewritten into the
// dialect's positional placeholders.
type namedSQL struct {
	text string
	// args names the parameter bound to each placeholder in order.
	args []string
	// names are the distinct parameter names the query uses.
	names map[string]bool
}

// bindArgs returns the positional arguments of q for the values in named.
func (q namedSQL) bindArgs(named map[string]any) ([]any, error) {
	out := make([]any, len(q.args))
	for i, n := range q.args {
		v, ok := named[n]
		if !ok {
			return nil, fmt.Errorf("report parameter :%s has no value", n)
		}
		out[i] = v
	}
	return out, nil
}

// compileNamed rewrites the :name parameters of a report query for dialect:
// PostgreSQL numbers each distinct name once ($1, $2, ... reused where the
// name repeats, so the server sees one parameter with one type); MySQL and
// SQLite get a ? per occurrence, bound with the value repeated. Report SQL
// is written once per dialect but with the same parameter names, so the
// use case binds every dialect alike; no value is ever spliced into text.
//
// It skips string literals, quoted identifiers and comments, and leaves
// PostgreSQL casts (::date) and MySQL assignments (:=) alone.
func compileNamed(dialect, src string) (namedSQL, error) {
	var b strings.Builder
	q := namedSQL{names: map[string]bool{}}
	pgIndex := map[string]int{}
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			j := endQuoted(src, i)
			if j < 0 {
				return q, fmt.Errorf("unterminated %c quote at byte %d", c, i)
			}
			b.WriteString(src[i:j])
			i = j
		case c == '-' && strings.HasPrefix(src[i:], "--"):
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				j = len(src) - i
			}
			b.WriteString(src[i : i+j])
			i += j
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				return q, fmt.Errorf("unterminated comment at byte %d", i)
			}
			b.WriteString(src[i : i+2+j+2])
			i += 2 + j + 2
		case c == ':' && strings.HasPrefix(src[i:], "::"):
			b.WriteString("::")
			i += 2
		case c == ':' && i+1 < len(src) && isNameStart(src[i+1]):
			j := i + 1
			for j < len(src) && isNameChar(src[j]) {
				j++
			}
			name := src[i+1 : j]
			q.names[name] = true
			if dialect == "postgres" {
				n, ok := pgIndex[name]
				if !ok {
					n = len(pgIndex) + 1
					pgIndex[name] = n
					q.args = append(q.args, name)
				}
				b.WriteString("$" + strconv.Itoa(n))
			} else {
				b.WriteByte('?')
				q.args = append(q.args, name)
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	q.text = b.String()
	return q, nil
}

// endQuoted returns the index just past the quoted text starting at i, a
// doubled quote standing for itself; -1 when it never ends.
func endQuoted(s string, i int) int {
	quote := s[i]
	for j := i + 1; j < len(s); j++ {
		if s[j] != quote {
			continue
		}
		if j+1 < len(s) && s[j+1] == quote {
			j++
			continue
		}
		return j + 1
	}
	return -1
}

func isNameStart(c byte) bool { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func isNameChar(c byte) bool { return isNameStart(c) || (c >= '0' && c <= '9') }
