package catalog_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

type thirdPartyFixture struct {
	uc       *catalog.ThirdParties
	repo     *memRepo[domain.ThirdParty, catalog.ThirdPartyFilter]
	counters *fakeCounters
	clock    *testClock
}

func newThirdParties() *thirdPartyFixture {
	f := &thirdPartyFixture{
		repo:     newMemRepo[domain.ThirdParty, catalog.ThirdPartyFilter]("third party", thirdPartyMeta),
		counters: newCounters(),
		clock:    newClock(),
	}
	f.uc = catalog.NewThirdParties(&fakeTx{counters: f.counters}, f.repo, f.counters, f.clock.Now)
	return f
}

// TestThirdPartyCodesAreDrawnInTheWritingTransaction: customer and
// prospect flags draw a customer code, the supplier flag a supplier code,
// each from its counter and dated by the clock, in the same transaction as
// the write that stores them; an invalid third party draws nothing.
func TestThirdPartyCodesAreDrawnInTheWritingTransaction(t *testing.T) {
	ctx := context.Background()
	f := newThirdParties()

	cust, err := f.uc.Create(ctx, catalog.ThirdPartyFields{Name: ptr("ACME"), Customer: ptr(true)})
	require.NoError(t, err)
	require.Equal(t, "CU3105-0001", cust.CustomerCode, "dated by the clock (UTC): May 2031")
	require.Empty(t, cust.SupplierCode)
	require.True(t, cust.Active, "active by default")

	both, err := f.uc.Create(ctx, catalog.ThirdPartyFields{Name: ptr("Both"), Prospect: ptr(true), Supplier: ptr(true)})
	require.NoError(t, err)
	require.Equal(t, "CU3105-0002", both.CustomerCode, "a prospect gets a customer code")
	require.Equal(t, "SU3105-0001", both.SupplierCode)

	none, err := f.uc.Create(ctx, catalog.ThirdPartyFields{Name: ptr("Lead")})
	require.NoError(t, err)
	require.Empty(t, none.CustomerCode+none.SupplierCode)

	require.Equal(t, []draw{
		{catalog.CustomerCodeScope, 1, 1},
		{catalog.CustomerCodeScope, 2, 2}, {catalog.SupplierCodeScope, 1, 2},
	}, f.counters.draws)
	require.Equal(t, []write{
		{"create", cust.ID, 1, 1}, {"create", both.ID, 1, 2}, {"create", none.ID, 1, 3},
	}, f.repo.writes, "each code is written in the transaction that drew it")

	// Refused by its invariants: no transaction, no number, no write.
	_, err = f.uc.Create(ctx, catalog.ThirdPartyFields{Name: ptr(" "), Customer: ptr(true), Email: ptr("nope")})
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, []string{"name", "email"}, fieldsOf(ve))
	require.Len(t, f.counters.draws, 3)
	require.Len(t, f.repo.writes, 3)

	// A failed write fails the create and takes the number back with it.
	f.repo.createErr = domain.E(domain.ErrConflict, "duplicate", "third party already exists")
	_, err = f.uc.Create(ctx, catalog.ThirdPartyFields{Name: ptr("Dup"), Customer: ptr(true)})
	require.ErrorIs(t, err, domain.ErrConflict)
	f.repo.createErr = nil
	again, err := f.uc.Create(ctx, catalog.ThirdPartyFields{Name: ptr("Next"), Customer: ptr(true)})
	require.NoError(t, err)
	require.Equal(t, "CU3105-0003", again.CustomerCode)
}

