package auth_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/auth"
)

// FuzzClaimsFastPathAgreesWithEncodingJSON: on any input the fast claims
// decoder must not panic, and whenever it accepts, encoding/json must accept
// too and produce the same claims.
func FuzzClaimsFastPathAgreesWithEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{"iss":"dolibarr-go","sub":"1","aud":["dolibarr-go-api"],"exp":1790000000,"nbf":1780000000,"iat":1780000000,"jti":"abc","login":"admin","perms":["thirdparty:read","user:admin"]}`,
		`{"aud":"x","exp":1.5e9,"perms":[]}`,
		`{"exp":-1,"perms":["no:such"]}`,
		`{"sub":"1","sub":"2"}`,
		`{"perms":["a"],"perms":["b"]}`,
		`{}`, ` { } `, `{"ISS":"x"}`, `{"login":"\u0041"}`, `{"exp":1e400}`, `{"aud":["a",]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, slow, fastErr, slowErr := auth.DecodeClaims(b)
		if fastErr != nil {
			return
		}
		require.NoError(t, slowErr, "fast path accepted what encoding/json refuses: %q", b)
		fj, _ := json.Marshal(fast)
		sj, _ := json.Marshal(slow)
		require.JSONEq(t, string(sj), string(fj), "input %q", b)
	})
}
