package app_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
	"github.com/dolibarr-go/dolibarr/internal/usecase/mailing"
)

// receiver is a real HTTP server that verifies each request's Standard
// Webhooks signature and records the deliveries. fail decides, from the
// message id and how many times it has been seen, to answer 500; slow
// decides to wait before answering.
type receiver struct {
	*httptest.Server
	t      *testing.T
	mu     sync.Mutex
	key    []byte
	seen   map[string]int // requests per webhook-id
	got    []received     // successful deliveries, in arrival order
	bad    []string       // signature problems
	fail   func(id string, n int) bool
	slow   func(id string, n int) time.Duration
	status map[string][]int // answers per webhook-id
}

type received struct {
	ID     string
	Type   string
	Object string
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, seen: map[string]int{}, status: map[string][]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) setSecret(secret string) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	require.NoError(r.t, err)
	r.mu.Lock()
	r.key = key
	r.mu.Unlock()
}

// verify checks the signature as a receiver would, in a few lines: HMAC
// of "id.timestamp.body" under the decoded secret, compared in constant
// time with each "v1," signature of the header.
func verify(key []byte, h http.Header, body []byte) bool {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id := req.Header.Get("webhook-id")
	r.mu.Lock()
	r.seen[id]++
	n := r.seen[id]
	key := r.key
	r.mu.Unlock()
	ts, err := strconv.ParseInt(req.Header.Get("webhook-timestamp"), 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 5*time.Minute || !verify(key, req.Header, body) {
		r.mu.Lock()
		r.bad = append(r.bad, id)
		r.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.slow != nil {
		if d := r.slow(id, n); d > 0 {
			time.Sleep(d)
		}
	}
	if r.fail != nil && r.fail(id, n) {
		r.mu.Lock()
		r.status[id] = append(r.status[id], 500)
		r.mu.Unlock()
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	var ev struct {
		Type string `json:"type"`
		Data struct {
			Object string `json:"object"`
			ID     int64  `json:"id"`
		} `json:"data"`
	}
	if json.Unmarshal(body, &ev) != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.got = append(r.got, received{ID: id, Type: ev.Type, Object: fmt.Sprintf("%s:%d", ev.Data.Object, ev.Data.ID)})
	r.status[id] = append(r.status[id], 204)
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) received() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

func (r *receiver) badSignatures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.bad)
}

// webhookConfig lets webhooks reach the local receiver and shortens every
// wait: retries after 20 ms to 320 ms, ordering checks every 10 ms.
func webhookConfig(extra ...func(*app.Config)) apptest.Option {
	return apptest.WithConfig(func(c *app.Config) {
		c.Webhooks.AllowPrivate = true
		c.Webhooks.RetrySchedule = []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 80 * time.Millisecond, 160 * time.Millisecond, 320 * time.Millisecond}
		c.Webhooks.HoldWait = 10 * time.Millisecond
		c.Webhooks.Timeout = 5 * time.Second
		c.Runner.PollInterval = 10 * time.Millisecond
		c.Runner.MaintenanceInterval = 20 * time.Millisecond
		c.Runner.Listen = false
		for _, fn := range extra {
			fn(c)
		}
	})
}

// runWebhookRunner starts the runner built as the binaries build it.
func runWebhookRunner(t *testing.T, a *apptest.App) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r, err := app.NewTestRunner(ctx, a.Config, a.DB, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)))
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
}

// subscribe creates a webhook on url for types and returns it with its
// secret.
func subscribe(t *testing.T, a *apptest.App, tok, url string, types ...string) api.WebhookResponse {
	t.Helper()
	body := obj{"url": url, "description": "test receiver"}
	if len(types) > 0 {
		body["event_types"] = types
	}
	res := a.Do(t, http.MethodPost, "/api/v1/webhooks", body, tok)
	require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	var w api.WebhookResponse
	res.JSON(t, &w)
	require.True(t, strings.HasPrefix(w.Secret, "whsec_"))
	return w
}

