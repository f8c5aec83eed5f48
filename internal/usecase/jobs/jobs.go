// Package jobs is the background-job capability seen from the use cases: the
// Enqueuer port that business use cases call inside their transactions, and
// the inspection and administration use case behind /api/v1/jobs.
package jobs

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Enqueuer adds a job. Called with a context that carries a transaction
// (domain.Transactor.Do), the job is written in that transaction: if it
// rolls back there is no job, if it commits the job will run. Use cases that
// enqueue can declare this interface themselves or embed this one.
type Enqueuer interface {
	Enqueue(ctx context.Context, job domain.NewJob) (domain.EnqueueResult, error)
}

// Filter selects jobs for the list.
type Filter struct {
	State  domain.JobState // empty: any
	Kind   string          // empty: any
	Limit  int             // 0: DefaultLimit
	Offset int
}

// Paging limits of the list.
const (
	DefaultLimit = 50
	MaxLimit     = 200
	MaxOffset    = 100_000
)

// Repo is what the use case needs from storage.
type Repo interface {
	// Job returns one job or a domain.ErrNotFound error.
	Job(ctx context.Context, id int64) (domain.Job, error)
	// Jobs returns a page of jobs, newest first, and the number matching f.
	Jobs(ctx context.Context, f Filter) ([]domain.Job, int64, error)
	// SaveTransition stores j's state, run_at, max_attempts and finished_at
	// only if the stored job is still in state from; otherwise it returns a
	// domain.ErrConflict error, because a runner or another administrator
	// moved the job meanwhile.
	SaveTransition(ctx context.Context, j domain.Job, from domain.JobState) error
}

// Page is one page of the list.
type Page struct {
	Jobs   []domain.Job
	Total  int64
	Limit  int
	Offset int
}

// Service inspects and administers jobs.
type Service struct {
	repo Repo
	now  func() time.Time
}

// NewService returns the use case over repo.
func NewService(repo Repo) *Service {
	return &Service{repo: repo, now: func() time.Time { return time.Now().UTC() }}
}

// Get returns job id.
func (s *Service) Get(ctx context.Context, id int64) (domain.Job, error) {
	if id <= 0 {
		return domain.Job{}, domain.E(domain.ErrNotFound, "not_found", "job %d not found", id)
	}
	return s.repo.Job(ctx, id)
}

// List returns the jobs matching f, newest first.
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	var v domain.ValidationError
	if f.State != "" && !f.State.Valid() {
		v.Add("state", "invalid", "unknown state %q (one of available, running, retryable, completed, failed, canceled)", f.State)
	}
	if len(f.Kind) > domain.MaxJobKindLen {
		v.Add("kind", "invalid", "a job kind is at most %d characters", domain.MaxJobKindLen)
	}
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	if f.Limit < 1 || f.Limit > MaxLimit {
		v.Add("limit", "out_of_range", "limit must be between 1 and %d", MaxLimit)
	}
	if f.Offset < 0 || f.Offset > MaxOffset {
		v.Add("offset", "out_of_range", "offset must be between 0 and %d", MaxOffset)
	}
	if err := v.Err(); err != nil {
		return Page{}, err
	}
	list, total, err := s.repo.Jobs(ctx, f)
	if err != nil {
		return Page{}, err
	}
	return Page{Jobs: list, Total: total, Limit: f.Limit, Offset: f.Offset}, nil
}

// Retry makes a failed, cancelled or retryable job run again now.
func (s *Service) Retry(ctx context.Context, id int64) (domain.Job, error) {
	return s.transition(ctx, id, (*domain.Job).Retry)
}

// Cancel stops an available or retryable job.
func (s *Service) Cancel(ctx context.Context, id int64) (domain.Job, error) {
	return s.transition(ctx, id, (*domain.Job).Cancel)
}

// transition applies the entity's state change and stores it guarded by the
// state it was read in, so it never overwrites a runner's concurrent move.
func (s *Service) transition(ctx context.Context, id int64, change func(*domain.Job, time.Time) error) (domain.Job, error) {
	j, err := s.Get(ctx, id)
	if err != nil {
		return domain.Job{}, err
	}
	from := j.State
	if err := change(&j, s.now()); err != nil {
		return domain.Job{}, err
	}
	if err := s.repo.SaveTransition(ctx, j, from); err != nil {
		return domain.Job{}, err
	}
	return j, nil
}
