package app

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/webhook"
	"github.com/dolibarr-go/dolibarr/internal/usecase/webhooks"
)

// publisher is the outbox every feature publishes its webhook events to,
// inside its own transactions (the decorators of usecase/webhooks wrap the
// storage ports of the use cases that change things).
func publisher(d deps) *webhooks.Publisher {
	repo := persistence.NewWebhookRepo(d.db)
	return webhooks.NewPublisher(repo, repo, jobQueue(d))
}

// webhookClient is the HTTP client and target guard of DOLIBARR_WEBHOOKS_*.
func webhookClient(d deps) *webhook.Client {
	return webhook.New(webhook.Options{AllowPrivate: d.cfg.Webhooks.AllowPrivate, Timeout: d.cfg.Webhooks.Timeout})
}

// wireWebhooks adds the subscription routes and the delivery log.
func wireWebhooks(_ context.Context, d deps, w *wiring) error {
	repo := persistence.NewWebhookRepo(d.db)
	svc := webhooks.NewService(d.db, repo, repo, jobQueue(d), webhookClient(d), d.now)
	w.routes = append(w.routes, func(s *api.Server) { api.RegisterWebhooks(s, svc) })
	return nil
}

// registerWebhookJobs registers the delivery job.
func registerWebhookJobs(_ context.Context, d deps, _ *wiring, reg *queue.Registry) error {
	repo := persistence.NewWebhookRepo(d.db)
	c := d.cfg.Webhooks
	del := webhooks.NewDeliverer(d.db, repo, repo, webhookClient(d),
		webhooks.Config{Schedule: c.RetrySchedule, DisableAfter: c.DisableAfter, HoldWait: c.HoldWait}, d.now)
	handle := func(ctx context.Context, job *domain.Job) error {
		var p struct {
			DeliveryID int64 `json:"delivery_id"`
		}
		if err := job.DecodePayload(&p); err != nil {
			return err
		}
		return del.Deliver(ctx, p.DeliveryID)
	}
	// The request's own timeout (DOLIBARR_WEBHOOKS_TIMEOUT) bounds the
	// attempt; the job keeps the runner's timeout, below its lease.
	return reg.Register(webhooks.JobKind, handle)
}
