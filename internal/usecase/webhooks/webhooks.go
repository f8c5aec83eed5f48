// Package webhooks is the webhook capability: subscriptions (a URL, event
// types, a signing secret, an active flag), the outbox the business use
// cases publish events to inside their transactions, and the delivery of
// each event to each subscription by the runner, at least once and in order
// per object, signed as the Standard Webhooks specification says.
//
// Publishing writes the event and one delivery row per matching active
// subscription, each with its webhook.deliver job, in the transaction of
// the change. A delivery job does nothing while an earlier delivery of the
// same object to the same subscription is still open (pending or
// retrying): it snoozes and looks again, so event N+1 of an invoice never
// reaches a receiver before event N did. Retries follow the configured
// schedule, recorded on the delivery row rather than spent as job attempts;
// a subscription failing without a success for longer than DisableAfter is
// deactivated.
package webhooks

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// JobKind is the job that delivers one delivery row.
const JobKind = "webhook.deliver"

// SubscriptionRepo stores subscriptions.
type SubscriptionRepo interface {
	// CreateSubscription stores s and sets its id.
	CreateSubscription(ctx context.Context, s *domain.WebhookSubscription) error
	// Subscription returns one subscription or a domain.ErrNotFound error.
	Subscription(ctx context.Context, id int64) (*domain.WebhookSubscription, error)
	// Subscriptions lists subscriptions.
	Subscriptions(ctx context.Context, p domain.ListParams) (domain.Page[domain.WebhookSubscription], error)
	// UpdateSubscription stores s if its stored version is version, and
	// increments s.Version; otherwise a domain.StaleVersion error.
	UpdateSubscription(ctx context.Context, s *domain.WebhookSubscription, version int64) error
	// DeleteSubscription removes a subscription.
	DeleteSubscription(ctx context.Context, id int64) error
	// ActiveSubscriptions lists the active subscriptions.
	ActiveSubscriptions(ctx context.Context) ([]domain.WebhookSubscription, error)
	// SetHealth stores a subscription's failing_since, active flag and
	// disabled reason, leaving its other fields and version alone (the
	// runner writes it, not an editor).
	SetHealth(ctx context.Context, id int64, failingSince *time.Time, active bool, reason string, now time.Time) error
}

// OutboxRepo stores events and deliveries.
type OutboxRepo interface {
	// AddEvent stores e and sets its id.
	AddEvent(ctx context.Context, e *domain.StoredEvent) error
	// Event returns one event.
	Event(ctx context.Context, id int64) (*domain.StoredEvent, error)
	// AddDelivery stores d and sets its id.
	AddDelivery(ctx context.Context, d *domain.WebhookDelivery) error
	// Delivery returns one delivery with its event's uid and type.
	Delivery(ctx context.Context, id int64) (*domain.WebhookDelivery, error)
	// Deliveries lists a subscription's deliveries, newest first by default.
	Deliveries(ctx context.Context, subscriptionID int64, p domain.ListParams) (domain.Page[domain.WebhookDelivery], error)
	// SaveDelivery stores the attempt fields of d.
	SaveDelivery(ctx context.Context, d *domain.WebhookDelivery) error
	// HeldBack reports whether an earlier delivery of d's object to d's
	// subscription is still open.
	HeldBack(ctx context.Context, d *domain.WebhookDelivery) (bool, error)
}

// Enqueuer adds the delivery jobs (jobs.Enqueuer).
type Enqueuer interface {
	Enqueue(ctx context.Context, job domain.NewJob) (domain.EnqueueResult, error)
}

// TargetGuard checks that a URL may receive webhooks: it resolves the host
// and refuses private, loopback and link-local addresses unless allowed.
type TargetGuard interface {
	CheckTarget(ctx context.Context, rawURL string) error
}

// Config is the delivery policy.
type Config struct {
	// Schedule is the wait before each retry: a delivery is attempted
	// len(Schedule)+1 times at most.
	Schedule []time.Duration
	// DisableAfter deactivates a subscription whose deliveries have been
	// failing, without a success, for this long.
	DisableAfter time.Duration
	// HoldWait is how long a delivery held back behind an earlier one of
	// the same object waits before looking again.
	HoldWait time.Duration
}

// DefaultSchedule is the Standard Webhooks reference schedule (Svix).
var DefaultSchedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// jobMaxAttempts bounds a delivery job's runs that ended without recording
// an attempt (runner killed, database errors): retries of the HTTP call are
// counted on the delivery row and snooze the job.
const jobMaxAttempts = 25

// Service is the subscriptions' administration and the delivery log.
type Service struct {
	tx     domain.Transactor
	subs   SubscriptionRepo
	outbox OutboxRepo
	jobs   Enqueuer
	guard  TargetGuard
	now    func() time.Time
}

