package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// BenchmarkCreateValidateInvoiceHTTP measures bench/sales' main scenario in
// process on PostgreSQL: POST /invoices with 3 lines, then validate with a
// stock debit. In process there is no socket on the HTTP side, so the
// figure is the API's own CPU and its database round trips.
func BenchmarkCreateValidateInvoiceHTTP(b *testing.B) {
	a := apptest.New(b, "postgres")
	admin := a.AdminToken(b)
	a.Do(b, "POST", "/api/v1/warehouses", `{"label":"W"}`, admin)
	a.Do(b, "POST", "/api/v1/thirdparties", `{"name":"C","customer":true}`, admin)
	a.Do(b, "POST", "/api/v1/products", `{"ref":"SVC","label":"S","type":"service","price":"50","vat_rate":"20"}`, admin)
	for i := 2; i <= 101; i++ {
		a.Do(b, "POST", "/api/v1/products", fmt.Sprintf(`{"ref":"P%d","label":"P","price":"6.36","vat_rate":"21"}`, i), admin)
		a.Do(b, "POST", "/api/v1/stock/movements", fmt.Sprintf(`{"product_id":%d,"warehouse_id":1,"quantity":"1000000000"}`, i), admin)
	}
	do := func(path, body string, want int) []byte {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		a.Server.ServeHTTP(rec, req)
		if rec.Code != want {
			b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		return rec.Body.Bytes()
	}
	b.ResetTimer()
	cpu := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			body := fmt.Sprintf(`{"customer_id":1,"lines":[{"product_id":%d,"quantity":"5"},`+
				`{"product_id":1,"quantity":"1","discount_percent":"10"},`+
				`{"description":"Delivery","quantity":"1","unit_price":"12.50","vat_rate":"20"}]}`, 2+i%100)
			var inv struct{ ID int64 }
			if err := json.Unmarshal(do("/api/v1/invoices", body, http.StatusCreated), &inv); err != nil {
				b.Fatal(err)
			}
			do(fmt.Sprintf("/api/v1/invoices/%d/validate", inv.ID), `{"warehouse_id":1}`, http.StatusOK)
		}
	})
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e3, "cpu-us/op")
}

// BenchmarkGetInvoiceHTTP measures GET /invoices/{id} of a validated
// invoice with 20 lines (lines, VAT breakdown, totals) in process on
// PostgreSQL, as bench/sales does over TCP.
func BenchmarkGetInvoiceHTTP(b *testing.B) {
	a := apptest.New(b, "postgres")
	admin := a.AdminToken(b)
	a.Do(b, "POST", "/api/v1/warehouses", `{"label":"W"}`, admin)
	a.Do(b, "POST", "/api/v1/thirdparties", `{"name":"C","customer":true}`, admin)
	lines := make([]string, 20)
	for i := range lines {
		a.Do(b, "POST", "/api/v1/products", fmt.Sprintf(`{"ref":"P%d","label":"Product %d","price":"6.36","vat_rate":"21"}`, i, i), admin)
		a.Do(b, "POST", "/api/v1/stock/movements", fmt.Sprintf(`{"product_id":%d,"warehouse_id":1,"quantity":"1000"}`, i+1), admin)
		lines[i] = fmt.Sprintf(`{"product_id":%d,"quantity":"%d","discount_percent":"5"}`, i+1, i+1)
	}
	res := a.Do(b, "POST", "/api/v1/invoices", `{"customer_id":1,"lines":[`+strings.Join(lines, ",")+`]}`, admin)
	if res.Status != http.StatusCreated {
		b.Fatalf("%d %s", res.Status, res.Body)
	}
	if res := a.Do(b, "POST", "/api/v1/invoices/1/validate", `{"warehouse_id":1}`, admin); res.Status != http.StatusOK {
		b.Fatalf("%d %s", res.Status, res.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("GET", "/api/v1/invoices/1", nil)
			req.Header.Set("Authorization", "Bearer "+admin)
			rec := httptest.NewRecorder()
			a.Server.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
	})
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e3, "cpu-us/op")
}
