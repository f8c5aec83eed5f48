package domain_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

func d(s string) domain.Decimal { return domain.MustDecimal(s) }

func line(qty, price, vat string) domain.Line {
	return domain.Line{Description: "x", Quantity: d(qty), UnitPrice: d(price), VATRate: d(vat)}
}

func totals(lines []domain.Line, mode domain.RoundingMode) domain.Totals {
	for i := range lines {
		lines[i].Compute(domain.ScaleTotal)
	}
	return domain.ComputeTotals(lines, mode, domain.ScaleTotal)
}

func repeat(n int, l domain.Line) []domain.Line {
	out := make([]domain.Line, n)
	for i := range out {
		out[i] = l
	}
	return out
}

// TestGoldenTotalsFromDolibarr replays test/phpunit/FactureTestRounding.php
// (VAT 21 %, unit price 6.36, and 2 × 1.24 at 10 %) in both total modes.
func TestGoldenTotalsFromDolibarr(t *testing.T) {
	cases := []struct {
		name            string
		lines           []domain.Line
		mode            domain.RoundingMode
		excl, vat, incl string
	}{
		{"1x15 per line", repeat(1, line("15", "6.36", "21")), domain.RoundPerLine, "95.40", "20.03", "115.43"},
		{"1x15 of sum", repeat(1, line("15", "6.36", "21")), domain.RoundOfSum, "95.40", "20.03", "115.43"},
		{"3x5 per line", repeat(3, line("5", "6.36", "21")), domain.RoundPerLine, "95.40", "20.04", "115.44"},
		{"3x5 of sum", repeat(3, line("5", "6.36", "21")), domain.RoundOfSum, "95.40", "20.03", "115.43"},
		{"5x3 per line", repeat(5, line("3", "6.36", "21")), domain.RoundPerLine, "95.40", "20.05", "115.45"},
		{"5x3 of sum", repeat(5, line("3", "6.36", "21")), domain.RoundOfSum, "95.40", "20.03", "115.43"},
		{"2x1.24@10 per line", repeat(2, line("1", "1.24", "10")), domain.RoundPerLine, "2.48", "0.24", "2.72"},
		{"2x1.24@10 of sum", repeat(2, line("1", "1.24", "10")), domain.RoundOfSum, "2.48", "0.25", "2.73"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := totals(tc.lines, tc.mode)
			require.Equal(t, tc.excl, got.ExclTax.StringFixed(2))
			require.Equal(t, tc.vat, got.VAT.StringFixed(2))
			require.Equal(t, tc.incl, got.InclTax.StringFixed(2))
		})
	}
}

func TestLineTotalsRoundHalfAwayFromZeroWithDiscount(t *testing.T) {
	l := domain.Line{Quantity: d("3"), UnitPrice: d("10.005"), DiscountPercent: d("10"), VATRate: d("20")}
	l.Compute(2)
	// base 27.0135 -> 27.01; incl. 32.4162 -> 32.42; VAT by difference.
	require.Equal(t, "27.01", l.TotalExclTax.StringFixed(2))
	require.Equal(t, "32.42", l.TotalInclTax.StringFixed(2))
	require.Equal(t, "5.41", l.TotalVAT.StringFixed(2))

	neg := domain.Line{Quantity: d("1"), UnitPrice: d("-0.125"), VATRate: d("0")}
	neg.Compute(2)
	require.Equal(t, "-0.13", neg.TotalExclTax.StringFixed(2), "half away from zero, not to even")
	pos := domain.Line{Quantity: d("1"), UnitPrice: d("0.125"), VATRate: d("0")}
	pos.Compute(2)
	require.Equal(t, "0.13", pos.TotalExclTax.StringFixed(2))
}

func TestVATBreakdownIsByRateAscending(t *testing.T) {
	ls := []domain.Line{line("1", "100", "20"), line("2", "10", "5.5"), line("1", "3.33", "20"), line("1", "7", "0")}
	got := totals(ls, domain.RoundPerLine)
	require.Len(t, got.ByRate, 3)
	require.Equal(t, []string{"0", "5.5", "20"}, []string{got.ByRate[0].Rate.String(), got.ByRate[1].Rate.String(), got.ByRate[2].Rate.String()})
	require.Equal(t, "103.33", got.ByRate[2].Base.StringFixed(2))
	require.Equal(t, "20.67", got.ByRate[2].Amount.StringFixed(2)) // 20.00 + 0.67 (3.996 -> 4.00 - 3.33)
	require.Equal(t, "1.10", got.ByRate[1].Amount.StringFixed(2))
}

