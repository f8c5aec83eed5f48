package acceptance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/mail/mailtest"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
	"github.com/dolibarr-go/dolibarr/internal/testproc"
)

// client talks JSON to a running binary as one user.
type client struct {
	t     *testing.T
	base  string
	token string
	logs  fmt.Stringer
}

func (c *client) do(method, path string, body any) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(c.t, err)
		r = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	require.NoError(c.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	return res.StatusCode, b
}

// must sends a request, requires status want and decodes the answer.
func (c *client) must(want int, method, path string, body, out any) {
	c.t.Helper()
	status, b := c.do(method, path, body)
	require.Equal(c.t, want, status, "%s %s: %s\nprocess output:\n%s", method, path, b, c.logs)
	if out != nil {
		require.NoError(c.t, json.Unmarshal(b, out))
	}
}

func (c *client) login(login, password string) {
	c.t.Helper()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	c.must(http.StatusOK, http.MethodPost, "/api/v1/auth/login", map[string]string{"login": login, "password": password}, &tok)
	c.token = tok.AccessToken
}

type idOnly struct {
	ID  int64  `json:"id"`
	Ref string `json:"ref"`
}

// validatedInvoice creates a customer, a service and an invoice of it, and
// validates the invoice; it returns the invoice id and ref.
func (c *client) validatedInvoice() (int64, string) {
	c.t.Helper()
	var cust, prod, inv idOnly
	c.must(http.StatusCreated, http.MethodPost, "/api/v1/thirdparties",
		map[string]any{"name": "Élodie Martin SARL", "customer": true, "email": "elodie@martin.test"}, &cust)
	c.must(http.StatusCreated, http.MethodPost, "/api/v1/products",
		map[string]any{"ref": "SUPPORT", "label": "Support", "type": "service", "price": "1000", "vat_rate": "20"}, &prod)
	c.must(http.StatusCreated, http.MethodPost, "/api/v1/invoices", map[string]any{"customer_id": cust.ID, "due_date": "2099-12-31",
		"lines": []map[string]any{{"product_id": prod.ID, "quantity": "1"}}}, &inv)
	c.must(http.StatusOK, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/validate", inv.ID), nil, &inv)
	require.NotEmpty(c.t, inv.Ref)
	return inv.ID, inv.Ref
}

func start(t *testing.T, bin string, env []string, args ...string) (*exec.Cmd, *testproc.Buffer) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	logs := &testproc.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		testproc.WaitExit(t, cmd, 30*time.Second, logs)
	})
	return cmd, logs
}

// both joins two processes' output for failure messages.
type both [2]*testproc.Buffer

func (b both) String() string {
	return "--- api ---\n" + b[0].String() + "\n--- runner ---\n" + b[1].String()
}

// TestSendInvoiceEndToEnd runs the API binary and the runner binary on
// PostgreSQL with an SMTP server: an invoice is validated and sent through
// the HTTP API, and the runner process delivers it with its PDF.
func TestSendInvoiceEndToEnd(t *testing.T) {
	dir := binaries(t)
	srv := mailtest.Start(t, mailtest.Options{})
	env := []string{
		"DOLIBARR_DB_DRIVER=postgres", "DOLIBARR_DB_DSN=" + testdb.DSN(t, "postgres"),
		"DOLIBARR_JWT_SECRET=mail-e2e-secret-that-is-long-enough-0123456789",
		"DOLIBARR_ADMIN_LOGIN=admin", "DOLIBARR_ADMIN_PASSWORD=e2e-admin-password",
		"DOLIBARR_SMTP_HOST=" + srv.Host, "DOLIBARR_SMTP_PORT=" + strconv.Itoa(srv.Port), "DOLIBARR_SMTP_TLS=none",
		"DOLIBARR_SMTP_FROM=Acme Billing <billing@acme.test>", "DOLIBARR_COMPANY_NAME=Acme",
		"DOLIBARR_RUNNER_POLL_INTERVAL=100ms", "DOLIBARR_RUNNER_HEALTH_ADDR=" + testproc.FreeAddr(t),
	}
	mig := exec.Command(filepath.Join(dir, "dolibarr-api"), "migrate", "up")
	mig.Env = env
	out, err := mig.CombinedOutput()
	require.NoError(t, err, "migrate up:\n%s", out)

	addr := testproc.FreeAddr(t)
	_, apiLogs := start(t, filepath.Join(dir, "dolibarr-api"), append(env, "DOLIBARR_HTTP_ADDR="+addr))
	_, runLogs := start(t, filepath.Join(dir, "dolibarr-runner"), env)
	logs := both{apiLogs, runLogs}
	waitStatus(t, "http://"+addr+"/ready", 200, 30*time.Second, logs)

	c := &client{t: t, base: "http://" + addr, logs: logs}
	c.login("admin", "e2e-admin-password")
	id, ref := c.validatedInvoice()
	var send struct {
		ID    int64    `json:"id"`
		JobID int64    `json:"job_id"`
		To    []string `json:"to"`
	}
	c.must(http.StatusAccepted, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/send", id), map[string]any{"language": "fr"}, &send)
	require.Equal(t, []string{"elodie@martin.test"}, send.To)

	msgs := srv.WaitMessages(t, 1, 60*time.Second)
	require.Len(t, msgs, 1)
	p, err := msgs[0].Parse()
	require.NoError(t, err)
	require.Equal(t, "Facture "+ref+" de Acme", p.Subject)
	require.Contains(t, p.Text, "Bonjour Élodie Martin SARL,")
	require.Contains(t, p.Text, "1\u202f200,00 EUR TTC")
	require.Len(t, p.Attachments, 1)
	require.Equal(t, ref+".pdf", p.Attachments[0].Name)
	require.True(t, bytes.HasPrefix(p.Attachments[0].Data, []byte("%PDF-")))
	require.Equal(t, []string{"elodie@martin.test"}, msgs[0].To)

	// The job completes and the invoice's log records the delivery.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var job struct {
			State string `json:"state"`
		}
		c.must(http.StatusOK, http.MethodGet, fmt.Sprintf("/api/v1/jobs/%d", send.JobID), nil, &job)
		if job.State == "completed" {
			break
		}
		require.True(t, time.Now().Before(deadline), "job %d is %s\n%s", send.JobID, job.State, logs)
		time.Sleep(50 * time.Millisecond) // polling the job's observable state
	}
	var events struct {
		Data []struct {
			Action string `json:"action"`
		} `json:"data"`
	}
	c.must(http.StatusOK, http.MethodGet, fmt.Sprintf("/api/v1/invoices/%d/events", id), nil, &events)
	var actions []string
	for _, e := range events.Data {
		actions = append(actions, e.Action)
	}
	require.Contains(t, actions, "sent_by_mail")
	require.Contains(t, runLogs.String(), `"mail goes through SMTP"`)
	require.Len(t, srv.Messages(), 1, "delivered once")
}