// TestThirdPartyUpdateGeneratesAMissingCodeOnly: setting a flag on an
// edit draws the code it lacks, dated by the clock at the edit; a code once
// given is never drawn again, even when the flag is cleared and set.
func TestThirdPartyUpdateGeneratesAMissingCodeOnly(t *testing.T) {
	ctx := context.Background()
	f := newThirdParties()
	tp, err := f.uc.Create(ctx, catalog.ThirdPartyFields{Name: ptr("ACME"), Customer: ptr(true)})
	require.NoError(t, err)
	created := f.clock.stamp()

	f.clock.t = f.clock.t.AddDate(0, 1, 0) // June
	tp, err = f.uc.Update(ctx, tp.ID, 1, catalog.ThirdPartyFields{Supplier: ptr(true)})
	require.NoError(t, err)
	require.Equal(t, "CU3105-0001", tp.CustomerCode, "kept")
	require.Equal(t, "SU3106-0001", tp.SupplierCode, "dated at the edit")
	require.Equal(t, int64(2), tp.Version)
	require.Equal(t, created, tp.CreatedAt)
	require.Equal(t, f.clock.stamp(), tp.UpdatedAt)

	tp, err = f.uc.Update(ctx, tp.ID, 2, catalog.ThirdPartyFields{Customer: ptr(false), Supplier: ptr(false)})
	require.NoError(t, err)
	tp, err = f.uc.Update(ctx, tp.ID, 3, catalog.ThirdPartyFields{Customer: ptr(true), Supplier: ptr(true)})
	require.NoError(t, err)
	require.Equal(t, "CU3105-0001", tp.CustomerCode)
	require.Equal(t, "SU3106-0001", tp.SupplierCode)
	require.Len(t, f.counters.draws, 2, "one draw per code, ever")
	for _, w := range f.repo.writes {
		require.NotZero(t, w.tx, "%s %d ran outside a transaction", w.op, w.id)
	}

	// Refused by its invariants: nothing drawn, nothing written.
	writes := len(f.repo.writes)
	_, err = f.uc.Update(ctx, tp.ID, 4, catalog.ThirdPartyFields{Name: ptr(""), Prospect: ptr(true)})
	require.ErrorIs(t, err, domain.ErrInvalid)
	require.Len(t, f.repo.writes, writes)
	require.Len(t, f.counters.draws, 2)
}

// optimisticCase drives one aggregate's use case through the edits the
// version rule governs.
type optimisticCase[T any] struct {
	create func(ctx context.Context) (*T, error)
	// update makes a valid change based on version.
	update func(ctx context.Context, id, version int64) (*T, error)
	meta   func(*T) (id, version *int64)
	times  func(*T) (created, updated time.Time)
}

// checkOptimisticEdits proves the use case's part of optimistic
// concurrency on repo, and that its timestamps come from clock.
func checkOptimisticEdits[T, F any](t *testing.T, repo *memRepo[T, F], clock *testClock, c optimisticCase[T]) {
	t.Helper()
	ctx := context.Background()
	x, err := c.create(ctx)
	require.NoError(t, err)
	id, version := c.meta(x)
	require.Equal(t, int64(1), *version)
	created, updated := c.times(x)
	require.Equal(t, clock.stamp(), created, "created_at from the clock, UTC, in microseconds")
	require.Equal(t, created, updated)
	require.Equal(t, time.UTC, created.Location())

	clock.t = clock.t.Add(90 * time.Minute)
	x, err = c.update(ctx, *id, 1)
	require.NoError(t, err)
	_, version = c.meta(x)
	require.Equal(t, int64(2), *version)
	c2, u2 := c.times(x)
	require.Equal(t, created, c2, "an edit keeps created_at")
	require.Equal(t, clock.stamp(), u2, "and takes updated_at from the clock")
	stored, err := repo.Get(ctx, *id)
	require.NoError(t, err)
	require.Equal(t, x, stored, "what the use case returns is what it stored")

	// An edit based on an old version is refused before the store is
	// asked to write.
	writes, updates := len(repo.writes), repo.updates
	_, err = c.update(ctx, *id, 1)
	var sv *domain.StaleVersion
	require.ErrorAs(t, err, &sv)
	require.Equal(t, domain.StaleVersion{What: repo.what, ID: *id, Expected: 1}, *sv)
	require.ErrorIs(t, err, domain.ErrConflict)
	require.Equal(t, updates, repo.updates)
	require.Len(t, repo.writes, writes)

	// Another client's edit between the read and the write: the store's
	// version check refuses it and the use case passes that on.
	repo.beforeUpdate = func() {
		s := repo.rows[*id]
		_, v := c.meta(&s)
		*v++
		repo.rows[*id] = s
	}
	_, err = c.update(ctx, *id, 2)
	repo.beforeUpdate = nil
	require.ErrorAs(t, err, &sv)
	require.Equal(t, int64(2), sv.Expected)
	require.Len(t, repo.writes, writes)

	_, err = c.update(ctx, *id+100, 1)
	require.ErrorIs(t, err, domain.ErrNotFound)
}