// scriptedDay makes a day of business through the API: third parties
// created and edited, stock received, proposals signed, orders shipped,
// invoices validated and paid. It returns how many requests it made.
func scriptedDay(t *testing.T, f *salesFix, rounds int) {
	t.Helper()
	for i := range rounds {
		tp := f.create(t, "/api/v1/thirdparties", obj{"name": fmt.Sprintf("Customer %d", i), "customer": true})
		res := f.do(t, http.MethodPatch, fmt.Sprintf("/api/v1/thirdparties/%d", tp), obj{"town": "Lyon", "version": 1})
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res = f.do(t, http.MethodPost, "/api/v1/stock/movements", obj{"product_id": f.goods, "warehouse_id": f.warehouse, "quantity": "3"})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))

		p := f.create(t, "/api/v1/proposals", obj{"customer_id": tp, "lines": []obj{{"product_id": f.service, "quantity": "1"}}})
		pp := fmt.Sprintf("/api/v1/proposals/%d", p)
		require.Equal(t, http.StatusOK, f.do(t, http.MethodPost, pp+"/validate", nil).Status)
		require.Equal(t, http.StatusOK, f.do(t, http.MethodPost, pp+"/close", obj{"status": "signed"}).Status)

		o := f.create(t, "/api/v1/orders", obj{"customer_id": tp, "lines": []obj{{"product_id": f.service, "quantity": "2"}}})
		op := fmt.Sprintf("/api/v1/orders/%d", o)
		require.Equal(t, http.StatusOK, f.do(t, http.MethodPost, op+"/validate", nil).Status)
		require.Equal(t, http.StatusOK, f.do(t, http.MethodPost, op+"/ship", nil).Status)

		inv := f.create(t, "/api/v1/invoices", obj{"customer_id": tp, "lines": []obj{{"product_id": f.goods, "quantity": "1"}}})
		f.validate(t, inv)
		res = f.do(t, http.MethodPost, invPath(inv)+"/payments", obj{"method": "transfer"})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
	}
}

type outboxEvent struct {
	ID     int64
	UID    string
	Type   string
	Object string
}

// outbox reads the events published after event id after, in publication
// order.
func outbox(t *testing.T, a *apptest.App, after int64) []outboxEvent {
	t.Helper()
	var rows []struct {
		ID         int64
		UID        string
		Type       string
		ObjectType string
		ObjectID   int64
	}
	require.NoError(t, a.DB.Gorm(context.Background()).Table("webhook_events").Where("id > ?", after).Order("id").Find(&rows).Error)
	out := make([]outboxEvent, len(rows))
	for i, r := range rows {
		out[i] = outboxEvent{ID: r.ID, UID: r.UID, Type: r.Type, Object: fmt.Sprintf("%s:%d", r.ObjectType, r.ObjectID)}
	}
	return out
}

func lastEventID(t *testing.T, a *apptest.App) int64 {
	t.Helper()
	var n *int64
	require.NoError(t, a.DB.Gorm(context.Background()).Table("webhook_events").Select("MAX(id)").Scan(&n).Error)
	if n == nil {
		return 0
	}
	return *n
}

// requireAllInOrder checks that every event reached the receiver, and that
// per object the first successful arrival of each event follows the
// publication order. Duplicates are allowed.
func requireAllInOrder(t *testing.T, events []outboxEvent, got []received) {
	t.Helper()
	pos := map[string]int{}
	for i, e := range events {
		pos[e.UID] = i
	}
	first := map[string]bool{}
	last := map[string]int{} // object -> position of its last event seen
	for _, g := range got {
		if first[g.ID] {
			continue // a duplicate
		}
		first[g.ID] = true
		p, ok := pos[g.ID]
		require.True(t, ok, "received an event that was not published: %s", g.ID)
		require.Equal(t, events[p].Type, g.Type)
		require.Equal(t, events[p].Object, g.Object)
		if prev, ok := last[g.Object]; ok {
			require.Less(t, prev, p, "object %s: event %s (%s) arrived after a later one", g.Object, g.ID, g.Type)
		}
		last[g.Object] = p
	}
	for _, e := range events {
		require.True(t, first[e.UID], "event %s %s of %s never arrived", e.UID, e.Type, e.Object)
	}
}

