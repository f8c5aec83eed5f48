package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// BenchmarkGetProductHTTP measures GET /products/{id} through the real
// router on PostgreSQL, in process (no socket): the API's own CPU cost per
// read. bench/catalog measures the same over TCP against pgbench.
func BenchmarkGetProductHTTP(b *testing.B) {
	a := apptest.New(b, "postgres")
	admin := a.AdminToken(b)
	res := a.Do(b, "POST", "/api/v1/products", `{"ref":"B","label":"Bench","price":"12.5","vat_rate":"20"}`, admin)
	if res.Status != http.StatusCreated {
		b.Fatalf("%d %s", res.Status, res.Body)
	}
	cpu := cpuTime()
	b.Cleanup(func() { b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op") })
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("GET", "/api/v1/products/1", nil)
			req.Header.Set("Authorization", "Bearer "+admin)
			rec := httptest.NewRecorder()
			a.Server.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
	})
}

// BenchmarkDebitHTTP measures one-unit debits spread over 100 products
// through the real router on PostgreSQL, in process.
func BenchmarkDebitHTTP(b *testing.B) {
	a := apptest.New(b, "postgres")
	admin := a.AdminToken(b)
	a.Do(b, "POST", "/api/v1/warehouses", `{"label":"W"}`, admin)
	for i := 1; i <= 100; i++ {
		a.Do(b, "POST", "/api/v1/products", fmt.Sprintf(`{"ref":"P%d","label":"P"}`, i), admin)
		a.Do(b, "POST", "/api/v1/stock/movements", fmt.Sprintf(`{"product_id":%d,"warehouse_id":1,"quantity":"1000000000"}`, i), admin)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			body := fmt.Sprintf(`{"product_id":%d,"warehouse_id":1,"quantity":"-1"}`, 1+i%100)
			req := httptest.NewRequest("POST", "/api/v1/stock/movements", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+admin)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			a.Server.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
	})
}
