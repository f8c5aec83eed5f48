package api_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// BenchmarkPayInvoiceWithBankLineHTTP measures the payment hot path in
// process on PostgreSQL: POST /invoices/{id}/payments that locks its
// invoice, then its bank account, and writes payment, allocation, bank
// line, invoice and event in one transaction; 20 invoices and 2 accounts,
// as the concurrency test.
func BenchmarkPayInvoiceWithBankLineHTTP(b *testing.B) {
	a := apptest.New(b, "postgres")
	admin := a.AdminToken(b)
	a.Do(b, "POST", "/api/v1/warehouses", `{"label":"W"}`, admin)
	a.Do(b, "POST", "/api/v1/thirdparties", `{"name":"C","customer":true}`, admin)
	a.Do(b, "POST", "/api/v1/products", `{"ref":"SVC","label":"S","type":"service","price":"50","vat_rate":"20"}`, admin)
	a.Do(b, "POST", "/api/v1/bank-accounts", `{"label":"A"}`, admin)
	a.Do(b, "POST", "/api/v1/bank-accounts", `{"label":"B"}`, admin)
	for i := 1; i <= 20; i++ {
		a.Do(b, "POST", "/api/v1/invoices", `{"customer_id":1,"lines":[{"product_id":1,"quantity":"100000000"}]}`, admin)
		a.Do(b, "POST", fmt.Sprintf("/api/v1/invoices/%d/validate", i), `{"warehouse_id":1}`, admin)
	}
	b.ResetTimer()
	cpu := cpuTime()
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			req := httptest.NewRequest("POST", fmt.Sprintf("/api/v1/invoices/%d/payments", 1+i%20),
				strings.NewReader(fmt.Sprintf(`{"method":"VIR","amount":"1.00","bank_account_id":%d}`, 1+(i/20)%2)))
			req.Header.Set("Authorization", "Bearer "+admin)
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			a.Server.ServeHTTP(rec, req)
			if rec.Code != 201 {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
	})
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e3, "cpu-us/op")
}