// TestEditsAreOptimisticAndStampedByTheClock: on every aggregate, an edit
// names the version it is based on and a stale one is refused, and
// created_at/updated_at come from the use case's clock.
func TestEditsAreOptimisticAndStampedByTheClock(t *testing.T) {
	t.Run("third parties", func(t *testing.T) {
		f := newThirdParties()
		checkOptimisticEdits(t, f.repo, f.clock, optimisticCase[domain.ThirdParty]{
			create: func(ctx context.Context) (*domain.ThirdParty, error) {
				return f.uc.Create(ctx, catalog.ThirdPartyFields{Name: ptr("ACME"), Customer: ptr(true)})
			},
			update: func(ctx context.Context, id, version int64) (*domain.ThirdParty, error) {
				return f.uc.Update(ctx, id, version, catalog.ThirdPartyFields{Town: ptr("Lyon")})
			},
			meta:  thirdPartyMeta,
			times: func(x *domain.ThirdParty) (time.Time, time.Time) { return x.CreatedAt, x.UpdatedAt },
		})
	})
	t.Run("contacts", func(t *testing.T) {
		repo, clock := newMemRepo[domain.Contact, catalog.ContactFilter]("contact", contactMeta), newClock()
		uc := catalog.NewContacts(repo, &fakeLookup{}, clock.Now)
		checkOptimisticEdits(t, repo, clock, optimisticCase[domain.Contact]{
			create: func(ctx context.Context) (*domain.Contact, error) {
				return uc.Create(ctx, catalog.ContactFields{Lastname: ptr("Doe")})
			},
			update: func(ctx context.Context, id, version int64) (*domain.Contact, error) {
				return uc.Update(ctx, id, version, catalog.ContactFields{Role: ptr("Buyer")})
			},
			meta:  contactMeta,
			times: func(x *domain.Contact) (time.Time, time.Time) { return x.CreatedAt, x.UpdatedAt },
		})
	})
	t.Run("products", func(t *testing.T) {
		repo, clock := newMemRepo[domain.Product, catalog.ProductFilter]("product", productMeta), newClock()
		uc := catalog.NewProducts(repo, clock.Now)
		checkOptimisticEdits(t, repo, clock, optimisticCase[domain.Product]{
			create: func(ctx context.Context) (*domain.Product, error) {
				return uc.Create(ctx, catalog.ProductFields{Ref: ptr("P-1"), Label: ptr("Chair")})
			},
			update: func(ctx context.Context, id, version int64) (*domain.Product, error) {
				return uc.Update(ctx, id, version, catalog.ProductFields{Label: ptr("Chair v2")})
			},
			meta:  productMeta,
			times: func(x *domain.Product) (time.Time, time.Time) { return x.CreatedAt, x.UpdatedAt },
		})
	})
	t.Run("warehouses", func(t *testing.T) {
		repo, clock := newMemRepo[domain.Warehouse, catalog.WarehouseFilter]("warehouse", warehouseMeta), newClock()
		uc := catalog.NewWarehouses(repo, clock.Now)
		checkOptimisticEdits(t, repo, clock, optimisticCase[domain.Warehouse]{
			create: func(ctx context.Context) (*domain.Warehouse, error) {
				return uc.Create(ctx, catalog.WarehouseFields{Label: ptr("Main")})
			},
			update: func(ctx context.Context, id, version int64) (*domain.Warehouse, error) {
				return uc.Update(ctx, id, version, catalog.WarehouseFields{Town: ptr("Lyon")})
			},
			meta:  warehouseMeta,
			times: func(x *domain.Warehouse) (time.Time, time.Time) { return x.CreatedAt, x.UpdatedAt },
		})
	})
}

