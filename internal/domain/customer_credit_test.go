package domain_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// validatedCreditNote returns a validated credit note of 120.00 (100 + 20
// VAT) for customer 1.
func validatedCreditNote(t *testing.T, id int64) *domain.Invoice {
	t.Helper()
	cn := draftInvoice(line("1", "-100", "20"))
	cn.ID, cn.Type = id, domain.InvoiceCreditNote
	require.NoError(t, cn.Validate(1, time.Now()))
	cn.Ref = fmt.Sprintf("AV%d", id) // drawn by the document engine after Validate
	return cn
}

func TestCreditNoteBecomesAnAvailableCreditOnce(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	cn := validatedCreditNote(t, 20)
	c, err := cn.MarkCreditAvailable(7, now)
	require.NoError(t, err)
	require.Equal(t, domain.InvoicePaid, cn.Status, "the credit note is closed")
	require.Equal(t, domain.CloseCreditAvailable, cn.CloseCode)
	require.True(t, cn.Remaining().Equal(d("-120")), "nothing was refunded: the remainder stays, carried by the credit")
	require.Equal(t, "100", c.AmountExclTax.String())
	require.Equal(t, "20", c.AmountVAT.String())
	require.Equal(t, "120", c.AmountInclTax.String())
	require.Equal(t, int64(1), c.CustomerID)
	require.Equal(t, int64(20), c.SourceInvoiceID)
	require.Equal(t, int64(7), c.CreatedBy)
	require.True(t, c.Available())

	_, err = cn.MarkCreditAvailable(7, now)
	requireCode(t, err, "already_converted")
	requireCode(t, cn.BackToDraft(), "invoice_closed")
	requireCode(t, cn.ApplyPayment(d("-1"), false), "invoice_already_paid")
	_, ok := domain.ParseCloseCode(string(domain.CloseCreditAvailable))
	require.False(t, ok, "nobody closes an invoice as credit_available by hand")
}

func TestOnlyAnUnrefundedValidatedCreditNoteBecomesACredit(t *testing.T) {
	now := time.Now()
	std := draftInvoice(line("1", "100", "20"))
	require.NoError(t, std.Validate(1, now))
	_, err := std.MarkCreditAvailable(1, now)
	requireCode(t, err, "not_convertible")

	draft := draftInvoice(line("1", "-100", "20"))
	draft.Type = domain.InvoiceCreditNote
	_, err = draft.MarkCreditAvailable(1, now)
	requireCode(t, err, "not_convertible")

	partly := validatedCreditNote(t, 21)
	require.NoError(t, partly.ApplyPayment(d("-10"), false))
	_, err = partly.MarkCreditAvailable(1, now)
	requireCode(t, err, "not_convertible")
	require.Equal(t, domain.InvoiceValidated, partly.Status)

	abandoned := validatedCreditNote(t, 22)
	require.NoError(t, abandoned.Abandon(domain.CloseAbandon, ""))
	_, err = abandoned.MarkCreditAvailable(1, now)
	requireCode(t, err, "not_convertible")
}

func TestCreditIsUsedOnAnInvoiceLikeAPayment(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	cn := validatedCreditNote(t, 30)
	c, err := cn.MarkCreditAvailable(1, now)
	require.NoError(t, err)
	c.ID = 5

	inv := draftInvoice(line("2", "100", "0")) // 200.00
	inv.ID = 31
	require.NoError(t, inv.Validate(1, now))
	require.NoError(t, inv.UseCredit(c, now))
	require.Equal(t, "120", inv.CreditUsed.String())
	require.Equal(t, "80", inv.Remaining().String())
	require.Equal(t, domain.InvoiceValidated, inv.Status)
	require.Equal(t, "partially_paid", inv.PaymentState())
	require.Equal(t, int64(31), c.UsedInvoiceID)
	require.Equal(t, now, c.UsedAt)
	require.False(t, c.Available())
	requireCode(t, inv.BackToDraft(), "invoice_has_credits")

	// The rest is paid by a payment, which may not exceed it.
	var over *domain.Overpayment
	require.ErrorAs(t, inv.ApplyPayment(d("81"), false), &over)
	require.NoError(t, inv.ApplyPayment(d("80"), false))
	require.Equal(t, domain.InvoicePaid, inv.Status)

	// Used once only.
	other := draftInvoice(line("1", "500", "0"))
	other.ID = 32
	require.NoError(t, other.Validate(1, now))
	requireCode(t, other.UseCredit(c, now), "credit_used")
	require.True(t, other.CreditUsed.IsZero())
}

func TestCreditUseRefusals(t *testing.T) {
	now := time.Now()
	credit := func(customer int64, amount string) *domain.CustomerCredit {
		return &domain.CustomerCredit{ID: 1, CustomerID: customer, SourceRef: "AV1", AmountInclTax: d(amount)}
	}
	inv := draftInvoice(line("1", "100", "0")) // 100.00, customer 1
	requireCode(t, inv.UseCredit(credit(1, "10"), now), "invoice_not_validated")
	require.NoError(t, inv.Validate(1, now))

	requireCode(t, inv.UseCredit(credit(2, "10"), now), "other_customer")
	err := inv.UseCredit(credit(1, "100.01"), now)
	requireCode(t, err, "credit_exceeds_remaining")
	var ce *domain.CreditError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, "100", ce.Details()["remaining"].(domain.Decimal).String())
	require.True(t, inv.CreditUsed.IsZero(), "a refused use changes nothing")

	// A credit of exactly the remainder pays the invoice.
	c := credit(1, "100")
	require.NoError(t, inv.UseCredit(c, now))
	require.Equal(t, domain.InvoicePaid, inv.Status)
	require.Equal(t, "paid", inv.PaymentState())
	requireCode(t, inv.UseCredit(credit(1, "1"), now), "invoice_already_paid")

	cn := validatedCreditNote(t, 40)
	requireCode(t, cn.UseCredit(credit(1, "1"), now), "invoice_not_standard")

	ab := draftInvoice(line("1", "100", "0"))
	require.NoError(t, ab.Validate(1, now))
	require.NoError(t, ab.Abandon(domain.CloseBadCustomer, ""))
	requireCode(t, ab.UseCredit(credit(1, "1"), now), "invoice_abandoned")

	for _, s := range []string{"available", "used", "all"} {
		st, ok := domain.ParseCreditStatus(s)
		require.True(t, ok)
		require.Equal(t, s, string(st))
	}
	_, ok := domain.ParseCreditStatus("open")
	require.False(t, ok)
}
