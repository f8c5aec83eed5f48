package queue

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
)

// TestClaimStaysAnIndexScan: with 20,000 finished jobs and 100 available,
// the claim reads its index in order (PostgreSQL: the partial index of
// available jobs; MariaDB: (state, run_at, id)): no sequential scan, no sort of every due row (which on InnoDB
// would also lock every row it read).
func TestClaimStaysAnIndexScan(t *testing.T) {
	t.Parallel()
	for _, driver := range testdb.Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, driver)
			ctx := context.Background()
			batch := make([]domain.NewJob, 20100)
			for i := range batch {
				batch[i] = domain.NewJob{Kind: "k"}
			}
			s := NewStore(db, StoreOptions{})
			require.NoError(t, s.EnqueueMany(ctx, batch))
			g := db.Gorm(ctx)
			require.NoError(t, g.Exec("UPDATE jobs SET state = 'completed', finished_at = ? WHERE id > 100", time.Now()).Error)
			analyze := "ANALYZE jobs"
			if driver == "mysql" {
				analyze = "ANALYZE TABLE jobs"
			}
			if driver == "sqlite" {
				analyze = "ANALYZE"
			}
			require.NoError(t, g.Exec(analyze).Error)

			query := g.ToSQL(func(tx *gorm.DB) *gorm.DB {
				var ids []int64
				return pickQuery(tx, 50, time.Now()).Select("id").Find(&ids)
			})
			if driver == "sqlite" {
				var plan []struct{ Detail string }
				require.NoError(t, g.Raw("EXPLAIN QUERY PLAN "+query).Scan(&plan).Error)
				require.Len(t, plan, 1, "%+v", plan)
				require.Contains(t, plan[0].Detail, "INDEX jobs_available_idx")
				require.NotContains(t, plan[0].Detail, "TEMP B-TREE")
				return
			}
			require.Contains(t, query, "SKIP LOCKED")
			if driver == "postgres" {
				var plan []string
				require.NoError(t, g.Raw("EXPLAIN "+query).Scan(&plan).Error)
				text := strings.Join(plan, "\n")
				require.Contains(t, text, "jobs_available_idx", text)
				require.NotContains(t, text, "Seq Scan", text)
				require.NotContains(t, text, "Sort", text)
				return
			}
			var rows []map[string]any
			require.NoError(t, g.Raw("EXPLAIN "+query).Scan(&rows).Error)
			require.Len(t, rows, 1)
			require.Equal(t, "jobs_state_run_at_idx", str(rows[0]["key"]), "%v", rows[0])
			require.NotContains(t, str(rows[0]["Extra"]), "filesort", "%v", rows[0])
		})
	}
}

func str(v any) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case string:
		return x
	case nil:
		return ""
	}
	return ""
}