// TestParseProblemsAreMergedWithTheInvariants: the fields a caller could
// not parse come first, the entity's invariant problems on other fields
// follow, a field is never reported twice, and nothing is written while
// there is any problem, on create and on update.
func TestParseProblemsAreMergedWithTheInvariants(t *testing.T) {
	ctx := context.Background()
	t.Run("products", func(t *testing.T) {
		repo := newMemRepo[domain.Product, catalog.ProductFilter]("product", productMeta)
		uc := catalog.NewProducts(repo, newClock().Now)
		f := catalog.ProductFields{Ref: ptr("bad ref"), VATRate: ptr(domain.MustDecimal("120"))}
		f.Problems.Add("price", "invalid_decimal", "not a number")
		f.Problems.Add("vat_rate", "too_precise", "a parse problem on a field the entity also refuses")
		_, err := uc.Create(ctx, f)
		var ve *domain.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Equal(t, []string{"price", "vat_rate", "ref", "label"}, fieldsOf(ve))
		require.Equal(t, "too_precise", ve.Fields[1].Code, "the parse problem wins")

		// A parse problem alone still stops the write.
		f = catalog.ProductFields{Ref: ptr("P-1"), Label: ptr("Chair")}
		f.Problems.Add("stock_alert", "invalid_decimal", "not a number")
		_, err = uc.Create(ctx, f)
		require.ErrorAs(t, err, &ve)
		require.Equal(t, []string{"stock_alert"}, fieldsOf(ve))
		require.Empty(t, repo.writes)

		p, err := uc.Create(ctx, catalog.ProductFields{Ref: ptr("P-1"), Label: ptr("Chair")})
		require.NoError(t, err)
		f = catalog.ProductFields{Label: ptr("")}
		f.Problems.Add("price", "invalid_decimal", "not a number")
		_, err = uc.Update(ctx, p.ID, p.Version, f)
		require.ErrorAs(t, err, &ve)
		require.Equal(t, []string{"price", "label"}, fieldsOf(ve))
		require.Len(t, repo.writes, 1, "only the valid create")
		stored, err := repo.Get(ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, "Chair", stored.Label)
	})
	t.Run("warehouses", func(t *testing.T) {
		repo := newMemRepo[domain.Warehouse, catalog.WarehouseFilter]("warehouse", warehouseMeta)
		uc := catalog.NewWarehouses(repo, newClock().Now)
		f := catalog.WarehouseFields{Label: ptr(""), CountryCode: ptr("France")}
		f.Problems.Add("status", "invalid", "must be open or closed")
		_, err := uc.Create(ctx, f)
		var ve *domain.ValidationError
		require.ErrorAs(t, err, &ve)
		require.Equal(t, []string{"status", "label", "country_code"}, fieldsOf(ve))

		w, err := uc.Create(ctx, catalog.WarehouseFields{Label: ptr("Main")})
		require.NoError(t, err)
		require.Equal(t, domain.WarehouseOpen, w.Status, "open by default")
		f = catalog.WarehouseFields{}
		f.Problems.Add("status", "invalid", "must be open or closed")
		_, err = uc.Update(ctx, w.ID, w.Version, f)
		require.ErrorAs(t, err, &ve)
		require.Equal(t, []string{"status"}, fieldsOf(ve))
		require.Len(t, repo.writes, 1)
	})
}

// TestContactsCheckTheirThirdParty: a contact's own invariants are checked
// first (no lookup for an invalid contact); then a third party that does
// not exist is a field problem, not a foreign-key conflict at the write;
// no third party means no lookup.
func TestContactsCheckTheirThirdParty(t *testing.T) {
	ctx := context.Background()
	repo := newMemRepo[domain.Contact, catalog.ContactFilter]("contact", contactMeta)
	lookup := &fakeLookup{ids: map[int64]bool{7: true}}
	uc := catalog.NewContacts(repo, lookup, newClock().Now)

	_, err := uc.Create(ctx, catalog.ContactFields{ThirdPartyID: ptr(int64(999)), Email: ptr("x")})
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, []string{"lastname", "email"}, fieldsOf(ve))
	require.Zero(t, lookup.reads)

	_, err = uc.Create(ctx, catalog.ContactFields{ThirdPartyID: ptr(int64(999)), Lastname: ptr("Ghost")})
	require.ErrorAs(t, err, &ve)
	require.Equal(t, []domain.FieldError{{Field: "thirdparty_id", Code: "not_found", Message: "third party 999 does not exist"}}, ve.Fields)
	require.Empty(t, repo.writes)

	solo, err := uc.Create(ctx, catalog.ContactFields{Lastname: ptr("Solo")})
	require.NoError(t, err)
	require.True(t, solo.Active, "active by default")
	require.Equal(t, 1, lookup.reads, "no third party, no lookup")

	solo, err = uc.Update(ctx, solo.ID, solo.Version, catalog.ContactFields{ThirdPartyID: ptr(int64(7))})
	require.NoError(t, err)
	require.Equal(t, int64(7), solo.ThirdPartyID)

	_, err = uc.Update(ctx, solo.ID, solo.Version, catalog.ContactFields{ThirdPartyID: ptr(int64(8))})
	require.ErrorAs(t, err, &ve)
	require.Equal(t, []string{"thirdparty_id"}, fieldsOf(ve))

	// Any other failure of the lookup is passed on as it is.
	lookup.err = domain.E(domain.ErrUnavailable, "unavailable", "database unavailable")
	_, err = uc.Create(ctx, catalog.ContactFields{ThirdPartyID: ptr(int64(7)), Lastname: ptr("Later")})
	require.ErrorIs(t, err, domain.ErrUnavailable)
	require.False(t, errors.As(err, &ve))
	require.Len(t, repo.writes, 2)
}

