package sales_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
)

// creditRepo adds customer credits to fakeRepo.
type creditRepo struct {
	*fakeRepo
	credits map[int64]*domain.CustomerCredit
}

func (r *creditRepo) CreateCredit(_ context.Context, c *domain.CustomerCredit) error {
	r.calls = append(r.calls, "create credit")
	c.ID = int64(len(r.credits) + 1)
	cp := *c
	r.credits[c.ID] = &cp
	return nil
}

func (r *creditRepo) Credit(_ context.Context, id int64, lock bool) (*domain.CustomerCredit, error) {
	if lock {
		r.calls = append(r.calls, "lock credit")
	}
	c, ok := r.credits[id]
	if !ok {
		return nil, domain.E(domain.ErrNotFound, "credit_not_found", "credit %d not found", id)
	}
	cp := *c
	return &cp, nil
}

func (r *creditRepo) SaveCredit(_ context.Context, c *domain.CustomerCredit) error {
	r.calls = append(r.calls, "save credit")
	cp := *c
	r.credits[c.ID] = &cp
	return nil
}

// creditFixture has a validated credit note 1 (-12.00) and a validated
// invoice 2 (36.00) of customer 7.
func creditFixture(t *testing.T) (*fixture, *creditRepo) {
	t.Helper()
	f := newFixture(sales.StockNever)
	cr := &creditRepo{fakeRepo: f.repo, credits: map[int64]*domain.CustomerCredit{}}
	cfg := sales.DefaultConfig()
	cfg.StockTrigger = sales.StockNever
	f.svc = sales.New(sales.Deps{Tx: noTx{}, Repo: cr, Catalog: fakeCatalog{reads: &f.reads}, Config: cfg,
		Observers: []sales.Observer{f.obs}})
	cn := goods(1, "1")
	cn.UnitPrice = domain.MustDecimal("-10")
	f.draft(1, domain.InvoiceCreditNote, cn)
	f.draft(2, domain.InvoiceStandard, goods(1, "3"))
	for _, id := range []int64{1, 2} {
		_, err := f.svc.ValidateInvoice(context.Background(), id, 0, 1)
		require.NoError(t, err)
	}
	f.repo.calls, f.obs.seen = nil, nil
	return f, cr
}

func TestCreditIsMadeAndUsedInOneTransactionEach(t *testing.T) {
	ctx := context.Background()
	f, cr := creditFixture(t)
	c, err := f.svc.MarkCreditAvailable(ctx, 1, 3)
	require.NoError(t, err)
	require.Equal(t, "12", c.AmountInclTax.String())
	require.Equal(t, []string{"lock invoice", "save invoice", "create credit", "event credit_available"}, f.repo.calls)
	require.Equal(t, domain.InvoicePaid, f.repo.invoices[1].Status)

	f.repo.calls = nil
	inv, err := f.svc.UseCredit(ctx, 2, c.ID, 3)
	require.NoError(t, err)
	require.Equal(t, "24", inv.Remaining().String())
	require.Equal(t, []string{"lock invoice", "lock credit", "save credit", "save invoice", "event credit_used", "event credit_used"},
		f.repo.calls, "the invoice is locked before the credit")
	require.Equal(t, int64(2), cr.credits[c.ID].UsedInvoiceID)
	last := f.repo.events[len(f.repo.events)-2:]
	require.Equal(t, int64(2), last[0].DocumentID)
	require.Equal(t, int64(1), last[1].DocumentID, "the credit note's log tells where its credit went")
	require.Equal(t, []string{"credit_available", "credit_used", "credit_used"}, f.obs.seen)

	f.repo.calls = nil
	_, err = f.svc.UseCredit(ctx, 2, c.ID, 3)
	require.Equal(t, "credit_used", code(err))
	require.NotContains(t, f.repo.calls, "save invoice")
	_, err = f.svc.MarkCreditAvailable(ctx, 1, 3)
	require.Equal(t, "already_converted", code(err))
}

func TestUseCreditBadInput(t *testing.T) {
	ctx := context.Background()
	f, _ := creditFixture(t)
	var ve *domain.ValidationError
	_, err := f.svc.UseCredit(ctx, 2, 0, 3)
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "credit_id", ve.Fields[0].Field)
	_, err = f.svc.UseCredit(ctx, 2, 99, 3)
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "not_found", ve.Fields[0].Code)
	_, err = f.svc.UseCredit(ctx, 99, 1, 3)
	require.ErrorIs(t, err, domain.ErrNotFound)
	_, err = f.svc.MarkCreditAvailable(ctx, 2, 3)
	require.Equal(t, "not_convertible", code(err))
}
