package sales_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document/documenttest"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
)

// creditStore keeps customer credits in memory.
type creditStore struct {
	log     *documenttest.Log
	credits map[int64]*domain.CustomerCredit
}

func (s *creditStore) Create(_ context.Context, c *domain.CustomerCredit) error {
	s.log.Calls = append(s.log.Calls, "create credit")
	c.ID = int64(len(s.credits) + 1)
	cp := *c
	s.credits[c.ID] = &cp
	return nil
}

func (s *creditStore) Lock(_ context.Context, id int64) (*domain.CustomerCredit, error) {
	c, ok := s.credits[id]
	if !ok {
		return nil, domain.E(domain.ErrNotFound, "credit_not_found", "credit %d not found", id)
	}
	s.log.Calls = append(s.log.Calls, "lock credit")
	cp := *c
	return &cp, nil
}

func (s *creditStore) Save(_ context.Context, c *domain.CustomerCredit) error {
	s.log.Calls = append(s.log.Calls, "save credit")
	cp := *c
	s.credits[c.ID] = &cp
	return nil
}

func (s *creditStore) List(_ context.Context, customerID int64, _ domain.CreditStatus) ([]domain.CustomerCredit, error) {
	var out []domain.CustomerCredit
	for _, c := range s.credits {
		if c.CustomerID == customerID {
			out = append(out, *c)
		}
	}
	return out, nil
}

// creditFixture has a validated credit note 1 (-12.00) and a validated
// invoice 2 (36.00) of customer 7.
func creditFixture(t *testing.T) (*fixture, *sales.Credits, *creditStore) {
	t.Helper()
	f := newFixture(sales.StockNever)
	store := &creditStore{log: f.log, credits: map[int64]*domain.CustomerCredit{}}
	credits := sales.NewCredits(f.common, f.invoices, store)
	cn := goods(1, "1")
	cn.UnitPrice = domain.MustDecimal("-10")
	f.draft(1, domain.InvoiceCreditNote, cn)
	f.draft(2, domain.InvoiceStandard, goods(1, "3"))
	for _, id := range []int64{1, 2} {
		_, err := f.inv.Validate(context.Background(), id, 0, 1)
		require.NoError(t, err)
	}
	f.log.Reset()
	f.events.List = nil
	return f, credits, store
}

func TestCreditIsMadeAndUsedInOneTransactionEach(t *testing.T) {
	ctx := context.Background()
	f, credits, store := creditFixture(t)
	c, err := credits.MarkAvailable(ctx, 1, 3)
	require.NoError(t, err)
	require.Equal(t, "12", c.AmountInclTax.String())
	require.Equal(t, today, c.CreatedAt)
	require.Equal(t, []string{"lock invoice 1", "create credit", "event credit_available invoice 1", "save invoice 1"}, f.log.Calls)
	require.Equal(t, domain.InvoicePaid, f.invoices.Doc(1).Status)

	f.log.Reset()
	inv, err := credits.Use(ctx, 2, c.ID, 3)
	require.NoError(t, err)
	require.Equal(t, "24", inv.Remaining().String())
	require.Equal(t, []string{"lock invoice 2", "lock credit", "save credit", "event credit_used invoice 1", "event credit_used invoice 2",
		"save invoice 2"}, f.log.Calls, "the invoice is locked before the credit")
	require.Equal(t, int64(2), store.credits[c.ID].UsedInvoiceID)
	last := f.events.List[len(f.events.List)-2:]
	require.Equal(t, int64(1), last[0].DocumentID, "the credit note's log tells where its credit went")
	require.Equal(t, int64(2), last[1].DocumentID)
	require.Equal(t, []string{"credit_available", "credit_used", "credit_used"},
		[]string{f.events.List[0].Action, f.events.List[1].Action, f.events.List[2].Action})

	f.log.Reset()
	_, err = credits.Use(ctx, 2, c.ID, 3)
	require.Equal(t, "credit_used", code(err))
	require.NotContains(t, f.log.Calls, "save invoice 2")
	_, err = credits.MarkAvailable(ctx, 1, 3)
	require.Equal(t, "already_converted", code(err))

	list, err := credits.List(ctx, 7, domain.CreditsAll)
	require.NoError(t, err)
	require.Len(t, list, 1)
	_, err = credits.List(ctx, 99, domain.CreditsAll)
	require.ErrorIs(t, err, domain.ErrNotFound)
}

func TestUseCreditBadInput(t *testing.T) {
	ctx := context.Background()
	_, credits, _ := creditFixture(t)
	var ve *domain.ValidationError
	_, err := credits.Use(ctx, 2, 0, 3)
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "credit_id", ve.Fields[0].Field)
	_, err = credits.Use(ctx, 2, 99, 3)
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "not_found", ve.Fields[0].Code)
	_, err = credits.Use(ctx, 99, 1, 3)
	require.ErrorIs(t, err, domain.ErrNotFound)
	_, err = credits.MarkAvailable(ctx, 2, 3)
	require.Equal(t, "not_convertible", code(err))
}