// TestAllInOneWithoutSMTPWritesEMLFiles: the all-in-one binary on SQLite
// without SMTP settings writes the message as an .eml file in the folder
// next to its database, and says where in its log.
func TestAllInOneWithoutSMTPWritesEMLFiles(t *testing.T) {
	dir := binaries(t)
	data := t.TempDir()
	addr := testproc.FreeAddr(t)
	env := []string{
		"DOLIBARR_DB_DSN=file:" + filepath.Join(data, "dolibarr.db"), "DOLIBARR_HTTP_ADDR=" + addr,
		"DOLIBARR_RUNNER_HEALTH_ADDR=" + testproc.FreeAddr(t), "DOLIBARR_ADMIN_PASSWORD=aio-admin-password",
		"DOLIBARR_RUNNER_POLL_INTERVAL=100ms", "DOLIBARR_COMPANY_NAME=Acme",
	}
	_, logs := start(t, filepath.Join(dir, "dolibarr"), env)
	waitStatus(t, "http://"+addr+"/ready", 200, 30*time.Second, logs)
	outbox := filepath.Join(data, "mail-outbox")
	require.Contains(t, logs.String(), outbox, "the log says where the messages go")

	c := &client{t: t, base: "http://" + addr, logs: logs}
	c.login("admin", "aio-admin-password")
	id, ref := c.validatedInvoice()
	c.must(http.StatusAccepted, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/send", id), nil, nil)

	deadline := time.Now().Add(60 * time.Second)
	var files []string
	for len(files) == 0 {
		entries, _ := os.ReadDir(outbox)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".eml") {
				files = append(files, e.Name())
			}
		}
		require.True(t, time.Now().Before(deadline), "no .eml in %s\n%s", outbox, logs)
		time.Sleep(50 * time.Millisecond) // polling the folder, the observable outcome
	}
	require.Len(t, files, 1)
	b, err := os.ReadFile(filepath.Join(outbox, files[0]))
	require.NoError(t, err)
	p, err := mailtest.Parse(b)
	require.NoError(t, err)
	require.Equal(t, "Invoice "+ref+" from Acme", p.Subject)
	require.Equal(t, ref+".pdf", p.Attachments[0].Name)
	require.Contains(t, p.Header.Get("To"), "elodie@martin.test")

	// Written, not sent: the send and the invoice's log say so.
	var sends struct {
		Data []struct {
			Status    string `json:"status"`
			MessageID string `json:"message_id"`
		} `json:"data"`
	}
	for {
		c.must(http.StatusOK, http.MethodGet, fmt.Sprintf("/api/v1/invoices/%d/sends", id), nil, &sends)
		if sends.Data[0].Status != "queued" {
			break
		}
		require.True(t, time.Now().Before(deadline), "the send is still queued\n%s", logs)
		time.Sleep(50 * time.Millisecond) // polling the send's observable state
	}
	require.Equal(t, "written_to_outbox", sends.Data[0].Status)
	require.Equal(t, "<"+sends.Data[0].MessageID+">", p.Header.Get("Message-ID"))
	var events struct {
		Data []struct {
			Action string `json:"action"`
		} `json:"data"`
	}
	c.must(http.StatusOK, http.MethodGet, fmt.Sprintf("/api/v1/invoices/%d/events", id), nil, &events)
	var actions []string
	for _, e := range events.Data {
		actions = append(actions, e.Action)
	}
	require.Contains(t, actions, "written_to_outbox")
	require.NotContains(t, actions, "sent_by_mail")
}
