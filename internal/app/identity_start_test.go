package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
)

// startOnce runs the binary's Main until it logs "listening" (migrations,
// wiring and first-start steps done), then cancels its context and waits for
// it to stop. It returns the exit code and the whole log.
func startOnce(t *testing.T, p app.Profile, m app.Mode, env []string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var out bytes.Buffer
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			out.Write(sc.Bytes())
			out.WriteByte('\n')
			if strings.Contains(sc.Text(), `"msg":"listening"`) {
				cancel()
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	env = append([]string{"DOLIBARR_HTTP_ADDR=127.0.0.1:0", "DOLIBARR_RUNNER_HEALTH_ADDR=127.0.0.1:0"}, env...)
	code := app.Main(ctx, p, m, nil, env, pw)
	_ = pw.Close()
	<-scanned
	return code, out.String()
}

// announced matches the line that shows a generated password.
var announced = regexp.MustCompile(`^first administrator "[^"]+" created with the generated password (\S+) \(shown only this once`)

// generatedPasswords returns the passwords the log announced, each on a
// line of its own, in the message where a reader sees it.
func generatedPasswords(t *testing.T, log string) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			continue
		}
		msg, _ := line["msg"].(string)
		if m := announced.FindStringSubmatch(msg); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// TestAllInOneFirstStartGivesAWorkingLogin: with no configuration at all the
// all-in-one creates a JWT secret next to its SQLite file (mode 0600) and an
// administrator whose generated password is logged once; a restart keeps
// both and logs no password; the password works.
func TestAllInOneFirstStartGivesAWorkingLogin(t *testing.T) {
	dir := t.TempDir()
	dsn := "file:" + filepath.Join(dir, "dolibarr.db")
	env := []string{"DOLIBARR_DB_DSN=" + dsn}
	code, log := startOnce(t, app.AllInOne, app.ModeAllInOne, env)
	require.Equal(t, 0, code, log)

	secretPath := filepath.Join(dir, "dolibarr-jwt.secret")
	fi, err := os.Stat(secretPath)
	require.NoError(t, err, "the JWT secret is kept next to the database")
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	secret, err := os.ReadFile(secretPath)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(strings.TrimSpace(string(secret))), 32)
	require.NotContains(t, log, strings.TrimSpace(string(secret)), "the generated secret is never logged")

	pws := generatedPasswords(t, log)
	require.Len(t, pws, 1, "the generated admin password is logged exactly once: %s", log)
	require.Equal(t, 1, strings.Count(log, pws[0]))

	code, log2 := startOnce(t, app.AllInOne, app.ModeAllInOne, env)
	require.Equal(t, 0, code, log2)
	require.Empty(t, generatedPasswords(t, log2), "a restart creates no second admin and shows no password")
	again, err := os.ReadFile(secretPath)
	require.NoError(t, err)
	require.Equal(t, secret, again, "the secret survives restarts, so tokens do too")

	// Log in with the generated password on a server wired as the binary
	// is, reading the same secret file.
	cfg, err := app.LoadConfig(app.AllInOne, env)
	require.NoError(t, err)
	db, err := persistence.Open(persistence.Options{Driver: "sqlite", DSN: dsn, MaxOpenConns: 4})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	srv, err := app.NewTestServer(context.Background(), cfg, db, zap.NewNop())
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/login", strings.NewReader(`{"login":"admin","password":"`+pws[0]+`"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
}

// TestAdminFromEnvironmentAndSecretsMasked: DOLIBARR_ADMIN_LOGIN/PASSWORD
// create the first admin; neither that password nor the JWT secrets appear
// in the start-up log, which masks them in the configuration line.
func TestAdminFromEnvironmentAndSecretsMasked(t *testing.T) {
	dir := t.TempDir()
	const (
		pw     = "Env-Admin-Password-77"
		secret = "env-jwt-secret-0123456789-abcdefghijklmnop"
		prev   = "env-previous-jwt-secret-0123456789-abcdefgh"
	)
	env := []string{
		"DOLIBARR_DB_DSN=file:" + filepath.Join(dir, "d.db"),
		"DOLIBARR_ADMIN_LOGIN=Boss", "DOLIBARR_ADMIN_PASSWORD=" + pw,
		"DOLIBARR_JWT_SECRET=" + secret, "DOLIBARR_JWT_PREVIOUS_SECRET=" + prev,
	}
	code, log := startOnce(t, app.AllInOne, app.ModeAllInOne, env)
	require.Equal(t, 0, code, log)
	for _, s := range []string{pw, secret, prev} {
		require.NotContains(t, log, s)
	}
	require.Contains(t, log, `"DOLIBARR_ADMIN_PASSWORD":"xxxxx"`)
	require.Contains(t, log, `"DOLIBARR_JWT_SECRET":"xxxxx"`)
	require.Contains(t, log, `created the first administrator from DOLIBARR_ADMIN_LOGIN`)
	require.Contains(t, log, `"login":"boss"`)
	require.Empty(t, generatedPasswords(t, log))
	_, err := os.Stat(filepath.Join(dir, "dolibarr-jwt.secret"))
	require.ErrorIs(t, err, os.ErrNotExist, "no secret file when one is configured")
}

// TestAPIBinaryRefusesToStartWithoutJWTSecret: replicas must share a
// secret, so dolibarr-api never generates one; too short secrets are
// refused everywhere; the all-in-one on another engine needs one too.
func TestAPIBinaryRefusesToStartWithoutJWTSecret(t *testing.T) {
	pg := []string{"DOLIBARR_DB_DRIVER=postgres", "DOLIBARR_DB_DSN=postgres://u@127.0.0.1:1/db"}
	code, log := startOnce(t, app.APIOnly, app.ModeAPI, pg)
	require.Equal(t, 2, code)
	require.Contains(t, log, "DOLIBARR_JWT_SECRET: required")

	code, log = startOnce(t, app.APIOnly, app.ModeAPI, append(pg, "DOLIBARR_JWT_SECRET=short"))
	require.Equal(t, 2, code)
	require.Contains(t, log, "DOLIBARR_JWT_SECRET: must be at least 32 bytes")
	require.NotContains(t, log, "=short")

	code, log = startOnce(t, app.AllInOne, app.ModeAllInOne, pg)
	require.Equal(t, 2, code)
	require.Contains(t, log, "DOLIBARR_JWT_SECRET: required with postgres")

	_, err := app.LoadConfig(app.Runner, pg)
	require.NoError(t, err, "the runner serves no API and needs no JWT secret")
}
