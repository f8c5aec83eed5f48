package domain

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestValidationErrorMerge: the invariant problems are added after the
// parse problems, except on fields already reported (and a line's
// description when its product failed); a non-validation error loses to
// parse problems and wins over none.
func TestValidationErrorMerge(t *testing.T) {
	v := &ValidationError{}
	v.Add("price", "invalid", "not a number")
	v.Add("lines[0].product_id", "not_found", "no such product")
	check := &ValidationError{}
	check.Add("price", "negative", "zero value noise")
	check.Add("lines[0].description", "required", "noise: the product gives it")
	check.Add("lines[1].description", "required", "is required")
	check.Add("label", "required", "is required")
	require.Same(t, v, v.Merge(check))
	require.Equal(t, []string{"price/invalid", "lines[0].product_id/not_found", "lines[1].description/required", "label/required"}, fieldCodes(v))

	other := errors.New("boom")
	require.Same(t, v, v.Merge(other), "parse problems win over another error")
	empty := &ValidationError{}
	require.Same(t, other, empty.Merge(other))
	require.NoError(t, empty.Merge(nil))
	require.NoError(t, empty.Merge(&ValidationError{}))
	require.Same(t, v, v.Merge(nil))
}
