package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// client sends JSON requests to a real HTTP listener, as separate API
// clients (or replicas' callers) would.
type client struct {
	base  string
	token string
	http  *http.Client
}

func newClient(t *testing.T, a *apptest.App, token string, conns int) *client {
	t.Helper()
	srv := httptest.NewServer(a.Server)
	t.Cleanup(srv.Close)
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns}
	t.Cleanup(tr.CloseIdleConnections)
	return &client{base: srv.URL, token: token, http: &http.Client{Transport: tr}}
}

// post returns the status and the decoded JSON body (nil if none).
func (c *client) post(path string, body any) (int, map[string]any, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequest(http.MethodPost, c.base+path, bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, nil, err
	}
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			return res.StatusCode, nil, fmt.Errorf("status %d: %w: %s", res.StatusCode, err, raw)
		}
	}
	return res.StatusCode, out, nil
}

// fanOut runs n jobs on workers goroutines and collects each job's error.
func fanOut(workers, n int, job func(i int) error) []error {
	var (
		next int64 = -1
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(atomic.AddInt64(&next, 1))
				if i >= n {
					return
				}
				if err := job(i); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return errs
}

func stockOf(t *testing.T, a *apptest.App, token string, product, warehouse int64) string {
	t.Helper()
	res := a.Do(t, "GET", fmt.Sprintf("/api/v1/products/%d/stock", product), nil, token)
	require.Equal(t, http.StatusOK, res.Status)
	var s struct {
		Warehouses []struct {
			WarehouseID int64  `json:"warehouse_id"`
			Quantity    string `json:"quantity"`
		} `json:"warehouses"`
	}
	res.JSON(t, &s)
	for _, w := range s.Warehouses {
		if w.WarehouseID == warehouse {
			return w.Quantity
		}
	}
	return "0"
}

// journal returns the number of journal lines and their quantity sum for a
// product in a warehouse, read through the API page by page.
func journal(t *testing.T, a *apptest.App, token string, product, warehouse int64) (int, int64) {
	t.Helper()
	var n int
	var sum int64
	for offset := 0; ; offset += 500 {
		res := a.Do(t, "GET", fmt.Sprintf("/api/v1/stock/movements?product_id=%d&warehouse_id=%d&limit=500&offset=%d", product, warehouse, offset), nil, token)
		require.Equal(t, http.StatusOK, res.Status)
		var page struct {
			Data []struct {
				Quantity json.Number `json:"quantity"`
			} `json:"data"`
		}
		res.JSON(t, &page)
		for _, m := range page.Data {
			var q int64
			_, err := fmt.Sscan(string(m.Quantity), &q)
			require.NoError(t, err, "whole quantities only in this test: %s", m.Quantity)
			sum += q
		}
		n += len(page.Data)
		if len(page.Data) < 500 {
			return n, sum
		}
	}
}

// TestStockStress64ClientsHTTP is the stress test: 64 concurrent
// clients make 2,000 one-unit debits of one product through the HTTP API,
// against 1,500 units so the run would overdraw: exactly 1,500 succeed,
// exactly the 500 in excess are refused with 409 insufficient_stock,
// nothing else fails, and the final quantity and the journal are exact. On
// all three engines.
func TestStockStress64ClientsHTTP(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		p := idOf(t, decode(t, a.Do(t, "POST", "/api/v1/products", obj{"ref": "HOT", "label": "Hot product"}, admin)))
		w := idOf(t, decode(t, a.Do(t, "POST", "/api/v1/warehouses", obj{"label": "Hot"}, admin)))
		c := newClient(t, a, admin, 64)
		receive := func(qty string) {
			status, body, err := c.post("/api/v1/stock/movements", obj{"product_id": p, "warehouse_id": w, "quantity": qty})
			require.NoError(t, err)
			require.Equal(t, http.StatusCreated, status, "%v", body)
		}
		const clients, debits = 64, 2000
		run := func() (ok, refused int64, errs []error) {
			errs = fanOut(clients, debits, func(int) error {
				status, body, err := c.post("/api/v1/stock/movements", obj{"product_id": p, "warehouse_id": w, "quantity": "-1", "label": "stress"})
				switch {
				case err != nil:
					return err
				case status == http.StatusCreated:
					atomic.AddInt64(&ok, 1)
					return nil
				case status == http.StatusConflict && body["code"] == "insufficient_stock":
					atomic.AddInt64(&refused, 1)
					return nil
				}
				return fmt.Errorf("unexpected %d: %v", status, body)
			})
			return ok, refused, errs
		}

		receive("1500")
		ok, refused, errs := run()
		require.Empty(t, errs)
		require.EqualValues(t, 1500, ok)
		require.EqualValues(t, 500, refused, "exactly the excess is refused")
		require.Equal(t, "0", stockOf(t, a, admin, p, w))
		n, sum := journal(t, a, admin, p, w)
		require.Equal(t, 1+1500, n, "one receipt and 1,500 debits: refused debits leave no line")
		require.Zero(t, sum)
	})
}

