package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/usecase/idempotency"
)

func idemHeader(token, key string) http.Header {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	if key != "" {
		h.Set(api.HeaderIdempotencyKey, key)
	}
	return h
}

func count(t *testing.T, a *apptest.App, query string, args ...any) int64 {
	t.Helper()
	var n int64
	require.NoError(t, a.DB.Gorm(context.Background()).Raw(query, args...).Scan(&n).Error)
	return n
}

func invoiceCount(t *testing.T, a *apptest.App) int64 {
	return count(t, a, "SELECT COUNT(*) FROM invoices")
}

// TestIdempotencyKeys runs the Idempotency-Key rules through POST
// /invoices on every engine: a retry with the same key and body replays the
// stored answer (status, Location, body) marked Idempotent-Replayed without
// creating anything; another body or path with the key is 422; a key is
// per user; a malformed key is 400 with nothing written; a failed request
// stores nothing; a key held by an unfinished request is 409 until the
// request could no longer be running, then taken over; and keys expire
// after 24 hours.
func TestIdempotencyKeys(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "", "")
		body := obj{"customer_id": f.customer, "lines": []obj{{"description": "Work", "quantity": "2", "unit_price": "10"}}}
		post := func(path string, b any, token, key string) *apptest.Response {
			return a.DoHeader(t, http.MethodPost, path, b, idemHeader(token, key))
		}
		first := post("/api/v1/invoices", body, f.admin, "order-1001")
		require.Equal(t, http.StatusCreated, first.Status, string(first.Body))
		require.Empty(t, first.Header.Get(api.HeaderIdempotentReplayed))
		again := post("/api/v1/invoices", body, f.admin, "order-1001")
		require.Equal(t, http.StatusCreated, again.Status, string(again.Body))
		require.Equal(t, "true", again.Header.Get(api.HeaderIdempotentReplayed))
		require.Equal(t, first.Header.Get("Location"), again.Header.Get("Location"))
		require.Equal(t, first.Header.Get("Content-Type"), again.Header.Get("Content-Type"))
		require.JSONEq(t, string(first.Body), string(again.Body))
		require.Equal(t, int64(1), invoiceCount(t, a))

		// The key with another body, or on another route: 422, nothing done.
		other := obj{"customer_id": f.customer, "lines": []obj{{"description": "Work", "quantity": "3", "unit_price": "10"}}}
		require.Equal(t, "idempotency_key_reused", problemCode(t, post("/api/v1/invoices", other, f.admin, "order-1001"), http.StatusUnprocessableEntity))
		require.Equal(t, "idempotency_key_reused", problemCode(t, post("/api/v1/thirdparties", obj{"name": "X"}, f.admin, "order-1001"), http.StatusUnprocessableEntity))
		require.Equal(t, int64(1), invoiceCount(t, a))
		require.Equal(t, int64(2), count(t, a, "SELECT COUNT(*) FROM thirdparties"))

		// Keys are per user.
		clerk := a.Token(t, "invoice:write", "invoice:read")
		res := post("/api/v1/invoices", body, clerk, "order-1001")
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		require.Empty(t, res.Header.Get(api.HeaderIdempotentReplayed))
		require.Equal(t, int64(2), invoiceCount(t, a))

		// Malformed keys: 400, nothing written.
		for _, bad := range []string{strings.Repeat("k", 256), "two words", "tab\there", "é"} {
			require.Equal(t, "invalid_idempotency_key", problemCode(t, post("/api/v1/invoices", body, f.admin, bad), http.StatusBadRequest), bad)
		}
		require.Equal(t, http.StatusCreated, post("/api/v1/invoices", body, f.admin, strings.Repeat("k", 255)).Status, "255 characters are fine")
		require.Equal(t, int64(3), invoiceCount(t, a))

		// A failed request stores nothing: the key is free for the fixed one.
		res = post("/api/v1/invoices", obj{"customer_id": 999999, "lines": body["lines"]}, f.admin, "order-1002")
		require.GreaterOrEqual(t, res.Status, 400)
		require.Equal(t, int64(0), count(t, a, "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = ?", "order-1002"))
		res = post("/api/v1/invoices", body, f.admin, "order-1002")
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		require.Empty(t, res.Header.Get(api.HeaderIdempotentReplayed))
		require.Equal(t, int64(4), invoiceCount(t, a))

		// A key held by a request still running: 409 with Retry-After; once
		// that request could no longer be running (its process died), the
		// key is taken over.
		var me api.MeResponse
		a.Do(t, http.MethodGet, "/api/v1/users/me", nil, f.admin).JSON(t, &me)
		r, err := persistence.NewIdempotencyStore(a.DB).Reserve(context.Background(), idempotency.Request{
			UserID: me.ID, Key: "order-1003", Hash: idempotency.Hash(http.MethodPost, "/api/v1/invoices", mustJSON(t, body)),
			Now: a.Now(), TTL: 24 * time.Hour, LockFor: a.Config.HTTP.RequestTimeout + 30*time.Second,
		})
		require.NoError(t, err)
		require.Equal(t, idempotency.Reserved, r.Outcome)
		res = post("/api/v1/invoices", body, f.admin, "order-1003")
		require.Equal(t, "idempotency_key_in_use", problemCode(t, res, http.StatusConflict))
		require.Equal(t, "1", res.Header.Get("Retry-After"))
		require.Equal(t, int64(4), invoiceCount(t, a))
		a.Advance(a.Config.HTTP.RequestTimeout + time.Minute)
		f.admin = a.AdminToken(t) // the old one expired with the clock
		res = post("/api/v1/invoices", body, f.admin, "order-1003")
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		require.Equal(t, int64(5), invoiceCount(t, a))

		// After 24 hours the key is forgotten: the same request runs again.
		a.Advance(25 * time.Hour)
		f.admin = a.AdminToken(t)
		res = post("/api/v1/invoices", body, f.admin, "order-1001")
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		require.Empty(t, res.Header.Get(api.HeaderIdempotentReplayed))
		require.Equal(t, int64(6), invoiceCount(t, a))

		// Without the header, POSTs behave as always.
		require.Equal(t, http.StatusCreated, a.Do(t, http.MethodPost, "/api/v1/invoices", body, f.admin).Status)
		require.Equal(t, int64(7), invoiceCount(t, a))
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// TestIdempotentConcurrentInvoices sends 20 identical POST /invoices with
// one Idempotency-Key at once, on every engine: exactly one invoice and one
// stored answer; every other request is either that answer replayed or 409.
func TestIdempotentConcurrentInvoices(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "", "")
		body := obj{"customer_id": f.customer, "lines": []obj{{"description": "Work", "quantity": "1", "unit_price": "99"}}}
		const n = 20
		results := make([]*apptest.Response, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i], errs[i] = a.SendHeader(http.MethodPost, "/api/v1/invoices", body, idemHeader(f.admin, "burst-1"))
			}()
		}
		close(start)
		wg.Wait()
		created, replayed, conflicts := 0, 0, 0
		var firstBody string
		for i, res := range results {
			require.NoError(t, errs[i])
			switch {
			case res.Status == http.StatusCreated && res.Header.Get(api.HeaderIdempotentReplayed) == "":
				created++
				firstBody = string(res.Body)
			case res.Status == http.StatusCreated:
				replayed++
			case res.Status == http.StatusConflict:
				require.Equal(t, "idempotency_key_in_use", res.Problem(t).Code)
				conflicts++
			default:
				t.Fatalf("unexpected %d: %s", res.Status, res.Body)
			}
		}
		t.Logf("%d created, %d replayed, %d answered 409", created, replayed, conflicts)
		require.Equal(t, 1, created)
		require.Equal(t, n, created+replayed+conflicts)
		require.Equal(t, int64(1), invoiceCount(t, a))
		require.Equal(t, int64(1), count(t, a, "SELECT COUNT(*) FROM idempotency_keys WHERE state = 'completed'"))
		for _, res := range results {
			if res.Status == http.StatusCreated {
				require.JSONEq(t, firstBody, string(res.Body), "a replay is the first answer")
			}
		}
		// Once the burst is over, a retry gets the stored answer.
		res := a.DoHeader(t, http.MethodPost, "/api/v1/invoices", body, idemHeader(f.admin, "burst-1"))
		require.Equal(t, "true", res.Header.Get(api.HeaderIdempotentReplayed))
		require.JSONEq(t, firstBody, string(res.Body))
	})
}

