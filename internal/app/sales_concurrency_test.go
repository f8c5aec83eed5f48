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
)

// TestConcurrentValidationsGetConsecutiveRefs: 50 invoices validated at the
// same moment through a real HTTP listener get 50 distinct refs numbered 1
// to 50 with no gap, and every stock debit is kept. Each validation locks
// its invoice, the shared stock row and the shared counter row, so this
// also shows the lock order does not deadlock. On SQLite BEGIN IMMEDIATE
// serialises the writers.
func TestConcurrentValidationsGetConsecutiveRefs(t *testing.T) {
	const n = 50
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "1000", "")
		ids := make([]int64, n)
		for i := range ids {
			ids[i] = f.invoice(t, obj{"product_id": f.goods, "quantity": "2"}, obj{"product_id": f.service, "quantity": "1"}).ID
		}
		srv := httptest.NewServer(a.Server)
		defer srv.Close()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}}
		defer client.CloseIdleConnections()

		type result struct {
			status int
			ref    string
			body   string
		}
		results := make([]result, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		body, _ := json.Marshal(obj{"warehouse_id": f.warehouse})
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, err := http.NewRequest(http.MethodPost, srv.URL+invPath(id)+"/validate", bytes.NewReader(body))
				if err != nil {
					results[i] = result{body: err.Error()}
					return
				}
				req.Header.Set("Authorization", "Bearer "+f.admin)
				req.Header.Set("Content-Type", "application/json")
				<-start
				res, err := client.Do(req)
				if err != nil {
					results[i] = result{body: err.Error()}
					return
				}
				defer res.Body.Close()
				var inv api.InvoiceResponse
				var buf bytes.Buffer
				_, _ = buf.ReadFrom(res.Body)
				_ = json.Unmarshal(buf.Bytes(), &inv)
				results[i] = result{status: res.StatusCode, ref: inv.Ref, body: buf.String()}
			}()
		}
		close(start)
		wg.Wait()

		prefix := refPrefix("FA", a.Now())
		var nums []int
		seen := map[string]bool{}
		for i, r := range results {
			require.Equal(t, http.StatusOK, r.status, "validation %d: %s", i, r.body)
			require.False(t, seen[r.ref], "ref %s given twice", r.ref)
			seen[r.ref] = true
			require.True(t, strings.HasPrefix(r.ref, prefix), r.ref)
			num, err := strconv.Atoi(strings.TrimPrefix(r.ref, prefix))
			require.NoError(t, err, r.ref)
			nums = append(nums, num)
		}
		sort.Ints(nums)
		for i, num := range nums {
			require.Equal(t, i+1, num, "refs are consecutive from 1 with no gap: %v", nums)
		}
		require.Equal(t, strconv.Itoa(1000-2*n), f.stockOf(t, f.goods), "every debit kept")

		// The counter continues where it stopped.
		next := f.validate(t, f.invoice(t, obj{"product_id": f.service, "quantity": "1"}).ID)
		require.Equal(t, fmt.Sprintf("%s%04d", prefix, n+1), next.Ref)
	})
}
