package domain

import (
	"time"
)

// InvoiceType is Dolibarr's invoice type; only standard invoices and
// credit notes exist here.
type InvoiceType int

// Invoice types (Dolibarr's values).
const (
	InvoiceStandard   InvoiceType = 0
	InvoiceCreditNote InvoiceType = 2
)

// ParseInvoiceType reads the API name of a type.
func ParseInvoiceType(s string) (InvoiceType, bool) {
	switch s {
	case "standard":
		return InvoiceStandard, true
	case "credit_note":
		return InvoiceCreditNote, true
	}
	return 0, false
}

func (t InvoiceType) String() string {
	if t == InvoiceCreditNote {
		return "credit_note"
	}
	return "standard"
}

// InvoiceStatus is Dolibarr's invoice status (fk_statut).
type InvoiceStatus int

// Invoice statuses.
const (
	InvoiceDraft     InvoiceStatus = 0
	InvoiceValidated InvoiceStatus = 1 // unpaid or partially paid
	InvoicePaid      InvoiceStatus = 2 // paid, or closed with close code discount_vat
	InvoiceAbandoned InvoiceStatus = 3
)

// ParseInvoiceStatus reads the API name of a status.
func ParseInvoiceStatus(s string) (InvoiceStatus, bool) {
	for _, st := range []InvoiceStatus{InvoiceDraft, InvoiceValidated, InvoicePaid, InvoiceAbandoned} {
		if st.String() == s {
			return st, true
		}
	}
	return 0, false
}

func (s InvoiceStatus) String() string {
	switch s {
	case InvoiceValidated:
		return "validated"
	case InvoicePaid:
		return "paid"
	case InvoiceAbandoned:
		return "abandoned"
	default:
		return "draft"
	}
}

// CloseCode says why a validated invoice was closed without being paid in
// full (Dolibarr's close_code).
type CloseCode string

// Close codes.
const (
	// CloseDiscountVAT closes the invoice as paid: the customer took an
	// early-payment discount for the remainder.
	CloseDiscountVAT CloseCode = "discount_vat"
	// CloseBadCustomer abandons it: the customer will not pay.
	CloseBadCustomer CloseCode = "badcustomer"
	// CloseAbandon abandons it for another reason.
	CloseAbandon CloseCode = "abandon"
	// CloseCreditAvailable closes a credit note as paid: it became an
	// available credit of its customer (MarkCreditAvailable) instead of
	// being refunded. It is set by that action only, never parsed.
	CloseCreditAvailable CloseCode = "credit_available"
)

// ParseCloseCode reads a close code.
func ParseCloseCode(s string) (CloseCode, bool) {
	switch c := CloseCode(s); c {
	case CloseDiscountVAT, CloseBadCustomer, CloseAbandon:
		return c, true
	case CloseCreditAvailable: // set by MarkCreditAvailable, never chosen
	}
	return "", false
}

// Invoice is a customer invoice or credit note.
type Invoice struct {
	Document
	Type    InvoiceType
	Status  InvoiceStatus
	DueDate time.Time
	// SourceInvoiceID is, on a credit note, the invoice it corrects.
	SourceInvoiceID int64
	OrderID         int64 // the order it was created from, if any
	ProposalID      int64 // the proposal it was created from, if any
	// Paid is the sum of the payments allocated to the invoice, kept in
	// the same transaction as the payments.
	Paid Decimal
	// CreditUsed is the sum of the customer credits used on the invoice
	// (Dolibarr's credit notes used), kept in the same transaction as the
	// credits.
	CreditUsed Decimal
	CloseCode  CloseCode
	CloseNote  string
}

// Kind returns KindInvoice.
func (i *Invoice) Kind() DocKind { return KindInvoice }

// StatusName returns the API name of the status.
func (i *Invoice) StatusName() string { return i.Status.String() }

// Remaining is what is left to pay: total incl. tax minus payments minus
// the customer credits used on it (negative on a credit note not yet
// refunded).
func (i *Invoice) Remaining() Decimal { return i.TotalInclTax.Sub(i.Paid).Sub(i.CreditUsed) }

// PaymentState refines the validated status for people: unpaid,
// partially_paid or paid.
func (i *Invoice) PaymentState() string {
	switch {
	case i.Status == InvoicePaid:
		return "paid"
	case i.Paid.IsZero() && i.CreditUsed.IsZero():
		return "unpaid"
	}
	return "partially_paid"
}

// Sendable refuses drafts and abandoned invoices.
func (i *Invoice) Sendable() bool { return i.Status != InvoiceDraft && i.Status != InvoiceAbandoned }

// CheckEditable allows changes to drafts only.
func (i *Invoice) CheckEditable() error {
	if i.Status != InvoiceDraft {
		return notDraft(i, "edit")
	}
	return nil
}

