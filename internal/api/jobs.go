package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/jobs"
)

// JobResponse is a background job as the API shows it.
type JobResponse struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
	State       domain.JobState `json:"state"`
	Payload     json.RawMessage `json:"payload"`
	Attempt     int             `json:"attempt"`
	MaxAttempts int             `json:"max_attempts"`
	RunAt       time.Time       `json:"run_at"`
	UniqueKey   string          `json:"unique_key,omitempty"`
	// RequestID is the API request that enqueued the job; the runner logs
	// it with every line about the job.
	RequestID string `json:"request_id,omitempty"`
	// Runner holds a running job until LeaseExpiresAt; on a finished job
	// it names the runner that ran the last attempt.
	Runner         string             `json:"runner,omitempty"`
	LeaseExpiresAt *time.Time         `json:"lease_expires_at,omitempty"`
	AttemptedAt    *time.Time         `json:"attempted_at,omitempty"`
	FinishedAt     *time.Time         `json:"finished_at,omitempty"`
	LastError      string             `json:"last_error,omitempty"`
	Errors         []JobErrorResponse `json:"errors"`
	CreatedAt      time.Time          `json:"created_at"`
	UpdatedAt      time.Time          `json:"updated_at"`
}

// JobErrorResponse is one failed attempt.
type JobErrorResponse struct {
	At      time.Time `json:"at"`
	Attempt int       `json:"attempt"`
	Error   string    `json:"error"`
}

func jobResponse(j domain.Job) JobResponse {
	errs := make([]JobErrorResponse, 0, len(j.Errors))
	for _, e := range j.Errors {
		errs = append(errs, JobErrorResponse{At: e.At, Attempt: e.Attempt, Error: e.Error})
	}
	payload := j.Payload
	if len(payload) == 0 {
		payload = json.RawMessage("{}")
	}
	return JobResponse{
		ID: j.ID, Kind: j.Kind, State: j.State, Payload: payload, Attempt: j.Attempt, MaxAttempts: j.MaxAttempts,
		RunAt: j.RunAt, UniqueKey: j.UniqueKey, RequestID: j.RequestID, Runner: j.LeaseOwner,
		LeaseExpiresAt: j.LeaseExpiresAt, AttemptedAt: j.AttemptedAt, FinishedAt: j.FinishedAt,
		LastError: j.LastError, Errors: errs, CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt,
	}
}

// jobHandlers serves the job inspection and administration routes.
type jobHandlers struct{ svc *jobs.Service }

// RegisterJobs registers the /api/v1/jobs routes: reading needs jobs:read,
// retry and cancel need jobs:admin.
func RegisterJobs(s *Server, svc *jobs.Service) {
	h := &jobHandlers{svc: svc}
	s.Guarded(http.MethodGet, "/api/v1/jobs", domain.PermJobsRead, h.list)
	s.Guarded(http.MethodGet, "/api/v1/jobs/:id", domain.PermJobsRead, h.get)
	s.Guarded(http.MethodPost, "/api/v1/jobs/:id/retry", domain.PermJobsAdmin, h.retry)
	s.Guarded(http.MethodPost, "/api/v1/jobs/:id/cancel", domain.PermJobsAdmin, h.cancel)
}

// jobsPaging bounds the jobs list with the use case's own limits, so a
// page out of range is the same 400 as on every other list.
var jobsPaging = pageBounds{defaultLimit: jobs.DefaultLimit, maxLimit: jobs.MaxLimit, maxOffset: jobs.MaxOffset}

func (h *jobHandlers) list(c echo.Context) error {
	limit, offset, err := parsePaging(c, jobsPaging)
	if err != nil {
		return err
	}
	page, err := h.svc.List(c.Request().Context(), jobs.Filter{
		State: domain.JobState(c.QueryParam("state")), Kind: c.QueryParam("kind"), Limit: limit, Offset: offset,
	})
	if err != nil {
		return err
	}
	out := List[JobResponse]{Data: make([]JobResponse, 0, len(page.Jobs)), Paging: Paging{Total: page.Total, Limit: page.Limit, Offset: page.Offset}}
	for _, j := range page.Jobs {
		out.Data = append(out.Data, jobResponse(j))
	}
	return c.JSON(http.StatusOK, out)
}

func (h *jobHandlers) get(c echo.Context) error {
	return h.one(c, h.svc.Get)
}

func (h *jobHandlers) retry(c echo.Context) error {
	return h.one(c, h.svc.Retry)
}

func (h *jobHandlers) cancel(c echo.Context) error {
	return h.one(c, h.svc.Cancel)
}

// one serves a route that acts on the job in the path and answers with it.
func (h *jobHandlers) one(c echo.Context, fn func(context.Context, int64) (domain.Job, error)) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	j, err := fn(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return jsonETag(c, http.StatusOK, jobResponse(j))
}
