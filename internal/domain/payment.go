package domain

import (
	"strconv"
	"strings"
	"time"
)

// PaymentMethod is how a payment was made; the values map to Dolibarr's
// c_paiement codes (CB, CHQ, LIQ, PRE, VIR).
type PaymentMethod string

// Payment methods.
const (
	PayCard         PaymentMethod = "card"
	PayCheque       PaymentMethod = "cheque"
	PayCash         PaymentMethod = "cash"
	PayDirectDebit  PaymentMethod = "direct_debit"
	PayBankTransfer PaymentMethod = "transfer"
)

// PaymentMethods lists the methods in a stable order.
var PaymentMethods = []PaymentMethod{PayBankTransfer, PayCard, PayCheque, PayCash, PayDirectDebit}

// MaxAllocations bounds the invoices one payment settles.
const MaxAllocations = 200

// Allocation is the part of a payment that settles one invoice.
type Allocation struct {
	InvoiceID int64
	Amount    Decimal
	// InvoiceRef is the invoice's reference, filled when read.
	InvoiceRef string
}

// Payment is money received from (or, negative, refunded to) a customer,
// spread over one or more of its invoices.
type Payment struct {
	ID          int64
	CustomerID  int64
	Date        time.Time // calendar date, midnight UTC
	Amount      Decimal   // the sum of the allocations
	Method      PaymentMethod
	Reference   string // cheque number, transfer reference, ...
	Note        string
	Allocations []Allocation
	CreatedBy   int64
	CreatedAt   time.Time
}

// Check reports every broken invariant of a new payment and sets Amount.
func (p *Payment) Check() error {
	v := &ValidationError{}
	if p.Date.IsZero() {
		v.Add("date", "required", "is required")
	}
	known := false
	for _, m := range PaymentMethods {
		known = known || p.Method == m
	}
	if !known {
		names := make([]string, len(PaymentMethods))
		for i, m := range PaymentMethods {
			names[i] = string(m)
		}
		v.Add("method", "invalid", "must be one of %s", strings.Join(names, ", "))
	}
	checkText(v, "reference", p.Reference, MaxPaymentRefLen, false)
	checkText(v, "note", p.Note, MaxNoteLen, false)
	switch {
	case len(p.Allocations) == 0:
		v.Add("allocations", "required", "at least one invoice must be paid")
	case len(p.Allocations) > MaxAllocations:
		v.Add("allocations", "too_many", "a payment settles at most %d invoices", MaxAllocations)
	}
	seen := map[int64]bool{}
	total := Zero
	for i, a := range p.Allocations {
		f := "allocations[" + strconv.Itoa(i) + "]."
		switch {
		case a.InvoiceID <= 0:
			v.Add(f+"invoice_id", "required", "is required (a positive id)")
		case seen[a.InvoiceID]:
			v.Add(f+"invoice_id", "duplicate", "invoice %d is listed twice", a.InvoiceID)
		}
		seen[a.InvoiceID] = true
		switch {
		case a.Amount.IsZero():
			v.Add(f+"amount", "zero", "must not be zero")
		case a.Amount.Scale() > ScaleTotal:
			v.Add(f+"amount", "too_precise", "must have at most %d digits after the point", ScaleTotal)
		case a.Amount.IntegerDigits() > 12:
			v.Add(f+"amount", "out_of_range", "is too large")
		}
		total = total.Add(a.Amount)
	}
	p.Amount = total
	return v.Err()
}
