package api_test

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// repFix builds a sales history through the API and keeps, for every
// invoice, the domain entity rebuilt from what the API returns: the
// expected figures of every report are computed from those entities in Go,
// independently of the report SQL.
type repFix struct {
	a     *apptest.App
	admin string

	alpha, bravo, charlie, delta int64
	p1, p2, p3, service          int64
	main, annex                  int64

	invoices []int64 // every invoice and credit note created, drafts included
	products []int64
}

func dateOf(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	require.NoError(t, err)
	return d
}

func (f *repFix) do(t *testing.T, method, path string, body any, want int) *apptest.Response {
	t.Helper()
	res := f.a.Do(t, method, path, body, f.admin)
	require.Equal(t, want, res.Status, "%s %s: %s", method, path, res.Body)
	return res
}

func (f *repFix) create(t *testing.T, path string, body obj) int64 {
	t.Helper()
	return idOf(t, decode(t, f.do(t, http.MethodPost, path, body, http.StatusCreated)))
}

func line(product int64, qty string, extra ...string) obj {
	l := obj{"product_id": product, "quantity": qty}
	for i := 0; i+1 < len(extra); i += 2 {
		l[extra[i]] = extra[i+1]
	}
	return l
}

// invoice creates an invoice dated date, due on due, and validates it out
// of the main warehouse unless draft.
func (f *repFix) invoice(t *testing.T, customer int64, date, due string, draft bool, lines ...obj) int64 {
	t.Helper()
	id := f.create(t, "/api/v1/invoices", obj{"customer_id": customer, "date": date, "due_date": due, "lines": lines})
	f.invoices = append(f.invoices, id)
	if !draft {
		f.validate(t, id)
	}
	return id
}

func (f *repFix) validate(t *testing.T, id int64) {
	t.Helper()
	f.do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/validate", id), obj{"warehouse_id": f.main}, http.StatusOK)
}

func (f *repFix) pay(t *testing.T, id int64, date, amount string) {
	t.Helper()
	body := obj{"date": date, "method": "transfer"}
	if amount != "" {
		body["amount"] = amount
	}
	f.do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/payments", id), body, http.StatusCreated)
}