// TestTransferStressBothWaysHTTP runs transfers between two warehouses in
// both directions at once through the HTTP API: no deadlock error, every
// transfer succeeds and the stock is conserved.
func TestTransferStressBothWaysHTTP(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		p := idOf(t, decode(t, a.Do(t, "POST", "/api/v1/products", obj{"ref": "T", "label": "T"}, admin)))
		w1 := idOf(t, decode(t, a.Do(t, "POST", "/api/v1/warehouses", obj{"label": "W1"}, admin)))
		w2 := idOf(t, decode(t, a.Do(t, "POST", "/api/v1/warehouses", obj{"label": "W2"}, admin)))
		c := newClient(t, a, admin, 32)
		for _, w := range []int64{w1, w2} {
			status, body, err := c.post("/api/v1/stock/movements", obj{"product_id": p, "warehouse_id": w, "quantity": "1000"})
			require.NoError(t, err)
			require.Equal(t, http.StatusCreated, status, "%v", body)
		}
		const transfers = 600
		errs := fanOut(32, transfers, func(i int) error {
			from, to := w1, w2
			if i%2 == 1 {
				from, to = w2, w1
			}
			status, body, err := c.post("/api/v1/stock/transfers", obj{"product_id": p, "from_warehouse_id": from, "to_warehouse_id": to, "quantity": "1"})
			if err != nil {
				return err
			}
			if status != http.StatusCreated {
				return fmt.Errorf("transfer %d: %d %v", i, status, body)
			}
			return nil
		})
		require.Empty(t, errs)
		require.Equal(t, "1000", stockOf(t, a, admin, p, w1))
		require.Equal(t, "1000", stockOf(t, a, admin, p, w2))
		n, sum := journal(t, a, admin, p, w1)
		require.Equal(t, 1+transfers, n)
		require.EqualValues(t, 1000, sum)
	})
}

// TestThirdPartyCodesUnique500x32HTTP creates 500 customers from 32
// concurrent clients: every create succeeds and every generated code is
// unique (Dolibarr 23's MAX()+1 fails 67 % of such creates).
func TestThirdPartyCodesUnique500x32HTTP(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		c := newClient(t, a, a.AdminToken(t), 32)
		var mu sync.Mutex
		codes := map[string]int{}
		suppliers := map[string]int{}
		errs := fanOut(32, 500, func(i int) error {
			status, body, err := c.post("/api/v1/thirdparties", obj{"name": fmt.Sprintf("Customer %d", i), "customer": true, "supplier": i%5 == 0})
			if err != nil {
				return err
			}
			if status != http.StatusCreated {
				return fmt.Errorf("create %d: %d %v", i, status, body)
			}
			mu.Lock()
			defer mu.Unlock()
			codes[body["customer_code"].(string)]++
			if i%5 == 0 {
				suppliers[body["supplier_code"].(string)]++
			}
			return nil
		})
		require.Empty(t, errs)
		require.Len(t, codes, 500, "every customer code is unique")
		require.Len(t, suppliers, 100, "every supplier code is unique")
		for code := range codes {
			require.Regexp(t, `^CU\d{4}-\d{4}$`, code)
		}
	})
}