func randomLine(r *rand.Rand) domain.Line {
	rates := []string{"0", "2.1", "5.5", "10", "20", "21"}
	l := domain.Line{
		Description: "p",
		Quantity:    domain.NewDecimal(int64(r.IntN(100000)+1), -int32(r.IntN(3))),
		UnitPrice:   domain.NewDecimal(int64(r.IntN(2000000))-200000, -int32(r.IntN(6))),
		VATRate:     d(rates[r.IntN(len(rates))]),
	}
	if r.IntN(3) == 0 {
		l.DiscountPercent = domain.NewDecimal(int64(r.IntN(10000)), -2)
	}
	return l
}

// TestTotalsProperties: for random documents in both modes, the totals are
// the sums of the breakdown, the breakdown's bases are the sums of the
// lines, per-line mode VAT is the sum of the lines' VAT, every line and the
// document satisfy excl. + VAT = incl., and all amounts have 2 decimals.
func TestTotalsProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 2000; iter++ {
		n := r.IntN(25) + 1
		ls := make([]domain.Line, n)
		for i := range ls {
			ls[i] = randomLine(r)
		}
		for _, mode := range []domain.RoundingMode{domain.RoundPerLine, domain.RoundOfSum} {
			got := totals(ls, mode)
			sumExcl, sumVAT, sumIncl := domain.Zero, domain.Zero, domain.Zero
			for _, l := range ls {
				require.True(t, l.TotalExclTax.Add(l.TotalVAT).Equal(l.TotalInclTax))
				require.LessOrEqual(t, l.TotalInclTax.Scale(), int32(2))
				sumExcl, sumVAT, sumIncl = sumExcl.Add(l.TotalExclTax), sumVAT.Add(l.TotalVAT), sumIncl.Add(l.TotalInclTax)
			}
			require.Truef(t, got.ExclTax.Equal(sumExcl), "excl %s != sum of lines %s", got.ExclTax, sumExcl)
			bVAT, bBase := domain.Zero, domain.Zero
			for _, b := range got.ByRate {
				bVAT, bBase = bVAT.Add(b.Amount), bBase.Add(b.Base)
			}
			require.True(t, got.VAT.Equal(bVAT), "VAT breakdown sums to total VAT")
			require.True(t, got.ExclTax.Equal(bBase))
			require.True(t, got.ExclTax.Add(got.VAT).Equal(got.InclTax))
			if mode == domain.RoundPerLine {
				require.True(t, got.VAT.Equal(sumVAT))
				require.True(t, got.InclTax.Equal(sumIncl), "totals equal the sum of lines")
			} else {
				// Rounding once per rate differs from the per-line sum by at
				// most half a cent per line.
				diff := got.VAT.Sub(sumVAT).Abs()
				require.False(t, diff.GreaterThan(domain.NewDecimal(int64(n), -2)), "diff %s over %d lines", diff, n)
			}
		}
	}
}

// TestCreditNoteNegatesItsSource: a credit note made from a random invoice
// has exactly the opposite of every line total, total and VAT rate amount.
func TestCreditNoteNegatesItsSource(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 500; iter++ {
		src := &domain.Invoice{Type: domain.InvoiceStandard, Status: domain.InvoiceValidated}
		src.ID, src.Ref, src.CustomerID = 7, "FA2611-0001", 3
		src.Rounding = domain.RoundingMode(r.IntN(2))
		for i := r.IntN(15) + 1; i > 0; i-- {
			src.Lines = append(src.Lines, randomLine(r))
		}
		src.Recompute()
		cn, err := domain.CreditNoteFor(src, src.Date, 1)
		require.NoError(t, err)
		require.Equal(t, domain.InvoiceCreditNote, cn.Type)
		require.Equal(t, src.ID, cn.SourceInvoiceID)
		require.True(t, cn.TotalExclTax.Equal(src.TotalExclTax.Neg()))
		require.True(t, cn.TotalVAT.Equal(src.TotalVAT.Neg()))
		require.True(t, cn.TotalInclTax.Equal(src.TotalInclTax.Neg()))
		for i := range cn.Lines {
			require.True(t, cn.Lines[i].TotalInclTax.Equal(src.Lines[i].TotalInclTax.Neg()))
			require.True(t, cn.Lines[i].Quantity.Equal(src.Lines[i].Quantity), "quantities stay positive: stock goes back in")
		}
		sb, cb := src.Totals().ByRate, cn.Totals().ByRate
		require.Len(t, cb, len(sb))
		for i := range sb {
			require.True(t, cb[i].Amount.Equal(sb[i].Amount.Neg()))
		}
	}
}

func TestLineCheckReportsEveryField(t *testing.T) {
	v := &domain.ValidationError{}
	l := domain.Line{Quantity: d("0"), DiscountPercent: d("101"), VATRate: d("-1")}
	l.Check(v, "lines[0].")
	fields := map[string]bool{}
	for _, f := range v.Fields {
		fields[f.Field] = true
	}
	require.Equal(t, map[string]bool{"lines[0].description": true, "lines[0].quantity": true,
		"lines[0].discount_percent": true, "lines[0].vat_rate": true}, fields)
}
