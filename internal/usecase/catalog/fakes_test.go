package catalog_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

// Every port is implemented whole: a use case under test can call any
// method of its port without hitting a panic.
var (
	_ catalog.ThirdPartyRepo   = (*memRepo[domain.ThirdParty, catalog.ThirdPartyFilter])(nil)
	_ catalog.ContactRepo      = (*memRepo[domain.Contact, catalog.ContactFilter])(nil)
	_ catalog.ProductRepo      = (*memRepo[domain.Product, catalog.ProductFilter])(nil)
	_ catalog.WarehouseRepo    = (*memRepo[domain.Warehouse, catalog.WarehouseFilter])(nil)
	_ catalog.Counters         = (*fakeCounters)(nil)
	_ catalog.ThirdPartyLookup = (*fakeLookup)(nil)
	_ domain.Transactor        = (*fakeTx)(nil)
)

type txKey struct{}

// txOf is the number of the fake transaction ctx carries (0: none).
func txOf(ctx context.Context) int {
	n, _ := ctx.Value(txKey{}).(int)
	return n
}

// fakeTx numbers its transactions and gives the counters' numbers back
// when one fails, as a rolled-back transaction does.
type fakeTx struct {
	n        int
	counters *fakeCounters
}

func (f *fakeTx) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	if txOf(ctx) != 0 {
		return fn(ctx)
	}
	f.n++
	saved := maps.Clone(f.counters.last)
	if err := fn(context.WithValue(ctx, txKey{}, f.n)); err != nil {
		f.counters.last = saved
		return err
	}
	return nil
}

// draw is one number handed out, with the transaction it was drawn in.
type draw struct {
	scope string
	n     int64
	tx    int
}

// fakeCounters refuses to count outside a transaction, like the real one
// (whose row lock needs one).
type fakeCounters struct {
	last  map[string]int64
	draws []draw
}

func newCounters() *fakeCounters { return &fakeCounters{last: map[string]int64{}} }

func (c *fakeCounters) Next(ctx context.Context, scope string) (int64, error) {
	if txOf(ctx) == 0 {
		return 0, errors.New("counter drawn outside a transaction")
	}
	c.last[scope]++
	c.draws = append(c.draws, draw{scope: scope, n: c.last[scope], tx: txOf(ctx)})
	return c.last[scope], nil
}

// write is one write a memRepo accepted, with the transaction it ran in.
type write struct {
	op      string // create, update, delete
	id      int64
	version int64 // after the write
	tx      int
}

// memRepo keeps one aggregate in memory (T the entity, F its list filter)
// and checks versions as the real repositories do. It stores copies, so a
// use case changes a stored record only through Update.
type memRepo[T, F any] struct {
	what   string
	meta   func(*T) (id, version *int64)
	rows   map[int64]T
	nextID int64
	writes []write
	// updates counts the updates asked for, written or refused.
	updates int
	// createErr fails the next creates; beforeUpdate runs between a use
	// case's read and its write (another client's edit).
	createErr    error
	beforeUpdate func()
	listed       []F
}

func newMemRepo[T, F any](what string, meta func(*T) (id, version *int64)) *memRepo[T, F] {
	return &memRepo[T, F]{what: what, meta: meta, rows: map[int64]T{}}
}

func (r *memRepo[T, F]) notFound(id int64) error {
	return domain.E(domain.ErrNotFound, "not_found", "%s %d not found", r.what, id)
}

func (r *memRepo[T, F]) Create(ctx context.Context, x *T) error {
	if r.createErr != nil {
		return r.createErr
	}
	r.nextID++
	id, version := r.meta(x)
	*id, *version = r.nextID, 1
	r.rows[*id] = *x
	r.writes = append(r.writes, write{op: "create", id: *id, version: 1, tx: txOf(ctx)})
	return nil
}

func (r *memRepo[T, F]) Get(_ context.Context, id int64) (*T, error) {
	x, ok := r.rows[id]
	if !ok {
		return nil, r.notFound(id)
	}
	return &x, nil
}

func (r *memRepo[T, F]) Update(ctx context.Context, x *T) error {
	r.updates++
	if r.beforeUpdate != nil {
		r.beforeUpdate()
	}
	id, version := r.meta(x)
	stored, ok := r.rows[*id]
	if !ok {
		return r.notFound(*id)
	}
	if _, v := r.meta(&stored); *v != *version {
		return &domain.StaleVersion{What: r.what, ID: *id, Expected: *version}
	}
	*version++
	r.rows[*id] = *x
	r.writes = append(r.writes, write{op: "update", id: *id, version: *version, tx: txOf(ctx)})
	return nil
}

func (r *memRepo[T, F]) Delete(ctx context.Context, id int64) error {
	if _, ok := r.rows[id]; !ok {
		return r.notFound(id)
	}
	delete(r.rows, id)
	r.writes = append(r.writes, write{op: "delete", id: id, tx: txOf(ctx)})
	return nil
}

func (r *memRepo[T, F]) List(_ context.Context, f F) (domain.Page[T], error) {
	r.listed = append(r.listed, f)
	var page domain.Page[T]
	for _, id := range slices.Sorted(maps.Keys(r.rows)) {
		page.Items = append(page.Items, r.rows[id])
	}
	page.Total = int64(len(page.Items))
	return page, nil
}

// fakeLookup knows the third parties of ids and counts its reads.
type fakeLookup struct {
	ids   map[int64]bool
	err   error
	reads int
}

func (l *fakeLookup) GetThirdParty(_ context.Context, id int64) (*domain.ThirdParty, error) {
	l.reads++
	if l.err != nil {
		return nil, l.err
	}
	if !l.ids[id] {
		return nil, domain.E(domain.ErrNotFound, "not_found", "third party %d not found", id)
	}
	return &domain.ThirdParty{ID: id, Name: "Known"}, nil
}

// testClock is a movable clock in a zone other than UTC, with more than
// microsecond precision, so a test sees the use case normalise it.
type testClock struct{ t time.Time }

func newClock() *testClock {
	return &testClock{t: time.Date(2031, 5, 7, 10, 11, 12, 123456789, time.FixedZone("UTC+2", 2*3600))}
}

func (c *testClock) Now() time.Time { return c.t }

// stamp is what the use case should store for the clock's current time.
func (c *testClock) stamp() time.Time { return c.t.UTC().Truncate(time.Microsecond) }

func thirdPartyMeta(t *domain.ThirdParty) (id, version *int64) { return &t.ID, &t.Version }
func contactMeta(c *domain.Contact) (id, version *int64)       { return &c.ID, &c.Version }
func productMeta(p *domain.Product) (id, version *int64)       { return &p.ID, &p.Version }
func warehouseMeta(w *domain.Warehouse) (id, version *int64)   { return &w.ID, &w.Version }

func ptr[T any](v T) *T { return &v }