// TestWebhooksDeliverAScriptedDay: every event of a day of business
// reaches a real receiver, correctly signed, in order per object, although
// the receiver fails the first two attempts of one message in three and
// answers some messages slowly.
func TestWebhooksDeliverAScriptedDay(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		rcv := newReceiver(t)
		rcv.fail = func(id string, n int) bool { return id[len(id)-1]%3 == 0 && n <= 2 }
		rcv.slow = func(id string, n int) time.Duration {
			if id[len(id)-1]%5 == 0 && n == 1 {
				return 150 * time.Millisecond
			}
			return 0
		}
		f := newSalesFix(t, a, "100", "")
		before := lastEventID(t, a) // the fixture's events had no subscriber
		w := subscribe(t, a, f.admin, rcv.URL)
		rcv.setSecret(w.Secret)
		scriptedDay(t, f, 3)
		events := outbox(t, a, before)
		types := map[string]bool{}
		for _, e := range events {
			types[e.Type] = true
		}
		for _, want := range []string{"thirdparty.created", "thirdparty.updated", "stock.moved", "proposal.created", "proposal.validated",
			"proposal.signed", "order.created", "order.validated", "order.shipped", "invoice.created", "invoice.validated", "invoice.paid", "payment.created"} {
			require.True(t, types[want], "no %s event was published", want)
		}

		runWebhookRunner(t, a)
		require.Eventually(t, func() bool {
			seen := map[string]bool{}
			for _, g := range rcv.received() {
				seen[g.ID] = true
			}
			return len(seen) == len(events)
		}, 60*time.Second, 20*time.Millisecond)
		require.Empty(t, rcv.badSignatures())
		requireAllInOrder(t, events, rcv.received())

		// The delivery log says what happened, with the retries.
		var log api.List[api.DeliveryResponse]
		res := a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/webhooks/%d/deliveries?limit=500", w.ID), nil, f.admin)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &log)
		require.EqualValues(t, len(events), log.Paging.Total)
		retried := 0
		for _, d := range log.Data {
			require.Equal(t, "succeeded", d.Status, "%+v", d)
			require.Equal(t, 204, d.ResponseCode)
			require.NotNil(t, d.DeliveredAt)
			if d.Attempt == 3 {
				retried++
			}
		}
		require.Positive(t, retried, "some deliveries succeeded on their third attempt")
		require.Greater(t, log.Data[0].ID, log.Data[len(log.Data)-1].ID, "newest first")

		// A manual redelivery sends the same event, with the same id, again.
		d := log.Data[len(log.Data)-1]
		count := len(rcv.received())
		res = a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/webhooks/%d/deliveries/%d/redeliver", w.ID, d.ID), nil, f.admin)
		require.Equal(t, http.StatusAccepted, res.Status, string(res.Body))
		var again api.DeliveryResponse
		res.JSON(t, &again)
		require.Equal(t, d.EventID, again.EventID)
		require.Equal(t, "pending", again.Status)
		require.Eventually(t, func() bool { return len(rcv.received()) > count }, 20*time.Second, 20*time.Millisecond)
		require.Equal(t, d.EventID, rcv.received()[count].ID)
		res = a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/webhooks/%d/deliveries/%d/redeliver", w.ID+1000, d.ID), nil, f.admin)
		require.Equal(t, http.StatusNotFound, res.Status)
	}, webhookConfig())
}

