package persistence

import (
	"context"
	"strings"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/webhooks"
)

type webhookSubscriptionRow struct {
	ID             int64 `gorm:"primaryKey"`
	URL            string
	Description    string
	EventTypes     string // comma-separated; empty: every type
	Secret         string
	Active         bool
	DisabledReason string
	FailingSince   *time.Time
	Version        int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (webhookSubscriptionRow) TableName() string { return "webhook_subscriptions" }

func toWebhookSubscriptionRow(s *domain.WebhookSubscription) webhookSubscriptionRow {
	return webhookSubscriptionRow{ID: s.ID, URL: s.URL, Description: s.Description, EventTypes: strings.Join(s.EventTypes, ","),
		Secret: s.Secret, Active: s.Active, DisabledReason: s.DisabledReason, FailingSince: utcPtr(s.FailingSince),
		Version: s.Version, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

func toWebhookSubscription(r *webhookSubscriptionRow) domain.WebhookSubscription {
	var types []string
	if r.EventTypes != "" {
		types = strings.Split(r.EventTypes, ",")
	}
	return domain.WebhookSubscription{ID: r.ID, URL: r.URL, Description: r.Description, EventTypes: types, Secret: r.Secret,
		Active: r.Active, DisabledReason: r.DisabledReason, FailingSince: utcPtr(r.FailingSince), Version: r.Version,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type webhookEventRow struct {
	ID         int64 `gorm:"primaryKey"`
	UID        string
	Type       string
	ObjectType string
	ObjectID   int64
	Payload    string
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
}

func (webhookEventRow) TableName() string { return "webhook_events" }

type webhookDeliveryRow struct {
	ID             int64 `gorm:"primaryKey"`
	SubscriptionID int64
	EventID        int64
	ObjectKey      string
	Status         string
	Attempt        int
	ResponseCode   int
	DurationMS     int64 `gorm:"column:duration_ms"`
	LastError      string
	NextAttemptAt  *time.Time
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt      time.Time `gorm:"autoUpdateTime:false"`
	DeliveredAt    *time.Time
}

func (webhookDeliveryRow) TableName() string { return "webhook_deliveries" }

func toWebhookDeliveryRow(d *domain.WebhookDelivery) webhookDeliveryRow {
	return webhookDeliveryRow{ID: d.ID, SubscriptionID: d.SubscriptionID, EventID: d.EventID, ObjectKey: d.ObjectKey,
		Status: string(d.Status), Attempt: d.Attempt, ResponseCode: d.ResponseCode, DurationMS: d.Duration.Milliseconds(),
		LastError: d.LastError, NextAttemptAt: utcPtr(d.NextAttemptAt), CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
		DeliveredAt: utcPtr(d.DeliveredAt)}
}

// webhookDeliveryView is a delivery with its event's uid and type.
type webhookDeliveryView struct {
	webhookDeliveryRow
	EventUID  string
	EventType string
}

func toWebhookDelivery(r *webhookDeliveryView) domain.WebhookDelivery {
	return domain.WebhookDelivery{ID: r.ID, SubscriptionID: r.SubscriptionID, EventID: r.EventID, EventUID: r.EventUID,
		EventType: r.EventType, ObjectKey: r.ObjectKey, Status: domain.DeliveryStatus(r.Status), Attempt: r.Attempt,
		ResponseCode: r.ResponseCode, Duration: time.Duration(r.DurationMS) * time.Millisecond, LastError: r.LastError,
		NextAttemptAt: utcPtr(r.NextAttemptAt), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), DeliveredAt: utcPtr(r.DeliveredAt)}
}

// WebhookRepo stores webhook subscriptions, the event outbox and the
// deliveries.
type WebhookRepo struct{ db *DB }

var (
	_ webhooks.SubscriptionRepo = (*WebhookRepo)(nil)
	_ webhooks.OutboxRepo       = (*WebhookRepo)(nil)
)

// NewWebhookRepo returns the webhook repository on db.
func NewWebhookRepo(db *DB) *WebhookRepo { return &WebhookRepo{db: db} }

// CreateSubscription stores s and sets its id.
func (r *WebhookRepo) CreateSubscription(ctx context.Context, s *domain.WebhookSubscription) error {
	row := toWebhookSubscriptionRow(s)
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "webhook")
	}
	s.ID = row.ID
	return nil
}

// Subscription loads subscription id.
func (r *WebhookRepo) Subscription(ctx context.Context, id int64) (*domain.WebhookSubscription, error) {
	var row webhookSubscriptionRow
	if err := getByID(ctx, r.db, &row, "webhook", id); err != nil {
		return nil, err
	}
	s := toWebhookSubscription(&row)
	return &s, nil
}

var webhookList = listSpec{sorts: sortSpec(webhooks.Sorts), search: []string{"url", "description"}}

// Subscriptions lists subscriptions.
func (r *WebhookRepo) Subscriptions(ctx context.Context, p domain.ListParams) (domain.Page[domain.WebhookSubscription], error) {
	var rows []webhookSubscriptionRow
	total, err := list(r.db.Gorm(ctx).Model(&webhookSubscriptionRow{}), p, webhookList, &rows)
	if err != nil {
		return domain.Page[domain.WebhookSubscription]{}, translate(err, "webhooks")
	}
	return pageOf(rows, total, toWebhookSubscription), nil
}

// UpdateSubscription writes s if it is still at version and bumps it.
func (r *WebhookRepo) UpdateSubscription(ctx context.Context, s *domain.WebhookSubscription, version int64) error {
	row := toWebhookSubscriptionRow(s)
	row.Version = version + 1
	if err := updateVersioned(ctx, r.db, &row, "webhook", s.ID, version, "secret"); err != nil {
		return err
	}
	s.Version = row.Version
	return nil
}

// DeleteSubscription deletes subscription id; its deliveries stay in the
// log until the event retention removes them.
func (r *WebhookRepo) DeleteSubscription(ctx context.Context, id int64) error {
	return deleteByID(ctx, r.db, &webhookSubscriptionRow{}, "webhook", id)
}

// ActiveSubscriptions lists the active subscriptions.
func (r *WebhookRepo) ActiveSubscriptions(ctx context.Context) ([]domain.WebhookSubscription, error) {
	var rows []webhookSubscriptionRow
	if err := r.db.Gorm(ctx).Where("active = ?", true).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "webhooks")
	}
	return pageOf(rows, 0, toWebhookSubscription).Items, nil
}

