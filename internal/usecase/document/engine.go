// Package document is the engine every commercial document stands on: the
// sales proposals, orders, invoices and credit notes today, the buy side's
// purchase orders, receptions and supplier invoices next. It does the work
// that is the same for every kind, once:
//
//   - lines: building a line from the product it names, with the defaults a
//     pluggable price source gives (Prices: sales read the selling price,
//     purchasing will read the supplier's), and the totals (domain.Line,
//     domain.ComputeTotals);
//   - transitions: one load-lock-check-change-record-save helper over the
//     document type (Run), creation (Insert), deletion (Remove) and line
//     edits (LineEditor), each in one transaction;
//   - numbering: the definitive reference drawn from a gap-free counter,
//     last (Series, Engine.DrawRef);
//   - events: one event log for every kind (Events);
//   - stock: a validation's movements, merged per product, in or out
//     (Direction), and shortages named per product (Engine.MoveStock);
//   - one clock: every timestamp of a transition (created_at, updated_at,
//     validated_at, the event) is one reading of the engine's clock.
//
// A kind of document is a type implementing domain.CommercialDocument and a
// Store of it; the kind's own use case (internal/usecase/sales) adds its
// rules and its other ports. Printing and e-mail are keyed by kind in
// internal/usecase/printing and internal/usecase/mailing.
//
// Lock order, for every kind: the document row first (Store.Lock), then
// the stock rows (product id, then warehouse id order, in MoveStock), then
// the counter row, last, so that the lock every validation of a series
// waits for is held for the shortest time.
package document

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

// Events is the event log of every kind of document, written in the
// transaction of the change it records.
type Events interface {
	// AddEvent appends e and sets its id.
	AddEvent(ctx context.Context, e *domain.DocEvent) error
	// Events lists a document's events, oldest first.
	Events(ctx context.Context, kind domain.DocKind, docID int64) ([]domain.DocEvent, error)
}

// Counter draws numbers from gap-free counters.
type Counter interface {
	// NextNumber locks the counter row of (scope, period) until the
	// transaction ends, creating it at zero if needed, increments it and
	// returns the new value; the number is only taken if the transaction
	// commits. It must run inside a transaction.
	NextNumber(ctx context.Context, scope, period string) (int64, error)
}

// Chronology keeps, per numbering series, the date of its last validated
// document, so that numbers follow dates.
type Chronology interface {
	// LockLastDate locks the series row of scope until the transaction
	// ends, creating it if needed, and returns the date of the series' last
	// validated document (zero when none). It must run inside a
	// transaction.
	LockLastDate(ctx context.Context, scope string) (time.Time, error)
	// SetLastDate records date as the series' last validated date, under
	// the lock LockLastDate took.
	SetLastDate(ctx context.Context, scope string, date time.Time) error
}

// Catalog reads the catalogue products that lines name.
type Catalog interface {
	// Products loads the products ids in one query; missing ids are absent
	// from the map.
	Products(ctx context.Context, ids []int64) (map[int64]*domain.Product, error)
}

// StockMover applies a batch of stock movements inside the caller's
// transaction (internal/usecase/stock.Service.MoveBatch).
type StockMover interface {
	MoveBatch(ctx context.Context, ins []stock.MoveInput) ([]*domain.Movement, error)
}

// Deps are the engine's collaborators.
type Deps struct {
	Tx      domain.Transactor
	Events  Events
	Counter Counter
	// Prices gives lines their product defaults.
	Prices Prices
	// Catalog names the products of a stock shortage.
	Catalog Catalog
	// Stock moves stock on validations; nil for kinds that never do.
	Stock StockMover
	// Now is the clock every timestamp of a transition is read from;
	// nil is time.Now.
	Now func() time.Time
	// Chronology, when set, makes numbers follow dates: a validation dated
	// before the last validated document of its series is refused or
	// re-dated, as Backdated says (empty is refuse).
	Chronology Chronology
	Backdated  domain.BackdatedPolicy
	// Issuing, when its Store is set, keeps what each document is issued
	// with at its validation (decision 0036).
	Issuing Issuing
	// Warehouses and DefaultWarehouse choose the warehouse of a
	// validation that names none (Engine.Warehouse).
	Warehouses       OpenWarehouses
	DefaultWarehouse int64
}

