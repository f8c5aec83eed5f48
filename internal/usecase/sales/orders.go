package sales

import (
	"context"
	"fmt"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
)

// OrderStore keeps orders.
type OrderStore interface {
	document.Store[*domain.Order]
	// List lists orders matching f, without their lines.
	List(ctx context.Context, f Filter) (domain.Page[domain.Order], error)
}

// OrderInput is a new order.
type OrderInput struct {
	HeaderInput
	DeliveryDate time.Time
}

// OrderPatch changes a draft order; nil fields are kept.
type OrderPatch struct {
	HeaderPatch
	DeliveryDate *time.Time
}

// Orders is the sales orders use case.
type Orders struct {
	document.LineEditor[*domain.Order]
	base
	store OrderStore
}

// NewOrders returns the orders use case.
func NewOrders(c Common, store OrderStore) *Orders {
	return &Orders{LineEditor: document.NewLineEditor[*domain.Order](c.Engine, store), base: newBase(c), store: store}
}

// Create creates a draft order with its lines.
func (s *Orders) Create(ctx context.Context, in OrderInput, by int64) (*domain.Order, error) {
	v := &domain.ValidationError{}
	h, _, err := s.newHeader(ctx, v, in.HeaderInput, by)
	if err != nil {
		return nil, err
	}
	o := &domain.Order{Document: h, DeliveryDate: domain.DateOnly(in.DeliveryDate)}
	if in.DeliveryDate.IsZero() {
		o.DeliveryDate = time.Time{}
	}
	if err := v.Merge(o.CheckNew()); err != nil {
		return nil, err
	}
	if err := insertOrder(ctx, s.eng, s.store, o, ""); err != nil {
		return nil, err
	}
	return o, nil
}

// insertOrder stores a new draft order and records its creation.
func insertOrder(ctx context.Context, eng *document.Engine, store OrderStore, o *domain.Order, note string) error {
	o.Status = domain.OrderDraft
	return document.Insert[*domain.Order](ctx, eng, store, o, note)
}

// Get returns an order with its lines.
func (s *Orders) Get(ctx context.Context, id int64) (*domain.Order, error) {
	return s.store.Get(ctx, id)
}

// List lists orders without their lines.
func (s *Orders) List(ctx context.Context, f Filter) (domain.Page[domain.Order], error) {
	return s.store.List(ctx, f)
}

// Events returns an order's event log, oldest first.
func (s *Orders) Events(ctx context.Context, id int64) ([]domain.DocEvent, error) {
	return document.History[*domain.Order](ctx, s.eng, s.store, id)
}

// Update changes a draft's header.
func (s *Orders) Update(ctx context.Context, id, version int64, p OrderPatch) (*domain.Order, error) {
	return s.run(ctx, id, version, 0, "", func(ctx context.Context, o *domain.Order, _ time.Time) (string, error) {
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

func (s *Orders) run(ctx context.Context, id, version, by int64, action string,
	apply func(ctx context.Context, o *domain.Order, now time.Time) (string, error)) (*domain.Order, error) {
	return document.Run[*domain.Order](ctx, s.eng, s.store,
		document.Change[*domain.Order]{ID: id, Version: version, By: by, Action: action, Apply: apply})
}

// Delete deletes a draft order.
func (s *Orders) Delete(ctx context.Context, id, by int64) error {
	return document.Remove[*domain.Order](ctx, s.eng, s.store, id, by, (*domain.Order).CheckEditable, nil)
}

// Validate validates a draft order, debiting the stock of its goods from
// warehouse when the policy is order_validation, then drawing its
// reference, in one transaction.
func (s *Orders) Validate(ctx context.Context, id, warehouse, by int64) (*domain.Order, error) {
	return document.Run[*domain.Order](ctx, s.eng, s.store, document.Change[*domain.Order]{
		ID: id, By: by, Action: "validated",
		Apply: func(ctx context.Context, o *domain.Order, now time.Time) (string, error) {
			// The state rules first: nothing moves for a refused validation.
			if err := o.CanValidate(); err != nil {
				return "", err
			}
			if s.cfg.StockTrigger == StockOnOrder && document.HasGoods(&o.Document) {
				wh, err := s.eng.Warehouse(ctx, warehouse)
				if err != nil {
					return "", err
				}
				eff := document.StockEffect{Warehouse: wh, Direction: document.Out, By: by, At: now,
					Label: fmt.Sprintf("Validation of order %s", o.DisplayRef())}
				if err := s.eng.MoveStock(ctx, o, eff); err != nil {
					return "", err
				}
				o.WarehouseID = wh
			}
			return "", o.Validate(by, now)
		},
		Series: func(*domain.Order) document.Series { return document.Series{Scope: ScopeOrder, Mask: s.cfg.OrderMask} },
	})
}

// transition runs one status change; when the order had moved stock and
// leaves the validated state for draft or canceled, the stock goes back.
func (s *Orders) transition(ctx context.Context, id, by int64, action, note string, change func(o *domain.Order) error) (*domain.Order, error) {
	return s.run(ctx, id, 0, by, action, func(ctx context.Context, o *domain.Order, now time.Time) (string, error) {
		if err := change(o); err != nil {
			return "", err
		}
		if o.WarehouseID != 0 && (o.Status == domain.OrderDraft || o.Status == domain.OrderCanceled) {
			eff := document.StockEffect{Warehouse: o.WarehouseID, Direction: document.In, By: by, At: now,
				Label: fmt.Sprintf("Order %s %s", o.DisplayRef(), action)}
			if err := s.eng.MoveStock(ctx, o, eff); err != nil {
				return "", err
			}
			o.WarehouseID = 0
		}
		return note, nil
	})
}

// Reopen takes a validated order back to draft (stock back in).
func (s *Orders) Reopen(ctx context.Context, id, by int64) (*domain.Order, error) {
	return s.transition(ctx, id, by, "reopened", "", (*domain.Order).BackToDraft)
}

// Ship records that shipping started.
func (s *Orders) Ship(ctx context.Context, id, by int64) (*domain.Order, error) {
	return s.transition(ctx, id, by, "shipped", "", (*domain.Order).Ship)
}

// Close records the order as delivered.
func (s *Orders) Close(ctx context.Context, id, by int64) (*domain.Order, error) {
	return s.transition(ctx, id, by, "closed", "", (*domain.Order).Close)
}

// Cancel cancels a draft or validated order (stock back in).
func (s *Orders) Cancel(ctx context.Context, id int64, note string, by int64) (*domain.Order, error) {
	if err := checkNoteInput(note); err != nil {
		return nil, err
	}
	return s.transition(ctx, id, by, "canceled", note, (*domain.Order).Cancel)
}

// Clone creates a draft copy of an order dated today.
func (s *Orders) Clone(ctx context.Context, id, by int64) (*domain.Order, error) {
	src, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	o := &domain.Order{Document: document.Copy(&src.Document, s.eng.Now(), by)}
	if err := insertOrder(ctx, s.eng, s.store, o, "clone of "+src.DisplayRef()); err != nil {
		return nil, err
	}
	return o, nil
}
