package domain

import (
	"errors"
	"testing"
	"time"
)

func TestBestSupplierPrice(t *testing.T) {
	d := MustDecimal
	prices := []SupplierPrice{
		{ID: 1, UnitPrice: d("2"), MinQuantity: d("1"), Active: true},
		{ID: 2, UnitPrice: d("1.5"), MinQuantity: d("100"), Active: true},
		{ID: 3, UnitPrice: d("1"), MinQuantity: d("1"), Active: false},
		{ID: 4, UnitPrice: d("1.5"), MinQuantity: d("50"), Active: true},
	}
	for _, c := range []struct {
		qty  string
		want int64
	}{{"1", 1}, {"49", 1}, {"50", 4}, {"100", 2}, {"0.5", 0}} {
		got := BestSupplierPrice(prices, d(c.qty))
		var id int64
		if got != nil {
			id = got.ID
		}
		if id != c.want {
			t.Errorf("quantity %s: price %d, want %d", c.qty, id, c.want)
		}
	}
}

func TestPurchaseOrderLifeCycle(t *testing.T) {
	now := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	o := &PurchaseOrder{Document: Document{ID: 1, CreatedBy: 7, Lines: []Line{{ID: 1, Quantity: MustDecimal("1")}}}}
	code := func(err error) string {
		var it *IllegalTransition
		if errors.As(err, &it) {
			return it.ErrorCode()
		}
		return ""
	}
	if got := code(o.MarkOrdered(now)); got != "purchase_order_not_approved" {
		t.Fatalf("ordering a draft: %q", got)
	}
	if err := o.Validate(7, now, true); err != nil || o.Status != PurchaseValidated {
		t.Fatalf("validate above the approval amount: %v, %s", err, o.Status)
	}
	if got := code(o.Approve(7, now)); got != "purchase_order_self_approval" {
		t.Fatalf("self approval: %q", got)
	}
	if err := o.Approve(8, now); err != nil || o.Status != PurchaseApproved || o.ApprovedBy != 8 {
		t.Fatalf("approve: %v, %s", err, o.Status)
	}
	if err := o.MarkOrdered(now); err != nil {
		t.Fatal(err)
	}
	o.SetReceived(false)
	if got := code(o.Cancel()); got != "purchase_order_not_cancelable" {
		t.Fatalf("cancel after a reception: %q", got)
	}
	o.SetReceived(true)
	if o.StatusName() != "received" {
		t.Fatalf("status %s", o.StatusName())
	}
	if err := o.Close(); err != nil || o.StatusName() != "closed" {
		t.Fatalf("close: %v %s", err, o.StatusName())
	}
	for _, st := range PurchaseOrderStatuses() {
		if len(st.String()) > MaxStatusLen {
			t.Errorf("status %s does not fit document_events", st)
		}
		if back, ok := ParsePurchaseOrderStatus(st.String()); !ok || back != st {
			t.Errorf("status %s does not parse back", st)
		}
	}
}

func TestSupplierInvoiceRefusalsNameTheirKind(t *testing.T) {
	inv := &SupplierInvoice{Invoice: Invoice{Status: InvoiceValidated}}
	var it *IllegalTransition
	if !errors.As(inv.CheckEditable(), &it) || it.ErrorCode() != "supplier_invoice_not_draft" {
		t.Fatalf("got %v", inv.CheckEditable())
	}
	if err := (&SupplierInvoice{Invoice: Invoice{Type: InvoiceStandard}}).CheckNew(); err == nil {
		t.Fatal("a supplier invoice without supplier_ref and supplier was accepted")
	} else {
		v := validationOf(err)
		fields := map[string]bool{}
		for _, f := range v.Fields {
			fields[f.Field] = true
		}
		if !fields["supplier_ref"] || !fields["supplier_id"] || fields["customer_id"] {
			t.Fatalf("fields %v", v.Fields)
		}
	}
}