// Engine does what every kind of commercial document shares. It holds no
// state but its collaborators; one engine serves every kind of a side
// (sales, purchasing), which differ by their price source.
type Engine struct {
	tx      domain.Transactor
	events  Events
	counter Counter
	prices  Prices
	catalog Catalog
	stock   StockMover
	now     func() time.Time
	chrono  Chronology
	// backdated is the policy for a validation dated before its series'
	// last one.
	backdated domain.BackdatedPolicy
	issuing   Issuing
	// warehouses and defaultWarehouse choose a validation's warehouse.
	warehouses       OpenWarehouses
	defaultWarehouse int64
}

// New returns the engine.
func New(d Deps) *Engine {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Backdated == "" {
		d.Backdated = domain.BackdatedRefuse
	}
	return &Engine{tx: d.Tx, events: d.Events, counter: d.Counter, prices: d.Prices, catalog: d.Catalog, stock: d.Stock, now: d.Now,
		chrono: d.Chronology, backdated: d.Backdated, issuing: d.Issuing, warehouses: d.Warehouses, defaultWarehouse: d.DefaultWarehouse}
}

// Now reads the clock once, in UTC at the microsecond every engine keeps,
// so a timestamp written reads back equal.
func (e *Engine) Now() time.Time { return e.now().UTC().Truncate(time.Microsecond) }

// Do runs fn in a transaction, joining the one ctx carries.
func (e *Engine) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	return e.tx.Do(ctx, fn)
}

// Record appends ev to the event log, in the caller's transaction.
func (e *Engine) Record(ctx context.Context, ev domain.DocEvent) error {
	return e.events.AddEvent(ctx, &ev)
}

// Series is a numbering series: the counter scope (numbering_counters.scope,
// "sales.invoice") and the mask references are written with.
type Series struct {
	Scope string
	Mask  domain.Mask
}

// DrawRef gives d its definitive reference from the next number of s for
// d's date, unless it has one already (a reopened document keeps its
// number). It locks the counter row until the transaction ends, so it runs
// after every other write but the document's save: the lock every
// validation of the series waits for is then held for two statements and
// the commit (decision 0010). Run calls it at that point. With a
// Chronology, the series row is locked first and d's date checked against
// the series' last validated date (followDates).
func (e *Engine) DrawRef(ctx context.Context, d domain.CommercialDocument, s Series) error {
	h := d.Header()
	if h.Ref != "" {
		return nil
	}
	if err := e.followDates(ctx, d, s); err != nil {
		return err
	}
	n, err := e.counter.NextNumber(ctx, s.Scope, s.Mask.Period(h.Date))
	if err != nil {
		return err
	}
	h.Ref = s.Mask.Format(h.Date, n)
	return nil
}

// followDates makes numbers follow dates (decision 0035): under the series
// row's lock, taken before the counter's and held to the commit, so that
// every validation of the series is ordered, a document dated before the
// series' last validated document is refused, or re-dated on the
// validation day when the policy says so and that day is not itself
// before the last date; the series' last date then moves to d's.
func (e *Engine) followDates(ctx context.Context, d domain.CommercialDocument, s Series) error {
	if e.chrono == nil || e.backdated == domain.BackdatedAllow {
		return nil
	}
	h := d.Header()
	last, err := e.chrono.LockLastDate(ctx, s.Scope)
	if err != nil {
		return err
	}
	date := domain.DateOnly(h.Date)
	if !last.IsZero() {
		last = domain.DateOnly(last)
	}
	if date.Before(last) {
		today := domain.DateOnly(e.Now())
		if e.backdated != domain.BackdatedSetToday || today.Before(last) {
			return &domain.DateBeforeLastValidated{Series: s.Scope, Date: date, Last: last}
		}
		if r, ok := d.(domain.Redater); ok {
			r.Redate(today)
		} else {
			h.Date = today
		}
		date = today
	}
	if date.After(last) {
		return e.chrono.SetLastDate(ctx, s.Scope, date)
	}
	return nil
}
