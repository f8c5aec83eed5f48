package app

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// healthcheckTimeout bounds the `health` subcommand; container engines run it
// every few seconds and kill it after their own timeout anyway.
const healthcheckTimeout = 3 * time.Second

// healthcheck is the `health` subcommand: it asks the server of this
// container (the API on DOLIBARR_HTTP_ADDR, the runner's probe server on
// DOLIBARR_RUNNER_HEALTH_ADDR) for /ready and fails unless it answers 200.
// The images are FROM scratch, with no curl or wget, so Docker and Compose
// health checks run the binary itself: `/dolibarr-api health`.
func healthcheck(ctx context.Context, cfg Config, m Mode, out io.Writer) error {
	addr := cfg.HTTP.Addr
	if !m.API {
		addr = cfg.Runner.HealthAddr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("health: %q: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1" // listening on every interface: loopback is one of them
	}
	url := "http://" + net.JoinHostPort(host, port) + "/ready"
	ctx, cancel := context.WithTimeout(ctx, healthcheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: GET %s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	fmt.Fprintf(out, "GET %s: %s\n", url, resp.Status)
	return nil
}