// TestProductDefaultsAndPriceBase: a new product is goods, priced
// excluding VAT, on sale and on purchase; the price is the amount in its
// base and the other price is derived; an edit of the VAT rate alone keeps
// the typed price and derives the other again.
func TestProductDefaultsAndPriceBase(t *testing.T) {
	ctx := context.Background()
	repo := newMemRepo[domain.Product, catalog.ProductFilter]("product", productMeta)
	uc := catalog.NewProducts(repo, newClock().Now)

	p, err := uc.Create(ctx, catalog.ProductFields{Ref: ptr("P-1"), Label: ptr("Chair"), Price: ptr(domain.MustDecimal("100")), VATRate: ptr(domain.MustDecimal("20"))})
	require.NoError(t, err)
	require.Equal(t, domain.ProductGoods, p.Type)
	require.Equal(t, domain.PriceExclTax, p.PriceBase)
	require.True(t, p.OnSale && p.OnPurchase)
	require.Equal(t, "120", p.PriceInclTax.String())

	incl := domain.PriceInclTax
	p, err = uc.Create(ctx, catalog.ProductFields{Ref: ptr("P-2"), Label: ptr("Desk"), Price: ptr(domain.MustDecimal("120")), PriceBase: &incl, VATRate: ptr(domain.MustDecimal("20"))})
	require.NoError(t, err)
	require.Equal(t, "100", p.Price.String())

	p, err = uc.Update(ctx, p.ID, p.Version, catalog.ProductFields{VATRate: ptr(domain.MustDecimal("10"))})
	require.NoError(t, err)
	require.Equal(t, "120", p.PriceInclTax.String(), "the typed price stays")
	require.Equal(t, "109.09091", p.Price.String())
}

// TestListsAndDeletesGoToTheStore: lists hand the filter to the store as
// they got it, and deletes are the store's.
func TestListsAndDeletesGoToTheStore(t *testing.T) {
	ctx := context.Background()
	repo := newMemRepo[domain.Warehouse, catalog.WarehouseFilter]("warehouse", warehouseMeta)
	uc := catalog.NewWarehouses(repo, newClock().Now)
	w, err := uc.Create(ctx, catalog.WarehouseFields{Label: ptr("Main")})
	require.NoError(t, err)
	closed := domain.WarehouseClosed
	filter := catalog.WarehouseFilter{ListParams: domain.ListParams{Limit: 5, Sort: "label", Desc: true, Q: "ma"}, Status: &closed}
	page, err := uc.List(ctx, filter)
	require.NoError(t, err)
	require.Equal(t, []catalog.WarehouseFilter{filter}, repo.listed)
	require.Equal(t, int64(1), page.Total)

	require.NoError(t, uc.Delete(ctx, w.ID))
	_, err = uc.Get(ctx, w.ID)
	require.ErrorIs(t, err, domain.ErrNotFound)
	require.ErrorIs(t, uc.Delete(ctx, w.ID), domain.ErrNotFound)
}

func fieldsOf(ve *domain.ValidationError) []string {
	out := make([]string, len(ve.Fields))
	for i, f := range ve.Fields {
		out[i] = f.Field
	}
	return out
}
