// Package catalog manages the master data every document refers to, one use
// case per aggregate: ThirdParties, Contacts, Products and Warehouses, each
// with its own small storage port. Plain edits use optimistic concurrency (a
// version the client read); customer and supplier codes come from counters
// locked in the creating transaction; every timestamp comes from the clock
// the use case is given.
package catalog

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Counters hands out numbers that are unique under concurrency: Next locks
// the counter row of scope FOR UPDATE in the transaction ctx carries and
// increments it, so the number is taken only if that transaction commits.
type Counters interface {
	Next(ctx context.Context, scope string) (int64, error)
}

// ThirdPartyLookup reads one third party; Contacts use it to check the
// third party a contact belongs to.
type ThirdPartyLookup interface {
	GetThirdParty(ctx context.Context, id int64) (*domain.ThirdParty, error)
}

// Clock is the time every created_at and updated_at of the catalogue is
// taken from; the application wires one clock for every use case.
type Clock func() time.Time

// stamp reads the clock at the precision the database keeps (microseconds,
// UTC), so what a use case returns equals what a later read gives.
func (c Clock) stamp() time.Time { return c().UTC().Truncate(time.Microsecond) }

// checkVersion refuses an edit based on another version than the stored
// one, before anything is written.
func checkVersion(what string, id, stored, expected int64) error {
	if stored != expected {
		return &domain.StaleVersion{What: what, ID: id, Expected: expected}
	}
	return nil
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}
