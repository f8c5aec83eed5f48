package domain_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

func dec(s string) domain.Decimal { return domain.MustDecimal(s) }

func TestDecimalRoundsHalfAwayFromZero(t *testing.T) {
	for _, c := range []struct {
		in    string
		scale int32
		want  string
	}{
		{"2.345", 2, "2.35"}, {"-2.345", 2, "-2.35"}, {"2.344", 2, "2.34"}, {"0.005", 2, "0.01"},
		{"-0.005", 2, "-0.01"}, {"1.5", 0, "2"}, {"-1.5", 0, "-2"}, {"2.5", 0, "3"},
		{"115.425", 2, "115.43"}, {"0.000005", 5, "0.00001"}, {"12", 2, "12"},
	} {
		require.Equal(t, c.want, d(c.in).Round(c.scale).String(), "%s at %d", c.in, c.scale)
	}
	// Division rounds the same way, at the scale the caller names.
	require.Equal(t, "0.67", dec("2").Div(dec("3"), 2).String())
	require.Equal(t, "-0.67", dec("-2").Div(dec("3"), 2).String())
	require.Equal(t, "0.33333", dec("1").Div(dec("3"), domain.ScaleUnit).String())
}

// TestDecimalDolibarrGoldenTotals reproduces FactureTestRounding's single
// line case (6.36 × 15 at 21 % VAT = 95.40 / 20.03 / 115.43) with VAT
// derived by difference, as calcul_price_total does.
func TestDecimalDolibarrGoldenTotals(t *testing.T) {
	base := dec("6.36").Mul(dec("15"))
	ht := base.Round(domain.ScaleTotal)
	ttc := base.Mul(dec("121")).Div(dec("100"), domain.ScaleTotal)
	require.Equal(t, "95.40", ht.StringFixed(2))
	require.Equal(t, "115.43", ttc.StringFixed(2))
	require.Equal(t, "20.03", ttc.Sub(ht).StringFixed(2))
	// Three lines of 5: rounding each line then summing gives 20.04 VAT.
	line := dec("6.36").Mul(dec("5"))
	lht, lttc := line.Round(2), line.Mul(dec("1.21")).Round(2)
	require.Equal(t, "20.04", lttc.Sub(lht).Mul(dec("3")).StringFixed(2))
}

func TestDecimalParsingIsStrict(t *testing.T) {
	for _, ok := range []string{"0", "-0", "0.5", "-0.5", "12.50", "10", "0.00000001", "999999999999999.99999999"} {
		_, err := domain.ParseDecimal(ok)
		require.NoError(t, err, ok)
	}
	// One spelling per number: no sign but "-", no leading zero but the
	// units' own (issue 21: "+5" was accepted), no exponent.
	for _, bad := range []string{"", "-", ".5", "5.", "1e5", "1E5", " 1", "1 ", "1,5", "NaN", "Inf", "0x10", "--1", "1.2.3", "١٢",
		"+1", "+5", "+0", "+.5", "-+1", "00", "01", "000123.4", "-01.5", "00.10", "0000000000000000000001.5"} {
		_, err := domain.ParseDecimal(bad)
		require.ErrorIs(t, err, domain.ErrDecimalSyntax, bad)
	}
	for _, big := range []string{"1000000000000000", "1.000000001", strings.Repeat("9", 40)} {
		_, err := domain.ParseDecimal(big)
		require.ErrorIs(t, err, domain.ErrDecimalRange, big)
	}
}

func TestDecimalTextAndJSON(t *testing.T) {
	require.Equal(t, "12.50", dec("12.5").Text(2))
	require.Equal(t, "0.12345", dec("0.12345").Text(2))
	require.Equal(t, "3", dec("3.000").String())
	require.EqualValues(t, 1, dec("1.50").Scale())
	require.True(t, dec("1.50").Equal(dec("1.5")))

	b, err := json.Marshal(struct{ A domain.Decimal }{dec("115.43")})
	require.NoError(t, err)
	require.JSONEq(t, `{"A":"115.43"}`, string(b))
	var v struct{ A domain.Decimal }
	require.NoError(t, json.Unmarshal([]byte(`{"A":"-0.5"}`), &v))
	require.Equal(t, "-0.5", v.A.String())
	require.Error(t, json.Unmarshal([]byte(`{"A":0.5}`), &v), "a JSON number is refused")
	require.Error(t, json.Unmarshal([]byte(`{"A":"1e3"}`), &v))
}

func TestDecimalScan(t *testing.T) {
	var x domain.Decimal
	for src, want := range map[any]string{"12.50000000": "12.5", int64(7): "7", 0.1: "0.1", 24.50001: "24.50001", nil: "0"} {
		require.NoError(t, x.Scan(src))
		require.Equal(t, want, x.String(), "%v", src)
	}
	require.NoError(t, x.Scan([]byte("-3.25")))
	require.Equal(t, "-3.25", x.String())
	require.Error(t, x.Scan(true))
}

func TestWeightedAverageCost(t *testing.T) {
	require.Equal(t, "6", domain.WeightedAverageCost(dec("10"), dec("5"), dec("10"), dec("7")).String())
	require.Equal(t, "7", domain.WeightedAverageCost(dec("0"), dec("0"), dec("10"), dec("7")).String(), "no previous average")
	require.Equal(t, "7", domain.WeightedAverageCost(dec("-4"), dec("5"), dec("10"), dec("7")).String(), "negative stock counts as zero")
}

// FuzzParseDecimal checks that parsing never panics and that whatever it
// accepts prints back to a text that parses to the same number.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "-12.50", "1e5", "999999999999999.99999999", "+.5", "00.10", "+5", "-0", "0.0"} {
		f.Add(s)
	}
	grammar := regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?$`)
	f.Fuzz(func(t *testing.T, s string) {
		v, err := domain.ParseDecimal(s)
		if (err == nil || errors.Is(err, domain.ErrDecimalRange)) != grammar.MatchString(s) {
			t.Fatalf("%q: accepted=%v, but the grammar says %v", s, err == nil, grammar.MatchString(s))
		}
		if err != nil {
			return
		}
		back, err := domain.ParseDecimal(v.String())
		if err != nil || !back.Equal(v) {
			t.Fatalf("%q -> %q does not round-trip: %v", s, v.String(), err)
		}
		if v.IntegerDigits() > domain.MaxIntegerDigits || v.Scale() > domain.ScaleStored {
			t.Fatalf("%q accepted out of range", s)
		}
	})
}
