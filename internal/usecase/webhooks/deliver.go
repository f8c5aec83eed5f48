package webhooks

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Request is one signed HTTP POST to a receiver.
type Request struct {
	URL     string
	Headers map[string]string
	Body    []byte
}

// Result is what became of a Request: the response status (0 when none
// came back), how long it took, and the error when it did not succeed.
type Result struct {
	Code     int
	Duration time.Duration
	Err      error
}

// Sender posts a request to a receiver. It refuses, at dial time, the
// addresses the TargetGuard refuses, so a host that resolved to a public
// address at creation and to a private one now is not reached.
type Sender interface {
	Send(ctx context.Context, r Request) Result
}

// Sign returns the webhook-signature header of a message: "v1," and the
// base64 HMAC-SHA256, under key, of "<id>.<timestamp>.<body>" (Standard
// Webhooks).
func Sign(key []byte, id string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Deliverer works the webhook.deliver jobs.
type Deliverer struct {
	tx     domain.Transactor
	subs   SubscriptionRepo
	outbox OutboxRepo
	sender Sender
	cfg    Config
	now    func() time.Time
}

// NewDeliverer returns the delivery use case.
func NewDeliverer(tx domain.Transactor, subs SubscriptionRepo, outbox OutboxRepo, sender Sender, cfg Config, now func() time.Time) *Deliverer {
	if cfg.HoldWait <= 0 {
		cfg.HoldWait = time.Second
	}
	return &Deliverer{tx: tx, subs: subs, outbox: outbox, sender: sender, cfg: cfg, now: now}
}

// Deliver attempts delivery id once. It returns nil when the delivery is
// finished (succeeded, failed for good, skipped), a domain.JobSnooze error
// when it waits (for an earlier delivery of its object, or for its next
// retry), and any other error when the bookkeeping failed (the job queue
// retries it).
func (d *Deliverer) Deliver(ctx context.Context, id int64) error {
	del, err := d.outbox.Delivery(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.JobPermanent(err)
	}
	if err != nil {
		return err
	}
	if !del.Status.Open() {
		return nil // a rerun after the outcome was recorded (runner killed before completing the job)
	}
	sub, err := d.subs.Subscription(ctx, del.SubscriptionID)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		return d.skip(ctx, del, "the webhook was deleted")
	case err != nil:
		return err
	case !sub.Active:
		return d.skip(ctx, del, "the webhook is not active")
	}
	held, err := d.outbox.HeldBack(ctx, del)
	if err != nil {
		return err
	}
	if held {
		return domain.JobSnooze(d.cfg.HoldWait)
	}
	ev, err := d.outbox.Event(ctx, del.EventID)
	if err != nil {
		return err
	}
	key, err := domain.WebhookKey(sub.Secret)
	if err != nil {
		return domain.JobPermanent(err)
	}
	ts := d.now().Unix()
	res := d.sender.Send(ctx, Request{URL: sub.URL, Body: ev.Payload, Headers: map[string]string{
		"Content-Type":      "application/json",
		"webhook-id":        ev.UID,
		"webhook-timestamp": strconv.FormatInt(ts, 10),
		"webhook-signature": Sign(key, ev.UID, ts, ev.Payload),
	}})
	return d.record(ctx, del, sub, res)
}

// record stores the attempt's outcome and the subscription's health in
// one transaction, and tells the runner when to come back.
func (d *Deliverer) record(ctx context.Context, del *domain.WebhookDelivery, sub *domain.WebhookSubscription, res Result) error {
	now := d.now().UTC().Truncate(time.Microsecond)
	del.Attempt++
	del.ResponseCode, del.Duration, del.UpdatedAt = res.Code, res.Duration, now
	var next *time.Time
	if res.Err == nil {
		del.Status, del.LastError, del.DeliveredAt, del.NextAttemptAt = domain.DeliverySucceeded, "", &now, nil
	} else {
		del.LastError = domain.TruncateJobError(res.Err.Error())
		if del.Attempt > len(d.cfg.Schedule) {
			del.Status, del.NextAttemptAt = domain.DeliveryFailed, nil
		} else {
			t := now.Add(d.cfg.Schedule[del.Attempt-1])
			del.Status, del.NextAttemptAt, next = domain.DeliveryRetrying, &t, &t
		}
	}
	err := d.tx.Do(ctx, func(ctx context.Context) error {
		c := *del
		if err := d.outbox.SaveDelivery(ctx, &c); err != nil {
			return err
		}
		return d.health(ctx, sub, res.Err == nil, now)
	})
	if err != nil {
		return err
	}
	if next != nil {
		return domain.JobSnoozeUntil(*next)
	}
	return nil
}

// health clears a subscription's failure clock on success, starts it on a
// first failure, and deactivates the subscription once it has run for
// DisableAfter.
func (d *Deliverer) health(ctx context.Context, sub *domain.WebhookSubscription, ok bool, now time.Time) error {
	switch {
	case ok && sub.FailingSince == nil:
		return nil
	case ok:
		return d.subs.SetHealth(ctx, sub.ID, nil, true, "", now)
	case sub.FailingSince == nil:
		return d.subs.SetHealth(ctx, sub.ID, &now, true, "", now)
	case d.cfg.DisableAfter > 0 && now.Sub(*sub.FailingSince) >= d.cfg.DisableAfter:
		reason := fmt.Sprintf("disabled automatically: deliveries failing since %s", sub.FailingSince.UTC().Format(time.RFC3339))
		return d.subs.SetHealth(ctx, sub.ID, sub.FailingSince, false, reason, now)
	}
	return nil
}

func (d *Deliverer) skip(ctx context.Context, del *domain.WebhookDelivery, why string) error {
	del.Status, del.LastError, del.NextAttemptAt = domain.DeliverySkipped, why, nil
	del.UpdatedAt = d.now().UTC().Truncate(time.Microsecond)
	return d.outbox.SaveDelivery(ctx, del)
}
