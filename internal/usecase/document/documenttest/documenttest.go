// Package documenttest holds in-memory fakes of the document engine's
// ports (internal/usecase/document), written once for the use-case tests of
// every kind of document. Each fake implements its port whole, and they
// share one Log, so a test can assert the order of the calls across them
// (lock, stock, event, number, save).
package documenttest

import (
	"context"
	"fmt"
	"slices"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

// Log records the calls of the fakes sharing it, in order.
type Log struct{ Calls []string }

func (l *Log) add(format string, args ...any) {
	if l != nil {
		l.Calls = append(l.Calls, fmt.Sprintf(format, args...))
	}
}

// Reset forgets the calls recorded so far.
func (l *Log) Reset() { l.Calls = nil }

// Tx runs a function "in a transaction": the fakes have none.
type Tx struct{}

// Do runs fn with ctx.
func (Tx) Do(ctx context.Context, fn func(ctx context.Context) error) error { return fn(ctx) }

// Store keeps documents D (= *T) in memory, as copies: a document read is
// changed by its reader only, until saved. It implements
// document.Store[D] whole; a kind's test adds its List.
type Store[T any, D interface {
	*T
	domain.CommercialDocument
}] struct {
	Docs map[int64]*T
	// Err, when set for an id, is what reading that document returns.
	Err  map[int64]error
	Log  *Log
	next int64
	line int64
}

// NewStore returns an empty store recording its calls in log.
func NewStore[T any, D interface {
	*T
	domain.CommercialDocument
}](log *Log) *Store[T, D] {
	return &Store[T, D]{Docs: map[int64]*T{}, Err: map[int64]error{}, Log: log, next: 100, line: 1000}
}

// Put stores d as it is (with its id), for a test's setup.
func (s *Store[T, D]) Put(d D) { s.Docs[d.Header().ID] = s.copy(d) }

// Doc returns a copy of the stored document id, nil when absent.
func (s *Store[T, D]) Doc(id int64) D {
	p, ok := s.Docs[id]
	if !ok {
		return nil
	}
	return s.copy(D(p))
}

func (s *Store[T, D]) copy(d D) D {
	c := *(*T)(d)
	cp := D(&c)
	cp.Header().Lines = slices.Clone(d.Header().Lines)
	return cp
}

func (s *Store[T, D]) read(id int64) (D, error) {
	if err := s.Err[id]; err != nil {
		return nil, err
	}
	p, ok := s.Docs[id]
	if !ok {
		return nil, domain.E(domain.ErrNotFound, "not_found", "document %d not found", id)
	}
	return s.copy(D(p)), nil
}

// Get returns a copy of document id.
func (s *Store[T, D]) Get(_ context.Context, id int64) (D, error) { return s.read(id) }

// Lock records the lock and returns a copy of document id.
func (s *Store[T, D]) Lock(_ context.Context, id int64) (D, error) {
	d, err := s.read(id)
	if err == nil {
		s.Log.add("lock %s %d", d.Kind(), id)
	}
	return d, err
}

// Create gives d and its lines ids and stores it at version 1.
func (s *Store[T, D]) Create(_ context.Context, d D) error {
	h := d.Header()
	s.next++
	h.ID, h.Version = s.next, 1
	for i := range h.Lines {
		s.line++
		h.Lines[i].ID, h.Lines[i].Position = s.line, i+1
	}
	s.Log.add("create %s", d.Kind())
	s.Put(d)
	return nil
}

// Save stores d at the next version.
func (s *Store[T, D]) Save(_ context.Context, d D) error {
	h := d.Header()
	cur, ok := s.Docs[h.ID]
	if !ok {
		return domain.E(domain.ErrNotFound, "not_found", "document %d not found", h.ID)
	}
	h.Version++
	// The lines are written by the line methods, not by Save.
	saved := s.copy(d)
	saved.Header().Lines = D(cur).Header().Lines
	s.Docs[h.ID] = (*T)(saved)
	s.Log.add("save %s %d", d.Kind(), h.ID)
	return nil
}

// Delete removes document id.
func (s *Store[T, D]) Delete(_ context.Context, id int64) error {
	p, ok := s.Docs[id]
	if !ok {
		return domain.E(domain.ErrNotFound, "not_found", "document %d not found", id)
	}
	s.Log.add("delete %s %d", D(p).Kind(), id)
	delete(s.Docs, id)
	return nil
}

// InsertLine appends l to document docID and sets its id.
func (s *Store[T, D]) InsertLine(_ context.Context, docID int64, l *domain.Line) error {
	h, err := s.header(docID)
	if err != nil {
		return err
	}
	s.line++
	l.ID = s.line
	h.Lines = append(h.Lines, *l)
	s.Log.add("insert line %d", l.ID)
	return nil
}

// UpdateLine rewrites line l of document docID.
func (s *Store[T, D]) UpdateLine(_ context.Context, docID int64, l *domain.Line) error {
	h, err := s.header(docID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(h.Lines, func(x domain.Line) bool { return x.ID == l.ID })
	if i < 0 {
		return domain.E(domain.ErrNotFound, "line_not_found", "line %d not found", l.ID)
	}
	h.Lines[i] = *l
	s.Log.add("update line %d", l.ID)
	return nil
}

// DeleteLine removes line lineID of document docID.
func (s *Store[T, D]) DeleteLine(_ context.Context, docID, lineID int64) error {
	h, err := s.header(docID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(h.Lines, func(x domain.Line) bool { return x.ID == lineID })
	if i < 0 {
		return domain.E(domain.ErrNotFound, "line_not_found", "line %d not found", lineID)
	}
	h.Lines = slices.Delete(h.Lines, i, i+1)
	s.Log.add("delete line %d", lineID)
	return nil
}

func (s *Store[T, D]) header(id int64) (*domain.Document, error) {
	p, ok := s.Docs[id]
	if !ok {
		return nil, domain.E(domain.ErrNotFound, "not_found", "document %d not found", id)
	}
	return D(p).Header(), nil
}

// Events is the event log.
type Events struct {
	List []domain.DocEvent
	Log  *Log
	// Err, when set, fails every AddEvent.
	Err error
}

// AddEvent appends e and sets its id.
func (e *Events) AddEvent(_ context.Context, ev *domain.DocEvent) error {
	if e.Err != nil {
		return e.Err
	}
	ev.ID = int64(len(e.List) + 1)
	e.List = append(e.List, *ev)
	e.Log.add("event %s %s %d", ev.Action, ev.Kind, ev.DocumentID)
	return nil
}

// Events lists a document's events, oldest first.
func (e *Events) Events(_ context.Context, kind domain.DocKind, docID int64) ([]domain.DocEvent, error) {
	var out []domain.DocEvent
	for _, ev := range e.List {
		if ev.Kind == kind && ev.DocumentID == docID {
			out = append(out, ev)
		}
	}
	return out, nil
}

// Counter counts per (scope, period) from 1.
type Counter struct {
	N   map[string]int64
	Log *Log
}

// NextNumber returns the next number of (scope, period).
func (c *Counter) NextNumber(_ context.Context, scope, period string) (int64, error) {
	if c.N == nil {
		c.N = map[string]int64{}
	}
	c.N[scope+"/"+period]++
	c.Log.add("number %s", scope)
	return c.N[scope+"/"+period], nil
}

// Catalog serves the products Known, recording each batch read
// ("products [1 2]").
type Catalog struct {
	Known map[int64]*domain.Product
	Log   *Log
}

// Products returns the known products among ids.
func (c *Catalog) Products(_ context.Context, ids []int64) (map[int64]*domain.Product, error) {
	c.Log.add("products %v", ids)
	out := map[int64]*domain.Product{}
	for _, id := range ids {
		if p, ok := c.Known[id]; ok {
			out[id] = p
		}
	}
	return out, nil
}

// Stock keeps one level per product (whatever the warehouse) and refuses a
// batch that would take one below zero, as the stock use case does.
type Stock struct {
	Levels  map[int64]domain.Decimal
	Batches [][]stock.MoveInput
	Log     *Log
}

// MoveBatch applies ins, all or nothing.
func (s *Stock) MoveBatch(_ context.Context, ins []stock.MoveInput) ([]*domain.Movement, error) {
	if s.Levels == nil {
		s.Levels = map[int64]domain.Decimal{}
	}
	s.Batches = append(s.Batches, ins)
	s.Log.add("stock %d moves", len(ins))
	var short []*domain.InsufficientStock
	for _, in := range ins {
		if after := s.Levels[in.ProductID].Add(in.Quantity); after.IsNegative() {
			short = append(short, &domain.InsufficientStock{Product: in.ProductID, Warehouse: in.WarehouseID,
				Available: s.Levels[in.ProductID], Requested: in.Quantity.Neg()})
		}
	}
	switch len(short) {
	case 0:
	case 1:
		return nil, short[0]
	default:
		return nil, &domain.StockShortages{Items: short}
	}
	for _, in := range ins {
		s.Levels[in.ProductID] = s.Levels[in.ProductID].Add(in.Quantity)
	}
	return nil, nil
}
