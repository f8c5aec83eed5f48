package domain

import (
	"errors"
	"strconv"
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

// LegacyMethodCodes maps the five method names of the first releases to
// the Dolibarr code of the payment-method dictionary they are stored as;
// clients may keep sending them.
var LegacyMethodCodes = map[PaymentMethod]string{
	PayBankTransfer: "VIR", PayCard: "CB", PayCheque: "CHQ", PayCash: "LIQ", PayDirectDebit: "PRE",
}

// MethodCode returns the dictionary code of m: m itself, or the code a
// legacy name stands for.
func MethodCode(m PaymentMethod) string {
	if c, ok := LegacyMethodCodes[m]; ok {
		return c
	}
	return string(m)
}

// LegacyMethodName returns the legacy name of a dictionary code (the key
// of its printed label), or code itself.
func LegacyMethodName(code string) string {
	for m, c := range LegacyMethodCodes {
		if c == code {
			return string(m)
		}
	}
	return code
}

// PaymentMethodEntry is one entry of the payment-method dictionary
// (Dolibarr's c_paiement): a code payments name, and whether a payment by
// it must carry a reference (a cheque number, a bill's number).
type PaymentMethodEntry struct {
	Code           string
	Label          string
	NeedsReference bool
	Active         bool
	// Builtin entries are seeded (Dolibarr's codes); they can be
	// deactivated but not deleted.
	Builtin bool
}

// Validate reports every broken invariant of the entry.
func (m *PaymentMethodEntry) Validate() error {
	v := &ValidationError{}
	checkMethodCode(v, "code", m.Code)
	checkText(v, "label", m.Label, MaxPaymentMethodLabelLen, true)
	return v.Err()
}

// CheckUsable refuses an inactive method.
func (m *PaymentMethodEntry) CheckUsable() error {
	if !m.Active {
		return E(ErrConflict, "payment_method_inactive", "payment method %s is inactive", m.Code)
	}
	return nil
}

// checkMethodCode accepts 1 to MaxPaymentMethodLen upper-case letters,
// digits or underscores, as Dolibarr's codes are.
func checkMethodCode(v *ValidationError, field, s string) {
	ok := s != "" && len(s) <= MaxPaymentMethodLen
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
	}
	if !ok {
		v.Add(field, "invalid", "must be 1 to %d upper-case letters, digits or underscores, such as VIR", MaxPaymentMethodLen)
	}
}

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
	ID         int64
	CustomerID int64
	Date       time.Time // calendar date, midnight UTC
	Amount     Decimal   // the sum of the allocations
	Method     PaymentMethod
	Reference  string // cheque number, transfer reference, ...
	Issuer     string // a cheque's issuer (Dolibarr's chqemetteur)
	IssuerBank string // a cheque's bank (chqbank)
	Note       string
	// BankAccountID is the account the payment was posted to; 0 when no
	// bank account exists (see decision 0040).
	BankAccountID int64
	Allocations   []Allocation
	CreatedBy     int64
	CreatedAt     time.Time
}

// Check reports every broken invariant of a new payment and sets Amount.
func (p *Payment) Check() error {
	v := &ValidationError{}
	if p.Date.IsZero() {
		v.Add("date", "required", "is required")
	}
	p.Method = PaymentMethod(MethodCode(p.Method))
	checkMethodCode(v, "method", string(p.Method))
	checkText(v, "reference", p.Reference, MaxPaymentRefLen, false)
	checkText(v, "issuer", p.Issuer, MaxPaymentRefLen, false)
	checkText(v, "issuer_bank", p.IssuerBank, MaxPaymentRefLen, false)
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

// CheckMethod checks p's method against its dictionary entry m, as looked
// up (lookupErr: the lookup's error): it must exist, be active, and, when it
// needs one, p must carry a reference. Customer and supplier payments share
// it.
func (p *Payment) CheckMethod(m *PaymentMethodEntry, lookupErr error) error {
	v := &ValidationError{}
	switch {
	case errors.Is(lookupErr, ErrNotFound):
		v.Add("method", "unknown", "payment method %s is not in the dictionary (GET /api/v1/payment-methods)", p.Method)
	case lookupErr != nil:
		return lookupErr
	case !m.Active:
		v.Add("method", "inactive", "payment method %s is inactive", p.Method)
	case m.NeedsReference && p.Reference == "":
		v.Add("reference", "required", "is required for payment method %s (%s)", m.Code, m.Label)
	}
	return v.Err()
}
