package purchasing

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
)

// OrderStore keeps purchase orders.
type OrderStore interface {
	document.Store[*domain.PurchaseOrder]
	// List lists orders matching f, without their lines.
	List(ctx context.Context, f Filter) (domain.Page[domain.PurchaseOrder], error)
	// Received sums, per order line, the quantities of the order's
	// validated receptions.
	Received(ctx context.Context, orderID int64) (map[int64]domain.Decimal, error)
}

// OrderInput is a new purchase order.
type OrderInput struct {
	HeaderInput
	DeliveryDate time.Time
}

// OrderPatch changes a draft; nil fields are kept.
type OrderPatch struct {
	HeaderPatch
	DeliveryDate *time.Time
}

// Orders is the purchase orders use case.
type Orders struct {
	document.LineEditor[*domain.PurchaseOrder]
	base
	store OrderStore
}

// NewOrders returns the purchase orders use case.
func NewOrders(c Common, store OrderStore) *Orders {
	return &Orders{LineEditor: document.NewLineEditor[*domain.PurchaseOrder](c.Engine, store), base: newBase(c), store: store}
}

// Create creates a draft purchase order; lines naming a product without a
// price take the supplier's best price for their quantity.
func (s *Orders) Create(ctx context.Context, in OrderInput, by int64) (*domain.PurchaseOrder, error) {
	v := &domain.ValidationError{}
	h, _, err := s.newHeader(ctx, v, in.HeaderInput, by)
	if err != nil {
		return nil, err
	}
	o := &domain.PurchaseOrder{Document: h, Status: domain.PurchaseDraft}
	if !in.DeliveryDate.IsZero() {
		o.DeliveryDate = domain.DateOnly(in.DeliveryDate)
	}
	if err := v.Merge(o.CheckNew()); err != nil {
		return nil, err
	}
	if err := document.Insert[*domain.PurchaseOrder](ctx, s.eng, s.store, o, ""); err != nil {
		return nil, err
	}
	return o, nil
}

// Get returns an order with its lines.
func (s *Orders) Get(ctx context.Context, id int64) (*domain.PurchaseOrder, error) {
	return s.store.Get(ctx, id)
}

// Received returns the quantities received of each line of order id.
func (s *Orders) Received(ctx context.Context, id int64) (map[int64]domain.Decimal, error) {
	return s.store.Received(ctx, id)
}

// List lists orders without their lines.
func (s *Orders) List(ctx context.Context, f Filter) (domain.Page[domain.PurchaseOrder], error) {
	return s.store.List(ctx, f)
}

// Events returns an order's event log, oldest first.
func (s *Orders) Events(ctx context.Context, id int64) ([]domain.DocEvent, error) {
	return document.History[*domain.PurchaseOrder](ctx, s.eng, s.store, id)
}

func (s *Orders) run(ctx context.Context, id, version, by int64, action string,
	apply func(ctx context.Context, o *domain.PurchaseOrder, now time.Time) (string, error)) (*domain.PurchaseOrder, error) {
	return document.Run[*domain.PurchaseOrder](ctx, s.eng, s.store,
		document.Change[*domain.PurchaseOrder]{ID: id, Version: version, By: by, Action: action, Apply: apply})
}

// Update changes a draft's header.
func (s *Orders) Update(ctx context.Context, id, version int64, p OrderPatch) (*domain.PurchaseOrder, error) {
	return s.run(ctx, id, version, 0, "", func(ctx context.Context, o *domain.PurchaseOrder, _ time.Time) (string, error) {
		if err := o.CheckEditable(); err != nil {
			return "", err
		}
		v := &domain.ValidationError{}
		if err := s.applyHeader(ctx, v, &o.Document, p.HeaderPatch); err != nil {
			return "", err
		}
		if p.DeliveryDate != nil {
			o.DeliveryDate = domain.DateOnly(*p.DeliveryDate)
		}
		return "", v.Merge(o.CheckNew())
	})
}

// Delete deletes a draft order.
func (s *Orders) Delete(ctx context.Context, id, by int64) error {
	return document.Remove[*domain.PurchaseOrder](ctx, s.eng, s.store, id, by, (*domain.PurchaseOrder).CheckEditable, nil)
}

// needsApproval reports whether o's total calls for a second approval.
func (s *Orders) needsApproval(o *domain.PurchaseOrder) bool {
	return s.cfg.ApprovalAbove != nil && o.TotalExclTax.GreaterThan(*s.cfg.ApprovalAbove)
}

// Validate validates a draft and draws its reference. Above the approval
// amount the order waits in validated for a second approval; below it,
// it is approved at once.
func (s *Orders) Validate(ctx context.Context, id, by int64) (*domain.PurchaseOrder, error) {
	return document.Run[*domain.PurchaseOrder](ctx, s.eng, s.store, document.Change[*domain.PurchaseOrder]{
		ID: id, By: by, Action: "validated",
		Apply: func(_ context.Context, o *domain.PurchaseOrder, now time.Time) (string, error) {
			needs := s.needsApproval(o)
			if err := o.Validate(by, now, needs); err != nil {
				return "", err
			}
			if needs {
				return "waits for a second approval (total above " + s.cfg.ApprovalAbove.String() + ")", nil
			}
			return "approved at validation", nil
		},
		Series: func(*domain.PurchaseOrder) document.Series {
			return document.Series{Scope: ScopeOrder, Mask: s.cfg.OrderMask}
		},
	})
}

// Approve gives a validated order its second approval; the route requires
// purchase:approve, the entity refuses the order's creator.
func (s *Orders) Approve(ctx context.Context, id, by int64) (*domain.PurchaseOrder, error) {
	return s.run(ctx, id, 0, by, "approved", func(_ context.Context, o *domain.PurchaseOrder, now time.Time) (string, error) {
		return "", o.Approve(by, now)
	})
}

// MarkOrdered records an approved order as sent to the supplier.
func (s *Orders) MarkOrdered(ctx context.Context, id, by int64) (*domain.PurchaseOrder, error) {
	return s.run(ctx, id, 0, by, "ordered", func(_ context.Context, o *domain.PurchaseOrder, now time.Time) (string, error) {
		return "", o.MarkOrdered(now)
	})
}

// Cancel cancels an order nothing was received of.
func (s *Orders) Cancel(ctx context.Context, id int64, note string, by int64) (*domain.PurchaseOrder, error) {
	if err := checkNoteInput(note); err != nil {
		return nil, err
	}
	return s.run(ctx, id, 0, by, "canceled", func(_ context.Context, o *domain.PurchaseOrder, _ time.Time) (string, error) {
		return note, o.Cancel()
	})
}

// Close records that no more goods are expected.
func (s *Orders) Close(ctx context.Context, id, by int64) (*domain.PurchaseOrder, error) {
	return s.run(ctx, id, 0, by, "closed", func(_ context.Context, o *domain.PurchaseOrder, _ time.Time) (string, error) {
		return "", o.Close()
	})
}