func newRepFix(t *testing.T, a *apptest.App) *repFix {
	t.Helper()
	f := &repFix{a: a, admin: a.AdminToken(t)}
	// Names sort the same way under every engine's collation.
	f.alpha = f.create(t, "/api/v1/thirdparties", obj{"name": "Alpha", "customer": true})
	f.bravo = f.create(t, "/api/v1/thirdparties", obj{"name": "Bravo", "customer": true})
	f.charlie = f.create(t, "/api/v1/thirdparties", obj{"name": "Charlie", "customer": true})
	f.delta = f.create(t, "/api/v1/thirdparties", obj{"name": "Delta", "customer": true})
	f.p1 = f.create(t, "/api/v1/products", obj{"ref": "WIDGET", "label": "Widget", "price": "6.36", "vat_rate": "21"})
	f.p2 = f.create(t, "/api/v1/products", obj{"ref": "GADGET", "label": "Gadget", "price": "10", "vat_rate": "10"})
	f.p3 = f.create(t, "/api/v1/products", obj{"ref": "=BOLT", "label": "Bolt, \"M3\"", "price": "3.333", "vat_rate": "5.5"})
	f.service = f.create(t, "/api/v1/products", obj{"ref": "SUPPORT", "label": "Support", "type": "service", "price": "50", "vat_rate": "20"})
	f.products = []int64{f.p1, f.p2, f.p3, f.service}
	f.main = f.create(t, "/api/v1/warehouses", obj{"label": "Main"})
	f.annex = f.create(t, "/api/v1/warehouses", obj{"label": "Annex"})
	// Receipts at different prices give fractional weighted average costs.
	for _, m := range []obj{
		{"product_id": f.p1, "warehouse_id": f.main, "quantity": "100", "unit_price": "2.10"},
		{"product_id": f.p1, "warehouse_id": f.main, "quantity": "50", "unit_price": "2.55"},
		{"product_id": f.p2, "warehouse_id": f.annex, "quantity": "40", "unit_price": "7.333"},
		{"product_id": f.p2, "warehouse_id": f.main, "quantity": "30", "unit_price": "7.10"},
		{"product_id": f.p3, "warehouse_id": f.main, "quantity": "1000", "unit_price": "0.12345"},
		{"product_id": f.p3, "warehouse_id": f.annex, "quantity": "0.5", "unit_price": "0.33333"},
	} {
		f.do(t, http.MethodPost, "/api/v1/stock/movements", m, http.StatusCreated)
	}

	// Rounding per line (the default): several rates, a discount, a
	// free-text line, full and partial payments.
	i1 := f.invoice(t, f.alpha, "2025-01-15", "2025-02-14", false,
		line(f.p1, "3"), line(f.service, "1.5", "discount_percent", "10"),
		obj{"description": "Setup", "quantity": "1", "unit_price": "12.345", "vat_rate": "5.5"})
	f.pay(t, i1, "2025-02-01", "")
	i2 := f.invoice(t, f.bravo, "2025-01-20", "2025-03-01", false, line(f.p2, "7"), line(f.p3, "33"))
	f.pay(t, i2, "2025-02-10", "50.00")
	f.invoice(t, f.alpha, "2025-02-03", "2025-12-15", false, line(f.p1, "10", "discount_percent", "5"))
	i4 := f.invoice(t, f.charlie, "2025-11-20", "2026-01-19", false, line(f.service, "2"))
	i5 := f.invoice(t, f.charlie, "2025-10-10", "2025-11-09", false, line(f.p2, "1"))
	f.pay(t, i5, "2025-11-01", "5.55")
	f.invoice(t, f.bravo, "2025-09-15", "2025-10-15", false, line(f.p3, "3"))
	f.invoice(t, f.alpha, "2024-12-31", "2025-01-30", false, line(f.p2, "2", "unit_price", "9.99"))
	// The edges: dated on the last day of the range and the day after;
	// exactly 0, 30 and 90 days late on 2025-12-31.
	f.invoice(t, f.alpha, "2025-12-31", "2025-12-31", false, line(f.p3, "1"))
	f.invoice(t, f.alpha, "2026-01-01", "2026-01-31", false, line(f.p3, "2"))
	f.invoice(t, f.charlie, "2025-11-01", "2025-12-01", false, line(f.p2, "1", "unit_price", "1.11"))
	f.invoice(t, f.charlie, "2025-09-01", "2025-10-02", false, line(f.service, "1", "unit_price", "0.99"))
	// A draft and an abandoned invoice count nowhere.
	f.invoice(t, f.delta, "2025-03-01", "2025-03-31", true, line(f.p1, "1"))
	ab := f.invoice(t, f.delta, "2025-03-05", "2025-04-04", false, line(f.service, "1"))
	f.do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/cancel", ab), obj{"reason": "abandon"}, http.StatusOK)

	// A full credit note of i1 (dated by the API today, moved back into
	// 2025 while a draft) partly refunded, and a partial credit note of i2.
	cn := idOf(t, decode(t, f.do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/create-credit-note", i1), nil, http.StatusCreated)))
	f.invoices = append(f.invoices, cn)
	f.do(t, http.MethodPatch, fmt.Sprintf("/api/v1/invoices/%d", cn), obj{"date": "2025-02-20", "due_date": "2025-02-20", "version": 1}, http.StatusOK)
	f.validate(t, cn)
	f.pay(t, cn, "2025-03-01", "-10.00")
	cn2 := f.create(t, "/api/v1/invoices", obj{"customer_id": f.bravo, "type": "credit_note", "source_invoice_id": i2,
		"date": "2025-01-31", "due_date": "2025-01-31", "lines": []obj{line(f.p2, "2", "unit_price", "-10")}})
	f.invoices = append(f.invoices, cn2)
	f.validate(t, cn2)
	// A credit note of Charlie turned into a customer credit (closed, so
	// out of aging) and used on Charlie's open invoice of 2025-11-20,
	// whose remainder aging then shows net of the credit.
	cn3 := f.create(t, "/api/v1/invoices", obj{"customer_id": f.charlie, "type": "credit_note", "source_invoice_id": i5,
		"date": "2025-11-05", "due_date": "2025-11-05", "lines": []obj{{"description": "Goodwill", "quantity": "1", "unit_price": "-20", "vat_rate": "20"}}})
	f.invoices = append(f.invoices, cn3)
	f.validate(t, cn3)
	credit := idOf(t, decode(t, f.do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/convert-to-credit", cn3), nil, http.StatusCreated)))
	f.do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/use-credit", i4), obj{"credit_id": credit}, http.StatusOK)

	// Rounding of the sum per rate: three 21 % lines whose VAT rounds
	// differently once summed (4.01, not 3 × 1.34).
	cfg := a.Config
	cfg.Sales.RoundingMode = "round_of_sum"
	f.a = a.Restart(t, cfg)
	i7 := f.invoice(t, f.alpha, "2025-02-25", "2025-03-27", false, line(f.p1, "1"), line(f.p1, "1"), line(f.p1, "1"), line(f.service, "1"))
	f.pay(t, i7, "2025-03-10", "")
	f.invoice(t, f.bravo, "2025-12-30", "2026-01-29", false, line(f.p3, "7"))
	return f
}

// domainInvoices rebuilds every invoice as a domain entity from the API
// and recomputes it; the recomputed totals must be the stored ones.
func (f *repFix) domainInvoices(t *testing.T) []*domain.Invoice {
	t.Helper()
	var out []*domain.Invoice
	sawRoundOfSum, sawCreditUsed := false, false
	for _, id := range f.invoices {
		var r api.InvoiceResponse
		f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/invoices/%d", id), nil, http.StatusOK).JSON(t, &r)
		inv := &domain.Invoice{DueDate: dateOf(t, r.DueDate), Paid: domain.MustDecimal(r.Paid), CreditUsed: domain.MustDecimal(r.CreditUsed)}
		sawCreditUsed = sawCreditUsed || !inv.CreditUsed.IsZero()
		inv.ID, inv.CustomerID, inv.Date = r.ID, r.CustomerID, dateOf(t, r.Date)
		var ok bool
		inv.Type, ok = domain.ParseInvoiceType(r.Type)
		require.True(t, ok)
		inv.Status, ok = domain.ParseInvoiceStatus(r.Status)
		require.True(t, ok)
		inv.Rounding, ok = domain.ParseRoundingMode(r.RoundingMode)
		require.True(t, ok)
		sawRoundOfSum = sawRoundOfSum || inv.Rounding == domain.RoundOfSum
		require.NotNil(t, r.Lines)
		for _, l := range *r.Lines {
			dl := domain.Line{Quantity: domain.MustDecimal(l.Quantity), UnitPrice: domain.MustDecimal(l.UnitPrice),
				DiscountPercent: domain.MustDecimal(l.DiscountPercent), VATRate: domain.MustDecimal(l.VATRate)}
			if l.ProductID != nil {
				dl.ProductID = *l.ProductID
			}
			inv.Lines = append(inv.Lines, dl)
		}
		inv.Recompute()
		for _, c := range [][2]string{{r.TotalExclTax, inv.TotalExclTax.Text(2)}, {r.TotalVAT, inv.TotalVAT.Text(2)}, {r.TotalInclTax, inv.TotalInclTax.Text(2)}} {
			require.Equal(t, c[0], c[1], "invoice %d: stored and recomputed totals", id)
		}
		out = append(out, inv)
	}
	require.True(t, sawRoundOfSum)
	require.True(t, sawCreditUsed, "an open invoice has a customer credit used on it")
	return out
}

// counted reports whether an invoice counts in turnover, VAT and the top
// lists: validated or paid, dated in [from, to].
func counted(inv *domain.Invoice, from, to time.Time) bool {
	return (inv.Status == domain.InvoiceValidated || inv.Status == domain.InvoicePaid) &&
		!inv.Date.Before(from) && !inv.Date.After(to)
}

func period(d time.Time, grain string) string {
	switch grain {
	case "day":
		return d.Format(time.DateOnly)
	case "year":
		return d.Format("2006")
	}
	return d.Format("2006-01")
}

type sums struct {
	n, cn        int64
	excl, vat, i domain.Decimal
	extra        []domain.Decimal
}

func amt(d domain.Decimal) string { return d.Text(2) }

func (f *repFix) expectTurnover(invs []*domain.Invoice, from, to time.Time, grain string, customer int64, perCustomer bool) ([]obj, obj) {
	type key struct {
		period   string
		customer int64
	}
	groups := map[key]*sums{}
	tot := &sums{}
	for _, inv := range invs {
		if !counted(inv, from, to) || (customer != 0 && inv.CustomerID != customer) {
			continue
		}
		k := key{period: period(inv.Date, grain)}
		if perCustomer {
			k.customer = inv.CustomerID
		}
		g := cmp.Or(groups[k], &sums{})
		groups[k] = g
		for _, s := range []*sums{g, tot} {
			if inv.Type == domain.InvoiceCreditNote {
				s.cn++
			} else {
				s.n++
			}
			s.excl, s.vat, s.i = s.excl.Add(inv.TotalExclTax), s.vat.Add(inv.TotalVAT), s.i.Add(inv.TotalInclTax)
		}
	}
	keys := make([]key, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.period, b.period), cmp.Compare(f.name(a.customer), f.name(b.customer)))
	})
	var rows []obj
	for _, k := range keys {
		s := groups[k]
		r := obj{"period": k.period, "invoices": float64(s.n), "credit_notes": float64(s.cn),
			"amount_excl_tax": amt(s.excl), "amount_vat": amt(s.vat), "amount_incl_tax": amt(s.i)}
		if perCustomer {
			r["customer_id"], r["customer_name"] = float64(k.customer), f.name(k.customer)
		}
		rows = append(rows, r)
	}
	return rows, obj{"invoices": float64(tot.n), "credit_notes": float64(tot.cn),
		"amount_excl_tax": amt(tot.excl), "amount_vat": amt(tot.vat), "amount_incl_tax": amt(tot.i)}
}

func (f *repFix) name(customer int64) string {
	return map[int64]string{f.alpha: "Alpha", f.bravo: "Bravo", f.charlie: "Charlie", f.delta: "Delta"}[customer]
}

var agingBuckets = []string{"not_due", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "total"}

func (f *repFix) expectAging(invs []*domain.Invoice, asOf time.Time, customer int64) ([]obj, obj) {
	groups := map[int64]*sums{}
	tot := &sums{extra: make([]domain.Decimal, 6)}
	for _, inv := range invs {
		if inv.Status != domain.InvoiceValidated || inv.Date.After(asOf) || (customer != 0 && inv.CustomerID != customer) {
			continue
		}
		late := int(asOf.Sub(inv.DueDate).Hours() / 24)
		b := 4
		switch {
		case late <= 0:
			b = 0
		case late <= 30:
			b = 1
		case late <= 60:
			b = 2
		case late <= 90:
			b = 3
		}
		g := groups[inv.CustomerID]
		if g == nil {
			g = &sums{extra: make([]domain.Decimal, 6)}
			groups[inv.CustomerID] = g
		}
		for _, s := range []*sums{g, tot} {
			s.n++
			s.extra[b] = s.extra[b].Add(inv.Remaining())
			s.extra[5] = s.extra[5].Add(inv.Remaining())
		}
	}
	ids := slices.Collect(func(yield func(int64) bool) {
		for id := range groups {
			if !yield(id) {
				return
			}
		}
	})
	slices.SortFunc(ids, func(a, b int64) int { return cmp.Compare(f.name(a), f.name(b)) })
	var rows []obj
	for _, id := range ids {
		r := obj{"customer_id": float64(id), "customer_name": f.name(id), "invoices": float64(groups[id].n)}
		for i, b := range agingBuckets {
			r[b] = amt(groups[id].extra[i])
		}
		rows = append(rows, r)
	}
	totals := obj{"invoices": float64(tot.n)}
	for i, b := range agingBuckets {
		totals[b] = amt(tot.extra[i])
	}
	return rows, totals
}

func expectVAT(invs []*domain.Invoice, from, to time.Time, grain string) ([]obj, obj) {
	type key struct {
		period string
		rate   string
	}
	groups := map[key]*sums{}
	rates := map[string]domain.Decimal{}
	tot := &sums{}
	for _, inv := range invs {
		if !counted(inv, from, to) {
			continue
		}
		// The document's own VAT breakdown, per its rounding mode.
		for _, v := range inv.Totals().ByRate {
			k := key{period(inv.Date, grain), v.Rate.String()}
			rates[k.rate] = v.Rate
			g := cmp.Or(groups[k], &sums{})
			groups[k] = g
			for _, s := range []*sums{g, tot} {
				s.excl, s.vat = s.excl.Add(v.Base), s.vat.Add(v.Amount)
			}
		}
	}
	keys := slices.Collect(func(yield func(key) bool) {
		for k := range groups {
			if !yield(k) {
				return
			}
		}
	})
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.period, b.period), rates[a.rate].Cmp(rates[b.rate]))
	})
	var rows []obj
	for _, k := range keys {
		s := groups[k]
		rows = append(rows, obj{"period": k.period, "vat_rate": k.rate, "amount_excl_tax": amt(s.excl),
			"amount_vat": amt(s.vat), "amount_incl_tax": amt(s.excl.Add(s.vat))})
	}
	return rows, obj{"amount_excl_tax": amt(tot.excl), "amount_vat": amt(tot.vat), "amount_incl_tax": amt(tot.excl.Add(tot.vat))}
}

