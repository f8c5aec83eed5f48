package jobs_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/jobs"
)

// fakeRepo is an in-memory Repo with the same guard as the real one.
type fakeRepo struct {
	jobs     map[int64]domain.Job
	lastList jobs.Filter
	moveAway bool // simulate a runner moving the job between read and write
}

func (f *fakeRepo) Job(_ context.Context, id int64) (domain.Job, error) {
	j, ok := f.jobs[id]
	if !ok {
		return domain.Job{}, domain.E(domain.ErrNotFound, "not_found", "job %d not found", id)
	}
	return j, nil
}

func (f *fakeRepo) Jobs(_ context.Context, fl jobs.Filter) ([]domain.Job, int64, error) {
	f.lastList = fl
	var out []domain.Job
	for _, j := range f.jobs {
		if (fl.State == "" || j.State == fl.State) && (fl.Kind == "" || j.Kind == fl.Kind) {
			out = append(out, j)
		}
	}
	return out, int64(len(out)), nil
}

func (f *fakeRepo) SaveTransition(_ context.Context, j domain.Job, from domain.JobState) error {
	if f.moveAway || f.jobs[j.ID].State != from {
		return domain.E(domain.ErrConflict, "job_state_changed", "moved")
	}
	f.jobs[j.ID] = j
	return nil
}

func newFake() *fakeRepo {
	return &fakeRepo{jobs: map[int64]domain.Job{
		1: {ID: 1, Kind: "mail", State: domain.JobFailed, Attempt: 5, MaxAttempts: 5},
		2: {ID: 2, Kind: "pdf", State: domain.JobAvailable, MaxAttempts: 5},
		3: {ID: 3, Kind: "pdf", State: domain.JobRunning, Attempt: 1, MaxAttempts: 5},
	}}
}

func TestListValidatesEveryFilterAtOnce(t *testing.T) {
	svc := jobs.NewService(newFake())
	_, err := svc.List(context.Background(), jobs.Filter{State: "lost", Kind: string(make([]byte, 65)), Limit: 1000, Offset: -1})
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Fields, 4)
}

func TestListDefaultsAndFilters(t *testing.T) {
	repo := newFake()
	svc := jobs.NewService(repo)
	page, err := svc.List(context.Background(), jobs.Filter{Kind: "pdf"})
	require.NoError(t, err)
	require.Equal(t, jobs.DefaultLimit, page.Limit)
	require.Equal(t, jobs.DefaultLimit, repo.lastList.Limit, "the default reaches the repository")
	require.EqualValues(t, 2, page.Total)
	page, err = svc.List(context.Background(), jobs.Filter{State: domain.JobRunning, Limit: 5, Offset: 0})
	require.NoError(t, err)
	require.EqualValues(t, 1, page.Total)
}

func TestGet(t *testing.T) {
	svc := jobs.NewService(newFake())
	j, err := svc.Get(context.Background(), 2)
	require.NoError(t, err)
	require.Equal(t, "pdf", j.Kind)
	_, err = svc.Get(context.Background(), 0)
	require.ErrorIs(t, err, domain.ErrNotFound)
	_, err = svc.Get(context.Background(), 42)
	require.ErrorIs(t, err, domain.ErrNotFound)
}

func TestRetryAndCancel(t *testing.T) {
	repo := newFake()
	svc := jobs.NewService(repo)
	ctx := context.Background()

	j, err := svc.Retry(ctx, 1)
	require.NoError(t, err)
	require.Equal(t, domain.JobAvailable, j.State)
	require.Equal(t, 6, j.MaxAttempts)
	require.Equal(t, domain.JobAvailable, repo.jobs[1].State, "stored")

	_, err = svc.Retry(ctx, 3)
	require.ErrorIs(t, err, domain.ErrConflict, "running jobs cannot be retried")
	_, err = svc.Cancel(ctx, 3)
	require.ErrorIs(t, err, domain.ErrConflict, "running jobs cannot be cancelled")
	require.Equal(t, domain.JobRunning, repo.jobs[3].State)

	j, err = svc.Cancel(ctx, 2)
	require.NoError(t, err)
	require.Equal(t, domain.JobCanceled, repo.jobs[2].State)
	require.NotNil(t, j.FinishedAt)

	repo.moveAway = true
	_, err = svc.Cancel(ctx, 1)
	require.ErrorIs(t, err, domain.ErrConflict, "a concurrent move wins")
	require.Equal(t, domain.JobAvailable, repo.jobs[1].State)
	_, err = svc.Cancel(ctx, 99)
	require.ErrorIs(t, err, domain.ErrNotFound)
}
