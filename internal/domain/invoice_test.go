package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

func draftInvoice(lines ...domain.Line) *domain.Invoice {
	inv := &domain.Invoice{Type: domain.InvoiceStandard}
	inv.ID, inv.CustomerID, inv.Date = 9, 1, day(2026, 11, 30)
	inv.Lines = lines
	inv.Recompute()
	return inv
}

func requireCode(t *testing.T, err error, code string) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, domain.ErrConflict)
	var c interface{ ErrorCode() string }
	require.True(t, errors.As(err, &c))
	require.Equal(t, code, c.ErrorCode())
}

func TestInvoiceStateMachine(t *testing.T) {
	now := time.Now()
	inv := draftInvoice(line("2", "50", "20")) // 120.00
	require.Equal(t, "(PROV9)", inv.DisplayRef())
	requireCode(t, inv.ApplyPayment(d("10"), false), "invoice_not_validated")

	require.NoError(t, inv.Validate(5, now))
	require.Equal(t, domain.InvoiceValidated, inv.Status)
	require.Equal(t, int64(5), inv.ValidatedBy)
	require.Equal(t, now, inv.ValidatedAt)
	requireCode(t, inv.Validate(5, now), "invoice_not_draft")
	requireCode(t, inv.CheckEditable(), "invoice_not_draft")

	var over *domain.Overpayment
	require.ErrorAs(t, inv.ApplyPayment(d("120.01"), false), &over)
	require.Equal(t, "120", over.Remaining.String())
	requireCode(t, inv.ApplyPayment(d("-1"), false), "payment_wrong_sign")

	require.NoError(t, inv.ApplyPayment(d("20"), false))
	require.Equal(t, "partially_paid", inv.PaymentState())
	requireCode(t, inv.BackToDraft(), "invoice_has_payments")
	require.NoError(t, inv.ApplyPayment(d("100"), false))
	require.Equal(t, domain.InvoicePaid, inv.Status)
	require.True(t, inv.Remaining().IsZero())
	requireCode(t, inv.ApplyPayment(d("1"), true), "invoice_already_paid")
	requireCode(t, inv.Abandon(domain.CloseAbandon, ""), "invoice_already_paid")
}

func TestInvoiceOverpaymentWhenAllowed(t *testing.T) {
	inv := draftInvoice(line("1", "10", "0"))
	require.NoError(t, inv.Validate(1, time.Now()))
	require.NoError(t, inv.ApplyPayment(d("12"), true))
	require.Equal(t, domain.InvoicePaid, inv.Status)
	require.Equal(t, "-2", inv.Remaining().String())
}

func TestInvoiceBackToDraftKeepsItsRef(t *testing.T) {
	inv := draftInvoice(line("1", "10", "0"))
	require.NoError(t, inv.Validate(1, time.Now()))
	inv.Ref = "FA1" // drawn by the document engine after Validate
	require.NoError(t, inv.BackToDraft())
	require.NoError(t, inv.CheckEditable())
	require.False(t, inv.NeedsRef())
	require.NoError(t, inv.Validate(1, time.Now()))
	require.Equal(t, "FA1", inv.Ref)
	require.NoError(t, inv.BackToDraft())
	requireCode(t, inv.BackToDraft(), "invoice_already_draft")
}

func TestInvoiceValidationRules(t *testing.T) {
	empty := draftInvoice()
	requireCode(t, empty.Validate(1, time.Now()), "invoice_empty")
	neg := draftInvoice(line("1", "-5", "20"))
	requireCode(t, neg.Validate(1, time.Now()), "invoice_negative_total")
	zero := draftInvoice(line("1", "0", "20"))
	require.NoError(t, zero.Validate(1, time.Now()))
	require.Equal(t, domain.InvoicePaid, zero.Status, "nothing to pay")

	abandoned := draftInvoice(line("1", "5", "20"))
	requireCode(t, abandoned.Abandon(domain.CloseAbandon, ""), "invoice_not_validated")
	require.NoError(t, abandoned.Validate(1, time.Now()))
	require.NoError(t, abandoned.Abandon(domain.CloseBadCustomer, "gone"))
	require.Equal(t, domain.InvoiceAbandoned, abandoned.Status)
	requireCode(t, abandoned.ApplyPayment(d("1"), false), "invoice_abandoned")
}

func TestCreditNoteIsRefundedWithNegativePayments(t *testing.T) {
	src := draftInvoice(line("3", "10", "20"))
	require.NoError(t, src.Validate(1, time.Now()))
	cn, err := domain.CreditNoteFor(src, day(2026, 12, 1), 1)
	require.NoError(t, err)
	require.Equal(t, 1, cn.StockSign())
	require.NoError(t, cn.Validate(1, time.Now()))
	require.Equal(t, "-36", cn.Remaining().String())
	requireCode(t, cn.ApplyPayment(d("36"), false), "payment_wrong_sign")
	require.NoError(t, cn.ApplyPayment(d("-36"), false))
	require.Equal(t, domain.InvoicePaid, cn.Status)

	_, err = domain.CreditNoteFor(cn, day(2026, 12, 1), 1)
	requireCode(t, err, "invoice_not_standard")
}

func TestProposalAndOrderStateMachines(t *testing.T) {
	now := time.Now()
	p := &domain.Proposal{}
	p.ID, p.Lines = 1, []domain.Line{line("1", "1", "0")}
	requireCode(t, p.Close(true, "", now), "proposal_not_validated")
	require.NoError(t, p.Validate(1, now))
	requireCode(t, p.CheckConvertible(), "proposal_not_signed")
	require.NoError(t, p.Close(true, "ok", now))
	require.NoError(t, p.MarkBilled())
	requireCode(t, p.Cancel(), "proposal_not_cancelable")

	o := &domain.Order{}
	o.ID, o.Lines = 2, []domain.Line{line("1", "1", "0")}
	requireCode(t, o.CheckBillable(), "order_not_validated")
	requireCode(t, o.Ship(), "order_not_validated")
	require.NoError(t, o.Validate(1, now))
	require.NoError(t, o.Ship())
	require.NoError(t, o.Close())
	requireCode(t, o.Close(), "order_not_open")
}