func (f *repFix) expectTopCustomers(invs []*domain.Invoice, from, to time.Time, limit int) ([]obj, obj) {
	groups := map[int64]*sums{}
	for _, inv := range invs {
		if !counted(inv, from, to) {
			continue
		}
		g := cmp.Or(groups[inv.CustomerID], &sums{})
		groups[inv.CustomerID] = g
		if inv.Type == domain.InvoiceCreditNote {
			g.cn++
		} else {
			g.n++
		}
		g.excl, g.i = g.excl.Add(inv.TotalExclTax), g.i.Add(inv.TotalInclTax)
	}
	ids := slices.Collect(func(yield func(int64) bool) {
		for id := range groups {
			if !yield(id) {
				return
			}
		}
	})
	slices.SortFunc(ids, func(a, b int64) int { return cmp.Or(groups[b].excl.Cmp(groups[a].excl), cmp.Compare(a, b)) })
	ids = ids[:min(limit, len(ids))]
	var rows []obj
	tot := &sums{}
	for _, id := range ids {
		g := groups[id]
		rows = append(rows, obj{"customer_id": float64(id), "customer_name": f.name(id), "invoices": float64(g.n),
			"credit_notes": float64(g.cn), "amount_excl_tax": amt(g.excl), "amount_incl_tax": amt(g.i)})
		tot.n, tot.cn, tot.excl, tot.i = tot.n+g.n, tot.cn+g.cn, tot.excl.Add(g.excl), tot.i.Add(g.i)
	}
	return rows, obj{"invoices": float64(tot.n), "credit_notes": float64(tot.cn), "amount_excl_tax": amt(tot.excl), "amount_incl_tax": amt(tot.i)}
}

