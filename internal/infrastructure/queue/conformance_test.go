package queue

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
)

// conformance lists the cases every engine must pass. They share one
// database per engine (creating and migrating one costs seconds), emptied
// before each case; the engines run in parallel, the cases in order.
var conformance = []struct {
	name string
	fn   func(t *testing.T, db *persistence.DB)
}{
	{"EnqueueJoinsTheCallersTransaction", testEnqueueJoinsTheCallersTransaction},
	{"EnqueueRejectsBadJobs", testEnqueueRejectsBadJobs},
	{"EnqueueWithUniqueKeyIsIdempotent", testEnqueueWithUniqueKeyIsIdempotent},
	{"EnqueueMany", testEnqueueMany},
	{"ClaimTakesDueJobsInOrderWithALease", testClaimTakesDueJobsInOrderWithALease},
	{"CompleteIsGuardedByTheClaim", testCompleteIsGuardedByTheClaim},
	{"BatchOfMixedAttempts", testBatchOfMixedAttempts},
	{"Outcomes", testOutcomes},
	{"LeaseGuard", testLeaseGuard},
	{"RescueFailsAJobOnItsLastAttempt", testRescueFailsAJobOnItsLastAttempt},
	{"ReleaseOnShutdown", testReleaseOnShutdown},
	{"Prune", testPrune},
	{"ConcurrentClaimsNeverOverlap", testConcurrentClaimsNeverOverlap},
	{"InspectionAndAdmin", testInspectionAndAdmin},
	{"RunnerWorksEveryJobOnceWithTheRequestID", testRunnerWorksEveryJobOnceWithTheRequestID},
	{"RunnerOutcomes", testRunnerOutcomes},
	{"RunnerSoftDrain", testRunnerSoftDrain},
	{"RunnerHardStop", testRunnerHardStop},
	{"RunnerHandsBackJobsOfHandlersThatIgnoreCancellation", testRunnerHandsBackJobsOfHandlersThatIgnoreCancellation},
	{"RunnerRetriesAfterBackoff", testRunnerRetriesAfterBackoff},
	{"CompleteAtOnceSkipsTheBatch", testCompleteAtOnceSkipsTheBatch},
	{"RunnerObserverAndDepth", testRunnerObserverAndDepth},
}

func TestConformance(t *testing.T) {
	t.Parallel()
	for _, driver := range testdb.Drivers {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			db := testdb.New(t, driver)
			for _, c := range conformance {
				t.Run(c.name, func(t *testing.T) {
					require.NoError(t, db.Gorm(context.Background()).Exec("DELETE FROM jobs").Error)
					c.fn(t, db)
				})
			}
		})
	}
}
