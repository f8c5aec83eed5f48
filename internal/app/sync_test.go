package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

type syncPage struct {
	Data []struct {
		ID int64 `json:"id"`
	} `json:"data"`
	Paging struct {
		Total      int64   `json:"total"`
		NextCursor *string `json:"next_cursor"`
	} `json:"paging"`
}

// syncAll follows next_cursor from query to the end and returns the ids
// read, in order.
func syncAll(t *testing.T, a *apptest.App, tok, path, query string) ([]int64, int64) {
	t.Helper()
	var ids []int64
	var total int64
	next := path + "?" + query
	for range 1000 {
		res := a.Do(t, http.MethodGet, next, nil, tok)
		require.Equal(t, http.StatusOK, res.Status, "%s: %s", next, res.Body)
		var p syncPage
		require.NoError(t, json.Unmarshal(res.Body, &p))
		if total == 0 {
			total = p.Paging.Total
		}
		for _, d := range p.Data {
			ids = append(ids, d.ID)
		}
		if p.Paging.NextCursor == nil {
			return ids, total
		}
		next = path + "?limit=" + limitOf(query) + "&cursor=" + url.QueryEscape(*p.Paging.NextCursor)
	}
	t.Fatal("the cursor chain does not end")
	return nil, 0
}

func limitOf(q string) string {
	v, _ := url.ParseQuery(q)
	if l := v.Get("limit"); l != "" {
		return l
	}
	return "50"
}

// TestIncrementalSyncEveryList: every list accepts updated_since and pages
// by next_cursor to the end, each item once; the offset paging is
// unchanged beside it.
func TestIncrementalSyncEveryList(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "100", "")
		w := subscribe(t, a, f.admin, "https://93.184.215.14/hook")
		scriptedDay(t, f, 2)
		f.create(t, "/api/v1/contacts", obj{"thirdparty_id": f.customer, "lastname": "Martin"})
		f.create(t, "/api/v1/contacts", obj{"thirdparty_id": f.customer, "lastname": "Durand"})
		for _, path := range []string{"/api/v1/products", "/api/v1/warehouses", "/api/v1/thirdparties", "/api/v1/contacts",
			"/api/v1/stock/movements", "/api/v1/invoices", "/api/v1/orders", "/api/v1/proposals", "/api/v1/payments",
			"/api/v1/webhooks", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", w.ID)} {
			ids, total := syncAll(t, a, f.admin, path, "updated_since=2000-01-01T00:00:00Z&limit=1")
			require.Positive(t, total, path)
			require.Len(t, ids, int(total), "%s: every item once", path)
			seen := map[int64]bool{}
			for _, id := range ids {
				require.False(t, seen[id], "%s: item %d twice", path, id)
				seen[id] = true
			}
			// Offset paging still answers, without a cursor.
			res := a.Do(t, http.MethodGet, path+"?limit=1&offset=1", nil, f.admin)
			require.Equal(t, http.StatusOK, res.Status, string(res.Body))
			require.NotContains(t, string(res.Body), "next_cursor")
		}
	}, webhookConfig())
}

