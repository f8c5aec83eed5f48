package auth_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/auth"
)

// FuzzVerifyToken gives the verifier arbitrary tokens and, what only the
// holder of the key can make, arbitrary headers and claims correctly
// signed: it never panics, refuses with ErrTokenInvalid or ErrTokenExpired,
// and accepts only an HS256 header naming our key, without crit, whose
// exp, nbf and iat are JSON numbers (issue 21 found "exp" as a string
// and a crit header accepted). Seeds live in
// testdata/fuzz/FuzzVerifyToken.
func FuzzVerifyToken(f *testing.F) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tk, err := auth.NewTokens(auth.TokenConfig{Secret: secret, Issuer: "iss", Audience: "aud", TTL: time.Hour,
		Now: func() time.Time { return now }, CacheSize: -1})
	if err != nil {
		f.Fatal(err)
	}
	genuine, _, err := tk.Issue(7, "jane", domain.NewPermissionSet(domain.PermProductRead), 0)
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(genuine, ".")
	header, _ := base64.RawURLEncoding.DecodeString(parts[0])
	claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
	f.Add(header, claims, genuine)
	stringExp := bytes.Replace(claims, []byte(`"exp":`), []byte(`"exp":"1900000000","x":`), 1)
	f.Add(header, stringExp, "")
	f.Add(bytes.Replace(header, []byte(`{`), []byte(`{"crit":["exp"],`), 1), claims, "Bearer "+genuine)
	f.Fuzz(func(t *testing.T, header, claims []byte, raw string) {
		if _, err := tk.Verify(raw); err != nil {
			refusal(t, err)
		}
		enc := base64.RawURLEncoding
		signing := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(signing))
		p, err := tk.Verify(signing + "." + enc.EncodeToString(mac.Sum(nil)))
		if err != nil {
			refusal(t, err)
			return
		}
		var h map[string]json.RawMessage
		if err := json.Unmarshal(header, &h); err != nil || string(h["alg"]) != `"HS256"` || h["crit"] != nil {
			t.Fatalf("accepted header %s", header)
		}
		// The same matching as the claims decoder: the last of duplicate
		// keys, any case.
		var times struct {
			Exp json.RawMessage `json:"exp"`
			Nbf json.RawMessage `json:"nbf"`
			Iat json.RawMessage `json:"iat"`
		}
		if err := json.Unmarshal(claims, &times); err != nil || times.Exp == nil {
			t.Fatalf("accepted claims %s", claims)
		}
		for _, v := range []json.RawMessage{times.Exp, times.Nbf, times.Iat} {
			if v != nil && !isNumber(v) {
				t.Fatalf("accepted a time claim %s in %s", v, claims)
			}
		}
		if p.UserID <= 0 || p.TokenID == "" {
			t.Fatalf("accepted %+v from %s", p, claims)
		}
	})
}

func refusal(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, auth.ErrTokenInvalid) && !errors.Is(err, auth.ErrTokenExpired) {
		t.Fatalf("refused with %v", err)
	}
}

func isNumber(v json.RawMessage) bool {
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	var x any
	if d.Decode(&x) != nil {
		return false
	}
	n, ok := x.(json.Number)
	return ok && n != ""
}
