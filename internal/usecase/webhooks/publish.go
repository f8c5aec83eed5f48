package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

// Publisher writes events to the outbox and fans them out to the
// subscriptions that want them, in the caller's transaction.
type Publisher struct {
	subs   SubscriptionRepo
	outbox OutboxRepo
	jobs   Enqueuer
}

var _ domain.EventPublisher = (*Publisher)(nil)

// NewPublisher returns the publisher.
func NewPublisher(subs SubscriptionRepo, outbox OutboxRepo, jobs Enqueuer) *Publisher {
	return &Publisher{subs: subs, outbox: outbox, jobs: jobs}
}

// Body is the JSON sent to receivers, as the Standard Webhooks
// specification shapes it.
type Body struct {
	Type      string         `json:"type"`
	Timestamp string         `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

// Publish stores e and, for each active subscription that wants its type,
// a delivery and its job. It must run in the transaction of the change:
// the caller's context carries it.
func (p *Publisher) Publish(ctx context.Context, e domain.WebhookEvent) error {
	at := e.At.UTC().Truncate(time.Microsecond)
	data := map[string]any{"object": e.ObjectType, "id": e.ObjectID}
	for k, v := range e.Data {
		data[k] = v
	}
	body, err := json.Marshal(Body{Type: e.Type, Timestamp: at.Format(time.RFC3339Nano), Data: data})
	if err != nil {
		return fmt.Errorf("webhook event %s: %w", e.Type, err)
	}
	ev := &domain.StoredEvent{UID: newMessageID(), Type: e.Type, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Payload: body, CreatedAt: at}
	if err := p.outbox.AddEvent(ctx, ev); err != nil {
		return err
	}
	subs, err := p.subs.ActiveSubscriptions(ctx)
	if err != nil {
		return err
	}
	for i := range subs {
		if !subs[i].Wants(e.Type) {
			continue
		}
		d := &domain.WebhookDelivery{SubscriptionID: subs[i].ID, EventID: ev.ID, ObjectKey: domain.ObjectKey(e.ObjectType, e.ObjectID),
			Status: domain.DeliveryPending, CreatedAt: at, UpdatedAt: at}
		if err := p.outbox.AddDelivery(ctx, d); err != nil {
			return err
		}
		if err := enqueue(ctx, p.jobs, d.ID); err != nil {
			return err
		}
	}
	return nil
}

// newMessageID is the webhook-id of an event: "msg_" and 16 random bytes.
func newMessageID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "msg_" + hex.EncodeToString(b)
}

// The decorators below publish from the storage ports the business use
// cases already call inside their transactions, after the write: the use
// cases stay unaware of webhooks, and an event is written exactly when its
// change is.

// DocumentEvents publishes the document events that are webhook event
// types (invoice.validated, order.shipped, proposal.signed, ...) as they
// are recorded in the document event log.
type DocumentEvents struct {
	Log document.Events
	Pub domain.EventPublisher
}

var _ document.Events = DocumentEvents{}

// Events lists a document's events.
func (d DocumentEvents) Events(ctx context.Context, kind domain.DocKind, docID int64) ([]domain.DocEvent, error) {
	return d.Log.Events(ctx, kind, docID)
}

// AddEvent records e, then publishes it if its type is one subscribers
// may ask for.
func (d DocumentEvents) AddEvent(ctx context.Context, e *domain.DocEvent) error {
	if err := d.Log.AddEvent(ctx, e); err != nil {
		return err
	}
	typ := string(e.Kind) + "." + e.Action
	if !domain.ValidEventType(typ) {
		return nil
	}
	return d.Pub.Publish(ctx, domain.WebhookEvent{Type: typ, ObjectType: string(e.Kind), ObjectID: e.DocumentID, At: e.At,
		Data: map[string]any{"action": e.Action, "from_status": e.From, "status": e.To, "user_id": e.UserID}})
}

// Payments publishes payment.created when a payment is stored.
type Payments struct {
	sales.PaymentStore
	Pub domain.EventPublisher
}

// Create stores p, then publishes payment.created.
func (s Payments) Create(ctx context.Context, p *domain.Payment) error {
	if err := s.PaymentStore.Create(ctx, p); err != nil {
		return err
	}
	invoices := make([]int64, len(p.Allocations))
	for i, a := range p.Allocations {
		invoices[i] = a.InvoiceID
	}
	return s.Pub.Publish(ctx, domain.WebhookEvent{Type: "payment.created", ObjectType: "payment", ObjectID: p.ID, At: p.CreatedAt,
		Data: map[string]any{"customer_id": p.CustomerID, "invoice_ids": invoices}})
}

// ThirdParties publishes thirdparty.created and thirdparty.updated.
type ThirdParties struct {
	catalog.ThirdPartyRepo
	Pub domain.EventPublisher
}

// Create stores t, then publishes thirdparty.created.
func (r ThirdParties) Create(ctx context.Context, t *domain.ThirdParty) error {
	if err := r.ThirdPartyRepo.Create(ctx, t); err != nil {
		return err
	}
	return r.publish(ctx, "thirdparty.created", t)
}

// Update stores t, then publishes thirdparty.updated.
func (r ThirdParties) Update(ctx context.Context, t *domain.ThirdParty) error {
	if err := r.ThirdPartyRepo.Update(ctx, t); err != nil {
		return err
	}
	return r.publish(ctx, "thirdparty.updated", t)
}

func (r ThirdParties) publish(ctx context.Context, typ string, t *domain.ThirdParty) error {
	return r.Pub.Publish(ctx, domain.WebhookEvent{Type: typ, ObjectType: "thirdparty", ObjectID: t.ID, At: t.UpdatedAt,
		Data: map[string]any{"version": t.Version}})
}

// Stock publishes stock.moved for each movement appended to the journal,
// with the product as the object (the order per product is the journal's).
type Stock struct {
	stock.Repo
	Pub domain.EventPublisher
}

// AddMovements appends ms, then publishes one stock.moved per movement.
func (r Stock) AddMovements(ctx context.Context, ms []*domain.Movement) error {
	if err := r.Repo.AddMovements(ctx, ms); err != nil {
		return err
	}
	for _, m := range ms {
		err := r.Pub.Publish(ctx, domain.WebhookEvent{Type: "stock.moved", ObjectType: "product", ObjectID: m.ProductID, At: m.CreatedAt,
			Data: map[string]any{"movement_id": m.ID, "warehouse_id": m.WarehouseID, "quantity": m.Quantity.String(), "kind": m.Kind.String()}})
		if err != nil {
			return err
		}
	}
	return nil
}