// NewService returns the administration use case.
func NewService(tx domain.Transactor, subs SubscriptionRepo, outbox OutboxRepo, jobs Enqueuer, guard TargetGuard, now func() time.Time) *Service {
	return &Service{tx: tx, subs: subs, outbox: outbox, jobs: jobs, guard: guard, now: now}
}

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Fields are the editable fields of a subscription (nil: default on
// create, unchanged on update).
type Fields struct {
	URL         *string
	Description *string
	EventTypes  *[]string
	Active      *bool
}

func (f Fields) apply(sub *domain.WebhookSubscription) {
	if f.URL != nil {
		sub.URL = *f.URL
	}
	if f.Description != nil {
		sub.Description = *f.Description
	}
	if f.EventTypes != nil {
		sub.EventTypes = append([]string(nil), *f.EventTypes...)
	}
	if f.Active != nil {
		sub.Active = *f.Active
		if sub.Active {
			// Turned back on by hand: its failure clock starts over.
			sub.DisabledReason, sub.FailingSince = "", nil
		}
	}
}

// check validates sub and, when its URL is new, the target's addresses.
func (s *Service) check(ctx context.Context, sub *domain.WebhookSubscription, urlChanged bool) error {
	if err := sub.Check(); err != nil {
		return err
	}
	if urlChanged {
		if err := s.guard.CheckTarget(ctx, sub.URL); err != nil {
			return err
		}
	}
	return nil
}

// Create stores a new subscription with a new secret. The returned
// subscription carries the secret; it is the only time it is shown.
func (s *Service) Create(ctx context.Context, f Fields) (*domain.WebhookSubscription, error) {
	now := s.stamp()
	sub := &domain.WebhookSubscription{Active: true, Secret: domain.NewWebhookSecret(), Version: 1, CreatedAt: now, UpdatedAt: now}
	f.apply(sub)
	if err := s.check(ctx, sub, true); err != nil {
		return nil, err
	}
	if err := s.subs.CreateSubscription(ctx, sub); err != nil {
		return nil, err
	}
	return sub, nil
}

// Get returns one subscription.
func (s *Service) Get(ctx context.Context, id int64) (*domain.WebhookSubscription, error) {
	return s.subs.Subscription(ctx, id)
}

// List lists subscriptions.
func (s *Service) List(ctx context.Context, p domain.ListParams) (domain.Page[domain.WebhookSubscription], error) {
	return s.subs.Subscriptions(ctx, p)
}

// Sorts are the fields the subscription list sorts on.
var Sorts = []string{"id", "created_at", "updated_at"}

// DeliverySorts are the fields the delivery log sorts on.
var DeliverySorts = []string{"id", "created_at", "updated_at"}

// Update edits a subscription based on version.
func (s *Service) Update(ctx context.Context, id, version int64, f Fields) (*domain.WebhookSubscription, error) {
	sub, err := s.subs.Subscription(ctx, id)
	if err != nil {
		return nil, err
	}
	if sub.Version != version {
		return nil, &domain.StaleVersion{What: "webhook", ID: id, Expected: version}
	}
	old := sub.URL
	f.apply(sub)
	if err := s.check(ctx, sub, sub.URL != old); err != nil {
		return nil, err
	}
	sub.UpdatedAt = s.stamp()
	if err := s.subs.UpdateSubscription(ctx, sub, version); err != nil {
		return nil, err
	}
	return sub, nil
}

// Delete removes a subscription; its open deliveries are skipped when due.
func (s *Service) Delete(ctx context.Context, id int64) error {
	return s.subs.DeleteSubscription(ctx, id)
}

// Deliveries lists the delivery log of subscription id.
func (s *Service) Deliveries(ctx context.Context, id int64, p domain.ListParams) (domain.Page[domain.WebhookDelivery], error) {
	if _, err := s.subs.Subscription(ctx, id); err != nil {
		return domain.Page[domain.WebhookDelivery]{}, err
	}
	return s.outbox.Deliveries(ctx, id, p)
}

// Redeliver sends delivery did's event to subscription id again, as a new
// delivery (same webhook-id, so the receiver can tell it is the same
// event), whatever became of the first.
func (s *Service) Redeliver(ctx context.Context, id, did int64) (*domain.WebhookDelivery, error) {
	sub, err := s.subs.Subscription(ctx, id)
	if err != nil {
		return nil, err
	}
	old, err := s.outbox.Delivery(ctx, did)
	if err != nil {
		return nil, err
	}
	if old.SubscriptionID != sub.ID {
		return nil, domain.E(domain.ErrNotFound, "not_found", "delivery %d of webhook %d not found", did, id)
	}
	if !sub.Active {
		return nil, domain.E(domain.ErrConflict, "webhook_inactive", "webhook %d is not active: activate it before redelivering", id)
	}
	now := s.stamp()
	d := &domain.WebhookDelivery{SubscriptionID: sub.ID, EventID: old.EventID, EventUID: old.EventUID, EventType: old.EventType,
		ObjectKey: old.ObjectKey, Status: domain.DeliveryPending, CreatedAt: now, UpdatedAt: now}
	err = s.tx.Do(ctx, func(ctx context.Context) error {
		c := *d
		if err := s.outbox.AddDelivery(ctx, &c); err != nil {
			return err
		}
		if err := enqueue(ctx, s.jobs, c.ID); err != nil {
			return err
		}
		*d = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// enqueue adds the delivery job of delivery id.
func enqueue(ctx context.Context, jobs Enqueuer, id int64) error {
	job, err := domain.NewJobFor(JobKind, deliverPayload{DeliveryID: id})
	if err != nil {
		return err
	}
	job.MaxAttempts = jobMaxAttempts
	_, err = jobs.Enqueue(ctx, job)
	return err
}

type deliverPayload struct {
	DeliveryID int64 `json:"delivery_id"`
}