// CheckNew checks a new invoice's fields (common ones and lines included).
func (i *Invoice) CheckNew() error {
	err := i.CheckHeader()
	v := validationOf(err)
	if i.Type != InvoiceStandard && i.Type != InvoiceCreditNote {
		v.Add("type", "invalid", "must be standard or credit_note")
	}
	if !i.DueDate.IsZero() && i.DueDate.Before(i.Date) {
		v.Add("due_date", "before_date", "must not be before the invoice date")
	}
	return v.Err()
}

// NeedsRef reports whether validation must draw a new reference: only the
// first validation does; a reopened invoice keeps its number.
func (i *Invoice) NeedsRef() bool { return i.Ref == "" }

// StockSign is the sign of the stock movement the invoice's validation
// makes: out (-1) for an invoice, back in (+1) for a credit note.
func (i *Invoice) StockSign() int {
	if i.Type == InvoiceCreditNote {
		return 1
	}
	return -1
}

// CanValidate returns the error Validate would give, without changing
// anything: use cases check it before moving stock or drawing a number.
func (i *Invoice) CanValidate() error {
	if i.Status != InvoiceDraft {
		return notDraft(i, "validate")
	}
	if len(i.Lines) == 0 {
		return illegal(i, "validate", "empty", "it has no lines")
	}
	if i.Type == InvoiceStandard && i.TotalInclTax.IsNegative() {
		return illegal(i, "validate", "negative_total", "its total %s is negative; issue a credit note instead", i.TotalInclTax)
	}
	if i.Type == InvoiceCreditNote && i.TotalInclTax.IsPositive() {
		return illegal(i, "validate", "positive_total", "a credit note's total must be zero or negative, not %s", i.TotalInclTax)
	}
	return nil
}

// Validate turns a draft into a validated invoice, validated by by at at;
// the definitive reference is drawn afterwards in the same transaction
// (the document engine's Run), and a reopened invoice keeps its own. An
// invoice must have lines, a standard invoice a total of zero or more and
// a credit note one of zero or less. A zero total is paid at once: nothing
// is left to pay.
func (i *Invoice) Validate(by int64, at time.Time) error {
	if err := i.CanValidate(); err != nil {
		return err
	}
	i.Status = InvoiceValidated
	i.ValidatedBy, i.ValidatedAt = by, at
	if i.Remaining().IsZero() {
		i.Status = InvoicePaid
	}
	return nil
}

// BackToDraft reopens a validated invoice for editing; it keeps its
// reference. Refused once any payment was made.
func (i *Invoice) BackToDraft() error {
	switch {
	case i.Status == InvoiceDraft:
		return illegal(i, "reopen", "already_draft", "it is already a draft")
	case i.Status == InvoiceAbandoned:
		return illegal(i, "reopen", "abandoned", "it was abandoned")
	case !i.Paid.IsZero():
		return illegal(i, "reopen", "has_payments", "payments of %s were made on it", i.Paid)
	case !i.CreditUsed.IsZero():
		return illegal(i, "reopen", "has_credits", "credits of %s were used on it", i.CreditUsed)
	case i.Status == InvoicePaid && i.CloseCode != "":
		return illegal(i, "reopen", "closed", "it was closed (%s)", i.CloseCode)
	}
	i.Status = InvoiceDraft
	return nil
}

// Abandon closes a validated invoice that will not be paid in full: with
// CloseDiscountVAT it counts as paid, otherwise it is abandoned.
func (i *Invoice) Abandon(code CloseCode, note string) error {
	switch i.Status {
	case InvoiceDraft:
		return illegal(i, "cancel", "not_validated", "it is a draft; delete it instead")
	case InvoicePaid:
		return illegal(i, "cancel", "already_paid", "it is paid")
	case InvoiceAbandoned:
		return illegal(i, "cancel", "abandoned", "it is already abandoned")
	case InvoiceValidated:
	}
	if _, ok := ParseCloseCode(string(code)); !ok {
		v := &ValidationError{}
		v.Add("reason", "invalid", "must be abandon, badcustomer or discount_vat")
		return v
	}
	if err := checkNote("note", note); err != nil {
		return err
	}
	i.CloseCode, i.CloseNote = code, note
	i.Status = InvoiceAbandoned
	if code == CloseDiscountVAT {
		i.Status = InvoicePaid
	}
	return nil
}

// CheckPayable returns nil when payments may be allocated to the invoice.
func (i *Invoice) CheckPayable() error {
	switch i.Status {
	case InvoiceDraft:
		return illegal(i, "pay", "not_validated", "it is a draft; validate it first")
	case InvoicePaid:
		return illegal(i, "pay", "already_paid", "it is already paid")
	case InvoiceAbandoned:
		return illegal(i, "pay", "abandoned", "it was abandoned")
	case InvoiceValidated:
	}
	return nil
}

