package purchasing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

// InvoiceStore keeps supplier invoices.
type InvoiceStore interface {
	document.Store[*domain.SupplierInvoice]
	List(ctx context.Context, f Filter) (domain.Page[domain.SupplierInvoice], error)
	// LockMany locks invoices ids FOR UPDATE in id order, without lines.
	LockMany(ctx context.Context, ids []int64) ([]*domain.SupplierInvoice, error)
}

// InvoiceInput is a new supplier invoice or credit note.
type InvoiceInput struct {
	HeaderInput
	Type        domain.InvoiceType
	SupplierRef string
	DueDate     time.Time // zero: from the supplier's payment terms
}

// InvoicePatch changes a draft; nil fields are kept.
type InvoicePatch struct {
	HeaderPatch
	SupplierRef *string
	DueDate     *time.Time
}

// Invoices is the supplier invoices use case.
type Invoices struct {
	document.LineEditor[*domain.SupplierInvoice]
	base
	store      InvoiceStore
	orders     OrderStore
	receptions ReceptionStore
}

// NewInvoices returns the supplier invoices use case.
func NewInvoices(c Common, store InvoiceStore, orders OrderStore, receptions ReceptionStore) *Invoices {
	return &Invoices{LineEditor: document.NewLineEditor[*domain.SupplierInvoice](c.Engine, store), base: newBase(c),
		store: store, orders: orders, receptions: receptions}
}

// dueDate is the due date of an invoice dated on from sup's terms.
func dueDate(sup *domain.ThirdParty, on time.Time) time.Time {
	if sup == nil {
		return on
	}
	due, err := sup.PaymentTerms.DueDate(on)
	if err != nil {
		return on
	}
	return due
}

// Create creates a draft supplier invoice.
func (s *Invoices) Create(ctx context.Context, in InvoiceInput, by int64) (*domain.SupplierInvoice, error) {
	v := &domain.ValidationError{}
	h, sup, err := s.newHeader(ctx, v, in.HeaderInput, by)
	if err != nil {
		return nil, err
	}
	inv := &domain.SupplierInvoice{Invoice: domain.Invoice{Document: h, Type: in.Type, DueDate: domain.DateOnly(in.DueDate)},
		SupplierRef: in.SupplierRef}
	if in.DueDate.IsZero() {
		inv.DueDate = dueDate(sup, h.Date)
	}
	if err := v.Merge(inv.CheckNew()); err != nil {
		return nil, err
	}
	if err := s.insert(ctx, inv, ""); err != nil {
		return nil, err
	}
	return inv, nil
}

// insert stores a new draft; a supplier reference the supplier used
// already is refused by the unique index, which decides between two
// concurrent creations.
func (s *Invoices) insert(ctx context.Context, inv *domain.SupplierInvoice, note string) error {
	inv.Status = domain.InvoiceDraft
	err := document.Insert[*domain.SupplierInvoice](ctx, s.eng, s.store, inv, note)
	var de *domain.Error
	if errors.As(err, &de) && de.Code == "duplicate" {
		return domain.E(domain.ErrConflict, "duplicate_supplier_ref",
			"the supplier's invoice %s is recorded already", inv.SupplierRef)
	}
	return err
}