// TestWebhooksFilterByTypeAndDisable: a subscription receives only the
// types it asked for; one whose receiver keeps failing is disabled after
// DOLIBARR_WEBHOOKS_DISABLE_AFTER, and its remaining deliveries skipped.
func TestWebhooksFilterByTypeAndDisable(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		good, broken := newReceiver(t), newReceiver(t)
		broken.fail = func(string, int) bool { return true }
		f := newSalesFix(t, a, "", "")
		wg := subscribe(t, a, f.admin, good.URL, "thirdparty.created")
		good.setSecret(wg.Secret)
		wb := subscribe(t, a, f.admin, broken.URL)
		broken.setSecret(wb.Secret)
		runWebhookRunner(t, a)
		for i := range 3 {
			f.create(t, "/api/v1/thirdparties", obj{"name": fmt.Sprintf("T%d", i)})
		}
		require.Eventually(t, func() bool { return len(good.received()) == 3 }, 20*time.Second, 20*time.Millisecond)
		for _, g := range good.received() {
			require.Equal(t, "thirdparty.created", g.Type)
		}
		require.Eventually(t, func() bool {
			res := a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/webhooks/%d", wb.ID), nil, f.admin)
			var w api.WebhookResponse
			res.JSON(t, &w)
			return !w.Active
		}, 20*time.Second, 20*time.Millisecond)
		res := a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/webhooks/%d", wb.ID), nil, f.admin)
		var w api.WebhookResponse
		res.JSON(t, &w)
		require.Contains(t, w.DisabledReason, "disabled automatically")
		require.NotNil(t, w.FailingSince)
		require.Empty(t, w.Secret, "the secret is shown only at creation")
		// Redelivering to an inactive webhook is refused; activating it
		// again clears the failure clock.
		var log api.List[api.DeliveryResponse]
		a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/webhooks/%d/deliveries", wb.ID), nil, f.admin).JSON(t, &log)
		require.NotEmpty(t, log.Data)
		res = a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/webhooks/%d/deliveries/%d/redeliver", wb.ID, log.Data[0].ID), nil, f.admin)
		requireProblem(t, res, http.StatusConflict, "webhook_inactive")
		res = a.Do(t, http.MethodPatch, fmt.Sprintf("/api/v1/webhooks/%d", wb.ID), obj{"active": true, "version": w.Version}, f.admin)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &w)
		require.True(t, w.Active)
		require.Nil(t, w.FailingSince)
		require.Empty(t, w.DisabledReason)
	}, webhookConfig(func(c *app.Config) { c.Webhooks.DisableAfter = 300 * time.Millisecond }))
}

