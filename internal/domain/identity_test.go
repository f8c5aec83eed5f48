package domain

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestValidateRole: a custom role needs a name that is no built-in role's
// and known permissions; every problem is reported.
func TestValidateRole(t *testing.T) {
	var v ValidationError
	ValidateRole(&v, "night shift", "", []Permission{AllPermissions[0]})
	require.NoError(t, v.Err())

	v = ValidationError{}
	ValidateRole(&v, RoleAdmin, "", []Permission{"nope:nope"})
	require.Equal(t, []string{"permissions/unknown_permission", "name/reserved"}, fieldCodes(&v))

	v = ValidationError{}
	ValidateRole(&v, " ", "", nil)
	require.Equal(t, []string{"name/required"}, fieldCodes(&v))
}

func fieldCodes(v *ValidationError) []string {
	var out []string
	for _, f := range v.Fields {
		out = append(out, f.Field+"/"+f.Code)
	}
	return out
}
