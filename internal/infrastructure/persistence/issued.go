package persistence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
)

type issuedRow struct {
	DocKind    string    `gorm:"column:doc_kind;primaryKey"`
	DocumentID int64     `gorm:"column:document_id;primaryKey"`
	Record     string    `gorm:"column:record"`
	IssuedAt   time.Time `gorm:"column:issued_at"`
}

func (issuedRow) TableName() string { return "issued_documents" }

type archiveRow struct {
	DocKind     string    `gorm:"column:doc_kind;primaryKey"`
	DocumentID  int64     `gorm:"column:document_id;primaryKey"`
	Language    string    `gorm:"column:language;primaryKey"`
	FileName    string    `gorm:"column:file_name"`
	ContentType string    `gorm:"column:content_type"`
	SHA256      string    `gorm:"column:sha256"`
	Content     []byte    `gorm:"column:content"`
	IssuedAt    time.Time `gorm:"column:issued_at"`
	CreatedAt   time.Time `gorm:"column:created_at;autoCreateTime:false"`
}

func (archiveRow) TableName() string { return "document_archives" }

// Issued keeps what documents were issued with (issued_documents) and
// their archived PDF files (document_archives): the database
// implementation of the archive port; object storage can replace the
// files' half later.
type Issued struct{ db *DB }

var _ document.IssuedStore = (*Issued)(nil)

// NewIssued returns the issued documents on db.
func NewIssued(db *DB) *Issued { return &Issued{db: db} }

func utcMicro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Keep stores rec, replacing the record of the same document in one
// upsert (a reopened document's record was discarded already; files
// archived from an earlier issue are never served: their issued_at
// differs).
func (r *Issued) Keep(ctx context.Context, rec *domain.IssuedDocument) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("issued record: %w", err)
	}
	row := issuedRow{DocKind: string(rec.Kind), DocumentID: rec.DocumentID, Record: string(b), IssuedAt: utcMicro(rec.IssuedAt)}
	err = r.db.Gorm(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "doc_kind"}, {Name: "document_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"record", "issued_at"}),
	}).Create(&row).Error
	return translate(err, "issued document")
}

// Discard deletes the record of document (kind, id) and its archived
// files, and returns how many files it deleted.
func (r *Issued) Discard(ctx context.Context, kind domain.DocKind, id int64) (int, error) {
	tx := r.db.Gorm(ctx)
	res := tx.Where("doc_kind = ? AND document_id = ?", string(kind), id).Delete(&archiveRow{})
	if res.Error != nil {
		return 0, translate(res.Error, "document archive")
	}
	if err := tx.Where("doc_kind = ? AND document_id = ?", string(kind), id).Delete(&issuedRow{}).Error; err != nil {
		return 0, translate(err, "issued document")
	}
	return int(res.RowsAffected), nil
}

// IssuedRecord returns what document (kind, id) was issued with; nil when
// it was never validated (or was reopened since).
func (r *Issued) IssuedRecord(ctx context.Context, kind domain.DocKind, id int64) (*domain.IssuedDocument, error) {
	var row issuedRow
	err := r.db.Gorm(ctx).Where("doc_kind = ? AND document_id = ?", string(kind), id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err, "issued document")
	}
	var rec domain.IssuedDocument
	if err := json.Unmarshal([]byte(row.Record), &rec); err != nil {
		return nil, fmt.Errorf("issued record of %s %d: %w", kind, id, err)
	}
	rec.IssuedAt = row.IssuedAt.UTC()
	return &rec, nil
}

// Archived returns the archived file of document (kind, id) in lang; nil
// when there is none.
func (r *Issued) Archived(ctx context.Context, kind domain.DocKind, id int64, lang string) (*domain.ArchivedFile, error) {
	var row archiveRow
	err := r.db.Gorm(ctx).Where("doc_kind = ? AND document_id = ? AND language = ?", string(kind), id, lang).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err, "document archive")
	}
	return &domain.ArchivedFile{Kind: domain.DocKind(row.DocKind), DocumentID: row.DocumentID, Language: row.Language,
		Name: row.FileName, ContentType: row.ContentType, SHA256: row.SHA256, Content: row.Content,
		IssuedAt: row.IssuedAt.UTC(), CreatedAt: row.CreatedAt.UTC()}, nil
}

// Archive stores f unless a file of the same document and language is
// archived already, and returns the one archived: of two first renders at
// once, both serve the first one stored. A file left from an earlier issue
// of the document (another IssuedAt) is replaced.
func (r *Issued) Archive(ctx context.Context, f *domain.ArchivedFile) (*domain.ArchivedFile, error) {
	row := archiveRow{DocKind: string(f.Kind), DocumentID: f.DocumentID, Language: f.Language, FileName: f.Name,
		ContentType: f.ContentType, SHA256: f.SHA256, Content: f.Content, IssuedAt: utcMicro(f.IssuedAt), CreatedAt: utcMicro(f.CreatedAt)}
	tx := r.db.Gorm(ctx)
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return nil, translate(err, "document archive")
	}
	got, err := r.Archived(ctx, f.Kind, f.DocumentID, f.Language)
	if err != nil || got == nil {
		return got, err
	}
	if !got.IssuedAt.Equal(row.IssuedAt) {
		err := tx.Model(&archiveRow{}).Where("doc_kind = ? AND document_id = ? AND language = ? AND issued_at = ?",
			row.DocKind, row.DocumentID, row.Language, got.IssuedAt).
			Updates(map[string]any{"file_name": row.FileName, "content_type": row.ContentType, "sha256": row.SHA256,
				"content": row.Content, "issued_at": row.IssuedAt, "created_at": row.CreatedAt}).Error
		if err != nil {
			return nil, translate(err, "document archive")
		}
		return r.Archived(ctx, f.Kind, f.DocumentID, f.Language)
	}
	return got, nil
}
