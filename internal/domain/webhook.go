package domain

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// WebhookEvent is a business event published to webhook subscribers: written to
// the outbox (webhook_events) in the transaction of the change it reports,
// so a rolled-back change publishes nothing and a committed one always does.
type WebhookEvent struct {
	Type       string // one of EventTypes
	ObjectType string // "invoice", "thirdparty", "product", ...
	ObjectID   int64
	// Data is the event's object, thin: ids and statuses, not a copy of
	// the record (a receiver reads the record through the API).
	Data map[string]any
	At   time.Time
}

// EventPublisher writes events to the outbox. Called with a context that
// carries a transaction, the event joins it.
type EventPublisher interface {
	Publish(ctx context.Context, e WebhookEvent) error
}

// EventTypes are the event types a subscription may ask for.
var EventTypes = []string{
	"invoice.created", "invoice.validated", "invoice.paid", "invoice.canceled", "invoice.reopened",
	"payment.created",
	"thirdparty.created", "thirdparty.updated",
	"stock.moved",
	"order.created", "order.validated", "order.shipped", "order.billed", "order.canceled", "order.reopened", "order.closed",
	"proposal.created", "proposal.validated", "proposal.signed", "proposal.refused", "proposal.billed", "proposal.canceled", "proposal.reopened", "proposal.closed",
	"job.failed",
}

// ValidEventType reports whether t is a known event type.
func ValidEventType(t string) bool { return slices.Contains(EventTypes, t) }

// Limits of a webhook subscription.
const (
	MaxWebhookURLLen         = 2048
	MaxWebhookDescriptionLen = 255
	MaxWebhookSecretLen      = 128
	MaxWebhookReasonLen      = 255
	MaxWebhookEventTypes     = 64
	MaxEventUIDLen           = 64
	MaxEventTypeLen          = 64
	MaxEventObjectTypeLen    = 32
	MaxDeliveryObjectKeyLen  = 64
	MaxWebhookPayloadLen     = 64 << 10 // an event body: ids and statuses, far below
	// WebhookSecretPrefix starts every signing secret, as the Standard
	// Webhooks specification writes them; the rest is base64 of the key.
	WebhookSecretPrefix = "whsec_"
)

// WebhookSubscription is a receiver of events.
type WebhookSubscription struct {
	ID          int64
	URL         string
	Description string
	EventTypes  []string // empty: every type
	// Secret is "whsec_" + base64 of the HMAC key; it is shown once, when
	// the subscription is created.
	Secret         string
	Active         bool
	DisabledReason string
	// FailingSince is when deliveries started failing without a success
	// since; nil while healthy.
	FailingSince *time.Time
	Version      int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Wants reports whether the subscription receives events of type t.
func (s *WebhookSubscription) Wants(t string) bool {
	return len(s.EventTypes) == 0 || slices.Contains(s.EventTypes, t)
}

// NewWebhookSecret returns a new signing secret: 32 random bytes.
func NewWebhookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return WebhookSecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// WebhookKey decodes a secret into its HMAC key.
func WebhookKey(secret string) ([]byte, error) {
	raw, ok := strings.CutPrefix(secret, WebhookSecretPrefix)
	if !ok {
		return nil, E(ErrInvalid, "invalid_secret", "a webhook secret starts with %s", WebhookSecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(key) < 24 || len(key) > 64 {
		return nil, E(ErrInvalid, "invalid_secret", "a webhook secret is %s followed by base64 of 24 to 64 bytes", WebhookSecretPrefix)
	}
	return key, nil
}

// Check validates the subscription's own fields: the URL is absolute
// http(s) without credentials, the event types are known. Whether the URL's
// host is a private address is the target guard's business, which resolves
// it.
func (s *WebhookSubscription) Check() error {
	v := &ValidationError{}
	CheckWebhookURL(v, "url", s.URL)
	if utf8.RuneCountInString(s.Description) > MaxWebhookDescriptionLen {
		v.Add("description", "too_long", "must be at most %d characters", MaxWebhookDescriptionLen)
	}
	if len(s.EventTypes) > MaxWebhookEventTypes {
		v.Add("event_types", "too_many", "at most %d event types", MaxWebhookEventTypes)
	}
	for i, t := range s.EventTypes {
		if !ValidEventType(t) {
			v.Add("event_types["+strconv.Itoa(i)+"]", "invalid", "unknown event type %q (see EventTypes in the API reference)", truncateRunes(t, 64))
		}
	}
	if _, err := WebhookKey(s.Secret); err != nil {
		v.Add("secret", "invalid", "%s", err.Error())
	}
	return v.Err()
}

// CheckWebhookURL adds to v the problems of a webhook URL.
func CheckWebhookURL(v *ValidationError, field, raw string) {
	if raw == "" {
		v.Add(field, "required", "is required")
		return
	}
	if len(raw) > MaxWebhookURLLen {
		v.Add(field, "too_long", "must be at most %d characters", MaxWebhookURLLen)
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err == nil && u.IsAbs() && u.Scheme != "http" && u.Scheme != "https":
		v.Add(field, "unsupported_scheme", "must be an http or https URL")
	case err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "":
		v.Add(field, "invalid_url", "must be an absolute http or https URL")
	case u.User != nil:
		v.Add(field, "invalid_url", "must not carry credentials")
	case u.Fragment != "":
		v.Add(field, "invalid_url", "must not carry a fragment")
	}
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// DeliveryStatus is where a webhook delivery is.
type DeliveryStatus string

// The delivery statuses. Pending and retrying hold back the later
// deliveries of the same object to the same subscription.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryRetrying  DeliveryStatus = "retrying"
	DeliverySucceeded DeliveryStatus = "succeeded"
	DeliveryFailed    DeliveryStatus = "failed"  // retries exhausted
	DeliverySkipped   DeliveryStatus = "skipped" // subscription inactive or deleted when due
)

// Open reports whether the delivery may still be attempted.
func (s DeliveryStatus) Open() bool { return s == DeliveryPending || s == DeliveryRetrying }

// WebhookDelivery is one event sent (or to be sent) to one subscription;
// it records the last attempt.
type WebhookDelivery struct {
	ID             int64
	SubscriptionID int64
	EventID        int64
	EventUID       string // read with the event
	EventType      string // read with the event
	ObjectKey      string // "invoice:12": the order is kept per key
	Status         DeliveryStatus
	Attempt        int
	ResponseCode   int
	Duration       time.Duration
	LastError      string
	NextAttemptAt  *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	DeliveredAt    *time.Time
}

// StoredEvent is an outbox row.
type StoredEvent struct {
	ID         int64
	UID        string // the webhook-id header: the same on every attempt
	Type       string
	ObjectType string
	ObjectID   int64
	Payload    []byte // the JSON body sent
	CreatedAt  time.Time
}

// ObjectKey names an event's object for ordering.
func ObjectKey(objectType string, id int64) string {
	return truncateRunes(objectType, MaxEventObjectTypeLen) + ":" + strconv.FormatInt(id, 10)
}
