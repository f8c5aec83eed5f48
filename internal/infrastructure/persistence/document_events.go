package persistence

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
)

type eventRow struct {
	ID         int64 `gorm:"primaryKey"`
	DocKind    string
	DocumentID int64
	Action     string
	FromStatus string
	ToStatus   string
	UserID     int64
	Note       string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
}

func (eventRow) TableName() string { return "document_events" }

// EventLog is the event log of every kind of document (document_events).
type EventLog struct{ db *DB }

var _ document.Events = (*EventLog)(nil)

// NewEventLog returns the event log on db.
func NewEventLog(db *DB) *EventLog { return &EventLog{db: db} }

// AddEvent appends e, at the time it carries, and sets its id.
func (r *EventLog) AddEvent(ctx context.Context, e *domain.DocEvent) error {
	row := eventRow{DocKind: string(e.Kind), DocumentID: e.DocumentID, Action: e.Action, FromStatus: e.From, ToStatus: e.To,
		UserID: e.UserID, Note: e.Note, CreatedAt: e.At.UTC().Truncate(time.Microsecond)}
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "document event")
	}
	e.ID, e.At = row.ID, row.CreatedAt
	return nil
}

// Events lists a document's events, oldest first.
func (r *EventLog) Events(ctx context.Context, kind domain.DocKind, docID int64) ([]domain.DocEvent, error) {
	var rows []eventRow
	err := r.db.Gorm(ctx).Where("doc_kind = ? AND document_id = ?", string(kind), docID).Order("id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "document events")
	}
	out := make([]domain.DocEvent, len(rows))
	for i, row := range rows {
		out[i] = domain.DocEvent{ID: row.ID, Kind: domain.DocKind(row.DocKind), DocumentID: row.DocumentID, Action: row.Action,
			From: row.FromStatus, To: row.ToStatus, UserID: row.UserID, Note: row.Note, At: row.CreatedAt.UTC()}
	}
	return out, nil
}
