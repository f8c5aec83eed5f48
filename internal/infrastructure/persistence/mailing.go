package persistence

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/mailing"
)

// sendRow is a row of document_sends (migration 000006).
type sendRow struct {
	ID          int64 `gorm:"primaryKey"`
	DocKind     string
	DocumentID  int64
	Recipients  string // one address per line: an address holds no newline
	Subject     string
	Body        string
	Language    string
	Status      string
	JobID       int64
	MessageID   string
	LastError   string
	RequestedBy int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	SentAt      *time.Time
}

func (sendRow) TableName() string { return "document_sends" }

func toSendRow(s *domain.DocumentSend) sendRow {
	return sendRow{
		ID: s.ID, DocKind: string(s.Kind), DocumentID: s.DocumentID, Recipients: strings.Join(s.To, "\n"),
		Subject: s.Subject, Body: s.Body, Language: s.Language, Status: string(s.Status), JobID: s.JobID,
		MessageID: s.MessageID, LastError: s.LastError, RequestedBy: s.RequestedBy,
		CreatedAt: sendTime(s.CreatedAt), UpdatedAt: sendTime(s.UpdatedAt), SentAt: optTime(sendTime(s.SentAt)),
	}
}

func toDocumentSend(r sendRow) domain.DocumentSend {
	s := domain.DocumentSend{
		ID: r.ID, Kind: domain.DocKind(r.DocKind), DocumentID: r.DocumentID, Subject: r.Subject, Body: r.Body,
		Language: r.Language, Status: domain.SendStatus(r.Status), JobID: r.JobID, MessageID: r.MessageID,
		LastError: r.LastError, RequestedBy: r.RequestedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.Recipients != "" {
		s.To = strings.Split(r.Recipients, "\n")
	}
	if r.SentAt != nil {
		s.SentAt = r.SentAt.UTC()
	}
	return s
}

func sendTime(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// MailingRepo stores the requests to send documents by e-mail; document
// events go to the documents' event log.
type MailingRepo struct {
	db     *DB
	events *EventLog
}

var _ mailing.Store = (*MailingRepo)(nil)

// NewMailingRepo returns the repository on db.
func NewMailingRepo(db *DB) *MailingRepo { return &MailingRepo{db: db, events: NewEventLog(db)} }

// CreateSend inserts s and sets its id.
func (r *MailingRepo) CreateSend(ctx context.Context, s *domain.DocumentSend) error {
	row := toSendRow(s)
	row.ID = 0
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "send request")
	}
	s.ID = row.ID
	return nil
}

// Send returns send request id, locked FOR UPDATE with lock.
func (r *MailingRepo) Send(ctx context.Context, id int64, lock bool) (*domain.DocumentSend, error) {
	q := r.db.Gorm(ctx)
	if lock {
		if !InTx(ctx) {
			return nil, errNoTx
		}
		q = q.Clauses(forUpdate)
	}
	var row sendRow
	err := q.Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.E(domain.ErrNotFound, "not_found", "send request %d not found", id)
	}
	if err != nil {
		return nil, translate(err, "send request")
	}
	s := toDocumentSend(row)
	return &s, nil
}

// SaveSend writes the fields that change after creation.
func (r *MailingRepo) SaveSend(ctx context.Context, s *domain.DocumentSend) error {
	row := toSendRow(s)
	res := r.db.Gorm(ctx).Model(&sendRow{}).Where("id = ?", s.ID).Updates(map[string]any{
		"status": row.Status, "job_id": row.JobID, "message_id": row.MessageID, "last_error": row.LastError,
		"updated_at": row.UpdatedAt, "sent_at": row.SentAt,
	})
	if res.Error != nil {
		return translate(res.Error, "send request")
	}
	if res.RowsAffected == 0 {
		return domain.E(domain.ErrNotFound, "not_found", "send request %d not found", s.ID)
	}
	return nil
}

// Sends lists a document's send requests, oldest first.
func (r *MailingRepo) Sends(ctx context.Context, kind domain.DocKind, docID int64) ([]domain.DocumentSend, error) {
	var rows []sendRow
	err := r.db.Gorm(ctx).Where("doc_kind = ? AND document_id = ?", string(kind), docID).Order("id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "send requests")
	}
	out := make([]domain.DocumentSend, len(rows))
	for i, row := range rows {
		out[i] = toDocumentSend(row)
	}
	return out, nil
}

// AddEvent appends e to the document's event log.
func (r *MailingRepo) AddEvent(ctx context.Context, e *domain.DocEvent) error {
	return r.events.AddEvent(ctx, e)
}
