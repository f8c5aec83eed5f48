package domain

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ResetPeriod says when a numbering counter starts again at 1.
type ResetPeriod int

// Reset periods.
const (
	ResetNever ResetPeriod = iota
	ResetYearly
	ResetMonthly
)

// Mask is a reference numbering mask in Dolibarr's syntax (the "mercure" /
// "saphir" modules), for example FA{yy}{mm}-{0000@99}:
//
//   - {yyyy}, {yy}, {y}: the document date's year on 4, 2 or 1 digits;
//     {mm} and {dd} its month and day;
//   - {0000}: the counter, zero-padded to the number of zeros (it widens
//     past 9999 rather than wrap); exactly one is required;
//   - {0000+100}: the counter plus an offset (the first number is 101);
//   - {0000@99}: the counter restarts every month; {0000@1} every January,
//     {0000@x} every year in month x (1 to 12); without @ it never restarts;
//   - anything else is kept literally.
type Mask struct {
	text   string
	parts  []maskPart
	width  int
	offset int64
	reset  ResetPeriod
	start  time.Month // first month of the yearly period
}

type maskPartKind int

const (
	partLiteral maskPartKind = iota
	partYear4
	partYear2
	partYear1
	partMonth
	partDay
	partCounter
)

type maskPart struct {
	kind maskPartKind
	text string
}

// ErrMask is wrapped by every ParseMask error.
var ErrMask = errors.New("invalid numbering mask")

// ParseMask parses and checks a mask. It refuses masks that could give two
// documents the same reference: a monthly reset needs the year and the
// month in the reference, a yearly reset needs the year (and the month when
// the year starts in another month than January).
func ParseMask(s string) (Mask, error) {
	m := Mask{text: s}
	if s == "" || len(s) > 64 {
		return m, fmt.Errorf("%w: must be 1 to 64 characters", ErrMask)
	}
	counters := 0
	hasYear, hasMonth := false, false
	rest := s
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			m.parts = append(m.parts, maskPart{kind: partLiteral, text: rest})
			break
		}
		if open > 0 {
			m.parts = append(m.parts, maskPart{kind: partLiteral, text: rest[:open]})
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return m, fmt.Errorf("%w: unclosed { in %q", ErrMask, s)
		}
		tag := rest[open+1 : open+end]
		rest = rest[open+end+1:]
		switch tag {
		case "yyyy":
			m.parts = append(m.parts, maskPart{kind: partYear4})
			hasYear = true
		case "yy":
			m.parts = append(m.parts, maskPart{kind: partYear2})
			hasYear = true
		case "y":
			m.parts = append(m.parts, maskPart{kind: partYear1})
			hasYear = true
		case "mm":
			m.parts = append(m.parts, maskPart{kind: partMonth})
			hasMonth = true
		case "dd":
			m.parts = append(m.parts, maskPart{kind: partDay})
		default:
			if err := m.parseCounter(tag); err != nil {
				return m, err
			}
			counters++
			m.parts = append(m.parts, maskPart{kind: partCounter})
		}
	}
	for _, p := range m.parts {
		if p.kind == partLiteral && strings.ContainsFunc(p.text, func(r rune) bool { return r < 0x21 || r == 0x7f || r == '/' || r == '}' }) {
			return m, fmt.Errorf("%w: literal text must not hold spaces, slashes, braces or control characters", ErrMask)
		}
	}
	switch {
	case counters != 1:
		return m, fmt.Errorf("%w: needs exactly one counter such as {0000}", ErrMask)
	case m.reset == ResetMonthly && (!hasYear || !hasMonth):
		return m, fmt.Errorf("%w: a monthly reset (@99) needs {yy} or {yyyy} and {mm} in the reference", ErrMask)
	case m.reset == ResetYearly && !hasYear:
		return m, fmt.Errorf("%w: a yearly reset needs {yy} or {yyyy} in the reference", ErrMask)
	case m.reset == ResetYearly && m.start != time.January && !hasMonth:
		return m, fmt.Errorf("%w: a year starting in month %d needs {mm} in the reference", ErrMask, int(m.start))
	}
	return m, nil
}

func (m *Mask) parseCounter(tag string) error {
	body, resetSpec, hasReset := strings.Cut(tag, "@")
	zeros, offSpec, hasOffset := strings.Cut(body, "+")
	if zeros == "" || strings.Trim(zeros, "0") != "" || len(zeros) > 12 {
		return fmt.Errorf("%w: unknown tag {%s}", ErrMask, tag)
	}
	m.width = len(zeros)
	if hasOffset {
		n, err := strconv.ParseInt(offSpec, 10, 64)
		if err != nil || n < 0 || n > 1_000_000_000 {
			return fmt.Errorf("%w: offset in {%s} must be a number from 0 to 1000000000", ErrMask, tag)
		}
		m.offset = n
	}
	if hasReset {
		n, err := strconv.Atoi(resetSpec)
		switch {
		case err != nil:
			return fmt.Errorf("%w: reset in {%s} must be @1 to @12 or @99", ErrMask, tag)
		case n == 99:
			m.reset = ResetMonthly
		case n >= 1 && n <= 12:
			m.reset, m.start = ResetYearly, time.Month(n)
		default:
			return fmt.Errorf("%w: reset in {%s} must be @1 to @12 (yearly, from that month) or @99 (monthly)", ErrMask, tag)
		}
	}
	return nil
}

