package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// call is one request of a concurrent burst and, once run, its answer.
type call struct {
	method, path string
	body         any
	status       int
	resp         []byte
}

// burst sends every call at the same moment through a real HTTP listener
// as token and waits for all of them.
func burst(t *testing.T, a *apptest.App, token string, calls []*call) {
	t.Helper()
	srv := httptest.NewServer(a.Server)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: len(calls)}}
	defer client.CloseIdleConnections()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, c := range calls {
		var body []byte
		if c.body != nil {
			body, _ = json.Marshal(c.body)
		}
		req, err := http.NewRequest(c.method, srv.URL+c.path, bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := client.Do(req)
			if err != nil {
				c.resp = []byte(err.Error())
				return
			}
			defer res.Body.Close()
			var buf bytes.Buffer
			_, _ = buf.ReadFrom(res.Body)
			c.status, c.resp = res.StatusCode, buf.Bytes()
		}()
	}
	close(start)
	wg.Wait()
}

// TestConcurrentReceptionsNeverExceedTheOrderedQuantity: eight draft
// receptions of 3 of a line ordered 10 validated at once: exactly three
// are accepted (9 received), the others are refused 409 over_reception,
// and the stock holds what was accepted. Each validation locks its
// reception, then the order, so they re-check what is left one after the
// other.
func TestConcurrentReceptionsNeverExceedTheOrderedQuantity(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newBuyFix(t, a)
		po := f.orderedPO(t, "10", strp("2"))
		var calls []*call
		for range 8 {
			r := decode[api.ReceptionResponse](t, f.as(t, f.buyer, http.MethodPost, "/api/v1/receptions", obj{"order_id": po.ID,
				"lines": []obj{{"order_line_id": (*po.Lines)[0].ID, "warehouse_id": f.warehouse, "quantity": "3"}}}), http.StatusCreated)
			calls = append(calls, &call{method: http.MethodPost, path: fmt.Sprintf("/api/v1/receptions/%d/validate", r.ID)})
		}
		burst(t, a, f.buyer, calls)
		ok := 0
		for _, c := range calls {
			switch c.status {
			case http.StatusOK:
				ok++
			case http.StatusConflict:
				require.Contains(t, string(c.resp), `"over_reception"`)
			default:
				t.Fatalf("unexpected answer %d: %s", c.status, c.resp)
			}
		}
		require.Equal(t, 3, ok)
		po = decode[api.PurchaseOrderResponse](t, f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/purchase-orders/%d", po.ID), nil), http.StatusOK)
		require.Equal(t, "9", po.Received[(*po.Lines)[0].ID])
		require.Equal(t, "partly_received", po.Status)
		require.Equal(t, "9", f.stockOf(t, f.bolt))
	})
}

// TestConcurrentSupplierInvoiceValidationsGetConsecutiveRefs: 50 supplier
// invoices validated at once get SI refs 1 to 50, no gap, no duplicate.
func TestConcurrentSupplierInvoiceValidationsGetConsecutiveRefs(t *testing.T) {
	const n = 50
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newBuyFix(t, a)
		calls := make([]*call, n)
		for i := range calls {
			inv := decode[api.SupplierInvoiceResponse](t, f.as(t, f.buyer, http.MethodPost, "/api/v1/supplier-invoices", obj{"supplier_id": f.supplier,
				"supplier_ref": "INV-" + strconv.Itoa(i), "lines": []obj{{"product_id": f.bolt, "quantity": "1", "unit_price": "2"}}}), http.StatusCreated)
			calls[i] = &call{method: http.MethodPost, path: fmt.Sprintf("/api/v1/supplier-invoices/%d/validate", inv.ID)}
		}
		burst(t, a, f.buyer, calls)
		prefix := refPrefix("SI", a.Now())
		var nums []int
		for _, c := range calls {
			require.Equal(t, http.StatusOK, c.status, string(c.resp))
			var inv api.SupplierInvoiceResponse
			require.NoError(t, json.Unmarshal(c.resp, &inv))
			require.True(t, strings.HasPrefix(inv.Ref, prefix), inv.Ref)
			k, err := strconv.Atoi(strings.TrimPrefix(inv.Ref, prefix))
			require.NoError(t, err)
			nums = append(nums, k)
		}
		sort.Ints(nums)
		for i, k := range nums {
			require.Equal(t, i+1, k, "refs are 1..%d without gap or duplicate", n)
		}
	})
}