func (f *repFix) expectTopProducts(t *testing.T, invs []*domain.Invoice, from, to time.Time, limit int) ([]obj, obj) {
	qty, amount := map[int64]domain.Decimal{}, map[int64]domain.Decimal{}
	for _, inv := range invs {
		if !counted(inv, from, to) {
			continue
		}
		for _, l := range inv.Lines {
			if l.ProductID == 0 {
				continue
			}
			q := l.Quantity
			if inv.Type == domain.InvoiceCreditNote {
				q = q.Neg()
			}
			qty[l.ProductID] = qty[l.ProductID].Add(q)
			amount[l.ProductID] = amount[l.ProductID].Add(l.TotalExclTax)
		}
	}
	ids := slices.Collect(func(yield func(int64) bool) {
		for id := range amount {
			if !yield(id) {
				return
			}
		}
	})
	slices.SortFunc(ids, func(a, b int64) int { return cmp.Or(amount[b].Cmp(amount[a]), cmp.Compare(a, b)) })
	ids = ids[:min(limit, len(ids))]
	var rows []obj
	var tot domain.Decimal
	for _, id := range ids {
		p := decode(t, f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/products/%d", id), nil, http.StatusOK))
		rows = append(rows, obj{"product_id": float64(id), "product_ref": p["ref"], "product_label": p["label"],
			"quantity": qty[id].String(), "amount_excl_tax": amt(amount[id])})
		tot = tot.Add(amount[id])
	}
	return rows, obj{"amount_excl_tax": amt(tot)}
}

func (f *repFix) expectStock(t *testing.T, warehouse int64) ([]obj, obj) {
	labels := map[int64]string{f.main: "Main", f.annex: "Annex"}
	var rows []obj
	var tot domain.Decimal
	for _, id := range f.products { // created in id order
		p := decode(t, f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/products/%d", id), nil, http.StatusOK))
		var st struct {
			Warehouses []struct {
				WarehouseID int64  `json:"warehouse_id"`
				Quantity    string `json:"quantity"`
			} `json:"warehouses"`
		}
		f.do(t, http.MethodGet, fmt.Sprintf("/api/v1/products/%d/stock", id), nil, http.StatusOK).JSON(t, &st)
		slices.SortFunc(st.Warehouses, func(a, b struct {
			WarehouseID int64  `json:"warehouse_id"`
			Quantity    string `json:"quantity"`
		}) int {
			return cmp.Compare(a.WarehouseID, b.WarehouseID)
		})
		avg := domain.MustDecimal(p["average_cost"].(string))
		for _, w := range st.Warehouses {
			q := domain.MustDecimal(w.Quantity)
			if q.IsZero() || (warehouse != 0 && w.WarehouseID != warehouse) {
				continue
			}
			v := q.Mul(avg).Round(2)
			tot = tot.Add(v)
			rows = append(rows, obj{"product_id": float64(id), "product_ref": p["ref"], "product_label": p["label"],
				"warehouse_id": float64(w.WarehouseID), "warehouse_label": labels[w.WarehouseID],
				"quantity": q.String(), "average_cost": avg.Text(2), "value": amt(v)})
		}
	}
	return rows, obj{"value": amt(tot)}
}

// report fetches a report as JSON and returns its rows and totals.
func (f *repFix) report(t *testing.T, path string, q url.Values) ([]obj, obj, obj) {
	t.Helper()
	var body struct {
		Report     string `json:"report"`
		Parameters obj    `json:"parameters"`
		Data       []obj  `json:"data"`
		Totals     obj    `json:"totals"`
		RowCount   int    `json:"row_count"`
	}
	f.do(t, http.MethodGet, "/api/v1/reports/"+path+"?"+q.Encode(), nil, http.StatusOK).JSON(t, &body)
	require.Len(t, body.Data, body.RowCount)
	return body.Data, body.Totals, body.Parameters
}

func expectRows(t *testing.T, what string, want []obj, wantTotals obj, got []obj, gotTotals obj) {
	t.Helper()
	if want == nil {
		want = []obj{}
	}
	require.Equal(t, want, got, "%s: rows (expected from the domain, then the report)", what)
	require.Equal(t, wantTotals, gotTotals, "%s: totals", what)
}

// TestReportsAgreeWithTheDomain builds invoices (several rates and dates,
// both rounding modes, discounts, a free-text line, partial payments, a
// full and a partial credit note, a draft, an abandoned invoice) and stock
// receipts through the API on each engine, computes every report's figures
// in Go from the domain entities, and compares them with each report.
func TestReportsAgreeWithTheDomain(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newRepFix(t, a)
		invs := f.domainInvoices(t)
		y2025 := url.Values{"from": {"2025-01-01"}, "to": {"2025-12-31"}}
		with := func(v url.Values, kv ...string) url.Values {
			out := url.Values{}
			for k, vs := range v {
				out[k] = vs
			}
			for i := 0; i+1 < len(kv); i += 2 {
				out.Set(kv[i], kv[i+1])
			}
			return out
		}
		from, to := dateOf(t, "2025-01-01"), dateOf(t, "2025-12-31")
		id := func(n int64) string { return strconv.FormatInt(n, 10) }

		t.Run("turnover", func(t *testing.T) {
			rows, tot := f.expectTurnover(invs, from, to, "month", 0, false)
			require.Len(t, rows, 6, "Jan, Feb, Sep, Oct, Nov, Dec 2025")
			got, gotTot, params := f.report(t, "turnover", y2025)
			expectRows(t, "turnover by month", rows, tot, got, gotTot)
			require.Equal(t, obj{"from": "2025-01-01", "to": "2025-12-31", "group_by": "month", "customer_id": nil, "per_customer": false}, params)

			rows, tot = f.expectTurnover(invs, dateOf(t, "2024-01-01"), to, "year", 0, true)
			got, gotTot, _ = f.report(t, "turnover", url.Values{"from": {"2024-01-01"}, "to": {"2025-12-31"}, "group_by": {"year"}, "per_customer": {"true"}})
			expectRows(t, "turnover by year and customer", rows, tot, got, gotTot)

			rows, tot = f.expectTurnover(invs, from, to, "day", f.alpha, false)
			got, gotTot, _ = f.report(t, "turnover", with(y2025, "group_by", "day", "customer_id", id(f.alpha)))
			expectRows(t, "turnover of Alpha by day", rows, tot, got, gotTot)
			require.Equal(t, "2025-01-15", got[0]["period"])
			require.Equal(t, float64(1), gotTot["credit_notes"], "the credit note of 2025-02-20 subtracts")
		})
		t.Run("aging", func(t *testing.T) {
			for _, asOf := range []string{"2025-12-31", "2025-06-30", "2025-01-25"} {
				rows, tot := f.expectAging(invs, dateOf(t, asOf), 0)
				got, gotTot, _ := f.report(t, "aging", url.Values{"as_of": {asOf}})
				expectRows(t, "aging as of "+asOf, rows, tot, got, gotTot)
			}
			rows, tot := f.expectAging(invs, dateOf(t, "2025-12-31"), 0)
			for i, b := range agingBuckets[:5] {
				require.NotEqual(t, "0.00", tot[b], "bucket %s has an invoice as of 2025-12-31 (%d)", b, i)
			}
			require.Len(t, rows, 3, "Alpha (with its unrefunded credit note), Bravo, Charlie")
			rows, tot = f.expectAging(invs, dateOf(t, "2025-12-31"), f.bravo)
			got, gotTot, _ := f.report(t, "aging", url.Values{"as_of": {"2025-12-31"}, "customer_id": {id(f.bravo)}})
			expectRows(t, "aging of Bravo", rows, tot, got, gotTot)
		})
		t.Run("vat", func(t *testing.T) {
			for _, grain := range []string{"month", "year"} {
				rows, tot := expectVAT(invs, from, to, grain)
				got, gotTot, _ := f.report(t, "vat", with(y2025, "group_by", grain))
				expectRows(t, "VAT by "+grain, rows, tot, got, gotTot)
			}
			// February's 21 % VAT includes the round_of_sum invoice, whose VAT
			// at that rate is 4.01 where its three lines' VAT adds up to 4.02:
			// the report follows each document's rounding mode.
			var feb21 obj
			got, _, _ := f.report(t, "vat", y2025)
			for _, r := range got {
				if r["period"] == "2025-02" && r["vat_rate"] == "21" {
					feb21 = r
				}
			}
			require.NotNil(t, feb21)
			var linesVAT domain.Decimal
			for _, inv := range invs {
				if counted(inv, dateOf(t, "2025-02-01"), dateOf(t, "2025-02-28")) {
					for _, l := range inv.Lines {
						if l.VATRate.Equal(domain.DecimalFromInt(21)) {
							linesVAT = linesVAT.Add(l.TotalVAT)
						}
					}
				}
			}
			require.Equal(t, "12.69", feb21["amount_vat"])
			require.Equal(t, "12.70", amt(linesVAT), "summing the lines' VAT would be off by a cent")
		})
		t.Run("top customers", func(t *testing.T) {
			for _, limit := range []int{2, 10} {
				rows, tot := f.expectTopCustomers(invs, from, to, limit)
				got, gotTot, _ := f.report(t, "top-customers", with(y2025, "limit", strconv.Itoa(limit)))
				expectRows(t, fmt.Sprintf("top %d customers", limit), rows, tot, got, gotTot)
			}
		})
		t.Run("top products", func(t *testing.T) {
			for _, limit := range []int{1, 10} {
				rows, tot := f.expectTopProducts(t, invs, from, to, limit)
				got, gotTot, _ := f.report(t, "top-products", with(y2025, "limit", strconv.Itoa(limit)))
				expectRows(t, fmt.Sprintf("top %d products", limit), rows, tot, got, gotTot)
			}
		})
		t.Run("stock valuation", func(t *testing.T) {
			rows, tot := f.expectStock(t, 0)
			require.Len(t, rows, 5, "Widget, Gadget x2 and Bolt x2 hold stock; the service does not")
			got, gotTot, _ := f.report(t, "stock-valuation", nil)
			expectRows(t, "stock valuation", rows, tot, got, gotTot)
			rows, tot = f.expectStock(t, f.annex)
			got, gotTot, _ = f.report(t, "stock-valuation", url.Values{"warehouse_id": {id(f.annex)}})
			expectRows(t, "stock valuation of Annex", rows, tot, got, gotTot)
		})
		t.Run("csv", func(t *testing.T) {
			// The CSV holds the JSON's rows, a header and a Total row; a text
			// cell that looks like a formula is neutralised.
			rows, tot := f.expectStock(t, 0)
			res := f.a.DoHeader(t, http.MethodGet, "/api/v1/reports/stock-valuation", nil,
				http.Header{"Authorization": {"Bearer " + f.admin}, "Accept": {"application/json;q=0.5, text/csv"}})
			require.Equal(t, http.StatusOK, res.Status, string(res.Body))
			require.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
			require.Equal(t, `attachment; filename=stock-valuation.csv`, res.Header.Get("Content-Disposition"))
			recs, err := csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
			require.NoError(t, err)
			cols := []string{"product_id", "product_ref", "product_label", "warehouse_id", "warehouse_label", "quantity", "average_cost", "value"}
			require.Equal(t, cols, recs[0])
			require.Len(t, recs, len(rows)+2)
			for i, r := range rows {
				for j, c := range cols {
					want := fmt.Sprint(r[c])
					if c == "product_ref" && want == "=BOLT" {
						want = "'=BOLT"
					}
					require.Equal(t, want, recs[i+1][j], "row %d column %s", i, c)
				}
			}
			require.Equal(t, []string{"", "Total", "", "", "", "", "", tot["value"].(string)}, recs[len(recs)-1])

			q := with(y2025, "per_customer", "1", "format", "csv")
			want, wantTot := f.expectTurnover(invs, from, to, "month", 0, true)
			res = f.do(t, http.MethodGet, "/api/v1/reports/turnover?"+q.Encode(), nil, http.StatusOK)
			require.Equal(t, `attachment; filename=turnover_2025-01-01_2025-12-31.csv`, res.Header.Get("Content-Disposition"))
			recs, err = csv.NewReader(bytes.NewReader(res.Body)).ReadAll()
			require.NoError(t, err)
			cols = []string{"period", "customer_id", "customer_name", "invoices", "credit_notes", "amount_excl_tax", "amount_vat", "amount_incl_tax"}
			require.Equal(t, cols, recs[0])
			require.Len(t, recs, len(want)+2)
			for i, r := range want {
				for j, c := range cols {
					require.Equal(t, fmt.Sprint(r[c]), recs[i+1][j], "row %d column %s", i, c)
				}
			}
			require.Equal(t, []string{"Total", "", "", fmt.Sprint(wantTot["invoices"]), fmt.Sprint(wantTot["credit_notes"]),
				wantTot["amount_excl_tax"].(string), wantTot["amount_vat"].(string), wantTot["amount_incl_tax"].(string)}, recs[len(recs)-1])
		})
	}, apptest.WithConfig(func(c *app.Config) { c.Sales.NumberingBackdated = "allow" })) // a history built out of date order
}