// TestIncrementalSyncConcurrentInserts: a client syncs third parties page
// by page while another inserts and edits them; every third party that
// existed before the sync began is read exactly once, and a second sync
// from the first one's start time returns the ones changed meanwhile.
func TestIncrementalSyncConcurrentInserts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		before := map[int64]bool{}
		for i := range 30 {
			res := a.Do(t, http.MethodPost, "/api/v1/thirdparties", obj{"name": fmt.Sprintf("Before %02d", i)}, admin)
			require.Equal(t, http.StatusCreated, res.Status)
			var tp struct {
				ID int64 `json:"id"`
			}
			res.JSON(t, &tp)
			before[tp.ID] = true
		}
		start := a.Now().Add(-time.Hour)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		inserted := 0
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				res := a.Do(t, http.MethodPost, "/api/v1/thirdparties", obj{"name": fmt.Sprintf("During %03d", i)}, admin)
				if res.Status != http.StatusCreated {
					t.Errorf("insert: %d %s", res.Status, res.Body)
					return
				}
				inserted++
			}
		})
		ids, _ := syncAll(t, a, admin, "/api/v1/thirdparties", "updated_since="+url.QueryEscape(start.Format(time.RFC3339Nano))+"&limit=7")
		close(stop)
		wg.Wait()
		count := map[int64]int{}
		for _, id := range ids {
			count[id]++
		}
		for id := range before {
			require.Equal(t, 1, count[id], "third party %d read %d times", id, count[id])
		}
		for id, n := range count {
			require.Equal(t, 1, n, "third party %d read %d times", id, n)
		}
		t.Logf("%d inserted during the sync, %d read", inserted, len(ids))

		// An edit moves a record to the end of the next sync.
		mark := a.Now()
		var first int64
		for id := range before {
			first = id
			break
		}
		res := a.Do(t, http.MethodPatch, fmt.Sprintf("/api/v1/thirdparties/%d", first), obj{"town": "Nantes", "version": 1}, admin)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		ids, total := syncAll(t, a, admin, "/api/v1/thirdparties", "updated_since="+url.QueryEscape(mark.Format(time.RFC3339Nano)))
		require.Equal(t, []int64{first}, ids)
		require.EqualValues(t, 1, total)
	})
}

// TestIncrementalSyncBadInput: an altered or made-up cursor, a bad
// updated_since, or one combined with sort or offset is a 400 with a
// stable code.
func TestIncrementalSyncBadInput(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		for i := range 3 {
			require.Equal(t, http.StatusCreated, a.Do(t, http.MethodPost, "/api/v1/warehouses", obj{"label": fmt.Sprintf("W%d", i)}, admin).Status)
		}
		res := a.Do(t, http.MethodGet, "/api/v1/warehouses?updated_since=2000-01-01T00:00:00Z&limit=1", nil, admin)
		require.Equal(t, http.StatusOK, res.Status)
		var p syncPage
		res.JSON(t, &p)
		require.NotNil(t, p.Paging.NextCursor)
		good := *p.Paging.NextCursor
		tampered := []byte(good)
		tampered[3] ^= 1
		if tampered[3] == '-' || tampered[3] == '_' {
			tampered[3] = 'A'
		}
		for _, c := range []struct{ q, code string }{
			{"cursor=" + string(tampered), "invalid_cursor"},
			{"cursor=" + good[:len(good)-2], "invalid_cursor"},
			{"cursor=" + strings.Repeat("A", len(good)), "invalid_cursor"},
			{"cursor=not-base64!", "invalid_cursor"},
			{"updated_since=yesterday", "invalid_query"},
			{"updated_since=2026-13-01T00:00:00Z", "invalid_query"},
			{"updated_since=2000-01-01T00:00:00Z&sort=label", "invalid_query"},
			{"updated_since=2000-01-01T00:00:00Z&offset=5", "invalid_query"},
		} {
			res := a.Do(t, http.MethodGet, "/api/v1/warehouses?"+c.q, nil, admin)
			requireProblem(t, res, http.StatusBadRequest, c.code)
		}
		// A cursor signed by another installation (another JWT secret) is refused too.
		other := apptest.New(t, "sqlite")
		res = other.Do(t, http.MethodGet, "/api/v1/warehouses?cursor="+good, nil, other.AdminToken(t))
		requireProblem(t, res, http.StatusBadRequest, "invalid_cursor")
		// Caught up: a time in the future gives an empty page without cursor.
		res = a.Do(t, http.MethodGet, "/api/v1/warehouses?updated_since=2999-01-01T00:00:00Z", nil, admin)
		require.Equal(t, http.StatusOK, res.Status)
		var caught syncPage
		res.JSON(t, &caught)
		require.Empty(t, caught.Data)
		require.Nil(t, caught.Paging.NextCursor)
	})
}

