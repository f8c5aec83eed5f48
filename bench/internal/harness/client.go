package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Client calls the API's JSON endpoints, with the bearer token of Login
// once logged in. It is safe for concurrent use.
type Client struct {
	hc    *http.Client
	base  string
	token string
}

// NewClient returns a client of the API at base keeping up to idle
// connections open, so that concurrent load does not reconnect; set it to
// at least the number of concurrent callers.
func NewClient(base string, idle int) *Client {
	return &Client{
		hc:   &http.Client{Transport: &http.Transport{MaxIdleConns: idle, MaxIdleConnsPerHost: idle}, Timeout: 30 * time.Second},
		base: base,
	}
}

// Login gets an access token for login and password; later calls send it.
func (c *Client) Login(login, password string) error {
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := c.Do("POST", "/api/v1/auth/login", map[string]string{"login": login, "password": password}, &tok); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	c.token = tok.AccessToken
	return nil
}

// Do sends one request with body, when not nil, as JSON; a status >= 300
// is an error carrying the status and the body. out, when not nil,
// receives the JSON body; the body is read to the end either way, so the
// connection is reused.
func (c *Client) Do(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}
