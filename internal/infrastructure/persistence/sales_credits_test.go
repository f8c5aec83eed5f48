package persistence_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
)

// TestCustomerCreditsAndCreditUsed: an invoice's credit_used is written and
// read back; a credit is stored with its documents' references, listed by
// status, locked only inside a transaction, used once, and one credit note
// makes one credit at most.
func TestCustomerCreditsAndCreditUsed(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		ctx := context.Background()
		invoices, credits := persistence.NewInvoiceStore(db), persistence.NewCreditStore(db)
		cust := &domain.ThirdParty{Name: "Credited", Customer: true, Active: true}
		require.NoError(t, persistence.NewThirdPartyRepo(db).Create(ctx, cust))
		day := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
		newInvoice := func(typ domain.InvoiceType, price, ref string) *domain.Invoice {
			inv := &domain.Invoice{Type: typ, Status: domain.InvoiceValidated, DueDate: day}
			inv.CustomerID, inv.Date, inv.Ref = cust.ID, day, ref
			inv.CreatedAt, inv.UpdatedAt = day, day // the use case's clock stamps documents
			inv.Lines = []domain.Line{{Description: "x", Quantity: domain.MustDecimal("1"), UnitPrice: domain.MustDecimal(price), VATRate: domain.MustDecimal("20")}}
			inv.Recompute()
			require.NoError(t, invoices.Create(ctx, inv))
			return inv
		}
		cn := newInvoice(domain.InvoiceCreditNote, "-100", "AV1")
		inv := newInvoice(domain.InvoiceStandard, "250", "FA1")

		var credit *domain.CustomerCredit
		require.NoError(t, db.Do(ctx, func(ctx context.Context) error {
			var err error
			credit, err = cn.MarkCreditAvailable(4, time.Now())
			require.NoError(t, err)
			require.NoError(t, invoices.Save(ctx, cn))
			return credits.Create(ctx, credit)
		}))
		require.NotZero(t, credit.ID)
		dup := *credit
		require.ErrorIs(t, credits.Create(ctx, &dup), domain.ErrConflict, "one credit per credit note")

		listed, err := credits.List(ctx, cust.ID, domain.CreditsAll)
		require.NoError(t, err)
		require.Len(t, listed, 1)
		got := listed[0]
		require.Equal(t, "AV1", got.SourceRef)
		require.Equal(t, "120", got.AmountInclTax.String())
		require.Equal(t, "20", got.AmountVAT.String())
		require.True(t, got.Available())
		_, err = credits.Lock(ctx, credit.ID)
		require.Error(t, err, "a lock outside a transaction would not hold")
		back, err := invoices.Get(ctx, cn.ID)
		require.NoError(t, err)
		require.Equal(t, domain.CloseCreditAvailable, back.CloseCode)
		require.Equal(t, domain.InvoicePaid, back.Status)

		require.NoError(t, db.Do(ctx, func(ctx context.Context) error {
			locked, err := invoices.Lock(ctx, inv.ID)
			require.NoError(t, err)
			c, err := credits.Lock(ctx, credit.ID)
			require.NoError(t, err)
			require.Equal(t, "AV1", c.SourceRef, "the locked read carries the credit note's ref")
			require.Equal(t, "120", c.AmountInclTax.String())
			require.Empty(t, c.UsedRef)
			_, err = credits.Lock(ctx, credit.ID+100)
			require.ErrorIs(t, err, domain.ErrNotFound)
			require.NoError(t, locked.UseCredit(c, time.Now()))
			require.NoError(t, credits.Save(ctx, c))
			return invoices.Save(ctx, locked)
		}))
		back, err = invoices.Get(ctx, inv.ID)
		require.NoError(t, err)
		require.Equal(t, "120", back.CreditUsed.String())
		require.Equal(t, "180", back.Remaining().String())
		page, err := invoices.List(ctx, sales.Filter{ListParams: domain.ListParams{Limit: 10}, CustomerID: cust.ID})
		require.NoError(t, err)
		for _, i := range page.Items {
			if i.ID == inv.ID {
				require.Equal(t, "120", i.CreditUsed.String(), "lists carry credit_used too")
			}
		}
		require.NoError(t, db.Do(ctx, func(ctx context.Context) error {
			locked, err := invoices.LockMany(ctx, []int64{inv.ID})
			require.NoError(t, err)
			require.Equal(t, "120", locked[0].CreditUsed.String())
			return nil
		}))

		used, err := credits.List(ctx, cust.ID, domain.CreditsUsed)
		require.NoError(t, err)
		require.Len(t, used, 1)
		require.Equal(t, inv.ID, used[0].UsedInvoiceID)
		require.Equal(t, "FA1", used[0].UsedRef)
		require.False(t, used[0].UsedAt.IsZero())
		require.NoError(t, db.Do(ctx, func(ctx context.Context) error {
			c, err := credits.Lock(ctx, credit.ID)
			require.NoError(t, err)
			require.Equal(t, inv.ID, c.UsedInvoiceID)
			require.Equal(t, "FA1", c.UsedRef, "the locked read carries the ref of the invoice it was used on")
			require.Equal(t, "AV1", c.SourceRef)
			require.Equal(t, "20", c.AmountVAT.String())
			return nil
		}))
		avail, err := credits.List(ctx, cust.ID, domain.CreditsAvailable)
		require.NoError(t, err)
		require.Empty(t, avail)
		all, err := credits.List(ctx, cust.ID, domain.CreditsAll)
		require.NoError(t, err)
		require.Len(t, all, 1)
	})
}
