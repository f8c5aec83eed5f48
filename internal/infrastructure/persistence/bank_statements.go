package persistence

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/bank"
)

type bankStatementRow struct {
	ID        int64 `gorm:"primaryKey"`
	AccountID int64
	Format    string
	MessageID string
	Status    string
	JobID     int64
	CreatedBy int64
	CreatedAt time.Time
	DoneAt    *time.Time
}

func (bankStatementRow) TableName() string { return "bank_statements" }

type statementEntryRow struct {
	ID          int64 `gorm:"primaryKey"`
	StatementID int64
	EntryDate   time.Time
	Amount      domain.Decimal
	Reference   string
	Label       string
	Status      string
	LineID      *int64
	Candidates  int
}

func (statementEntryRow) TableName() string { return "bank_statement_entries" }

var _ bank.StatementStore = (*BankStore)(nil)

// CreateStatement stores s and its entries and sets their ids.
func (r *BankStore) CreateStatement(ctx context.Context, s *domain.BankStatement) error {
	row := bankStatementRow{AccountID: s.AccountID, Format: s.Format, MessageID: s.MessageID, Status: s.Status,
		CreatedBy: s.CreatedBy, CreatedAt: s.CreatedAt}
	db := r.db.Gorm(ctx)
	if err := db.Create(&row).Error; err != nil {
		return translate(err, "bank statement")
	}
	rows := make([]statementEntryRow, len(s.Entries))
	for i, e := range s.Entries {
		rows[i] = statementEntryRow{StatementID: row.ID, EntryDate: dateOf(e.Date), Amount: e.Amount, Reference: e.Reference,
			Label: e.Label, Status: e.Status}
	}
	if err := db.CreateInBatches(&rows, 500).Error; err != nil {
		return translate(err, "bank statement entries")
	}
	s.ID = row.ID
	for i := range s.Entries {
		s.Entries[i].ID, s.Entries[i].StatementID = rows[i].ID, row.ID
	}
	return nil
}

// SetStatementJob records the matching job of statement id.
func (r *BankStore) SetStatementJob(ctx context.Context, id, jobID int64) error {
	return translate(r.db.Gorm(ctx).Model(&bankStatementRow{}).Where("id = ?", id).Update("job_id", jobID).Error, "bank statement")
}

func (r *BankStore) statement(ctx context.Context, q *gorm.DB) (*domain.BankStatement, error) {
	var row bankStatementRow
	err := q.Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.E(domain.ErrNotFound, "not_found", "bank statement not found")
	}
	if err != nil {
		return nil, translate(err, "bank statement")
	}
	var rows []statementEntryRow
	if err := r.db.Gorm(ctx).Where("statement_id = ?", row.ID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "bank statement entries")
	}
	s := &domain.BankStatement{ID: row.ID, AccountID: row.AccountID, Format: row.Format, MessageID: row.MessageID,
		Status: row.Status, JobID: row.JobID, CreatedBy: row.CreatedBy, CreatedAt: row.CreatedAt.UTC(), DoneAt: timeOf(row.DoneAt),
		Entries: make([]domain.StatementEntry, len(rows))}
	for i, e := range rows {
		s.Entries[i] = domain.StatementEntry{ID: e.ID, StatementID: e.StatementID, Date: dateOf(e.EntryDate),
			Amount: e.Amount.Round(domain.ScaleTotal), Reference: e.Reference, Label: e.Label, Status: e.Status,
			LineID: idOf(e.LineID), Candidates: e.Candidates}
	}
	return s, nil
}

// GetStatement loads statement id of account accountID with its entries.
func (r *BankStore) GetStatement(ctx context.Context, accountID, id int64) (*domain.BankStatement, error) {
	return r.statement(ctx, r.db.Gorm(ctx).Where("id = ? AND account_id = ?", id, accountID))
}

// LockStatement locks statement id and loads it with its entries.
func (r *BankStore) LockStatement(ctx context.Context, id int64) (*domain.BankStatement, error) {
	if !InTx(ctx) {
		return nil, errNoTx
	}
	return r.statement(ctx, r.db.Gorm(ctx).Clauses(forUpdate).Where("id = ?", id))
}

// SaveEntry writes an entry's matching result.
func (r *BankStore) SaveEntry(ctx context.Context, e *domain.StatementEntry) error {
	err := r.db.Gorm(ctx).Model(&statementEntryRow{}).Where("id = ?", e.ID).Updates(map[string]any{
		"status": e.Status, "line_id": optID(e.LineID), "candidates": e.Candidates,
	}).Error
	return translate(err, "bank statement entry")
}

// FinishStatement marks statement id done at at.
func (r *BankStore) FinishStatement(ctx context.Context, id int64, at time.Time) error {
	err := r.db.Gorm(ctx).Model(&bankStatementRow{}).Where("id = ?", id).Updates(map[string]any{"status": "done", "done_at": at}).Error
	return translate(err, "bank statement")
}

// OpenLines locks the unreconciled lines of an account dated in [from,
// to], date then id order.
func (r *BankStore) OpenLines(ctx context.Context, accountID int64, from, to time.Time) ([]domain.BankLine, error) {
	if !InTx(ctx) {
		return nil, errNoTx
	}
	var rows []bankLineRow
	err := r.db.Gorm(ctx).Clauses(forUpdate).
		Where("account_id = ? AND reconciled = ? AND line_date >= ? AND line_date <= ?", accountID, false, dateOf(from), dateOf(to)).
		Order("line_date").Order("id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "bank lines")
	}
	out := make([]domain.BankLine, len(rows))
	for i := range rows {
		out[i] = toBankLine(&rows[i])
	}
	return out, nil
}
