package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/logging"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
)

func enqueueJob(t *testing.T, a *apptest.App, kind string) int64 {
	t.Helper()
	ctx := logging.WithRequestID(context.Background(), "req-enq")
	res, err := queue.NewStore(a.DB, queue.StoreOptions{}).Enqueue(ctx, domain.NewJob{Kind: kind, Payload: []byte(`{"invoice_id":7}`)})
	require.NoError(t, err)
	return res.ID
}

// TestJobsAPI reads, lists, cancels and retries jobs through the real
// router, every response checked against the OpenAPI document.
func TestJobsAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		mail := enqueueJob(t, a, "invoice.email")
		pdf := enqueueJob(t, a, "invoice.pdf")
		reader := a.Token(t, domain.PermJobsRead)
		admin := a.Token(t, domain.PermJobsAdmin)

		res := a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/jobs/%d", mail), nil, reader)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var j api.JobResponse
		res.JSON(t, &j)
		require.Equal(t, mail, j.ID)
		require.Equal(t, "invoice.email", j.Kind)
		require.Equal(t, domain.JobAvailable, j.State)
		require.JSONEq(t, `{"invoice_id":7}`, string(j.Payload))
		require.Equal(t, "req-enq", j.RequestID)
		require.Equal(t, domain.DefaultJobMaxAttempts, j.MaxAttempts)
		require.Empty(t, j.Errors)

		res = a.Do(t, http.MethodGet, "/api/v1/jobs/999999", nil, reader)
		require.Equal(t, http.StatusNotFound, res.Status)
		require.Equal(t, "not_found", res.Problem(t).Code)
		res = a.Do(t, http.MethodGet, "/api/v1/jobs/abc", nil, reader)
		require.Equal(t, http.StatusBadRequest, res.Status)
		require.Equal(t, "invalid_id", res.Problem(t).Code)

		// The list: filters, paging, envelope.
		var page api.List[api.JobResponse]
		res = a.Do(t, http.MethodGet, "/api/v1/jobs?kind=invoice.pdf", nil, reader)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res.JSON(t, &page)
		require.EqualValues(t, 1, page.Paging.Total)
		require.Len(t, page.Data, 1)
		require.Equal(t, pdf, page.Data[0].ID)
		res = a.Do(t, http.MethodGet, "/api/v1/jobs?state=available&limit=1&offset=0", nil, reader)
		require.Equal(t, http.StatusOK, res.Status)
		res.JSON(t, &page)
		require.EqualValues(t, 2, page.Paging.Total)
		require.Equal(t, 1, page.Paging.Limit)
		require.Equal(t, []int64{pdf}, []int64{page.Data[0].ID}, "newest first")
		res = a.Do(t, http.MethodGet, "/api/v1/jobs?state=completed", nil, reader)
		require.Equal(t, http.StatusOK, res.Status)
		res.JSON(t, &page)
		require.Empty(t, page.Data)
		require.NotNil(t, page.Data, "an empty list is [], not null")

		res = a.Do(t, http.MethodGet, "/api/v1/jobs?state=lost", nil, reader)
		require.Equal(t, http.StatusUnprocessableEntity, res.Status)
		p := res.Problem(t)
		require.Equal(t, "validation_failed", p.Code)
		require.Equal(t, "state", p.Errors[0].Field)
		// Paging out of range is the 400 of every list (see TestListPaging).
		res = a.Do(t, http.MethodGet, "/api/v1/jobs?limit=ten", nil, reader)
		require.Equal(t, http.StatusBadRequest, res.Status)
		res = a.Do(t, http.MethodGet, "/api/v1/jobs?limit=500", nil, reader)
		require.Equal(t, http.StatusBadRequest, res.Status)
		require.Equal(t, "invalid_query", res.Problem(t).Code)

		// Cancel and retry need jobs:admin.
		res = a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/jobs/%d/cancel", mail), nil, reader)
		require.Equal(t, http.StatusForbidden, res.Status)
		res = a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/jobs/%d/cancel", mail), nil, admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res.JSON(t, &j)
		require.Equal(t, domain.JobCanceled, j.State)
		require.NotNil(t, j.FinishedAt)
		res = a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/jobs/%d/cancel", mail), nil, admin)
		require.Equal(t, http.StatusConflict, res.Status)
		require.Equal(t, "job_not_cancelable", res.Problem(t).Code)
		res = a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/jobs/%d/retry", pdf), nil, admin)
		require.Equal(t, http.StatusConflict, res.Status)
		require.Equal(t, "job_not_retryable", res.Problem(t).Code)
		res = a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/jobs/%d/retry", mail), nil, admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var retried api.JobResponse
		res.JSON(t, &retried)
		require.Equal(t, domain.JobAvailable, retried.State)
		require.Nil(t, retried.FinishedAt)
		res = a.Do(t, http.MethodPost, "/api/v1/jobs/999999/retry", nil, admin)
		require.Equal(t, http.StatusNotFound, res.Status)

		// Reading needs jobs:read; jobs:admin alone does not grant it.
		res = a.Do(t, http.MethodGet, "/api/v1/jobs", nil, admin)
		require.Equal(t, http.StatusForbidden, res.Status)
		res = a.Do(t, http.MethodGet, "/api/v1/jobs", nil, "")
		require.Equal(t, http.StatusUnauthorized, res.Status)
	})
}
