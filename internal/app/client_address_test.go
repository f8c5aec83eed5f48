package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// loginOverTCP posts a failed or good login to a real listener, so the
// server sees the peer address of a real connection (loopback here).
func loginOverTCP(t *testing.T, url, login, password, xff string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"login": login, "password": password})
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url+"/api/v1/auth/login", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	return res.StatusCode
}

// remotes lists the "remote" field of the access log's login lines.
func remotes(t *testing.T, logs string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, line := range strings.Split(logs, "\n") {
		var l struct {
			Msg    string `json:"msg"`
			Route  string `json:"route"`
			Remote string `json:"remote"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "http request" && l.Route == "/api/v1/auth/login" {
			out[l.Remote]++
		}
	}
	return out
}

// TestClientAddressIgnoresForwardedForByDefault: with no trusted proxy, a
// client that makes up a new X-Forwarded-For for every attempt is still one
// address, its peer address, and is throttled after the per-address limit,
// even from loopback (Echo's default trusted loopback and private networks
// and took the left-most, client-chosen entry: issue 21, defect 5). The
// access log names the same address.
func TestClientAddressIgnoresForwardedForByDefault(t *testing.T) {
	a := apptest.New(t, "sqlite", apptest.WithConfig(func(c *app.Config) {
		c.Auth.LoginMaxFailuresPerLogin, c.Auth.LoginMaxFailuresPerClient = 0, 5
	}))
	srv := httptest.NewServer(a.Server)
	defer srv.Close()
	for i := range 5 {
		require.Equal(t, http.StatusUnauthorized, loginOverTCP(t, srv.URL, "spray-"+strconv.Itoa(i), "wrong-password", "198.51.100."+strconv.Itoa(i)))
	}
	require.Equal(t, http.StatusTooManyRequests, loginOverTCP(t, srv.URL, apptest.AdminLogin, apptest.AdminPassword, "198.51.100.99"),
		"a made-up X-Forwarded-For must not give a new address")
	require.Equal(t, map[string]int{"127.0.0.1": 6}, remotes(t, a.Logs()))
}

// TestClientAddressBehindTrustedProxy: behind a configured proxy that
// appends the address it received from, the client is the right-most
// address that is not a proxy; whatever the client wrote further left is
// ignored, so spraying made-up entries does not dodge the limit, and another
// client behind the same proxy is not throttled with it.
func TestClientAddressBehindTrustedProxy(t *testing.T) {
	a := apptest.New(t, "sqlite", apptest.WithConfig(func(c *app.Config) {
		c.Auth.LoginMaxFailuresPerLogin, c.Auth.LoginMaxFailuresPerClient = 0, 5
		// The test's connections come from loopback: that is the proxy;
		// 10.9.0.0/16 is a second proxy tier in front of it.
		c.HTTP.TrustedProxies = []string{"127.0.0.1", "10.9.0.0/16"}
	}))
	srv := httptest.NewServer(a.Server)
	defer srv.Close()
	for i := range 5 {
		xff := "203.0.113." + strconv.Itoa(i) + ", 192.168.1." + strconv.Itoa(i) + ", 198.51.100.7, 10.9.3.4"
		require.Equal(t, http.StatusUnauthorized, loginOverTCP(t, srv.URL, "spray-"+strconv.Itoa(i), "wrong-password", xff))
	}
	require.Equal(t, http.StatusTooManyRequests, loginOverTCP(t, srv.URL, apptest.AdminLogin, apptest.AdminPassword, "1.1.1.1, 198.51.100.7"),
		"198.51.100.7 is throttled whatever it claims before its own address")
	require.Equal(t, http.StatusOK, loginOverTCP(t, srv.URL, apptest.AdminLogin, apptest.AdminPassword, "198.51.100.7, 198.51.100.8"),
		"198.51.100.8 is another client")
	require.Equal(t, map[string]int{"198.51.100.7": 6, "198.51.100.8": 1}, remotes(t, a.Logs()))
}

// TestTrustedProxiesConfiguration: DOLIBARR_HTTP_TRUSTED_PROXIES takes
// addresses and CIDRs, comma separated, and names every bad entry.
func TestTrustedProxiesConfiguration(t *testing.T) {
	env := []string{"DOLIBARR_DB_DRIVER=sqlite", "DOLIBARR_HTTP_TRUSTED_PROXIES=10.0.0.1, 192.168.0.0/16,::1,fd00::/8"}
	cfg, err := app.LoadConfig(app.AllInOne, env)
	require.NoError(t, err)
	p, problems := cfg.HTTP.Proxies()
	require.Empty(t, problems)
	require.Len(t, p, 4)
	require.Equal(t, "10.0.0.1/32", p[0].String())
	require.Equal(t, "::1/128", p[2].String())

	_, err = app.LoadConfig(app.AllInOne, []string{"DOLIBARR_DB_DRIVER=sqlite", "DOLIBARR_HTTP_TRUSTED_PROXIES=10.0.0.1,proxy.local,10.0.0.0/33"})
	require.ErrorContains(t, err, `"proxy.local" is not an address or a CIDR`)
	require.ErrorContains(t, err, `"10.0.0.0/33" is not an address or a CIDR`)
}