// MustMask parses s and panics when it is not a valid mask; for defaults
// and tests.
func MustMask(s string) Mask {
	m, err := ParseMask(s)
	if err != nil {
		panic(err)
	}
	return m
}

// String returns the mask as written.
func (m Mask) String() string { return m.text }

// Reset returns the mask's reset period.
func (m Mask) Reset() ResetPeriod { return m.reset }

// Period returns the key of the counter period a document dated on falls
// in: "" when the counter never restarts, "2026" for the yearly period that
// starts in 2026, "2026-11" for a monthly one.
func (m Mask) Period(on time.Time) string {
	switch m.reset {
	case ResetMonthly:
		return fmt.Sprintf("%04d-%02d", on.Year(), int(on.Month()))
	case ResetYearly:
		y := on.Year()
		if on.Month() < m.start {
			y--
		}
		return strconv.Itoa(y)
	default:
		return ""
	}
}

// Format returns the reference of the n-th document (n from 1) of the
// period on falls in.
func (m Mask) Format(on time.Time, n int64) string {
	var b strings.Builder
	for _, p := range m.parts {
		switch p.kind {
		case partLiteral:
			b.WriteString(p.text)
		case partYear4:
			fmt.Fprintf(&b, "%04d", on.Year())
		case partYear2:
			fmt.Fprintf(&b, "%02d", on.Year()%100)
		case partYear1:
			fmt.Fprintf(&b, "%d", on.Year()%10)
		case partMonth:
			fmt.Fprintf(&b, "%02d", int(on.Month()))
		case partDay:
			fmt.Fprintf(&b, "%02d", on.Day())
		case partCounter:
			fmt.Fprintf(&b, "%0*d", m.width, n+m.offset)
		}
	}
	return b.String()
}

// ProvisionalRef is the reference of a document that was never validated:
// Dolibarr's "(PROV<id>)".
func ProvisionalRef(id int64) string { return fmt.Sprintf("(PROV%d)", id) }

// BackdatedPolicy says what a validation does with a document dated before
// the last validated document of its series (Dolibarr's
// INVOICE_CHECK_POSTERIOR_DATE and FAC_FORCE_DATE_VALIDATION options).
type BackdatedPolicy string

// Backdated policies.
const (
	// BackdatedRefuse refuses the validation (409 date_before_last_validated).
	BackdatedRefuse BackdatedPolicy = "refuse"
	// BackdatedSetToday dates the document on the validation day instead.
	BackdatedSetToday BackdatedPolicy = "set_today"
	// BackdatedAllow checks nothing (Dolibarr's default): for imports of
	// past documents; numbers may then not follow dates.
	BackdatedAllow BackdatedPolicy = "allow"
)

// ParseBackdatedPolicy reads a policy name.
func ParseBackdatedPolicy(s string) (BackdatedPolicy, bool) {
	switch p := BackdatedPolicy(s); p {
	case BackdatedRefuse, BackdatedSetToday, BackdatedAllow:
		return p, true
	}
	return "", false
}

// Redater is a document whose other dates follow its date (an invoice's
// due date keeps its distance to the invoice date) when a validation
// re-dates it.
type Redater interface {
	Redate(day time.Time)
}

// DateBeforeLastValidated refuses a validation that would give a number
// after the last one of its series to a document dated before that one's
// date: numbers must follow dates, which auditors check.
type DateBeforeLastValidated struct {
	Series string
	Date   time.Time
	Last   time.Time
}

func (e *DateBeforeLastValidated) Error() string {
	return fmt.Sprintf("the document is dated %s, before %s, the date of the last validated document of its series; date it on or after %s",
		e.Date.Format(time.DateOnly), e.Last.Format(time.DateOnly), e.Last.Format(time.DateOnly))
}

// Unwrap makes DateBeforeLastValidated match ErrConflict.
func (e *DateBeforeLastValidated) Unwrap() error { return ErrConflict }

// ErrorCode returns the stable code.
func (e *DateBeforeLastValidated) ErrorCode() string { return "date_before_last_validated" }

// Details gives the client the date it must not precede.
func (e *DateBeforeLastValidated) Details() map[string]any {
	return map[string]any{"series": e.Series, "date": e.Date.Format(time.DateOnly), "last_validated_date": e.Last.Format(time.DateOnly)}
}
