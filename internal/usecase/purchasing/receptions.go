package purchasing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

// ReceptionStore keeps receptions with their lines. The engine's line
// edits are not used: a draft reception is deleted and made again.
type ReceptionStore interface {
	document.Store[*domain.Reception]
	List(ctx context.Context, f ReceptionFilter) (domain.Page[domain.Reception], error)
	// LockMany locks receptions ids FOR UPDATE in id order, with their
	// lines.
	LockMany(ctx context.Context, ids []int64) ([]*domain.Reception, error)
}

// ReceptionFilter selects receptions.
type ReceptionFilter struct {
	Filter
	OrderID int64
}

// ReceptionInput is a new reception of a purchase order.
type ReceptionInput struct {
	OrderID int64
	// SupplierID, when given, must be the order's supplier.
	SupplierID  int64
	Date        time.Time
	NotePublic  string
	NotePrivate string
	Lines       []ReceptionLineInput
}

// ReceptionLineInput receives a quantity of one order line into a
// warehouse; ProductID, when given, must be the line's product.
type ReceptionLineInput struct {
	OrderLineID int64
	ProductID   int64
	WarehouseID int64
	Quantity    domain.Decimal
}

// Receptions is the receptions use case.
type Receptions struct {
	base
	store      ReceptionStore
	orders     OrderStore
	warehouses Warehouses
}

// NewReceptions returns the receptions use case.
func NewReceptions(c Common, store ReceptionStore, orders OrderStore, warehouses Warehouses) *Receptions {
	return &Receptions{base: newBase(c), store: store, orders: orders, warehouses: warehouses}
}

