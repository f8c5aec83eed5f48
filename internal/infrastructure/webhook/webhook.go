// Package webhook sends webhook requests over HTTP and guards their
// targets: a receiver's URL must not reach a private, loopback, link-local
// or otherwise internal address (server-side request forgery), checked
// when a subscription is saved (the host is resolved) and again on every
// connection (the dialer checks the address it is about to connect to, so
// a name that resolves elsewhere later, DNS rebinding, is refused too).
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/webhooks"
)

// Options tune the client.
type Options struct {
	// AllowPrivate lets webhooks reach private and loopback addresses
	// (DOLIBARR_WEBHOOKS_ALLOW_PRIVATE): for receivers on the same network,
	// and tests.
	AllowPrivate bool
	// Timeout bounds one request, connection to last response byte (10 s).
	Timeout time.Duration
	// Resolver looks hosts up; nil: net.DefaultResolver.
	Resolver *net.Resolver
}

// Client sends signed webhook requests.
type Client struct {
	http  *http.Client
	opts  Options
	resol *net.Resolver
}

var (
	_ webhooks.Sender      = (*Client)(nil)
	_ webhooks.TargetGuard = (*Client)(nil)
)

// New returns a client.
func New(o Options) *Client {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	c := &Client{opts: o, resol: o.Resolver}
	if c.resol == nil {
		c.resol = net.DefaultResolver
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, Resolver: c.resol, Control: c.control}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would hide the real target from the dial check
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: o.Timeout,
	}
	c.http = &http.Client{Transport: tr, Timeout: o.Timeout,
		// A redirect is a failed delivery, as in the Standard Webhooks
		// reference implementations: the receiver answers at its own URL.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return c
}

// errForbiddenTarget is returned by the dial check.
var errForbiddenTarget = errors.New("webhook target address is private, loopback or link-local")

// control runs after the name is resolved, on the very address being
// dialed.
func (c *Client) control(_, address string, _ syscall.RawConn) error {
	if c.opts.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook target %q: %w", address, errForbiddenTarget)
	}
	if forbidden(ap.Addr()) {
		return fmt.Errorf("webhook target %s: %w", ap.Addr(), errForbiddenTarget)
	}
	return nil
}

// forbidden reports whether a is not a public unicast address.
func forbidden(a netip.Addr) bool {
	a = a.Unmap()
	return !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() ||
		cgnat.Contains(a) || a == netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// cgnat is the shared address space (RFC 6598), internal like the private
// ranges.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// CheckTarget resolves the URL's host and refuses it when any of its
// addresses is forbidden (unless AllowPrivate). A host that does not
// resolve is refused too: a typo is better caught now.
func (c *Client) CheckTarget(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fieldErr("invalid_url", "must be an absolute http or https URL")
	}
	host := u.Hostname()
	if c.opts.AllowPrivate {
		return nil
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		ips, err := c.resol.LookupNetIP(ctx, "ip", host)
		if err != nil || len(ips) == 0 {
			return fieldErr("unresolvable_host", fmt.Sprintf("host %q does not resolve", host))
		}
		addrs = ips
	}
	for _, a := range addrs {
		if forbidden(a) {
			return fieldErr("private_address", fmt.Sprintf("host %q is a private, loopback or link-local address; webhooks may only reach public addresses (DOLIBARR_WEBHOOKS_ALLOW_PRIVATE allows it)", host))
		}
	}
	return nil
}

func fieldErr(code, msg string) error {
	v := &domain.ValidationError{}
	v.Add("url", code, "%s", msg)
	return v.Err()
}

// Send posts r and reports the outcome: a 2xx answer is a success.
func (c *Client) Send(ctx context.Context, r webhooks.Request) webhooks.Result {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return webhooks.Result{Err: err}
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("User-Agent", "Dolibarr-Go-Webhooks/1")
	res, err := c.http.Do(req)
	if err != nil {
		return webhooks.Result{Duration: time.Since(start), Err: err}
	}
	// Read a little of the body so the connection can be reused; the
	// receiver's answer is not kept.
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	_ = res.Body.Close()
	out := webhooks.Result{Code: res.StatusCode, Duration: time.Since(start)}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		out.Err = fmt.Errorf("receiver answered %d", res.StatusCode)
	}
	return out
}
