package sales

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

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

// CreateOrder creates a draft order with its lines.
func (s *Service) CreateOrder(ctx context.Context, in OrderInput, by int64) (*domain.Order, error) {
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
	err = s.tx.Do(ctx, func(ctx context.Context) error { return s.insertOrder(ctx, o, "") })
	if err != nil {
		return nil, err
	}
	return o, nil
}

func (s *Service) insertOrder(ctx context.Context, o *domain.Order, note string) error {
	o.Status = domain.OrderDraft
	o.Recompute()
	if err := s.repo.CreateOrder(ctx, o); err != nil {
		return err
	}
	return s.record(ctx, domain.Event(o, "created", "", o.CreatedBy, note, o.CreatedAt))
}

// Order returns an order with its lines.
func (s *Service) Order(ctx context.Context, id int64) (*domain.Order, error) {
	return s.repo.Order(ctx, id, false)
}

// Orders lists orders without their lines.
func (s *Service) Orders(ctx context.Context, f Filter) (domain.Page[domain.Order], error) {
	return s.repo.Orders(ctx, f)
}

// UpdateOrder changes a draft's header.
func (s *Service) UpdateOrder(ctx context.Context, id, version int64, p OrderPatch) (*domain.Order, error) {
	var o *domain.Order
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		var err error
		if o, err = s.repo.Order(ctx, id, true); err != nil {
			return err
		}
		if err := checkVersion(o, version); err != nil {
			return err
		}
		if err := o.CheckEditable(); err != nil {
			return err
		}
		v := &domain.ValidationError{}
		if err := s.applyHeader(ctx, v, &o.Document, p.HeaderPatch); err != nil {
			return err
		}
		if p.DeliveryDate != nil {
			o.DeliveryDate = domain.DateOnly(*p.DeliveryDate)
		}
		if err := v.Merge(o.CheckNew()); err != nil {
			return err
		}
		return s.repo.SaveOrder(ctx, o)
	})
	return o, err
}

// DeleteOrder deletes a draft order that was never numbered.
func (s *Service) DeleteOrder(ctx context.Context, id, by int64) error {
	return s.tx.Do(ctx, func(ctx context.Context) error {
		o, err := s.repo.Order(ctx, id, true)
		if err != nil {
			return err
		}
		if err := o.CheckEditable(); err != nil {
			return err
		}
		if err := s.repo.DeleteOrder(ctx, id); err != nil {
			return err
		}
		return s.record(ctx, domain.Event(o, "deleted", o.StatusName(), by, "", s.clock()))
	})
}