// SetHealth writes the failure clock and the active flag without touching
// the version: an editor's concurrent PATCH is not made stale by the runner.
func (r *WebhookRepo) SetHealth(ctx context.Context, id int64, failingSince *time.Time, active bool, reason string, now time.Time) error {
	err := r.db.Gorm(ctx).Model(&webhookSubscriptionRow{}).Where("id = ?", id).
		UpdateColumns(map[string]any{"failing_since": utcPtr(failingSince), "active": active, "disabled_reason": reason}).Error
	return translate(err, "webhook")
}

// AddEvent stores e and sets its id.
func (r *WebhookRepo) AddEvent(ctx context.Context, e *domain.StoredEvent) error {
	row := webhookEventRow{UID: e.UID, Type: e.Type, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Payload: string(e.Payload),
		CreatedAt: e.CreatedAt.UTC()}
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "webhook event")
	}
	e.ID = row.ID
	return nil
}

// Event loads event id.
func (r *WebhookRepo) Event(ctx context.Context, id int64) (*domain.StoredEvent, error) {
	var row webhookEventRow
	if err := getByID(ctx, r.db, &row, "webhook event", id); err != nil {
		return nil, err
	}
	return &domain.StoredEvent{ID: row.ID, UID: row.UID, Type: row.Type, ObjectType: row.ObjectType, ObjectID: row.ObjectID,
		Payload: []byte(row.Payload), CreatedAt: row.CreatedAt.UTC()}, nil
}

// AddDelivery stores d and sets its id.
func (r *WebhookRepo) AddDelivery(ctx context.Context, d *domain.WebhookDelivery) error {
	row := toWebhookDeliveryRow(d)
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "webhook delivery")
	}
	d.ID = row.ID
	return nil
}

