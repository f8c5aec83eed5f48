package document

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Store keeps the documents of one kind D with their lines: the part of a
// kind's storage port the engine uses. Lock, and the writes made under it,
// run inside a transaction.
type Store[D domain.CommercialDocument] interface {
	// Get loads document id with its lines; a missing one is a
	// domain.ErrNotFound error.
	Get(ctx context.Context, id int64) (D, error)
	// Lock loads document id with its lines after locking its row FOR
	// UPDATE.
	Lock(ctx context.Context, id int64) (D, error)
	// Create stores a new document with its lines at version 1, with the
	// timestamps it carries, and sets its version, its id and its lines'
	// ids.
	Create(ctx context.Context, d D) error
	// Save writes every field that may change after creation (not the
	// lines) and the next version, and sets d's Version to it.
	Save(ctx context.Context, d D) error
	// Delete deletes document id and its lines.
	Delete(ctx context.Context, id int64) error
	// InsertLine, UpdateLine and DeleteLine change one line of document
	// docID; InsertLine sets the line's id.
	InsertLine(ctx context.Context, docID int64, l *domain.Line) error
	UpdateLine(ctx context.Context, docID int64, l *domain.Line) error
	DeleteLine(ctx context.Context, docID, lineID int64) error
}

// Insert stores d, a new draft, with its lines, and records action
// ("created") with note as made by d's creator, in one transaction (the
// caller's, when ctx carries one: conversions create a document while
// holding the lock of its source). The engine's clock stamps it.
func Insert[D domain.CommercialDocument](ctx context.Context, e *Engine, store Store[D], d D, note string) error {
	h := d.Header()
	h.Recompute()
	now := e.Now()
	h.CreatedAt, h.UpdatedAt = now, now
	return e.Do(ctx, func(ctx context.Context) error {
		if err := store.Create(ctx, d); err != nil {
			return err
		}
		return e.Record(ctx, domain.Event(d, "created", "", h.CreatedBy, note, now))
	})
}

// Change is one change of one document D, run by Run.
type Change[D domain.CommercialDocument] struct {
	ID int64
	// Version, when not zero, must be the document's current version (the
	// client's If-Match).
	Version int64
	// By is the user making the change, recorded on its event.
	By int64
	// Action is the event recorded, "validated" or "canceled"; empty
	// records none (a draft's header and line edits are not events).
	Action string
	// Apply changes the locked document, at now, and makes the change's
	// effects (stock, other documents). It refuses an illegal change
	// (through the entity's rules) before writing anything, and returns
	// the event's note.
	Apply func(ctx context.Context, d D, now time.Time) (note string, err error)
	// Series, when set, gives the series a document without a reference
	// draws its number from (validations); the document is then issued:
	// what it is issued with is kept (Deps.Issuing).
	Series func(d D) Series
}

// Run is the one shape of every change of a document, whatever its kind,
// in one transaction: lock the document's row, check the client's version,
// apply the change and its effects, record the event, draw the number when
// the change asks for one, and save the document last, with the change's
// clock reading as its updated_at. The number is drawn after every other
// write but the save (DrawRef); a refused change rolls everything back and
// consumes no number.
func Run[D domain.CommercialDocument](ctx context.Context, e *Engine, store Store[D], c Change[D]) (D, error) {
	var d D
	err := e.Do(ctx, func(ctx context.Context) error {
		var err error
		if d, err = store.Lock(ctx, c.ID); err != nil {
			return err
		}
		if err := CheckVersion(d, c.Version); err != nil {
			return err
		}
		from := d.StatusName()
		wasDraft := d.CheckEditable() == nil
		now := e.Now()
		note, err := c.Apply(ctx, d, now)
		if err != nil {
			return err
		}
		if c.Action != "" {
			if err := e.Record(ctx, domain.Event(d, c.Action, from, c.By, note, now)); err != nil {
				return err
			}
		}
		// Back to draft (reopened): what it was issued with goes.
		if !wasDraft && d.CheckEditable() == nil {
			if err := e.reissue(ctx, d, c.By, now); err != nil {
				return err
			}
		}
		if c.Series != nil {
			// Issued before the number is drawn: the counter's lock is held
			// for as short a time as before.
			if err := e.issue(ctx, d, now); err != nil {
				return err
			}
			if err := e.DrawRef(ctx, d, c.Series(d)); err != nil {
				return err
			}
		}
		d.Header().UpdatedAt = now
		return store.Save(ctx, d)
	})
	if err != nil {
		var none D
		return none, err
	}
	return d, nil
}

// Remove deletes document id once check allows it and records "deleted",
// then runs after (the deletion's effects on other documents; nil for
// none), in one transaction that locks the document first.
func Remove[D domain.CommercialDocument](ctx context.Context, e *Engine, store Store[D], id, by int64,
	check func(d D) error, after func(ctx context.Context, d D, now time.Time) error) error {
	return e.Do(ctx, func(ctx context.Context) error {
		d, err := store.Lock(ctx, id)
		if err != nil {
			return err
		}
		if err := check(d); err != nil {
			return err
		}
		if err := store.Delete(ctx, id); err != nil {
			return err
		}
		now := e.Now()
		if err := e.Record(ctx, domain.Event(d, "deleted", d.StatusName(), by, "", now)); err != nil {
			return err
		}
		if after == nil {
			return nil
		}
		return after(ctx, d, now)
	})
}

// History returns the event log of document id, oldest first; a missing
// document is a domain.ErrNotFound error.
func History[D domain.CommercialDocument](ctx context.Context, e *Engine, store Store[D], id int64) ([]domain.DocEvent, error) {
	d, err := store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return e.events.Events(ctx, d.Kind(), id)
}

// CheckVersion refuses a change based on another version than the current
// one, when the client named one (If-Match).
func CheckVersion(d domain.CommercialDocument, expected int64) error {
	h := d.Header()
	if expected != 0 && expected != h.Version {
		return &domain.StaleVersion{What: string(d.Kind()), ID: h.ID, Expected: expected}
	}
	return nil
}

// Copy returns a new draft with src's customer, references, notes,
// rounding and lines (without their ids), dated now's day and made by by:
// the header of a clone or of a document made from another.
func Copy(src *domain.Document, now time.Time, by int64) domain.Document {
	return domain.Document{
		CustomerID: src.CustomerID, Date: domain.DateOnly(now), RefCustomer: src.RefCustomer, NotePublic: src.NotePublic,
		NotePrivate: src.NotePrivate, Rounding: src.Rounding, Lines: domain.CopyLines(src.Lines), CreatedBy: by,
	}
}