// Create records a draft reception. Every line must name a goods line of
// the order and an open warehouse; a quantity above what is left to
// receive is refused already (and again, under lock, at validation).
func (s *Receptions) Create(ctx context.Context, in ReceptionInput, by int64) (*domain.Reception, error) {
	r := &domain.Reception{Document: domain.Document{Date: domain.DateOnly(in.Date), NotePublic: in.NotePublic,
		NotePrivate: in.NotePrivate, Rounding: s.cfg.Rounding, CreatedBy: by}, OrderID: in.OrderID}
	if in.Date.IsZero() {
		r.Date = domain.DateOnly(s.eng.Now())
	}
	for _, l := range in.Lines {
		r.Received = append(r.Received, domain.ReceptionLine{OrderLineID: l.OrderLineID, ProductID: l.ProductID,
			WarehouseID: l.WarehouseID, Quantity: l.Quantity})
	}
	if err := r.CheckNew(); err != nil {
		return nil, err
	}
	v := &domain.ValidationError{}
	o, err := s.orders.Get(ctx, in.OrderID)
	if errors.Is(err, domain.ErrNotFound) {
		v.Add("order_id", "not_found", "purchase order %d does not exist", in.OrderID)
		return nil, v
	}
	if err != nil {
		return nil, err
	}
	if in.SupplierID != 0 && in.SupplierID != o.CustomerID {
		v.Add("supplier_id", "other_supplier", "purchase order %s is another supplier's", o.DisplayRef())
		return nil, v
	}
	if err := o.CheckReceivable(); err != nil {
		return nil, err
	}
	r.CustomerID = o.CustomerID
	for i := range r.Received {
		if err := s.checkLine(ctx, v, fmt.Sprintf("lines[%d].", i), o, &r.Received[i], in.Lines[i].ProductID); err != nil {
			return nil, err
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	received, err := s.orders.Received(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	if err := s.checkQuantities(o, received, r.Received); err != nil {
		return nil, err
	}
	r.Status = domain.ReceptionDraft
	if err := document.Insert[*domain.Reception](ctx, s.eng, s.store, r, "of "+o.DisplayRef()); err != nil {
		return nil, err
	}
	return r, nil
}

// checkLine fills l from its order line and checks its warehouse.
func (s *Receptions) checkLine(ctx context.Context, v *domain.ValidationError, p string, o *domain.PurchaseOrder, l *domain.ReceptionLine, product int64) error {
	ol, err := o.Line(l.OrderLineID)
	if err != nil {
		v.Add(p+"order_line_id", "not_found", "line %d is not a line of %s", l.OrderLineID, o.DisplayRef())
		return nil
	}
	switch {
	case ol.ProductID == 0 || ol.ProductType != domain.ProductGoods:
		v.Add(p+"order_line_id", "not_goods", "line %d names no stocked product", l.OrderLineID)
	case product != 0 && product != ol.ProductID:
		v.Add(p+"product_id", "other_product", "line %d orders product %d", l.OrderLineID, ol.ProductID)
	}
	l.ProductID, l.UnitPrice = ol.ProductID, netPrice(ol)
	w, err := s.warehouses.GetWarehouse(ctx, l.WarehouseID)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		v.Add(p+"warehouse_id", "not_found", "warehouse %d does not exist", l.WarehouseID)
	case err != nil:
		return err
	case w.AcceptsMovements() != nil:
		v.Add(p+"warehouse_id", "warehouse_closed", "warehouse %s is closed", w.Label)
	}
	return nil
}

// checkQuantities refuses lines that take an order line past its ordered
// quantity, given what validated receptions received already.
func (s *Receptions) checkQuantities(o *domain.PurchaseOrder, received map[int64]domain.Decimal, lines []domain.ReceptionLine) error {
	if s.cfg.AllowOverReception {
		return nil
	}
	more := map[int64]domain.Decimal{}
	for _, l := range lines {
		more[l.OrderLineID] = more[l.OrderLineID].Add(l.Quantity)
	}
	for _, l := range lines {
		ol, err := o.Line(l.OrderLineID)
		if err != nil {
			return err
		}
		if received[ol.ID].Add(more[ol.ID]).GreaterThan(ol.Quantity) {
			return &domain.OverReception{OrderID: o.ID, OrderLineID: ol.ID, Ordered: ol.Quantity,
				Received: received[ol.ID], Requested: more[ol.ID]}
		}
	}
	return nil
}

// Validate validates a draft reception in one transaction: it locks the
// reception, then its purchase order (every reception of one order waits
// for the one before it), re-checks the quantities left to receive, puts
// the goods into stock at the order's net prices (which updates each
// product's weighted average cost) unless stock comes in on supplier
// invoices, moves the order to partly received or received, and draws the
// reception's reference.
func (s *Receptions) Validate(ctx context.Context, id, by int64) (*domain.Reception, error) {
	return document.Run[*domain.Reception](ctx, s.eng, s.store, document.Change[*domain.Reception]{
		ID: id, By: by, Action: "validated",
		Apply: func(ctx context.Context, r *domain.Reception, now time.Time) (string, error) {
			if err := r.CheckEditable(); err != nil {
				return "", err
			}
			o, err := s.orders.Lock(ctx, r.OrderID)
			if err != nil {
				return "", err
			}
			if err := o.CheckReceivable(); err != nil {
				return "", err
			}
			received, err := s.orders.Received(ctx, o.ID)
			if err != nil {
				return "", err
			}
			if err := s.checkQuantities(o, received, r.Received); err != nil {
				return "", err
			}
			if s.cfg.StockTrigger == StockOnReception {
				moves := make([]stock.MoveInput, len(r.Received))
				for i, l := range r.Received {
					moves[i] = stock.MoveInput{ProductID: l.ProductID, WarehouseID: l.WarehouseID, Quantity: l.Quantity,
						UnitPrice: l.UnitPrice, Label: "Reception of " + o.DisplayRef(), OriginType: string(domain.KindReception),
						OriginID: r.ID, UserID: by, At: now}
				}
				if err := s.eng.Move(ctx, r, moves); err != nil {
					return "", err
				}
			}
			if err := r.Validate(by, now); err != nil {
				return "", err
			}
			for _, l := range r.Received {
				received[l.OrderLineID] = received[l.OrderLineID].Add(l.Quantity)
			}
			complete := true
			for _, ol := range o.Lines {
				if ol.ProductID != 0 && ol.ProductType == domain.ProductGoods && received[ol.ID].LessThan(ol.Quantity) {
					complete = false
				}
			}
			from := o.StatusName()
			o.SetReceived(complete)
			o.UpdatedAt = now
			if err := s.eng.Record(ctx, domain.Event(o, "received", from, by, fmt.Sprintf("reception %d", r.ID), now)); err != nil {
				return "", err
			}
			if err := s.orders.Save(ctx, o); err != nil {
				return "", err
			}
			return "of " + o.DisplayRef(), nil
		},
		Series: func(*domain.Reception) document.Series {
			return document.Series{Scope: ScopeReception, Mask: s.cfg.ReceptionMask}
		},
	})
}

// Get returns a reception with its lines.
func (s *Receptions) Get(ctx context.Context, id int64) (*domain.Reception, error) {
	return s.store.Get(ctx, id)
}

// List lists receptions without their lines.
func (s *Receptions) List(ctx context.Context, f ReceptionFilter) (domain.Page[domain.Reception], error) {
	return s.store.List(ctx, f)
}

// Events returns a reception's event log.
func (s *Receptions) Events(ctx context.Context, id int64) ([]domain.DocEvent, error) {
	return document.History[*domain.Reception](ctx, s.eng, s.store, id)
}

// Delete deletes a draft reception.
func (s *Receptions) Delete(ctx context.Context, id, by int64) error {
	return document.Remove[*domain.Reception](ctx, s.eng, s.store, id, by, (*domain.Reception).CheckEditable, nil)
}
