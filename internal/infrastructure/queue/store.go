// Package queue is the job queue: the jobs table behind the Enqueuer port
// (joining the caller's transaction), the claim with FOR UPDATE SKIP LOCKED
// (PostgreSQL, MySQL 8, MariaDB 10.6+) or SQLite's single writer, leases and
// their rescue, and the Runner, a fixed pool of workers fed through a
// channel that drains on shutdown. See docs/decisions for the design.
package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/logging"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/usecase/jobs"
)

// NotifyChannel is the PostgreSQL LISTEN/NOTIFY channel an enqueue signals
// so idle runners claim at once instead of at their next poll.
const NotifyChannel = "dolibarr_jobs"

// jobRow is the GORM model of the jobs table (migrations/*/000003_jobs).
type jobRow struct {
	ID             int64 `gorm:"primaryKey"`
	Kind           string
	Payload        string
	State          string
	Attempt        int
	MaxAttempts    int
	RunAt          time.Time
	UniqueKey      *string
	RequestID      *string
	LeaseOwner     *string
	LeaseExpiresAt *time.Time
	AttemptedAt    *time.Time
	FinishedAt     *time.Time
	LastError      *string
	Errors         string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (jobRow) TableName() string { return "jobs" }

// Store is the jobs table: enqueue for use cases, inspection for the admin
// use case, and the claim/settle operations the Runner uses.
type Store struct {
	db     *persistence.DB
	notify bool
}

// StoreOptions tune a Store.
type StoreOptions struct {
	// Notify sends pg_notify(NotifyChannel) with each enqueue on PostgreSQL,
	// delivered when the enqueuing transaction commits. Ignored elsewhere.
	Notify bool
}

// NewStore returns the queue store over db.
func NewStore(db *persistence.DB, o StoreOptions) *Store {
	return &Store{db: db, notify: o.Notify && db.Dialect().Listen()}
}

var (
	_ jobs.Enqueuer = (*Store)(nil)
	_ jobs.Repo     = (*Store)(nil)
)

// dbTime is the form every time takes on its way to the database: UTC,
// without a monotonic reading, at the microsecond precision PostgreSQL and
// MySQL keep, so a time read back compares equal to the one written and
// SQLite's text timestamps sort in time order.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func newRow(n domain.NewJob, requestID string, now time.Time) jobRow {
	runAt := now
	if !n.RunAt.IsZero() {
		runAt = dbTime(n.RunAt)
	}
	return jobRow{
		Kind: n.Kind, Payload: string(n.Payload), State: string(domain.JobAvailable),
		MaxAttempts: n.MaxAttempts, RunAt: runAt, UniqueKey: strPtr(n.UniqueKey),
		RequestID: strPtr(truncate(requestID, 128)), Errors: "[]", CreatedAt: now, UpdatedAt: now,
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func toJob(r jobRow) (domain.Job, error) {
	j := domain.Job{
		ID: r.ID, Kind: r.Kind, Payload: json.RawMessage(r.Payload), State: domain.JobState(r.State),
		Attempt: r.Attempt, MaxAttempts: r.MaxAttempts, RunAt: r.RunAt.UTC(),
		UniqueKey: deref(r.UniqueKey), RequestID: deref(r.RequestID), LeaseOwner: deref(r.LeaseOwner),
		LeaseExpiresAt: utcPtr(r.LeaseExpiresAt), AttemptedAt: utcPtr(r.AttemptedAt), FinishedAt: utcPtr(r.FinishedAt),
		LastError: deref(r.LastError), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.Errors != "" {
		if err := json.Unmarshal([]byte(r.Errors), &j.Errors); err != nil {
			return domain.Job{}, fmt.Errorf("job %d: errors column: %w", r.ID, err)
		}
	}
	return j, nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func toJobs(rows []jobRow) ([]domain.Job, error) {
	out := make([]domain.Job, 0, len(rows))
	for _, r := range rows {
		j, err := toJob(r)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

func errorsJSON(e []domain.JobError) string {
	if len(e) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(e) //nolint:errchkjson // plain structs always encode
	return string(b)
}

// uniqueConflict targets the partial unique index (kind, unique_key) WHERE
// unique_key IS NOT NULL of PostgreSQL and SQLite.
var uniqueConflict = clause.OnConflict{
	Columns:     []clause.Column{{Name: "kind"}, {Name: "unique_key"}},
	TargetWhere: clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "unique_key IS NOT NULL"}}},
	DoNothing:   true,
}

// Enqueue adds a job. When ctx carries a transaction (persistence.DB.Do)
// the row is written in it, so the job exists exactly when the business
// change commits. With a UniqueKey already present for the kind, nothing is
// added and the existing job's id is returned with Duplicate set.
func (s *Store) Enqueue(ctx context.Context, n domain.NewJob) (domain.EnqueueResult, error) {
	if err := n.Validate(); err != nil {
		return domain.EnqueueResult{}, err
	}
	now := dbTime(time.Now())
	row := newRow(n, logging.RequestID(ctx), now)
	g := s.db.Gorm(ctx)
	q := g
	if n.UniqueKey != "" && s.db.Dialect().OnConflict() {
		// ON CONFLICT DO NOTHING rather than catching the duplicate-key
		// error: on PostgreSQL a failed statement aborts the caller's whole
		// transaction. MySQL only rolls back the statement, and its ON
		// DUPLICATE KEY UPDATE with MariaDB's RETURNING cannot tell a
		// duplicate from an insert, so there the error is the signal.
		q = g.Clauses(uniqueConflict)
	}
	res := q.Create(&row)
	duplicate := res.RowsAffected == 0
	if res.Error != nil {
		if n.UniqueKey == "" || !errors.Is(res.Error, gorm.ErrDuplicatedKey) {
			return domain.EnqueueResult{}, fmt.Errorf("enqueue %s: %w", n.Kind, res.Error)
		}
		duplicate = true
	}
	if duplicate {
		var existing jobRow
		if err := g.Select("id").Where("kind = ? AND unique_key = ?", n.Kind, n.UniqueKey).Take(&existing).Error; err != nil {
			return domain.EnqueueResult{}, fmt.Errorf("enqueue %s: find duplicate: %w", n.Kind, err)
		}
		return domain.EnqueueResult{ID: existing.ID, Duplicate: true}, nil
	}
	if err := s.signal(ctx, row.RunAt, now); err != nil {
		return domain.EnqueueResult{}, err
	}
	return domain.EnqueueResult{ID: row.ID}, nil
}

// EnqueueMany adds jobs in multi-row INSERTs of up to 1,000 rows, in ctx's
// transaction if it carries one (else in one of its own, so the batch is
// all or nothing). Jobs whose unique key exists already are skipped.
func (s *Store) EnqueueMany(ctx context.Context, batch []domain.NewJob) error {
	if len(batch) == 0 {
		return nil
	}
	now := dbTime(time.Now())
	rid := logging.RequestID(ctx)
	rows := make([]jobRow, len(batch))
	unique := false
	earliest := now.Add(time.Hour)
	for i := range batch {
		if err := batch[i].Validate(); err != nil {
			return fmt.Errorf("job %d of %d: %w", i+1, len(batch), err)
		}
		rows[i] = newRow(batch[i], rid, now)
		unique = unique || batch[i].UniqueKey != ""
		if rows[i].RunAt.Before(earliest) {
			earliest = rows[i].RunAt
		}
	}
	return s.db.Do(ctx, func(ctx context.Context) error {
		insert, size := s.insertValues, valuesBatch
		if s.db.Dialect().JSONRecordset() {
			insert, size = s.insertRecordset, recordsetBatch
		}
		for start := 0; start < len(rows); start += size {
			if err := insert(ctx, rows[start:min(start+size, len(rows))], unique); err != nil {
				return fmt.Errorf("enqueue %d jobs: %w", len(rows), err)
			}
		}
		return s.signal(ctx, earliest, now)
	})
}

// Rows per INSERT statement. valuesBatch rows × 11 columns stays under every
// engine's bind-variable limit (SQLite's 32,766 is the lowest).
const (
	valuesBatch    = 1000
	recordsetBatch = 10000
)

// insertValues writes rows in one multi-row INSERT of only the columns a new
// job sets and without reading ids back (GORM's CreateInBatches binds all
// 17 columns and returns every id, at half the speed).
func (s *Store) insertValues(ctx context.Context, rows []jobRow, unique bool) error {
	const cols = "(kind, payload, state, attempt, max_attempts, run_at, unique_key, request_id, errors, created_at, updated_at)"
	var b strings.Builder
	b.Grow(len(rows)*26 + 200)
	b.WriteString("INSERT INTO jobs " + cols + " VALUES ")
	args := make([]any, 0, len(rows)*11)
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?,?,?,?,?)")
		args = append(args, r.Kind, r.Payload, r.State, 0, r.MaxAttempts, r.RunAt, r.UniqueKey, r.RequestID, r.Errors, r.CreatedAt, r.UpdatedAt)
	}
	if unique {
		if s.db.Dialect().OnConflict() {
			b.WriteString(" ON CONFLICT (kind, unique_key) WHERE unique_key IS NOT NULL DO NOTHING")
		} else {
			b.WriteString(" ON DUPLICATE KEY UPDATE id = id")
		}
	}
	return s.db.Gorm(ctx).Exec(b.String(), args...).Error
}

// recordsetRow is one job in the JSON document insertRecordset sends.
type recordsetRow struct {
	Kind        string          `json:"k"`
	Payload     json.RawMessage `json:"p"`
	MaxAttempts int             `json:"m"`
	RunAt       time.Time       `json:"r"`
	UniqueKey   *string         `json:"u"`
	RequestID   *string         `json:"q"`
}

// insertRecordset is PostgreSQL's batch insert: the rows travel as one JSON
// array parameter expanded by jsonb_to_recordset, which parses and binds
// about twice as fast as 11,000 separate parameters (docs/benchmarks.md).
func (s *Store) insertRecordset(ctx context.Context, rows []jobRow, unique bool) error {
	recs := make([]recordsetRow, len(rows))
	for i, r := range rows {
		recs[i] = recordsetRow{Kind: r.Kind, Payload: json.RawMessage(r.Payload), MaxAttempts: r.MaxAttempts, RunAt: r.RunAt,
			UniqueKey: r.UniqueKey, RequestID: r.RequestID}
	}
	doc, err := json.Marshal(recs)
	if err != nil {
		return err
	}
	q := `INSERT INTO jobs (kind, payload, state, attempt, max_attempts, run_at, unique_key, request_id, errors, created_at, updated_at)
SELECT k, p, 'available', 0, m, r, u, q, '[]', ?, ? FROM jsonb_to_recordset(?::jsonb) AS x(k text, p jsonb, m int, r timestamptz, u text, q text)`
	if unique {
		q += " ON CONFLICT (kind, unique_key) WHERE unique_key IS NOT NULL DO NOTHING"
	}
	now := rows[0].CreatedAt
	return s.db.Gorm(ctx).Exec(q, now, now, string(doc)).Error
}

// signal wakes listening runners when the transaction commits, for jobs
// due now; PostgreSQL folds identical notifications of one transaction.
func (s *Store) signal(ctx context.Context, runAt, now time.Time) error {
	if !s.notify || runAt.After(now) {
		return nil
	}
	if err := s.db.Gorm(ctx).Exec("SELECT pg_notify(?, '')", NotifyChannel).Error; err != nil {
		return fmt.Errorf("notify runners: %w", err)
	}
	return nil
}

// Job returns one job.
func (s *Store) Job(ctx context.Context, id int64) (domain.Job, error) {
	var r jobRow
	err := s.db.Gorm(ctx).Where("id = ?", id).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.Job{}, domain.E(domain.ErrNotFound, "not_found", "job %d not found", id)
	}
	if err != nil {
		return domain.Job{}, err
	}
	return toJob(r)
}

// Jobs returns a page of jobs matching f, newest first, and their count.
func (s *Store) Jobs(ctx context.Context, f jobs.Filter) ([]domain.Job, int64, error) {
	q := s.db.Gorm(ctx).Model(&jobRow{})
	if f.State != "" {
		q = q.Where("state = ?", string(f.State))
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []jobRow
	if err := q.Order("id DESC").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	list, err := toJobs(rows)
	return list, total, err
}

// SaveTransition stores an administrator's state change if the job is still
// in state from.
func (s *Store) SaveTransition(ctx context.Context, j domain.Job, from domain.JobState) error {
	res := s.db.Gorm(ctx).Model(&jobRow{}).Where("id = ? AND state = ?", j.ID, string(from)).Updates(map[string]any{
		"state": string(j.State), "run_at": dbTime(j.RunAt), "max_attempts": j.MaxAttempts,
		"finished_at": timePtr(j.FinishedAt), "updated_at": dbTime(j.UpdatedAt),
	})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return domain.E(domain.ErrConflict, "job_state_changed", "job %d is no longer %s; reload it and try again", j.ID, from)
	}
	return nil
}

func timePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return dbTime(*t)
}