// ApplyPayment allocates amount to the invoice. The amount must have the
// sign of the remainder (a credit note is refunded with a negative amount)
// and, unless allowOver, not exceed it. The invoice becomes paid when its
// remainder reaches zero (or passes it, for an allowed overpayment).
func (i *Invoice) ApplyPayment(amount Decimal, allowOver bool) error {
	if err := i.CheckPayable(); err != nil {
		return err
	}
	rem := i.Remaining()
	switch {
	case amount.IsZero():
		return E(ErrInvalid, "zero_payment", "a payment of %s must not be zero", i.DisplayRef())
	case amount.Sign() != rem.Sign() && !rem.IsZero():
		return E(ErrConflict, "payment_wrong_sign", "%s has %s left to pay: the amount must have the same sign", i.DisplayRef(), rem)
	case !allowOver && amount.Abs().GreaterThan(rem.Abs()):
		return &Overpayment{Invoice: i.ID, Ref: i.DisplayRef(), Remaining: rem, Amount: amount}
	}
	i.Paid = i.Paid.Add(amount)
	if left := i.Remaining(); left.IsZero() || left.Sign() != rem.Sign() {
		i.Status = InvoicePaid
	}
	return nil
}

// RevertPayment takes back amount, allocated to the invoice by a payment
// being deleted: a paid invoice returns to validated (unpaid or partially
// paid) unless nothing is left to pay. An abandoned invoice, or one closed
// with a close code, refuses: its closing was decided on the payments it
// had.
func (i *Invoice) RevertPayment(amount Decimal) error {
	switch {
	case i.Status == InvoiceAbandoned:
		return illegal(i, "unpay", "abandoned", "it was abandoned after this payment; its closing stands")
	case i.Status == InvoicePaid && i.CloseCode != "":
		return illegal(i, "unpay", "closed", "it was closed (%s) after this payment; its closing stands", i.CloseCode)
	case i.Status == InvoiceDraft:
		return illegal(i, "unpay", "not_validated", "it is a draft")
	}
	i.Paid = i.Paid.Sub(amount)
	if rem := i.Remaining(); i.Status == InvoicePaid && !rem.IsZero() && rem.Sign() == i.TotalInclTax.Sign() {
		i.Status = InvoiceValidated
	}
	return nil
}

// Overpayment is returned when a payment exceeds an invoice's remainder
// and overpayment was not allowed. It unwraps to ErrConflict.
type Overpayment struct {
	Invoice   int64
	Ref       string
	Remaining Decimal
	Amount    Decimal
}

func (e *Overpayment) Error() string {
	return "payment of " + e.Amount.String() + " exceeds the " + e.Remaining.String() + " left to pay on " + e.Ref +
		"; send allow_overpayment to accept it"
}

// Unwrap makes Overpayment match ErrConflict.
func (e *Overpayment) Unwrap() error { return ErrConflict }

// ErrorCode returns the stable code.
func (e *Overpayment) ErrorCode() string { return "overpayment" }

// Details names the invoice and the amounts.
func (e *Overpayment) Details() map[string]any {
	return map[string]any{"invoice_id": e.Invoice, "ref": e.Ref, "remaining": e.Remaining, "amount": e.Amount}
}

// CreditNoteFor returns a draft credit note that cancels src in full: the
// same lines with the opposite unit prices, so every total is exactly the
// opposite of src's (rounding half away from zero is symmetric).
func CreditNoteFor(src *Invoice, date time.Time, by int64) (*Invoice, error) {
	if src.Type != InvoiceStandard {
		return nil, illegal(src, "credit", "not_standard", "only a standard invoice can be credited")
	}
	if src.Status == InvoiceDraft {
		return nil, illegal(src, "credit", "not_validated", "it is a draft; edit it instead")
	}
	cn := &Invoice{Type: InvoiceCreditNote, SourceInvoiceID: src.ID, DueDate: date}
	cn.CustomerID, cn.Date, cn.RefCustomer = src.CustomerID, date, src.RefCustomer
	cn.NotePublic, cn.Rounding, cn.CreatedBy = "Credit note for "+src.DisplayRef(), src.Rounding, by
	cn.Lines = CopyLines(src.Lines)
	for k := range cn.Lines {
		cn.Lines[k].UnitPrice = cn.Lines[k].UnitPrice.Neg()
	}
	cn.Recompute()
	return cn, nil
}

// Redate dates the invoice on day, keeping the time it gives to pay.
func (i *Invoice) Redate(day time.Time) {
	i.DueDate = day.Add(i.DueDate.Sub(i.Date))
	i.Date = day
}
