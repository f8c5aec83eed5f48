package queue

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// The runner's side of the jobs table. The claim, rescue and promotion
// queries spell their state as a literal, not a bind variable: PostgreSQL
// and SQLite use a partial index (WHERE state = 'available', ...) only when
// the query's predicate proves the index's at prepare time, which a
// parameter cannot (PostgreSQL's generic plans, SQLite's prepared
// statements).
//
// Every method takes the time to use as
// "now" (the runner passes time.Now, tests pass what they need), and every
// write to a running job is guarded by state = 'running', the lease owner
// and the attempt it was claimed with: a runner whose job was rescued and
// claimed again elsewhere cannot overwrite the new attempt.

// skipLocked is the row lock the claim takes: rows another runner is
// claiming right now are skipped, not waited for.
var skipLocked = clause.Locking{Strength: clause.LockingStrengthUpdate, Options: clause.LockingOptionsSkipLocked}

// claim moves up to n due available jobs to running under owner's lease and
// returns them, oldest run_at first.
func (s *Store) claim(ctx context.Context, owner string, n int, now time.Time, lease time.Duration) ([]domain.Job, error) {
	if n <= 0 {
		return nil, nil
	}
	now = dbTime(now)
	exp := dbTime(now.Add(lease))
	g := s.db.Gorm(ctx)
	pick := pickQuery(g, n, now).Select("id")

	var rows []jobRow
	var err error
	switch d := s.db.Dialect(); {
	case !d.Returning():
		// MySQL has neither UPDATE ... RETURNING nor LIMIT in an IN
		// subquery: lock, then update, in one short transaction. READ
		// COMMITTED takes no gap locks, so enqueues never wait on a claim.
		err = g.Transaction(func(tx *gorm.DB) error {
			if err := pickQuery(tx, n, now).Find(&rows).Error; err != nil {
				return err
			}
			if len(rows) == 0 {
				return nil
			}
			ids := make([]int64, len(rows))
			for i := range rows {
				ids[i] = rows[i].ID
				rows[i].State = string(domain.JobRunning)
				rows[i].Attempt++
				rows[i].AttemptedAt, rows[i].LeaseOwner, rows[i].LeaseExpiresAt, rows[i].UpdatedAt = &now, &owner, &exp, now
			}
			return tx.Model(&jobRow{}).Where("id IN ?", ids).Updates(map[string]any{
				"state": string(domain.JobRunning), "attempt": gorm.Expr("attempt + 1"), "attempted_at": now,
				"lease_owner": owner, "lease_expires_at": exp, "updated_at": now,
			}).Error
		}, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	case d.SingleWriter():
		// The single writer: the subquery needs no lock and races no one.
		err = g.Raw(`UPDATE jobs SET state = 'running', attempt = attempt + 1, attempted_at = ?, lease_owner = ?, lease_expires_at = ?, updated_at = ?
WHERE id IN (?) RETURNING *`, now, owner, exp, now, pick).Scan(&rows).Error
	default:
		// One statement. MATERIALIZED fences the locking subquery so the
		// planner cannot re-run it per row and update more than n rows
		// (Oban's note on its fetch query).
		err = g.Raw(`WITH picked AS MATERIALIZED (?)
UPDATE jobs SET state = 'running', attempt = jobs.attempt + 1, attempted_at = ?, lease_owner = ?, lease_expires_at = ?, updated_at = ?
FROM picked WHERE jobs.id = picked.id RETURNING jobs.*`, pick, now, owner, exp, now).Scan(&rows).Error
	}
	if err != nil {
		return nil, fmt.Errorf("claim jobs: %w", err)
	}
	sort.Slice(rows, func(i, j int) bool {
		if !rows[i].RunAt.Equal(rows[j].RunAt) {
			return rows[i].RunAt.Before(rows[j].RunAt)
		}
		return rows[i].ID < rows[j].ID
	})
	return toJobs(rows)
}

// pickQuery selects the n due available jobs a claim takes, in the order
// the claim index (state, run_at, id) returns them, skipping rows another
// runner is claiming. SQLite's GORM dialect drops the FOR clause: its single
// writer makes the claiming statement exclusive instead.
func pickQuery(g *gorm.DB, n int, now time.Time) *gorm.DB {
	return g.Model(&jobRow{}).Where("state = 'available' AND run_at <= ?", now).
		Order("run_at, id").Limit(n).Clauses(skipLocked)
}

// ref names one claim of a job: the id and the attempt it was claimed with.
type ref struct {
	ID      int64
	Attempt int
}

// byAttempt groups refs so each guarded UPDATE is a plain id IN (...) list
// with one attempt value, which every engine serves from the primary key.
// A batch almost always holds a single attempt value.
func byAttempt(refs []ref) map[int][]int64 {
	m := map[int][]int64{}
	for _, r := range refs {
		m[r.Attempt] = append(m[r.Attempt], r.ID)
	}
	return m
}

// complete marks claimed jobs completed and returns how many still belonged
// to owner (the others were rescued meanwhile and are not touched).
func (s *Store) complete(ctx context.Context, owner string, refs []ref, now time.Time) (int64, error) {
	now = dbTime(now)
	return s.updateClaimed(ctx, "complete jobs", owner, refs,
		map[string]any{"state": string(domain.JobCompleted), "finished_at": now, "lease_expires_at": nil, "updated_at": now})
}

// updateClaimed applies values to the jobs of refs that owner still holds
// under the attempt it claimed them with, one guarded UPDATE per attempt
// value, and returns how many rows it changed; what names the step in
// errors.
func (s *Store) updateClaimed(ctx context.Context, what, owner string, refs []ref, values map[string]any) (int64, error) {
	var n int64
	for attempt, ids := range byAttempt(refs) {
		res := s.db.Gorm(ctx).Model(&jobRow{}).
			Where("state = ? AND lease_owner = ? AND attempt = ? AND id IN ?", string(domain.JobRunning), owner, attempt, ids).
			Updates(values)
		if res.Error != nil {
			return n, fmt.Errorf("%s: %w", what, res.Error)
		}
		n += res.RowsAffected
	}
	return n, nil
}

// settle writes the outcome of one claimed attempt (failed, retryable,
// snoozed, interrupted: j holds the new state) if the claim still holds.
// claimedBy and claimedAttempt identify the claim.
func (s *Store) settle(ctx context.Context, j domain.Job, claimedBy string, claimedAttempt int) (bool, error) {
	owner := any(nil)
	if j.State.Final() {
		owner = claimedBy // kept as the record of who ran it last
	}
	res := s.db.Gorm(ctx).Model(&jobRow{}).
		Where("id = ? AND state = ? AND lease_owner = ? AND attempt = ?", j.ID, string(domain.JobRunning), claimedBy, claimedAttempt).
		Updates(map[string]any{
			"state": string(j.State), "attempt": j.Attempt, "max_attempts": j.MaxAttempts, "run_at": dbTime(j.RunAt),
			"finished_at": timePtr(j.FinishedAt), "last_error": strPtr(j.LastError), "errors": errorsJSON(j.Errors),
			"lease_owner": owner, "lease_expires_at": nil, "updated_at": dbTime(j.UpdatedAt),
		})
	if res.Error != nil {
		return false, fmt.Errorf("settle job %d: %w", j.ID, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// releaseUnstarted hands claimed jobs that never started back to available
// without spending the attempt their claim counted.
func (s *Store) releaseUnstarted(ctx context.Context, owner string, refs []ref, now time.Time) (int64, error) {
	now = dbTime(now)
	return s.updateClaimed(ctx, "release jobs", owner, refs, map[string]any{
		"state": string(domain.JobAvailable), "attempt": gorm.Expr("attempt - 1"),
		"lease_owner": nil, "lease_expires_at": nil, "updated_at": now,
	})
}

// releaseOwned hands every job owner still holds back to available, as the
// last step of a shutdown: these started and were cancelled but their
// handlers did not return in time. The attempt stays spent; a job on its
// last attempt is granted one more, since the shutdown, not the job, cut it.
func (s *Store) releaseOwned(ctx context.Context, owner, reason string, now time.Time) (int64, error) {
	now = dbTime(now)
	res := s.db.Gorm(ctx).Model(&jobRow{}).
		Where("state = ? AND lease_owner = ?", string(domain.JobRunning), owner).
		Updates(map[string]any{
			"state": string(domain.JobAvailable), "run_at": now,
			"max_attempts": gorm.Expr("CASE WHEN attempt >= max_attempts THEN attempt + 1 ELSE max_attempts END"),
			"last_error":   domain.TruncateJobError(reason),
			"lease_owner":  nil, "lease_expires_at": nil, "updated_at": now,
		})
	if res.Error != nil {
		return 0, fmt.Errorf("release jobs of %s: %w", owner, res.Error)
	}
	return res.RowsAffected, nil
}

// promote makes retryable jobs whose backoff has passed available again.
func (s *Store) promote(ctx context.Context, now time.Time) (int64, error) {
	now = dbTime(now)
	res := s.db.Gorm(ctx).Model(&jobRow{}).
		Where("state = 'retryable' AND run_at <= ?", now).
		Updates(map[string]any{"state": string(domain.JobAvailable), "updated_at": now})
	if res.Error != nil {
		return 0, fmt.Errorf("promote retryable jobs: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// expired returns up to limit running jobs whose lease ended before now:
// their runner died (kill -9, node lost) or hangs past its lease.
func (s *Store) expired(ctx context.Context, now time.Time, limit int) ([]domain.Job, error) {
	var rows []jobRow
	err := s.db.Gorm(ctx).Where("state = 'running' AND lease_expires_at < ?", dbTime(now)).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("find expired leases: %w", err)
	}
	return toJobs(rows)
}

// prune deletes jobs in state that finished before cutoff, at most limit.
func (s *Store) prune(ctx context.Context, state domain.JobState, cutoff time.Time, limit int) (int64, error) {
	var ids []int64
	g := s.db.Gorm(ctx)
	if err := g.Model(&jobRow{}).Where("state = ? AND finished_at < ?", string(state), dbTime(cutoff)).
		Order("finished_at").Limit(limit).Pluck("id", &ids).Error; err != nil {
		return 0, fmt.Errorf("prune %s jobs: %w", state, err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	// Re-check the state: an administrator may have retried one meanwhile.
	res := g.Where("state = ? AND id IN ?", string(state), ids).Delete(&jobRow{})
	if res.Error != nil {
		return 0, fmt.Errorf("prune %s jobs: %w", state, res.Error)
	}
	return res.RowsAffected, nil
}