// ValidateOrder validates a draft order, debiting the stock of its goods
// from warehouse when the policy is order_validation, then drawing its
// reference, in one transaction.
func (s *Service) ValidateOrder(ctx context.Context, id, warehouse, by int64) (*domain.Order, error) {
	var o *domain.Order
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		var err error
		if o, err = s.repo.Order(ctx, id, true); err != nil {
			return err
		}
		if err := o.CanValidate(); err != nil {
			return err
		}
		from := o.StatusName()
		if s.cfg.StockTrigger == StockOnOrder && hasGoods(&o.Document) {
			if err := requireWarehouse(warehouse); err != nil {
				return err
			}
			if err := s.moveStock(ctx, o, warehouse, -1, fmt.Sprintf("Validation of order %s", o.DisplayRef()), by); err != nil {
				return err
			}
			o.WarehouseID = warehouse
		}
		now := s.clock()
		if err := o.Validate("", by, now); err != nil {
			return err
		}
		if err := s.record(ctx, domain.Event(o, "validated", from, by, "", now)); err != nil {
			return err
		}
		if err := s.drawRef(ctx, o, ScopeOrder, s.cfg.OrderMask); err != nil {
			return err
		}
		return s.repo.SaveOrder(ctx, o)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// orderTransition runs one status change on a locked order; when the order
// had moved stock and leaves the validated state for draft or canceled,
// the stock goes back.
func (s *Service) orderTransition(ctx context.Context, id, by int64, action, note string, change func(o *domain.Order) error) (*domain.Order, error) {
	var o *domain.Order
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		var err error
		if o, err = s.repo.Order(ctx, id, true); err != nil {
			return err
		}
		from := o.StatusName()
		if err := change(o); err != nil {
			return err
		}
		if o.WarehouseID != 0 && (o.Status == domain.OrderDraft || o.Status == domain.OrderCanceled) {
			label := fmt.Sprintf("Order %s %s", o.DisplayRef(), action)
			if err := s.moveStock(ctx, o, o.WarehouseID, 1, label, by); err != nil {
				return err
			}
			o.WarehouseID = 0
		}
		if err := s.repo.SaveOrder(ctx, o); err != nil {
			return err
		}
		return s.record(ctx, domain.Event(o, action, from, by, note, s.clock()))
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// ReopenOrder takes a validated order back to draft (stock back in).
func (s *Service) ReopenOrder(ctx context.Context, id, by int64) (*domain.Order, error) {
	return s.orderTransition(ctx, id, by, "reopened", "", (*domain.Order).BackToDraft)
}

// ShipOrder records that shipping started.
func (s *Service) ShipOrder(ctx context.Context, id, by int64) (*domain.Order, error) {
	return s.orderTransition(ctx, id, by, "shipped", "", (*domain.Order).Ship)
}

// CloseOrder records the order as delivered.
func (s *Service) CloseOrder(ctx context.Context, id, by int64) (*domain.Order, error) {
	return s.orderTransition(ctx, id, by, "closed", "", (*domain.Order).Close)
}

// CancelOrder cancels a draft or validated order (stock back in).
func (s *Service) CancelOrder(ctx context.Context, id int64, note string, by int64) (*domain.Order, error) {
	if err := checkNoteInput(note); err != nil {
		return nil, err
	}
	return s.orderTransition(ctx, id, by, "canceled", note, (*domain.Order).Cancel)
}

// CloneOrder creates a draft copy of an order dated today.
func (s *Service) CloneOrder(ctx context.Context, id, by int64) (*domain.Order, error) {
	src, err := s.repo.Order(ctx, id, false)
	if err != nil {
		return nil, err
	}
	o := &domain.Order{Document: cloneHeader(&src.Document, s.clock(), by)}
	if err := s.tx.Do(ctx, func(ctx context.Context) error { return s.insertOrder(ctx, o, "clone of "+src.DisplayRef()) }); err != nil {
		return nil, err
	}
	return o, nil
}

// OrderFromProposal creates a draft order from a signed proposal.
func (s *Service) OrderFromProposal(ctx context.Context, proposalID, by int64) (*domain.Order, error) {
	var o *domain.Order
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		p, err := s.repo.Proposal(ctx, proposalID, true)
		if err != nil {
			return err
		}
		if err := p.CheckConvertible(); err != nil {
			return err
		}
		o = &domain.Order{Document: cloneHeader(&p.Document, s.clock(), by), ProposalID: p.ID}
		return s.insertOrder(ctx, o, "from proposal "+p.DisplayRef())
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// InvoiceFromOrder creates a draft invoice from a validated order and
// marks the order billed.
func (s *Service) InvoiceFromOrder(ctx context.Context, orderID, by int64) (*domain.Invoice, error) {
	var inv *domain.Invoice
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		o, err := s.repo.Order(ctx, orderID, true)
		if err != nil {
			return err
		}
		if err := o.CheckBillable(); err != nil {
			return err
		}
		cust, err := s.catalog.GetThirdParty(ctx, o.CustomerID)
		if err != nil {
			return err
		}
		inv = &domain.Invoice{Document: cloneHeader(&o.Document, s.clock(), by), OrderID: o.ID, ProposalID: o.ProposalID}
		inv.DueDate = dueDate(cust, inv.Date)
		if err := s.insertInvoice(ctx, inv, "created", "from order "+o.DisplayRef()); err != nil {
			return err
		}
		o.Billed = true
		if err := s.repo.SaveOrder(ctx, o); err != nil {
			return err
		}
		return s.record(ctx, domain.Event(o, "billed", o.StatusName(), by, "invoice "+inv.DisplayRef(), s.clock()))
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

func checkNoteInput(note string) error {
	v := &domain.ValidationError{}
	if utf8.RuneCountInString(note) > domain.MaxNoteLen {
		v.Add("note", "too_long", "must be at most %d characters", domain.MaxNoteLen)
	}
	return v.Err()
}
