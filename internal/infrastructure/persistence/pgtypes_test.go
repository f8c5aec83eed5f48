package persistence_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
)

// TestDecimalPlanRegistered proves the pool's connections use the direct
// decimal plan: the exactness test below would pass on pgx's slower
// Valuer fallback too.
func TestDecimalPlanRegistered(t *testing.T) {
	db := testdb.New(t, "postgres")
	ok, err := persistence.DecimalPlanInUse(t.Context(), db)
	require.NoError(t, err)
	require.True(t, ok, "domain.Decimal is not encoded by the registered numeric plan")
}

// TestDecimalParametersAreExact sends decimals as bound parameters through
// the pool each engine opens (PostgreSQL: the binary numeric plan) and reads
// them back as text: every value, sign and scale must survive unchanged.
func TestDecimalParametersAreExact(t *testing.T) {
	values := []string{"0", "1", "-1", "6.36", "-0.00000001", "12345678901234.12345678", "1000000", "0.1",
		"-99999999999999.99", "100000000.00000001", "42.5"}
	for _, driver := range []string{"postgres", "mysql", "sqlite"} {
		t.Run(driver, func(t *testing.T) {
			db := testdb.New(t, driver)
			cast := "CAST(? AS DECIMAL(30,8))"
			if driver == "postgres" {
				cast = "CAST(? AS NUMERIC)"
			}
			if driver == "sqlite" {
				cast = "?"
			}
			for _, s := range values {
				in := domain.MustDecimal(s)
				var out domain.Decimal
				require.NoError(t, db.SQLRow(t.Context(), "SELECT "+cast, in).Scan(&out), s)
				require.True(t, in.Equal(out), "%s came back as %s", s, out)
			}
			// A positive exponent (1E+3, as shopspring keeps some results).
			big := domain.MustDecimal("1000").Div(domain.MustDecimal("1"), 0)
			var out domain.Decimal
			require.NoError(t, db.SQLRow(t.Context(), "SELECT "+cast, big).Scan(&out))
			require.True(t, big.Equal(out), "1000 came back as %s", out)
		})
	}
}
