package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// pagedList is one kind of list and the paging bounds it promises: the
// numbers are the API's contract, so they are written out here rather than
// read from the code under test.
type pagedList struct {
	name                              string
	path                              string
	perm                              domain.Permission
	defaultLimit, maxLimit, maxOffset int
}

var pagedLists = []pagedList{
	{name: "documents", path: "/api/v1/invoices", perm: domain.PermInvoiceRead, defaultLimit: 50, maxLimit: 500, maxOffset: 1_000_000},
	{name: "users", path: "/api/v1/users", perm: domain.PermUserAdmin, defaultLimit: 50, maxLimit: 200, maxOffset: 1_000_000},
	{name: "jobs", path: "/api/v1/jobs", perm: domain.PermJobsRead, defaultLimit: 50, maxLimit: 200, maxOffset: 100_000},
}

// TestListPaging sends bad limit and offset values to a list of each kind
// through the real router: every one is a 400 invalid_query naming the
// accepted range, in the same words on every list, never a 500 or a 422.
// The bounds themselves still page.
func TestListPaging(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		for _, l := range pagedLists {
			token := a.Token(t, l.perm)
			limitMsg := fmt.Sprintf("limit must be an integer from 1 to %d", l.maxLimit)
			offsetMsg := fmt.Sprintf("offset must be an integer from 0 to %d", l.maxOffset)
			bad := []struct{ query, detail string }{
				{"limit=abc", limitMsg},
				{"limit=0", limitMsg},
				{"limit=-1", limitMsg},
				{"limit=1.5", limitMsg},
				{"limit=%20", limitMsg},
				{fmt.Sprintf("limit=%d", l.maxLimit+1), limitMsg},
				{"limit=99999999999999999999", limitMsg},
				{"limit=-99999999999999999999", limitMsg},
				{"offset=-1", offsetMsg},
				{"offset=x", offsetMsg},
				{fmt.Sprintf("offset=%d", l.maxOffset+1), offsetMsg},
				{"offset=99999999999999999999", offsetMsg},
				{"limit=10&offset=9223372036854775807", offsetMsg},
			}
			for _, tc := range bad {
				t.Run(l.name+"/"+tc.query, func(t *testing.T) {
					res := a.Do(t, http.MethodGet, l.path+"?"+tc.query, nil, token)
					require.Equal(t, http.StatusBadRequest, res.Status, "%s", res.Body)
					p := res.Problem(t)
					require.Equal(t, "invalid_query", p.Code)
					require.Equal(t, tc.detail, p.Detail)
				})
			}

			t.Run(l.name+"/bounds", func(t *testing.T) {
				var page api.List[map[string]any]
				res := a.Do(t, http.MethodGet, l.path, nil, token)
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
				res.JSON(t, &page)
				require.Equal(t, l.defaultLimit, page.Paging.Limit)
				require.Zero(t, page.Paging.Offset)
				res = a.Do(t, http.MethodGet, fmt.Sprintf("%s?limit=%d&offset=%d", l.path, l.maxLimit, l.maxOffset), nil, token)
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
				res.JSON(t, &page)
				require.Equal(t, l.maxLimit, page.Paging.Limit)
				require.Equal(t, l.maxOffset, page.Paging.Offset)
				require.Empty(t, page.Data)
				res = a.Do(t, http.MethodGet, l.path+"?limit=1&offset=0", nil, token)
				require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			})
		}
	})
}

// TestListPagingDocumented checks that openapi.yaml gives each list's limit
// and offset the bounds the code enforces.
func TestListPagingDocumented(t *testing.T) {
	doc, _ := apptest.Spec(t)
	for _, l := range pagedLists {
		item := doc.Paths.Find(l.path)
		require.NotNil(t, item, l.path)
		require.NotNil(t, item.Get, l.path)
		limit := item.Get.Parameters.GetByInAndName("query", "limit")
		require.NotNil(t, limit, l.path)
		s := limit.Schema.Value
		require.NotNil(t, s.Min, l.path)
		require.NotNil(t, s.Max, l.path)
		require.InDelta(t, 1, *s.Min, 0, l.path)
		require.InDelta(t, float64(l.maxLimit), *s.Max, 0, l.path)
		require.EqualValues(t, l.defaultLimit, s.Default, l.path)
		offset := item.Get.Parameters.GetByInAndName("query", "offset")
		require.NotNil(t, offset, l.path)
		s = offset.Schema.Value
		require.NotNil(t, s.Min, l.path)
		require.NotNil(t, s.Max, l.path)
		require.InDelta(t, 0, *s.Min, 0, l.path)
		require.InDelta(t, float64(l.maxOffset), *s.Max, 0, l.path)
	}
}
