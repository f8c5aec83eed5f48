package api_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// mixOutcome counts the answers of one kind of operation by status and
// problem code ("201", "409 insufficient_stock", "500 internal", ...).
type mixOutcome map[string]int

func (o mixOutcome) ok() int {
	n := 0
	for k, v := range o {
		if k[0] == '2' {
			n += v
		}
	}
	return n
}

// TestStockMixCorrectionsDebitsTransfersValidationsHTTP is issue 21's first
// defect: inventory corrections running with debits, transfers and invoice
// validations on the same stock rows, from 64 concurrent clients through
// the real router. MariaDB answered most of them 500 (deadlock 1213): a
// correction locked its stock row and then waited, in its journal's
// foreign-key check, on the product row a debit held while that debit
// waited for the stock row. Every answer must be a 2xx or a documented
// refusal (409 insufficient_stock, or 503 transaction_conflict with
// Retry-After), never a 500; every stock level equals the sum of its
// journal, and the journal holds exactly the successful operations. With
// every writer locking in one order nothing here deadlocks, so no
// transaction even needs DB.Do's retry, and none gives up as a 503.
func TestStockMixCorrectionsDebitsTransfersValidationsHTTP(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		create := func(path string, body obj) int64 {
			t.Helper()
			res := a.Do(t, http.MethodPost, path, body, admin)
			require.Equal(t, http.StatusCreated, res.Status, "%s: %s", path, res.Body)
			return idOf(t, decode(t, res))
		}
		products := []int64{
			create("/api/v1/products", obj{"ref": "MIX-A", "label": "Mix A", "price": "10", "vat_rate": "20"}),
			create("/api/v1/products", obj{"ref": "MIX-B", "label": "Mix B", "price": "5", "vat_rate": "20"}),
		}
		warehouses := []int64{
			create("/api/v1/warehouses", obj{"label": "Mix 1"}),
			create("/api/v1/warehouses", obj{"label": "Mix 2"}),
		}
		customer := create("/api/v1/thirdparties", obj{"name": "Mix customer", "customer": true})
		for _, p := range products {
			for _, w := range warehouses {
				create("/api/v1/stock/movements", obj{"product_id": p, "warehouse_id": w, "quantity": "1000", "label": "mix opening"})
			}
		}

		const (
			clients     = 64
			corrections = 90
			debits      = 150
			transfers   = 150
			validations = 60
		)
		// Each invoice takes one of each product out of one warehouse, so
		// a validation locks two products and two stock rows.
		invoices := make([]int64, validations)
		for i := range invoices {
			invoices[i] = create("/api/v1/invoices", obj{"customer_id": customer, "lines": []obj{
				{"product_id": products[0], "quantity": "1"}, {"product_id": products[1], "quantity": "1"},
			}})
		}

		type op struct {
			kind string
			path string
			body obj
		}
		rng := rand.New(rand.NewPCG(21, 1)) // a fixed seed: a reproducible schedule
		var ops []op
		for range corrections {
			// Counts near the stock, so corrections both add and remove.
			ops = append(ops, op{"correction", "/api/v1/stock/corrections", obj{"product_id": products[rng.IntN(2)],
				"warehouse_id": warehouses[rng.IntN(2)], "counted": fmt.Sprint(950 + rng.IntN(100)), "label": "mix correction"}})
		}
		for range debits {
			ops = append(ops, op{"debit", "/api/v1/stock/movements", obj{"product_id": products[rng.IntN(2)],
				"warehouse_id": warehouses[rng.IntN(2)], "quantity": "-1", "label": "mix debit"}})
		}
		for range transfers {
			from := rng.IntN(2)
			ops = append(ops, op{"transfer", "/api/v1/stock/transfers", obj{"product_id": products[rng.IntN(2)],
				"from_warehouse_id": warehouses[from], "to_warehouse_id": warehouses[1-from], "quantity": "1", "label": "mix transfer"}})
		}
		for i, id := range invoices {
			ops = append(ops, op{"validation", fmt.Sprintf("/api/v1/invoices/%d/validate", id), obj{"warehouse_id": warehouses[i%2]}})
		}
		rng.Shuffle(len(ops), func(i, j int) { ops[i], ops[j] = ops[j], ops[i] })

		var mu sync.Mutex
		outcomes := map[string]mixOutcome{}
		corrected := 0 // corrections that journaled a movement
		_, _ = apptest.Spec(t)
		errs := fanOut(clients, len(ops), func(i int) error {
			o := ops[i]
			res, err := a.Send(http.MethodPost, o.path, o.body, admin)
			if res == nil {
				return err
			}
			key := fmt.Sprint(res.Status)
			var moved bool
			if res.Status >= 300 {
				var p struct {
					Code string `json:"code"`
				}
				_ = json.Unmarshal(res.Body, &p)
				key += " " + p.Code
			} else if o.kind == "correction" {
				var c struct {
					Movement *json.RawMessage `json:"movement"`
				}
				_ = json.Unmarshal(res.Body, &c)
				moved = c.Movement != nil
			}
			mu.Lock()
			if outcomes[o.kind] == nil {
				outcomes[o.kind] = mixOutcome{}
			}
			outcomes[o.kind][key]++
			if moved {
				corrected++
			}
			mu.Unlock()
			switch {
			case err != nil:
				return fmt.Errorf("%s: %w", o.kind, err)
			case res.Status < 300:
			case res.Status == http.StatusConflict && strings.HasSuffix(key, " insufficient_stock"):
			case res.Status == http.StatusServiceUnavailable && strings.HasSuffix(key, " transaction_conflict") && res.Header.Get("Retry-After") != "":
			default:
				return fmt.Errorf("%s: %d %s", o.kind, res.Status, res.Body)
			}
			return nil
		})
		t.Logf("outcomes: %v", outcomes)
		for _, kind := range []string{"correction", "debit", "transfer", "validation"} {
			require.Zero(t, outcomes[kind]["500 internal"], "%s answered 500: %v", kind, outcomes[kind])
		}
		require.Empty(t, errs, "every answer a 2xx or a documented refusal; first of %d: %v", len(errs), first(errs))
		for _, kind := range []string{"correction", "debit", "transfer", "validation"} {
			// Every writer takes the same locks in the same order, so none
			// of these transactions can deadlock: a 503 here would be a
			// lock-order regression that the retry merely hides.
			require.Zero(t, outcomes[kind]["503 transaction_conflict"], "%s gave up: %v", kind, outcomes[kind])
		}

		// Each stock level equals its journal's sum, and the journal holds
		// exactly the successful operations.
		labels := map[string]int{}
		lines := 0
		for _, p := range products {
			for _, w := range warehouses {
				ms := journalLines(t, a, admin, p, w)
				var sum int64
				for _, m := range ms {
					sum += m.qty
					labels[m.label]++
				}
				lines += len(ms)
				require.Equal(t, fmt.Sprint(sum), stockOf(t, a, admin, p, w), "product %d warehouse %d: level = sum of its journal", p, w)
			}
		}
		require.Equal(t, 4, labels["mix opening"])
		require.Equal(t, outcomes["debit"].ok(), labels["mix debit"], "one line per successful debit")
		require.Equal(t, 2*outcomes["transfer"].ok(), labels["mix transfer"], "two lines per successful transfer")
		require.Equal(t, corrected, labels["mix correction"], "one line per correction that changed the level")
		validated := 0
		for l, n := range labels {
			if strings.HasPrefix(l, "Validation of invoice ") {
				validated += n
			}
		}
		require.Equal(t, 2*outcomes["validation"].ok(), validated, "two lines per validated invoice")
		require.Equal(t, 4+labels["mix debit"]+labels["mix transfer"]+labels["mix correction"]+validated, lines, "no other line")
		res := a.Do(t, http.MethodGet, "/api/v1/invoices?status=validated&limit=1", nil, admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var page struct {
			Paging struct {
				Total int `json:"total"`
			} `json:"paging"`
		}
		res.JSON(t, &page)
		require.Equal(t, outcomes["validation"].ok(), page.Paging.Total, "one validated invoice per successful validation")
	})
}

func first(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}

type journalLine struct {
	qty   int64
	label string
}

// journalLines reads a product's journal in one warehouse through the API.
func journalLines(t *testing.T, a *apptest.App, token string, product, warehouse int64) []journalLine {
	t.Helper()
	var out []journalLine
	for offset := 0; ; offset += 500 {
		res := a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/stock/movements?product_id=%d&warehouse_id=%d&limit=500&offset=%d", product, warehouse, offset), nil, token)
		require.Equal(t, http.StatusOK, res.Status)
		var page struct {
			Data []struct {
				Quantity json.Number `json:"quantity"`
				Label    string      `json:"label"`
			} `json:"data"`
		}
		res.JSON(t, &page)
		for _, m := range page.Data {
			var q int64
			_, err := fmt.Sscan(string(m.Quantity), &q)
			require.NoError(t, err, "whole quantities only in this test: %s", m.Quantity)
			out = append(out, journalLine{q, m.Label})
		}
		if len(page.Data) < 500 {
			return out
		}
	}
}
