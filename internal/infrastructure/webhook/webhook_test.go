package webhook

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/usecase/webhooks"
)

// TestDialRefusesPrivateTargets: without AllowPrivate, the connection to a
// loopback receiver is refused when it is dialed, whether the URL names
// the address or a host name resolving to it (what DNS rebinding would
// produce after the check at creation), and nothing reaches the receiver.
func TestDialRefusesPrivateTargets(t *testing.T) {
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits++ }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	c := New(Options{})
	for _, u := range []string{srv.URL, "http://localhost" + port} {
		res := c.Send(context.Background(), webhooks.Request{URL: u, Body: []byte(`{}`)})
		require.Error(t, res.Err, u)
		require.True(t, errors.Is(res.Err, errForbiddenTarget), "%s: %v", u, res.Err)
		require.Zero(t, res.Code)
	}
	require.Zero(t, hits)

	open := New(Options{AllowPrivate: true})
	res := open.Send(context.Background(), webhooks.Request{URL: srv.URL, Body: []byte(`{}`)})
	require.NoError(t, res.Err)
	require.Equal(t, 200, res.Code)
	require.Equal(t, 1, hits)
}

// TestForbiddenAddresses lists what counts as internal.
func TestForbiddenAddresses(t *testing.T) {
	for _, s := range []string{"127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.0.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
		"::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "224.0.0.1", "::"} {
		require.True(t, forbidden(netip.MustParseAddr(s)), s)
	}
	for _, s := range []string{"93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"} {
		require.False(t, forbidden(netip.MustParseAddr(s)), s)
	}
}

// TestRedirectIsAFailure: a 3xx answer is not followed.
func TestRedirectIsAFailure(t *testing.T) {
	srv := httptest.NewServer(http.RedirectHandler("http://169.254.169.254/", http.StatusFound))
	defer srv.Close()
	res := New(Options{AllowPrivate: true}).Send(context.Background(), webhooks.Request{URL: srv.URL})
	require.Error(t, res.Err)
	require.Equal(t, http.StatusFound, res.Code)
}