// TestReportParametersPermissionsAndFormats: report:read guards every
// route; text that does not parse is a 400, values out of range a 422
// naming every field; defaults are echoed; an empty report is still a
// whole document; Accept and ?format choose the format.
func TestReportParametersPermissionsAndFormats(t *testing.T) {
	a := apptest.New(t, "sqlite")
	reader := a.Token(t, domain.PermReportRead)
	other := a.Token(t, domain.PermInvoiceRead)
	for _, path := range []string{"turnover", "aging", "vat", "top-customers", "top-products", "stock-valuation"} {
		u := "/api/v1/reports/" + path
		require.Equal(t, http.StatusUnauthorized, a.Do(t, http.MethodGet, u, nil, "").Status, path)
		require.Equal(t, http.StatusForbidden, a.Do(t, http.MethodGet, u, nil, other).Status, path)
		res := a.Do(t, http.MethodGet, u, nil, reader)
		require.Equal(t, http.StatusOK, res.Status, "%s: %s", path, res.Body)
		body := decode(t, res)
		require.Equal(t, []any{}, body["data"], path)
		require.Equal(t, float64(0), body["row_count"], path)
	}

	today := domain.DateOnly(a.Now())
	get := func(path string) (params, totals obj) {
		var body struct {
			Parameters obj `json:"parameters"`
			Totals     obj `json:"totals"`
		}
		a.Do(t, http.MethodGet, path, nil, reader).JSON(t, &body)
		return body.Parameters, body.Totals
	}
	params, totals := get("/api/v1/reports/turnover")
	require.Equal(t, obj{"from": fmt.Sprintf("%d-01-01", today.Year()), "to": today.Format(time.DateOnly), "group_by": "month",
		"customer_id": nil, "per_customer": false}, params)
	require.Equal(t, obj{"invoices": float64(0), "credit_notes": float64(0), "amount_excl_tax": "0.00", "amount_vat": "0.00", "amount_incl_tax": "0.00"}, totals)
	params, _ = get("/api/v1/reports/aging")
	require.Equal(t, obj{"as_of": today.Format(time.DateOnly), "customer_id": nil}, params)
	params, _ = get("/api/v1/reports/top-products")
	require.Equal(t, float64(10), params["limit"])

	for q, code := range map[string]string{
		"turnover?from=2025-13-01":          "invalid_query",
		"turnover?to=yesterday":             "invalid_query",
		"turnover?from=0001-01-01":          "invalid_query",
		"turnover?customer_id=abc":          "invalid_query",
		"turnover?per_customer=maybe":       "invalid_query",
		"aging?as_of=2025-02-30":            "invalid_query",
		"top-customers?limit=0":             "invalid_query",
		"top-products?limit=ten":            "invalid_query",
		"stock-valuation?warehouse_id=-1":   "invalid_query",
		"stock-valuation?format=xlsx":       "invalid_query",
		"vat?group_by=week&format=pdf":      "invalid_query",
		"top-customers?from=2025-1-1&limit": "invalid_query",
	} {
		res := a.Do(t, http.MethodGet, "/api/v1/reports/"+q, nil, reader)
		require.Equal(t, http.StatusBadRequest, res.Status, "%s: %s", q, res.Body)
		require.Equal(t, code, res.Problem(t).Code, q)
	}

	res := a.Do(t, http.MethodGet, "/api/v1/reports/turnover?from=2025-06-01&to=2025-05-31&group_by=week", nil, reader)
	require.Equal(t, http.StatusUnprocessableEntity, res.Status, string(res.Body))
	p := res.Problem(t)
	require.Equal(t, "validation_failed", p.Code)
	require.ElementsMatch(t, []domain.FieldError{
		{Field: "from", Code: "after_to", Message: "must not be after to (2025-05-31)"},
		{Field: "group_by", Code: "invalid", Message: "must be day, month or year"},
	}, p.Errors)
	for q, field := range map[string]string{
		"vat?from=2000-01-01&to=2025-12-31":          "to",
		"top-customers?limit=10001":                  "limit",
		"aging?as_of=1899-12-31":                     "as_of",
		"top-products?from=2025-01-01&to=3000-01-01": "to",
	} {
		res := a.Do(t, http.MethodGet, "/api/v1/reports/"+q, nil, reader)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s: %s", q, res.Body)
		require.Equal(t, field, res.Problem(t).Errors[0].Field, q)
	}

	for _, c := range []struct {
		query, accept, want string
	}{
		{"", "", "application/json"},
		{"", "text/csv", "text/csv; charset=utf-8"},
		{"", "text/*", "text/csv; charset=utf-8"},
		{"", "text/csv;q=0.5, application/json", "application/json"},
		{"", "application/json;q=0.1, text/csv;q=0.9", "text/csv; charset=utf-8"},
		{"", "*/*", "application/json"},
		{"", "application/xml", "application/json"},
		{"?format=json", "text/csv", "application/json"},
		{"?format=csv", "application/json", "text/csv; charset=utf-8"},
	} {
		h := http.Header{"Authorization": {"Bearer " + reader}}
		if c.accept != "" {
			h.Set("Accept", c.accept)
		}
		res := a.DoHeader(t, http.MethodGet, "/api/v1/reports/aging"+c.query, nil, h)
		require.Equal(t, http.StatusOK, res.Status)
		require.Equal(t, c.want, res.Header.Get("Content-Type"), "query %q, Accept %q", c.query, c.accept)
		if c.want != "application/json" {
			require.Equal(t, "customer_id,customer_name,invoices,not_due,days_1_30,days_31_60,days_61_90,days_over_90,total\n"+
				",Total,0,0.00,0.00,0.00,0.00,0.00,0.00\n", string(res.Body), "an empty report still has its header and Total row")
		}
	}
}
