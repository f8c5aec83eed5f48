package i18n

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// TestCatalogsHaveTheSameKeys fails when a key exists in one catalog and
// not in another, naming the key and the catalogs that lack it.
func TestCatalogsHaveTheSameKeys(t *testing.T) {
	r, err := load()
	require.NoError(t, err)
	require.Equal(t, []string{"en", "en-GB", "es", "fr", "pt-BR"}, Languages(), "the catalogs the issues ask for (en-GB: issue 22)")
	all := map[string]bool{}
	for _, l := range r.locales {
		for k := range l.msgs {
			all[k] = true
		}
	}
	var missing []string
	for _, name := range r.names {
		for k := range all {
			if !r.locales[name].Has(k) {
				missing = append(missing, name+".json lacks "+k)
			}
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing)
}

// TestKeyParityCheckDetectsAMissingKey proves the parity check above can
// fail: a catalog set with one key missing is reported.
func TestKeyParityCheckDetectsAMissingKey(t *testing.T) {
	en := &Locale{tag: "en", msgs: map[string]string{"a": "A", "b": "B"}}
	fr := &Locale{tag: "fr", msgs: map[string]string{"a": "A"}}
	require.False(t, fr.Has("b"))
	require.Equal(t, "B", (&Locale{tag: "fr", msgs: fr.msgs, fallback: en}).T("b"), "a missing key falls back to English")
	require.Equal(t, "zz", fr.T("zz"), "then to the key itself")
}

// TestEveryPaymentTermHasALabel ties the catalogs to the domain's list of
// payment-term codes, so a new code cannot print as a raw code.
func TestEveryPaymentTermHasALabel(t *testing.T) {
	for _, code := range domain.PaymentTermCodes() {
		require.True(t, For("en").Has("payment_terms."+code), code)
	}
}

// TestEveryPaymentMethodHasALabel does the same for payment methods.
func TestEveryPaymentMethodHasALabel(t *testing.T) {
	for _, m := range domain.PaymentMethods {
		_, ok := For("en").Lookup("payment_method." + string(m))
		require.True(t, ok, m)
	}
}

// TestNoCatalogLeavesATextUntranslated catches a label pasted from English
// into another catalog (format keys and words equal in both are allowed).
func TestNoCatalogLeavesATextUntranslated(t *testing.T) {
	same := map[string]bool{ // identical on purpose
		"label.date": true, "label.email": true, "note.title": true, "payments.date": true, "label.ref": true,
		"vat.base": true, "payment_method.cheque": true, "label.idprof": true,
	}
	en := For("en")
	for _, name := range []string{"fr", "es", "pt-BR"} { // en-GB is English on purpose
		l := For(name)
		var untranslated []string
		for k, v := range l.msgs {
			// Country names are often spelled alike (Canada, Portugal).
			if strings.HasPrefix(k, "format.") || strings.HasPrefix(k, "country.") || same[k] {
				continue
			}
			if v == en.msgs[k] && len(v) > 4 {
				untranslated = append(untranslated, k)
			}
		}
		sort.Strings(untranslated)
		require.Empty(t, untranslated, name)
	}
}

func TestLanguageMatching(t *testing.T) {
	for in, want := range map[string]string{
		"en": "en", "fr": "fr", "fr-CA": "fr", "fr-FR": "fr", "pt-BR": "pt-BR", "pt": "pt-BR", "pt-PT": "pt-BR",
		"es": "es", "es-MX": "es", "de": "en", "": "en", "not a tag!": "en", "EN-us": "en", "en-GB": "en-GB", "en-IE": "en-GB",
	} {
		require.Equal(t, want, For(in).Tag(), in)
	}
}

func TestFormatting(t *testing.T) {
	d := domain.MustDecimal
	day := time.Date(2026, 11, 3, 15, 4, 5, 0, time.UTC)
	nb := "\u00a0"
	cases := []struct {
		lang, date, money, neg, number, percent, small string
	}{
		{"en", "11/03/2026", "€1,234,567.50", "-€12.00", "1,234.125", "5.5%", "€0.10"},
		{"fr", "03/11/2026", "1" + nb + "234" + nb + "567,50" + nb + "€", "-12,00" + nb + "€", "1" + nb + "234,125", "5,5" + nb + "%", "0,10" + nb + "€"},
		{"pt-BR", "03/11/2026", "€" + nb + "1.234.567,50", "-€" + nb + "12,00", "1.234,125", "5,5%", "€" + nb + "0,10"},
		{"es", "03/11/2026", "1.234.567,50" + nb + "€", "-12,00" + nb + "€", "1.234,125", "5,5" + nb + "%", "0,10" + nb + "€"},
	}
	for _, c := range cases {
		l := For(c.lang)
		require.Equal(t, c.date, l.Date(day), c.lang)
		require.Equal(t, c.money, l.Money(d("1234567.5"), "EUR"), c.lang)
		require.Equal(t, c.neg, l.Money(d("-12"), "EUR"), c.lang)
		require.Equal(t, c.number, l.Number(d("1234.125"), 0), c.lang)
		require.Equal(t, c.percent, l.Percent(d("5.5")), c.lang)
		require.Equal(t, c.small, l.Money(d("0.1"), "EUR"), c.lang)
	}
	en := For("en")
	require.Equal(t, "CHF"+nb+"10.00", en.Money(d("10"), "chf"), "a currency without a sign shows its code, spaced")
	require.Equal(t, "R$10.00", en.Money(d("10"), "BRL"))
	require.Equal(t, "100", en.Number(d("100"), 0), "no group separator below 1000")
	require.Equal(t, "0.13", en.Amount(d("0.125"), 2), "half away from zero")
	require.Equal(t, "-0.13", en.Amount(d("-0.125"), 2))
	require.Equal(t, "", en.Date(time.Time{}))
	require.Equal(t, "Page 2 of 7", en.T("footer.page", "current", "2", "total", "7"))
	require.Equal(t, "Página 2 de 7", For("es").T("footer.page", "current", "2", "total", "7"))
}