// TestConditionalGetEveryRecord: every GET of one record sends an ETag and
// answers 304 without a body to a matching If-None-Match (also weak or in
// a list), and 200 again once the record changed.
func TestConditionalGetEveryRecord(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "100", "")
		w := subscribe(t, a, f.admin, "https://93.184.215.14/hook")
		scriptedDay(t, f, 1)
		contact := f.create(t, "/api/v1/contacts", obj{"thirdparty_id": f.customer, "lastname": "Martin"})
		first := func(path string) int64 {
			var p syncPage
			a.Do(t, http.MethodGet, path+"?limit=1", nil, f.admin).JSON(t, &p)
			require.NotEmpty(t, p.Data, path)
			return p.Data[0].ID
		}
		var me struct {
			ID int64 `json:"id"`
		}
		a.Do(t, http.MethodGet, "/api/v1/users/me", nil, f.admin).JSON(t, &me)
		var jobs syncPage
		a.Do(t, http.MethodGet, "/api/v1/jobs?limit=1", nil, f.admin).JSON(t, &jobs)
		require.NotEmpty(t, jobs.Data)
		paths := []string{
			fmt.Sprintf("/api/v1/products/%d", f.goods), fmt.Sprintf("/api/v1/warehouses/%d", f.warehouse),
			fmt.Sprintf("/api/v1/thirdparties/%d", f.customer), fmt.Sprintf("/api/v1/contacts/%d", contact),
			fmt.Sprintf("/api/v1/invoices/%d", first("/api/v1/invoices")), fmt.Sprintf("/api/v1/orders/%d", first("/api/v1/orders")),
			fmt.Sprintf("/api/v1/proposals/%d", first("/api/v1/proposals")), fmt.Sprintf("/api/v1/payments/%d", first("/api/v1/payments")),
			fmt.Sprintf("/api/v1/webhooks/%d", w.ID), fmt.Sprintf("/api/v1/jobs/%d", jobs.Data[0].ID),
			fmt.Sprintf("/api/v1/users/%d", me.ID), fmt.Sprintf("/api/v1/roles/%d", first("/api/v1/roles")),
		}
		for _, p := range paths {
			res := a.Do(t, http.MethodGet, p, nil, f.admin)
			require.Equal(t, http.StatusOK, res.Status, p)
			tag := res.Header.Get("ETag")
			require.NotEmpty(t, tag, p)
			for _, inm := range []string{tag, "W/" + tag, `"nope", ` + tag, "*"} {
				h := http.Header{"Authorization": {"Bearer " + f.admin}, "If-None-Match": {inm}}
				res = a.DoHeader(t, http.MethodGet, p, nil, h)
				require.Equal(t, http.StatusNotModified, res.Status, "%s If-None-Match %s", p, inm)
				require.Empty(t, res.Body)
				require.Equal(t, tag, res.Header.Get("ETag"))
			}
			h := http.Header{"Authorization": {"Bearer " + f.admin}, "If-None-Match": {`"0"`}}
			require.Equal(t, http.StatusOK, a.DoHeader(t, http.MethodGet, p, nil, h).Status, p)
		}
		// A change gives a new ETag: the old one no longer matches.
		p := fmt.Sprintf("/api/v1/warehouses/%d", f.warehouse)
		old := a.Do(t, http.MethodGet, p, nil, f.admin).Header.Get("ETag")
		require.Equal(t, http.StatusOK, a.Do(t, http.MethodPatch, p, obj{"town": "Lille", "version": 1}, f.admin).Status)
		h := http.Header{"Authorization": {"Bearer " + f.admin}, "If-None-Match": {old}}
		require.Equal(t, http.StatusOK, a.DoHeader(t, http.MethodGet, p, nil, h).Status)
	}, webhookConfig())
}