// Delivery loads delivery id with its event's uid and type.
func (r *WebhookRepo) Delivery(ctx context.Context, id int64) (*domain.WebhookDelivery, error) {
	var row webhookDeliveryRow
	if err := getByID(ctx, r.db, &row, "webhook delivery", id); err != nil {
		return nil, err
	}
	var ev webhookEventRow
	if err := r.db.Gorm(ctx).Select("id", "uid", "type").Where("id = ?", row.EventID).Take(&ev).Error; err != nil {
		return nil, translate(err, "webhook event")
	}
	d := toWebhookDelivery(&webhookDeliveryView{webhookDeliveryRow: row, EventUID: ev.UID, EventType: ev.Type})
	return &d, nil
}

var deliveryList = listSpec{sorts: sortSpec(webhooks.DeliverySorts)}

// Deliveries lists a subscription's deliveries; the events' uids and types
// are read in a second query rather than joined, so the list helper's
// columns stay unambiguous.
func (r *WebhookRepo) Deliveries(ctx context.Context, subscriptionID int64, p domain.ListParams) (domain.Page[domain.WebhookDelivery], error) {
	var rows []webhookDeliveryRow
	q := r.db.Gorm(ctx).Model(&webhookDeliveryRow{}).Where("subscription_id = ?", subscriptionID)
	total, err := list(q, p, deliveryList, &rows)
	if err != nil {
		return domain.Page[domain.WebhookDelivery]{}, translate(err, "webhook deliveries")
	}
	ids := make([]int64, len(rows))
	for i := range rows {
		ids[i] = rows[i].EventID
	}
	var events []webhookEventRow
	if len(ids) > 0 {
		if err := r.db.Gorm(ctx).Select("id", "uid", "type").Where("id IN ?", ids).Find(&events).Error; err != nil {
			return domain.Page[domain.WebhookDelivery]{}, translate(err, "webhook events")
		}
	}
	byID := make(map[int64]*webhookEventRow, len(events))
	for i := range events {
		byID[events[i].ID] = &events[i]
	}
	views := make([]webhookDeliveryView, len(rows))
	for i := range rows {
		views[i].webhookDeliveryRow = rows[i]
		if e := byID[rows[i].EventID]; e != nil {
			views[i].EventUID, views[i].EventType = e.UID, e.Type
		}
	}
	return pageOf(views, total, toWebhookDelivery), nil
}

// SaveDelivery writes d's attempt fields.
func (r *WebhookRepo) SaveDelivery(ctx context.Context, d *domain.WebhookDelivery) error {
	row := toWebhookDeliveryRow(d)
	err := r.db.Gorm(ctx).Model(&webhookDeliveryRow{}).Where("id = ?", d.ID).UpdateColumns(map[string]any{
		"status": row.Status, "attempt": row.Attempt, "response_code": row.ResponseCode, "duration_ms": row.DurationMS,
		"last_error": row.LastError, "next_attempt_at": row.NextAttemptAt, "updated_at": row.UpdatedAt, "delivered_at": row.DeliveredAt,
	}).Error
	return translate(err, "webhook delivery")
}

// HeldBack reports whether an earlier delivery of d's object to d's
// subscription is still open. Events of one object are published in the
// order their changes commit (each change locks the object's row first),
// so the delivery ids of one object give that order.
func (r *WebhookRepo) HeldBack(ctx context.Context, d *domain.WebhookDelivery) (bool, error) {
	var ids []int64
	err := r.db.Gorm(ctx).Model(&webhookDeliveryRow{}).
		Where("subscription_id = ? AND object_key = ? AND id < ? AND status IN ?", d.SubscriptionID, d.ObjectKey, d.ID,
			[]string{string(domain.DeliveryPending), string(domain.DeliveryRetrying)}).
		Limit(1).Pluck("id", &ids).Error
	if err != nil {
		return false, translate(err, "webhook deliveries")
	}
	return len(ids) > 0, nil
}
