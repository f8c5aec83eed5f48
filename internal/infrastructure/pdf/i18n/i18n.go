// Package i18n holds the labels of printed documents in several languages,
// as JSON catalogs embedded in the binary, and formats dates, numbers and
// amounts the way each language writes them.
//
// A catalog is a flat object of key -> text. Keys starting with "format."
// are not labels but formatting rules: "format.date" is a Go time layout,
// "format.decimal" and "format.group" the decimal and thousands separators,
// "format.money" and "format.percent" patterns with {amount}/{symbol} and
// {value} placeholders. Every catalog has the same keys (a test enforces
// it); a key missing anyway falls back to English, then to the key itself.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Fallback is the language used when nothing better matches.
const Fallback = "en"

//go:embed *.json
var catalogFS embed.FS

// Locale is one language's catalog and formatting rules. It is immutable
// and safe for concurrent use.
type Locale struct {
	tag      string
	msgs     map[string]string
	fallback *Locale
}

type registry struct {
	locales map[string]*Locale
	tags    []language.Tag
	names   []string
	matcher language.Matcher
}

var (
	loadOnce sync.Once
	loaded   *registry
	loadErr  error
)

func load() (*registry, error) {
	loadOnce.Do(func() { loaded, loadErr = parse(catalogFS) })
	return loaded, loadErr
}

// parse reads every <tag>.json of fsys. The fallback language comes first
// in the matcher, which makes it the answer when nothing matches.
func parse(fsys embed.FS) (*registry, error) {
	entries, err := fsys.ReadDir(".")
	if err != nil {
		return nil, err
	}
	r := &registry{locales: map[string]*Locale{}}
	for _, e := range entries {
		name := e.Name()
		if path.Ext(name) != ".json" {
			continue
		}
		tag := strings.TrimSuffix(name, ".json")
		if _, err := language.Parse(tag); err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %q is not a language tag: %w", name, tag, err)
		}
		b, err := fsys.ReadFile(name)
		if err != nil {
			return nil, err
		}
		msgs := map[string]string{}
		if err := json.Unmarshal(b, &msgs); err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", name, err)
		}
		r.locales[tag] = &Locale{tag: tag, msgs: msgs}
		r.names = append(r.names, tag)
	}
	fb, ok := r.locales[Fallback]
	if !ok {
		return nil, fmt.Errorf("i18n: no catalog for the fallback language %q", Fallback)
	}
	sort.Strings(r.names)
	r.tags = append(r.tags, language.MustParse(Fallback))
	for _, name := range r.names {
		if name != Fallback {
			r.locales[name].fallback = fb
			r.tags = append(r.tags, language.MustParse(name))
		}
	}
	r.matcher = language.NewMatcher(r.tags)
	return r, nil
}

// Languages lists the tags that have a catalog, sorted.
func Languages() []string {
	r, err := load()
	if err != nil {
		return nil
	}
	return append([]string(nil), r.names...)
}

// Check reports a catalog that cannot be loaded; the renderer calls it at
// start-up so a broken catalog fails the binary, not the first request.
func Check() error {
	_, err := load()
	return err
}

// For returns the locale that best serves lang, a BCP 47 tag such as
// "fr", "fr-CA", "pt-BR" or "pt": the closest catalog by language (and
// region when several share one), else English. It never fails.
func For(lang string) *Locale {
	r, err := load()
	if err != nil {
		// Check() reports this at start-up; here an empty catalog still
		// renders the keys rather than crashing a request.
		return &Locale{tag: Fallback, msgs: map[string]string{}}
	}
	if l, ok := r.locales[lang]; ok {
		return l
	}
	t, err := language.Parse(lang)
	if err != nil {
		return r.locales[Fallback]
	}
	_, idx, conf := r.matcher.Match(t)
	if conf == language.No {
		return r.locales[Fallback]
	}
	return r.locales[r.tags[idx].String()]
}

// Tag returns the catalog's language tag ("pt-BR").
func (l *Locale) Tag() string { return l.tag }

// Has reports whether the catalog itself (not its fallback) has key.
func (l *Locale) Has(key string) bool {
	_, ok := l.msgs[key]
	return ok
}

// T returns the text of key with {name} placeholders replaced by the
// following name, value argument pairs: T("footer.page", "current", "1",
// "total", "3"). A missing key falls back to English, then to the key.
func (l *Locale) T(key string, pairs ...string) string {
	s, ok := l.msgs[key]
	if !ok && l.fallback != nil {
		s, ok = l.fallback.msgs[key]
	}
	if !ok {
		s = key
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		s = strings.ReplaceAll(s, "{"+pairs[i]+"}", pairs[i+1])
	}
	return s
}

// Lookup returns the text of key and whether any catalog has it, for codes
// (payment methods) that may have no translation and are then shown as is.
func (l *Locale) Lookup(key string) (string, bool) {
	if s, ok := l.msgs[key]; ok {
		return s, true
	}
	if l.fallback != nil {
		if s, ok := l.fallback.msgs[key]; ok {
			return s, true
		}
	}
	return "", false
}

// Date formats the calendar date of t; the zero time gives "".
func (l *Locale) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(l.T("format.date"))
}

// Amount formats d rounded half away from zero to scale digits, with the
// language's separators: 1234.5 -> "1,234.50" (en), "1 234,50" (fr).
func (l *Locale) Amount(d domain.Decimal, scale int32) string {
	return l.digits(d.StringFixed(scale))
}

// Number formats d with as many decimals as it has, at least minScale
// (quantities "3", "1,5"; unit prices "6,36", "0,12345").
func (l *Locale) Number(d domain.Decimal, minScale int32) string {
	return l.digits(d.Text(minScale))
}

// Money formats an amount of a document total, with 2 decimals and the
// currency placed as the language places it ("€1,234.50", "1 234,50 €").
// A minus sign goes in front of the whole.
func (l *Locale) Money(d domain.Decimal, currency string) string {
	sign := ""
	if d.IsNegative() {
		sign, d = "-", d.Neg()
	}
	sym := Symbol(currency)
	if sym == "" {
		return sign + l.Amount(d, domain.ScaleTotal)
	}
	pattern := l.T("format.money")
	// "€1.00" reads well; "CHF1.00" does not: a code gets a space.
	if sym == strings.ToUpper(currency) && strings.Contains(pattern, "{symbol}{amount}") {
		pattern = strings.Replace(pattern, "{symbol}{amount}", "{symbol}\u00a0{amount}", 1)
	}
	s := strings.NewReplacer("{amount}", l.Amount(d, domain.ScaleTotal), "{symbol}", sym).Replace(pattern)
	return sign + s
}

// Percent formats a rate such as a VAT rate or a discount ("20%", "5,5 %").
func (l *Locale) Percent(d domain.Decimal) string {
	return l.T("format.percent", "value", l.Number(d, 0))
}

// digits rewrites a plain decimal text ("-1234.50") with the language's
// group and decimal separators.
func (l *Locale) digits(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	group := l.T("format.group")
	var b strings.Builder
	b.WriteString(sign)
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(group)
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString(l.T("format.decimal"))
		b.WriteString(frac)
	}
	return b.String()
}

// symbols are the currencies written with a sign; others show their code.
var symbols = map[string]string{"EUR": "€", "USD": "$", "GBP": "£", "BRL": "R$", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}

// Symbol returns the sign of an ISO 4217 currency code, or the code.
func Symbol(currency string) string {
	if s, ok := symbols[strings.ToUpper(currency)]; ok {
		return s
	}
	return strings.ToUpper(currency)
}