// FromOrder creates a draft invoice with an approved order's lines, and
// marks the order billed, in one transaction that locks the order.
func (s *Invoices) FromOrder(ctx context.Context, orderID int64, supplierRef string, by int64) (*domain.SupplierInvoice, error) {
	var inv *domain.SupplierInvoice
	err := s.eng.Do(ctx, func(ctx context.Context) error {
		o, err := s.orders.Lock(ctx, orderID)
		if err != nil {
			return err
		}
		if err := o.CheckBillable(); err != nil {
			return err
		}
		sup, err := s.suppliers.GetThirdParty(ctx, o.CustomerID)
		if err != nil {
			return err
		}
		now := s.eng.Now()
		inv = &domain.SupplierInvoice{Invoice: domain.Invoice{Document: document.Copy(&o.Document, now, by)},
			SupplierRef: supplierRef, PurchaseOrderID: o.ID}
		inv.RefCustomer = o.RefCustomer
		inv.DueDate = dueDate(sup, inv.Date)
		if err := inv.CheckNew(); err != nil {
			return err
		}
		o.Billed, o.UpdatedAt = true, now
		if err := s.orders.Save(ctx, o); err != nil {
			return err
		}
		return s.insert(ctx, inv, "from "+o.DisplayRef())
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// FromReceptions creates a draft invoice of the goods of validated
// receptions of one supplier, at their orders' prices (one line per order
// line), and marks them billed, in one transaction that locks them (id
// order).
func (s *Invoices) FromReceptions(ctx context.Context, ids []int64, supplierRef string, by int64) (*domain.SupplierInvoice, error) {
	v := &domain.ValidationError{}
	if len(ids) == 0 {
		v.Add("reception_ids", "required", "at least one reception is billed")
		return nil, v
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	if len(slices.Compact(slices.Clone(ids))) != len(ids) {
		v.Add("reception_ids", "duplicate", "a reception is listed twice")
		return nil, v
	}
	var inv *domain.SupplierInvoice
	err := s.eng.Do(ctx, func(ctx context.Context) error {
		rs, err := s.receptions.LockMany(ctx, ids)
		if err != nil {
			return err
		}
		if len(rs) != len(ids) {
			v := &domain.ValidationError{}
			for _, id := range ids {
				if !slices.ContainsFunc(rs, func(r *domain.Reception) bool { return r.ID == id }) {
					v.Add("reception_ids", "not_found", "reception %d does not exist", id)
				}
			}
			return v
		}
		orders := map[int64]*domain.PurchaseOrder{}
		type key struct{ order, line int64 }
		qty := map[key]domain.Decimal{}
		var keys []key
		for _, r := range rs {
			if err := r.CheckBillable(); err != nil {
				return err
			}
			if r.CustomerID != rs[0].CustomerID {
				v := &domain.ValidationError{}
				v.Add("reception_ids", "other_supplier", "reception %s is another supplier's", r.DisplayRef())
				return v
			}
			if orders[r.OrderID] == nil {
				if orders[r.OrderID], err = s.orders.Get(ctx, r.OrderID); err != nil {
					return err
				}
			}
			for _, l := range r.Received {
				k := key{r.OrderID, l.OrderLineID}
				if _, ok := qty[k]; !ok {
					keys = append(keys, k)
				}
				qty[k] = qty[k].Add(l.Quantity)
			}
		}
		sup, err := s.suppliers.GetThirdParty(ctx, rs[0].CustomerID)
		if err != nil {
			return err
		}
		now := s.eng.Now()
		inv = &domain.SupplierInvoice{Invoice: domain.Invoice{Document: domain.Document{CustomerID: rs[0].CustomerID,
			Date: domain.DateOnly(now), Rounding: s.cfg.Rounding, CreatedBy: by}}, SupplierRef: supplierRef}
		if len(orders) == 1 {
			inv.PurchaseOrderID = rs[0].OrderID
		}
		for _, k := range keys {
			ol, err := orders[k.order].Line(k.line)
			if err != nil {
				return err
			}
			l := *ol
			l.ID, l.Quantity = 0, qty[k]
			inv.Lines = append(inv.Lines, l)
		}
		inv.DueDate = dueDate(sup, inv.Date)
		if err := inv.CheckNew(); err != nil {
			return err
		}
		refs := make([]string, len(rs))
		for i, r := range rs {
			refs[i] = r.DisplayRef()
		}
		if err := s.insert(ctx, inv, fmt.Sprintf("from %v", refs)); err != nil {
			return err
		}
		for _, r := range rs {
			r.InvoiceID, r.UpdatedAt = inv.ID, now
			if err := s.receptions.Save(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// Get returns a supplier invoice with its lines.
func (s *Invoices) Get(ctx context.Context, id int64) (*domain.SupplierInvoice, error) {
	return s.store.Get(ctx, id)
}

// List lists supplier invoices without their lines.
func (s *Invoices) List(ctx context.Context, f Filter) (domain.Page[domain.SupplierInvoice], error) {
	return s.store.List(ctx, f)
}

// Events returns an invoice's event log.
func (s *Invoices) Events(ctx context.Context, id int64) ([]domain.DocEvent, error) {
	return document.History[*domain.SupplierInvoice](ctx, s.eng, s.store, id)
}

func (s *Invoices) run(ctx context.Context, id, version, by int64, action string,
	apply func(ctx context.Context, i *domain.SupplierInvoice, now time.Time) (string, error)) (*domain.SupplierInvoice, error) {
	return document.Run[*domain.SupplierInvoice](ctx, s.eng, s.store,
		document.Change[*domain.SupplierInvoice]{ID: id, Version: version, By: by, Action: action, Apply: apply})
}

// Update changes a draft's header.
func (s *Invoices) Update(ctx context.Context, id, version int64, p InvoicePatch) (*domain.SupplierInvoice, error) {
	inv, err := s.run(ctx, id, version, 0, "", func(ctx context.Context, i *domain.SupplierInvoice, _ time.Time) (string, error) {
		if err := i.CheckEditable(); err != nil {
			return "", err
		}
		v := &domain.ValidationError{}
		if err := s.applyHeader(ctx, v, &i.Document, p.HeaderPatch); err != nil {
			return "", err
		}
		setIf(&i.SupplierRef, p.SupplierRef)
		if p.DueDate != nil {
			i.DueDate = domain.DateOnly(*p.DueDate)
		}
		return "", v.Merge(i.CheckNew())
	})
	var de *domain.Error
	if errors.As(err, &de) && de.Code == "duplicate" {
		return nil, domain.E(domain.ErrConflict, "duplicate_supplier_ref", "the supplier's invoice is recorded already")
	}
	return inv, err
}

// Delete deletes a draft; an order it was made from can be billed again,
// and receptions billed by it are released (ON DELETE SET NULL).
func (s *Invoices) Delete(ctx context.Context, id, by int64) error {
	return document.Remove[*domain.SupplierInvoice](ctx, s.eng, s.store, id, by, (*domain.SupplierInvoice).CheckEditable,
		func(ctx context.Context, i *domain.SupplierInvoice, now time.Time) error {
			if i.PurchaseOrderID == 0 {
				return nil
			}
			o, err := s.orders.Lock(ctx, i.PurchaseOrderID)
			if err != nil || !o.Billed {
				return err
			}
			o.Billed, o.UpdatedAt = false, now
			return s.orders.Save(ctx, o)
		})
}

// Validate validates a draft and draws its number (SI, or SA for a credit
// note). With DOLIBARR_STOCK_INCREASE_ON=supplier_invoice its goods come
// into warehouse (a credit note's go out) at their net prices; by default
// the receptions moved them and the invoice moves nothing.
func (s *Invoices) Validate(ctx context.Context, id, warehouse, by int64) (*domain.SupplierInvoice, error) {
	return document.Run[*domain.SupplierInvoice](ctx, s.eng, s.store, document.Change[*domain.SupplierInvoice]{
		ID: id, By: by, Action: "validated",
		Apply: func(ctx context.Context, i *domain.SupplierInvoice, now time.Time) (string, error) {
			if err := domain.AsKind(i.CanValidate(), i.Kind()); err != nil {
				return "", err
			}
			if s.cfg.StockTrigger == StockOnSupplierInvoice && document.HasGoods(&i.Document) {
				if warehouse <= 0 {
					v := &domain.ValidationError{}
					v.Add("warehouse_id", "required", "is required: validating this invoice moves stock (DOLIBARR_STOCK_INCREASE_ON)")
					return "", v
				}
				if err := s.eng.Move(ctx, i, invoiceMoves(i, warehouse, by, now)); err != nil {
					return "", err
				}
				i.WarehouseID = warehouse
			}
			return "", domain.AsKind(i.Validate(by, now), i.Kind())
		},
		Series: func(i *domain.SupplierInvoice) document.Series {
			if i.Type == domain.InvoiceCreditNote {
				return document.Series{Scope: ScopeCreditNote, Mask: s.cfg.CreditNoteMask}
			}
			return document.Series{Scope: ScopeInvoice, Mask: s.cfg.InvoiceMask}
		},
	})
}

// invoiceMoves are the stock moves of a supplier invoice's validation: its
// goods in at their net prices, or out without a price for a credit note.
func invoiceMoves(i *domain.SupplierInvoice, warehouse, by int64, now time.Time) []stock.MoveInput {
	var out []stock.MoveInput
	for k := range i.Lines {
		l := &i.Lines[k]
		if l.ProductID == 0 || l.ProductType != domain.ProductGoods {
			continue
		}
		m := stock.MoveInput{ProductID: l.ProductID, WarehouseID: warehouse, Quantity: l.Quantity, UnitPrice: netPrice(l),
			Label: "Supplier invoice " + i.SupplierRef, OriginType: string(domain.KindSupplierInvoice), OriginID: i.ID, UserID: by, At: now}
		if i.Type == domain.InvoiceCreditNote {
			m.Quantity, m.UnitPrice = m.Quantity.Neg(), domain.Zero
		}
		if m.UnitPrice.IsNegative() {
			m.UnitPrice = domain.Zero
		}
		out = append(out, m)
	}
	return out
}

// Abandon closes a validated invoice that will not be paid in full.
func (s *Invoices) Abandon(ctx context.Context, id int64, code domain.CloseCode, note string, by int64) (*domain.SupplierInvoice, error) {
	return s.run(ctx, id, 0, by, "abandoned", func(_ context.Context, i *domain.SupplierInvoice, _ time.Time) (string, error) {
		return note, domain.AsKind(i.Abandon(code, note), i.Kind())
	})
}