// TestConcurrentSameSupplierRefIsAcceptedOnce: ten creations of a supplier
// invoice with the same supplier reference at once: the unique index lets
// one commit, the others are 409 duplicate_supplier_ref, and one invoice
// exists.
func TestConcurrentSameSupplierRefIsAcceptedOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newBuyFix(t, a)
		calls := make([]*call, 10)
		for i := range calls {
			calls[i] = &call{method: http.MethodPost, path: "/api/v1/supplier-invoices", body: obj{"supplier_id": f.supplier,
				"supplier_ref": "SAME-1", "lines": []obj{{"description": "Parts", "quantity": "1", "unit_price": "5"}}}}
		}
		burst(t, a, f.buyer, calls)
		created := 0
		for _, c := range calls {
			switch c.status {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
				require.Contains(t, string(c.resp), `"duplicate_supplier_ref"`)
			default:
				t.Fatalf("unexpected answer %d: %s", c.status, c.resp)
			}
		}
		require.Equal(t, 1, created)
		var page struct {
			Paging api.Paging `json:"paging"`
		}
		f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/supplier-invoices?supplier_id=%d", f.supplier), nil).JSON(t, &page)
		require.Equal(t, int64(1), page.Paging.Total)
	})
}

// TestConcurrentReceptionsAndSalesReplayInCommitOrder: 32 receptions at
// different prices and 32 sales invoices of one product validated at
// once leave a stock and a weighted average cost equal to replaying the
// product's journal one movement at a time in commit order (the journal's
// id order: every movement of the product's one stock row is written
// while that row is locked, until commit).
func TestConcurrentReceptionsAndSalesReplayInCommitOrder(t *testing.T) {
	const n = 32
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newBuyFix(t, a)
		res := f.do(t, http.MethodPost, "/api/v1/stock/movements", obj{"product_id": f.bolt, "warehouse_id": f.warehouse, "quantity": "100", "unit_price": "1"})
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		var calls []*call
		for i := range n {
			qty := strconv.Itoa(1 + i%5)
			po := f.orderedPO(t, qty, strp(fmt.Sprintf("%d.%02d", 1+i%9, (i*37)%100)))
			r := decode[api.ReceptionResponse](t, f.as(t, f.buyer, http.MethodPost, "/api/v1/receptions", obj{"order_id": po.ID,
				"lines": []obj{{"order_line_id": (*po.Lines)[0].ID, "warehouse_id": f.warehouse, "quantity": qty}}}), http.StatusCreated)
			calls = append(calls, &call{method: http.MethodPost, path: fmt.Sprintf("/api/v1/receptions/%d/validate", r.ID)})
			inv := decode[api.InvoiceResponse](t, f.do(t, http.MethodPost, "/api/v1/invoices", obj{"customer_id": f.customer,
				"lines": []obj{{"product_id": f.bolt, "quantity": strconv.Itoa(1 + i%3)}}}), http.StatusCreated)
			calls = append(calls, &call{method: http.MethodPost, path: invPath(inv.ID) + "/validate", body: obj{"warehouse_id": f.warehouse}})
		}
		burst(t, a, f.admin, calls)
		for _, c := range calls {
			require.Equal(t, http.StatusOK, c.status, "%s: %s", c.path, c.resp)
		}

		var journal struct {
			Data []api.MovementResponse `json:"data"`
		}
		res = f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/stock/movements?product_id=%d&sort=id&limit=500", f.bolt), nil)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		res.JSON(t, &journal)
		require.Len(t, journal.Data, 2*n+1)
		qty, pmp := domain.Zero, domain.Zero
		for _, m := range journal.Data {
			q, price := domain.MustDecimal(m.Quantity), domain.MustDecimal(m.UnitPrice)
			if q.IsPositive() && price.IsPositive() {
				pmp = domain.WeightedAverageCost(qty, pmp, q, price)
			}
			qty = qty.Add(q)
		}
		require.Equal(t, qty.String(), f.stockOf(t, f.bolt))
		got := domain.MustDecimal(f.product(t, f.bolt).AverageCost)
		require.Truef(t, got.Equal(pmp), "weighted average cost %s, replay in commit order %s", got, pmp)
	})
}
