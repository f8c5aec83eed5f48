package domain

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalizeLanguage(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "fr": "fr", "FR": "fr", " Fr ": "fr", "en": "en", "ES": "es",
		"pt-BR": "pt-BR", "pt-br": "pt-BR", "PT-BR": "pt-BR", "pt_BR": "pt-BR",
		// Unknown tags come back trimmed only, for Validate to refuse.
		"de": "de", " xx ": "xx", "pt": "pt", "fr-CA": "fr-CA",
	} {
		require.Equal(t, want, NormalizeLanguage(in), in)
	}
}

func TestThirdPartyValidateLanguage(t *testing.T) {
	for _, c := range []struct {
		lang string
		ok   bool
	}{
		{"", true}, {"en", true}, {"fr", true}, {"es", true}, {"pt-BR", true},
		// Validate takes the canonical spelling: NormalizeLanguage first.
		{"FR", false}, {"pt-br", false},
		{"de", false}, {"pt", false}, {"fr-CA", false}, {"français", false}, {"en_US", false},
	} {
		tp := ThirdParty{Name: "Acme", Language: c.lang}
		err := tp.Validate()
		if c.ok {
			require.NoError(t, err, c.lang)
			continue
		}
		var v *ValidationError
		require.True(t, errors.As(err, &v), c.lang)
		require.Len(t, v.Fields, 1, c.lang)
		require.Equal(t, "language", v.Fields[0].Field)
		require.Equal(t, "invalid", v.Fields[0].Code)
		require.ErrorIs(t, err, ErrInvalid)
	}
}

func TestNormalizedLanguagesValidate(t *testing.T) {
	for _, l := range DocumentLanguages {
		tp := ThirdParty{Name: "Acme", Language: NormalizeLanguage(l)}
		require.NoError(t, tp.Validate(), l)
	}
}
