package domain

import (
	"strconv"
	"time"
)

// CustomerCredit is an amount a customer may deduct from one of its
// invoices: Dolibarr's absolute discount (llx_societe_remise_except) made
// from a credit note. A validated credit note nothing was refunded on
// becomes one (Invoice.MarkCreditAvailable) instead of being refunded; the
// credit is then used, whole, on a standard invoice of the same customer
// (Invoice.UseCredit), which counts it like a payment in what is left to
// pay. Amounts are positive.
type CustomerCredit struct {
	ID         int64
	CustomerID int64
	// SourceInvoiceID is the credit note the credit comes from;
	// SourceRef its reference, filled when read.
	SourceInvoiceID int64
	SourceRef       string
	AmountExclTax   Decimal
	AmountVAT       Decimal
	AmountInclTax   Decimal
	// UsedInvoiceID is the invoice the credit was used on, 0 while it is
	// available; UsedRef its reference, filled when read.
	UsedInvoiceID int64
	UsedRef       string
	UsedAt        time.Time // zero while available
	CreatedBy     int64
	CreatedAt     time.Time
}

// Available reports whether the credit may still be used.
func (c *CustomerCredit) Available() bool { return c.UsedInvoiceID == 0 }

// CreditStatus selects credits of a list by whether they were used.
type CreditStatus string

// Credit statuses.
const (
	CreditsAvailable CreditStatus = "available"
	CreditsUsed      CreditStatus = "used"
	CreditsAll       CreditStatus = "all"
)

// ParseCreditStatus reads a credit status filter.
func ParseCreditStatus(s string) (CreditStatus, bool) {
	switch c := CreditStatus(s); c {
	case CreditsAvailable, CreditsUsed, CreditsAll:
		return c, true
	}
	return "", false
}

// MarkCreditAvailable turns a validated credit note nothing was refunded on
// into an available credit of its customer, for its whole amount, and
// closes the credit note as paid (close code credit_available). The credit
// is returned unsaved. Anything else is refused with 409: not_convertible,
// or already_converted for a credit note already turned into a credit.
func (i *Invoice) MarkCreditAvailable(by int64, at time.Time) (*CustomerCredit, error) {
	switch {
	case i.Type != InvoiceCreditNote:
		return nil, E(ErrConflict, "not_convertible", "%s is not a credit note: only a credit note becomes a customer credit", i.DisplayRef())
	case i.Status == InvoicePaid && i.CloseCode == CloseCreditAvailable:
		return nil, E(ErrConflict, "already_converted", "credit note %s is already a customer credit", i.DisplayRef())
	case i.Status != InvoiceValidated:
		return nil, E(ErrConflict, "not_convertible", "credit note %s is %s: only a validated credit note becomes a customer credit", i.DisplayRef(), i.StatusName())
	case !i.Paid.IsZero() || !i.CreditUsed.IsZero():
		return nil, E(ErrConflict, "not_convertible", "%s was already refunded on credit note %s: refund the rest instead", i.Paid.Neg(), i.DisplayRef())
	case !i.TotalInclTax.IsNegative():
		return nil, E(ErrConflict, "not_convertible", "credit note %s has nothing to credit", i.DisplayRef())
	}
	c := &CustomerCredit{CustomerID: i.CustomerID, SourceInvoiceID: i.ID, SourceRef: i.DisplayRef(),
		AmountExclTax: i.TotalExclTax.Neg(), AmountVAT: i.TotalVAT.Neg(), AmountInclTax: i.TotalInclTax.Neg(),
		CreatedBy: by, CreatedAt: at}
	i.Status, i.CloseCode = InvoicePaid, CloseCreditAvailable
	return c, nil
}

// UseCredit deducts the available credit c, whole, from what is left to
// pay on this standard invoice of the same customer, and marks c used on
// it; the invoice becomes paid when nothing is left. Refused with 409:
// invoice_not_standard, the states CheckPayable refuses, credit_used,
// other_customer, and credit_exceeds_remaining (a credit is never split).
func (i *Invoice) UseCredit(c *CustomerCredit, at time.Time) error {
	if i.Type != InvoiceStandard {
		return illegal(i, "use_credit", "not_standard", "a credit is used on a standard invoice, not on a credit note")
	}
	if err := i.CheckPayable(); err != nil {
		return err
	}
	rem := i.Remaining()
	switch {
	case !c.Available():
		return &CreditError{Code: "credit_used", Credit: c.ID, Invoice: i.ID, Message: "credit " + c.label() + " was already used"}
	case c.CustomerID != i.CustomerID:
		return &CreditError{Code: "other_customer", Credit: c.ID, Invoice: i.ID,
			Message: "credit " + c.label() + " belongs to another customer than invoice " + i.DisplayRef()}
	case c.AmountInclTax.GreaterThan(rem):
		return &CreditError{Code: "credit_exceeds_remaining", Credit: c.ID, Invoice: i.ID, Amount: c.AmountInclTax, Remaining: rem,
			Message: "credit " + c.label() + " of " + c.AmountInclTax.String() + " exceeds the " + rem.String() + " left to pay on " + i.DisplayRef()}
	}
	i.CreditUsed = i.CreditUsed.Add(c.AmountInclTax)
	if i.Remaining().IsZero() {
		i.Status = InvoicePaid
	}
	c.UsedInvoiceID, c.UsedRef, c.UsedAt = i.ID, i.DisplayRef(), at
	return nil
}

func (c *CustomerCredit) label() string {
	if c.SourceRef != "" {
		return c.SourceRef
	}
	return "#" + strconv.FormatInt(c.ID, 10)
}

// CreditError is a refused use of a customer credit. It unwraps to
// ErrConflict; its code is stable (credit_used, other_customer,
// credit_exceeds_remaining).
type CreditError struct {
	Code    string
	Credit  int64
	Invoice int64
	// Amount and Remaining are set for credit_exceeds_remaining.
	Amount, Remaining Decimal
	Message           string
}

func (e *CreditError) Error() string { return e.Message }

// Unwrap makes CreditError match ErrConflict.
func (e *CreditError) Unwrap() error { return ErrConflict }

// ErrorCode returns the stable code.
func (e *CreditError) ErrorCode() string { return e.Code }

// Details names the credit and the invoice (and the amounts when the
// credit exceeds the remainder).
func (e *CreditError) Details() map[string]any {
	d := map[string]any{"credit_id": e.Credit, "invoice_id": e.Invoice}
	if e.Code == "credit_exceeds_remaining" {
		d["amount"], d["remaining"] = e.Amount, e.Remaining
	}
	return d
}
