package domain_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

func TestFrenchProfessionalIDs(t *testing.T) {
	require.True(t, domain.ValidSIREN("732829320"))
	require.False(t, domain.ValidSIREN("732829321"))
	require.False(t, domain.ValidSIREN("73282932"))
	require.True(t, domain.ValidSIRET("73282932000074"))
	require.False(t, domain.ValidSIRET("73282932000075"))
	require.True(t, domain.ValidSIRET("35600000000047"), "La Poste: sum of digits divisible by 5")

	require.NoError(t, domain.CheckProfIDs("FR", domain.ProfIDs{"732 829 320", "732 829 320 00074"}, "FR44732829320"))
	fields := func(err error) map[string]string {
		out := map[string]string{}
		var v *domain.ValidationError
		require.ErrorAs(t, err, &v)
		for _, f := range v.Fields {
			out[f.Field] = f.Code
		}
		return out
	}
	require.Equal(t, map[string]string{"idprof1": "invalid_siren", "idprof2": "invalid_siret"},
		fields(domain.CheckProfIDs("FR", domain.ProfIDs{"732829321", "73282932000075"}, "")))
	require.Equal(t, map[string]string{"idprof2": "siret_not_of_siren", "vat_number": "vat_not_of_siren"},
		fields(domain.CheckProfIDs("FR", domain.ProfIDs{"732829320", "35600000000047"}, "FR44552100554")))
	require.NoError(t, domain.CheckProfIDs("DE", domain.ProfIDs{"HRB 1234"}, "DE123456789"), "other countries: free text")
}