// TestIdempotencyKeyCommitsWithTheChange injects a failure at the two
// places a crash could split a change from its key, on every engine: after
// the invoice and the stored answer are written but before the commit
// (nothing is kept: no invoice, no key, and the retry creates the invoice
// once), and after the commit but before the client hears (the invoice and
// the key are both kept, and the retry replays the answer: still one
// invoice).
func TestIdempotencyKeyCommitsWithTheChange(t *testing.T) {
	var failAt atomic.Value
	failAt.Store("")
	fault := func(stage string) error {
		if failAt.CompareAndSwap(stage, "") {
			return errors.New("injected crash at " + stage)
		}
		return nil
	}
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "", "")
		body := obj{"customer_id": f.customer, "lines": []obj{{"description": "Work", "quantity": "1", "unit_price": "5"}}}
		send := func(key string) *apptest.Response {
			res, _ := a.SendHeader(http.MethodPost, "/api/v1/invoices", body, idemHeader(f.admin, key))
			return res
		}

		failAt.Store("after-complete")
		res := send("crash-before-commit")
		require.Equal(t, http.StatusInternalServerError, res.Status, string(res.Body))
		require.Equal(t, int64(0), invoiceCount(t, a), "the change rolled back with its key")
		require.Equal(t, int64(0), count(t, a, "SELECT COUNT(*) FROM idempotency_keys"))
		res = send("crash-before-commit")
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		require.Empty(t, res.Header.Get(api.HeaderIdempotentReplayed))
		require.Equal(t, int64(1), invoiceCount(t, a))

		failAt.Store("before-answer")
		res = send("crash-after-commit")
		require.Equal(t, http.StatusInternalServerError, res.Status, "the answer was lost")
		require.Equal(t, int64(2), invoiceCount(t, a), "the change committed with its key")
		require.Equal(t, int64(1), count(t, a, "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = ? AND state = 'completed'", "crash-after-commit"))
		res = send("crash-after-commit")
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		require.Equal(t, "true", res.Header.Get(api.HeaderIdempotentReplayed))
		var inv api.InvoiceResponse
		res.JSON(t, &inv)
		require.Equal(t, int64(1), count(t, a, "SELECT COUNT(*) FROM invoices WHERE id = ?", inv.ID), "the replay names the committed invoice")
		require.Equal(t, int64(2), invoiceCount(t, a))
	}, apptest.WithTestOptions(app.WithIdempotencyFault(fault)))
}

