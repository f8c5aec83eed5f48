package mailing

import (
	"bytes"
	"embed"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// The message templates, one file per language and kind of document, each
// defining "subject" and "body" (text/template, plain text). Adding a
// language is adding a folder and its entry in locales.
//
//go:embed templates
var templateFS embed.FS

// DefaultLanguage is the fallback of every language without templates.
const DefaultLanguage = "en"

// locale is how a language writes amounts and dates.
type locale struct {
	decimal, thousands string
	date               string // a time layout
}

var locales = map[string]locale{
	"en":    {decimal: ".", thousands: ",", date: "January 2, 2006"},
	"fr":    {decimal: ",", thousands: "\u202f", date: "02/01/2006"},
	"es":    {decimal: ",", thousands: ".", date: "02/01/2006"},
	"pt-BR": {decimal: ",", thousands: ".", date: "02/01/2006"},
}

// templateKinds are the kinds with templates: the document kinds, and the
// credit note, an invoice with its own wording.
var templateKinds = []string{"proposal", "order", "invoice", "credit_note", "purchase_order"}

// catalog holds the parsed templates by language and kind; parsed once at
// start-up, so a broken template stops the binary instead of a send.
type catalog map[string]map[string]*template.Template

func loadCatalog() (catalog, error) {
	c := catalog{}
	for lang := range locales {
		c[lang] = map[string]*template.Template{}
		for _, kind := range templateKinds {
			name := "templates/" + lang + "/" + kind + ".tmpl"
			t, err := template.New(kind).Option("missingkey=error").ParseFS(templateFS, name)
			if err != nil {
				return nil, fmt.Errorf("mail template %s: %w", name, err)
			}
			for _, part := range []string{"subject", "body"} {
				if t.Lookup(part) == nil {
					return nil, fmt.Errorf("mail template %s: no %q", name, part)
				}
			}
			c[lang][kind] = t
		}
	}
	return c, nil
}

// Language returns the language whose templates serve tag: the tag itself,
// else its base language ("fr-CA" -> "fr", "pt" -> "pt-BR"), else
// DefaultLanguage.
func Language(tag string) string {
	langs := slices.Sorted(maps.Keys(locales))
	for _, lang := range langs {
		if strings.EqualFold(lang, tag) {
			return lang
		}
	}
	base, _, _ := strings.Cut(tag, "-")
	for _, lang := range langs {
		if b, _, _ := strings.Cut(lang, "-"); strings.EqualFold(b, base) {
			return lang
		}
	}
	return DefaultLanguage
}

// Vars are the template variables.
type Vars struct {
	Ref          string
	CustomerRef  string
	CustomerName string
	// Amount is the total including tax, written the language's way with
	// the currency code ("1,234.56 EUR", "1 234,56 EUR").
	Amount string
	// DueDate is the invoice's due date, the proposal's end of validity or
	// the order's delivery date, written the language's way; "" if none.
	DueDate string
	Company string
}

// formatAmount writes d rounded to cents with the locale's separators.
func (l locale) formatAmount(d domain.Decimal, currency string) string {
	s := d.Round(2).StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(l.thousands)
		}
		b.WriteRune(r)
	}
	b.WriteString(l.decimal)
	b.WriteString(frac)
	if currency != "" {
		b.WriteString(" " + currency)
	}
	return b.String()
}

func (l locale) formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(l.date)
}

// compose returns the subject and body of kind in lang. A non-empty
// subject or body override replaces the template's, after the Dolibarr
// substitution keys (domain.SendSubstitutionKeys) are replaced.
func (c catalog) compose(lang, kind string, v Vars, subject, body string) (string, string, error) {
	t := c[Language(lang)][kind]
	if t == nil {
		return "", "", fmt.Errorf("no mail template for %q", kind)
	}
	render := func(part, override string) (string, error) {
		if override != "" {
			return substitutions(v).Replace(override), nil
		}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, part, v); err != nil {
			return "", fmt.Errorf("mail template %s/%s %s: %w", Language(lang), kind, part, err)
		}
		return buf.String(), nil
	}
	s, err := render("subject", subject)
	if err != nil {
		return "", "", err
	}
	b, err := render("body", body)
	if err != nil {
		return "", "", err
	}
	// A subject is one line, whatever a customer name or override holds.
	s = strings.Join(strings.Fields(s), " ")
	return s, b, nil
}

func substitutions(v Vars) *strings.Replacer {
	return strings.NewReplacer(
		"__REF__", v.Ref, "__REF_CLIENT__", v.CustomerRef, "__THIRDPARTY_NAME__", v.CustomerName,
		"__AMOUNT__", v.Amount, "__DATE_DUE__", v.DueDate, "__MYCOMPANY_NAME__", v.Company,
	)
}
