package domain_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

func day(y int, m time.Month, dd int) time.Time { return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC) }

func TestMaskFormatsAndPeriods(t *testing.T) {
	cases := []struct {
		mask   string
		on     time.Time
		n      int64
		ref    string
		period string
	}{
		{"FA{yy}{mm}-{0000}", day(2026, 11, 30), 42, "FA2611-0042", ""},
		{"FA{yy}{mm}-{0000}", day(2026, 11, 30), 123456, "FA2611-123456", ""},
		{"AV{yyyy}-{0000@1}", day(2026, 3, 1), 7, "AV2026-0007", "2026"},
		{"CO{yy}{mm}{dd}-{000@99}", day(2026, 2, 9), 5, "CO260209-005", "2026-02"},
		{"PR{y}{mm}-{0000@7}", day(2026, 6, 30), 1, "PR606-0001", "2025"},
		{"PR{y}{mm}-{0000@7}", day(2026, 7, 1), 1, "PR607-0001", "2026"},
		{"X{0000+100}", day(2026, 1, 1), 1, "X0101", ""},
	}
	for _, tc := range cases {
		m, err := domain.ParseMask(tc.mask)
		require.NoError(t, err, tc.mask)
		require.Equal(t, tc.ref, m.Format(tc.on, tc.n), tc.mask)
		require.Equal(t, tc.period, m.Period(tc.on), tc.mask)
	}
}

func TestMaskRefusesAmbiguousOrMalformedMasks(t *testing.T) {
	for _, bad := range []string{
		"", "FA{yy}{mm}", "FA{0000}{0000}", "FA{0000@99}", "FA{yy}-{0000@99}", "FA-{0000@1}",
		"FA{yy}-{0000@3}", "FA{0000@13}", "FA{0000@0}", "FA{00x0}", "FA{yy", "F A{0000}", "FA/{0000}", "FA{qq}{0000}",
	} {
		_, err := domain.ParseMask(bad)
		require.ErrorIs(t, err, domain.ErrMask, "%q", bad)
	}
}

func TestProvisionalRef(t *testing.T) {
	require.Equal(t, "(PROV42)", domain.ProvisionalRef(42))
	var doc domain.Document
	doc.ID = 42
	require.Equal(t, "(PROV42)", doc.DisplayRef())
	doc.Ref = "FA2611-0001"
	require.Equal(t, "FA2611-0001", doc.DisplayRef())
}