// TestWebhooksAPI: the subscription CRUD, its permissions and its bad
// input: a URL that is not http(s), a private or loopback target (refused
// unless configured), an unknown event type; nothing is written.
func TestWebhooksAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		reader := a.Token(t, domain.PermWebhookRead)
		count := func() int64 {
			var n int64
			require.NoError(t, a.DB.Gorm(context.Background()).Table("webhook_subscriptions").Count(&n).Error)
			return n
		}
		for _, c := range []struct {
			body obj
			code string
		}{
			{obj{"url": "ftp://example.com/hook"}, "unsupported_scheme"},
			{obj{"url": "file:///etc/passwd"}, "unsupported_scheme"},
			{obj{"url": "example.com/hook"}, "invalid_url"},
			{obj{"url": "https://user:pw@example.com/hook"}, "invalid_url"},
			{obj{"url": "http://127.0.0.1:8080/hook"}, "private_address"},
			{obj{"url": "http://localhost/hook"}, "private_address"},
			{obj{"url": "http://10.1.2.3/hook"}, "private_address"},
			{obj{"url": "http://169.254.169.254/latest/meta-data"}, "private_address"},
			{obj{"url": "http://[::1]/hook"}, "private_address"},
			{obj{"url": "http://[fe80::1]/hook"}, "private_address"},
			{obj{"url": "https://93.184.215.14/hook", "event_types": []string{"invoice.exploded"}}, "invalid"},
			{obj{}, "required"},
		} {
			res := a.Do(t, http.MethodPost, "/api/v1/webhooks", c.body, admin)
			p := requireProblem(t, res, http.StatusUnprocessableEntity, "validation_failed")
			require.Equal(t, c.code, p.Errors[0].Code, "%v: %s", c.body, res.Body)
		}
		require.Zero(t, count(), "nothing written")
		requireProblem(t, a.Do(t, http.MethodPost, "/api/v1/webhooks", obj{"url": "https://93.184.215.14/hook"}, reader), http.StatusForbidden, "forbidden")

		// A public address literal needs no lookup.
		w := subscribe(t, a, admin, "https://93.184.215.14/hook", "invoice.validated", "invoice.paid")
		require.Equal(t, []string{"invoice.validated", "invoice.paid"}, w.EventTypes)
		require.True(t, w.Active)
		path := fmt.Sprintf("/api/v1/webhooks/%d", w.ID)
		res := a.Do(t, http.MethodGet, path, nil, reader)
		require.Equal(t, http.StatusOK, res.Status)
		var got api.WebhookResponse
		res.JSON(t, &got)
		require.Empty(t, got.Secret)
		require.Equal(t, `"1"`, res.Header.Get("ETag"))
		var page api.List[api.WebhookResponse]
		a.Do(t, http.MethodGet, "/api/v1/webhooks", nil, reader).JSON(t, &page)
		require.Len(t, page.Data, 1)
		require.Empty(t, page.Data[0].Secret)

		res = a.Do(t, http.MethodPatch, path, obj{"url": "gopher://x", "version": 1}, admin)
		require.Equal(t, "unsupported_scheme", requireProblem(t, res, http.StatusUnprocessableEntity, "validation_failed").Errors[0].Code)
		res = a.Do(t, http.MethodPatch, path, obj{"url": "http://192.168.1.1/x", "version": 1}, admin)
		require.Equal(t, "private_address", requireProblem(t, res, http.StatusUnprocessableEntity, "validation_failed").Errors[0].Code)
		res = a.Do(t, http.MethodPatch, path, obj{"active": false, "event_types": []string{}, "version": 1}, admin)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &got)
		require.False(t, got.Active)
		require.Empty(t, got.EventTypes)
		require.EqualValues(t, 2, got.Version)
		requireProblem(t, a.Do(t, http.MethodPatch, path, obj{"active": true, "version": 1}, admin), http.StatusConflict, "version_conflict")

		require.Equal(t, http.StatusNoContent, a.Do(t, http.MethodDelete, path, nil, admin).Status)
		require.Equal(t, http.StatusNotFound, a.Do(t, http.MethodGet, path, nil, admin).Status)
		require.Equal(t, http.StatusNotFound, a.Do(t, http.MethodGet, path+"/deliveries", nil, admin).Status)
	})
}

// TestWebhooksJobFailed: a job that fails for good publishes job.failed
// in the transaction that records the failure.
func TestWebhooksJobFailed(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		rcv := newReceiver(t)
		admin := a.AdminToken(t)
		w := subscribe(t, a, admin, rcv.URL, "job.failed")
		rcv.setSecret(w.Secret)
		// A payload the mail handler cannot decode fails at once, for good.
		res, err := queue.NewStore(a.DB, queue.StoreOptions{}).Enqueue(context.Background(),
			domain.NewJob{Kind: mailing.JobKind, Payload: []byte(`{"no_such_field":1}`)})
		require.NoError(t, err)
		runWebhookRunner(t, a)
		require.Eventually(t, func() bool { return len(rcv.received()) == 1 }, 20*time.Second, 20*time.Millisecond)
		got := rcv.received()[0]
		require.Equal(t, "job.failed", got.Type)
		require.Equal(t, fmt.Sprintf("job:%d", res.ID), got.Object)
	}, webhookConfig())
}