// TestRunnerDeletesExpiredIdempotencyKeys: the runner's upkeep deletes
// keys past their 24 hours and keeps the others, on every engine.
func TestRunnerDeletesExpiredIdempotencyKeys(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "", "")
		for _, k := range []string{"old-1", "old-2", "fresh"} {
			res := a.DoHeader(t, http.MethodPost, "/api/v1/thirdparties", obj{"name": k}, idemHeader(f.admin, k))
			require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		}
		past := time.Now().Add(-time.Minute).UTC()
		require.NoError(t, a.DB.Gorm(context.Background()).Exec("UPDATE idempotency_keys SET expires_at = ? WHERE idem_key IN ?", past, []string{"old-1", "old-2"}).Error)
		cfg := a.Config
		cfg.Runner.MaintenanceInterval = 20 * time.Millisecond
		r, err := app.NewTestRunner(context.Background(), cfg, a.DB, zap.NewNop())
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		require.Eventually(t, func() bool {
			return count(t, a, "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key IN ?", []string{"old-1", "old-2"}) == 0
		}, 10*time.Second, 20*time.Millisecond)
		cancel()
		require.NoError(t, <-done)
		require.Equal(t, int64(1), count(t, a, "SELECT COUNT(*) FROM idempotency_keys WHERE idem_key = ?", "fresh"))
	})
}

// TestAPIKeyCreationIsNeverStoredForReplay: the answer to POST
// /api/v1/api-keys holds the key's secret, so Idempotency-Key is ignored
// there and no answer (no secret) lands in idempotency_keys.
func TestAPIKeyCreationIsNeverStoredForReplay(t *testing.T) {
	a := apptest.New(t, "sqlite")
	clerk := a.Token(t, "product:read")
	for range 2 {
		res := a.DoHeader(t, http.MethodPost, "/api/v1/api-keys", obj{"name": "k", "permissions": []string{"product:read"}}, idemHeader(clerk, "same"))
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		require.Empty(t, res.Header.Get(api.HeaderIdempotentReplayed))
	}
	require.Equal(t, int64(0), count(t, a, "SELECT COUNT(*) FROM idempotency_keys"))
	require.Equal(t, int64(2), count(t, a, "SELECT COUNT(*) FROM api_keys"))
}
