package domain

import (
	"fmt"
	"strings"
	"time"
)

// MovementKind classifies a stock movement; the values are Dolibarr's
// type_mouvement.
type MovementKind int

// Movement kinds.
const (
	// MovementManualIn is an input by transfer, correction or inventory.
	MovementManualIn MovementKind = 0
	// MovementManualOut is an output by transfer, correction or inventory.
	MovementManualOut MovementKind = 1
	// MovementOut is an output by a business event (sale, shipment).
	MovementOut MovementKind = 2
	// MovementIn is an input by a business event (purchase, reception).
	MovementIn MovementKind = 3
)

func (k MovementKind) String() string {
	switch k {
	case MovementManualIn:
		return "manual_in"
	case MovementManualOut:
		return "manual_out"
	case MovementOut:
		return "out"
	case MovementIn:
		return "in"
	}
	return fmt.Sprintf("kind_%d", int(k))
}

// StockLevel is the quantity of one product in one warehouse.
type StockLevel struct {
	ProductID   int64
	WarehouseID int64
	Quantity    Decimal
}

// StockKey names one per-warehouse stock row.
type StockKey struct {
	ProductID   int64
	WarehouseID int64
}

// Less orders keys by product id, then warehouse id: the one order in which
// stock rows are locked, so two transactions never wait on each other in a
// cycle.
func (k StockKey) Less(o StockKey) bool {
	if k.ProductID != o.ProductID {
		return k.ProductID < o.ProductID
	}
	return k.WarehouseID < o.WarehouseID
}

// Movement is one line of the append-only stock journal.
type Movement struct {
	ID          int64
	ProductID   int64
	WarehouseID int64
	// Quantity is signed: positive in, negative out.
	Quantity Decimal
	// UnitPrice is the unit cost of a receipt; zero when none was given.
	UnitPrice Decimal
	Kind      MovementKind
	Label     string
	// InventoryCode groups movements made together (the legs of a
	// transfer, the lines of an inventory).
	InventoryCode string
	OriginType    string
	OriginID      int64
	// UserID is the user who made the movement (Dolibarr's
	// fk_user_author); zero when unknown: made before it was recorded, or
	// by the system on nobody's behalf.
	UserID    int64
	CreatedAt time.Time
}

// StockPolicy holds the rules a movement is checked against.
type StockPolicy struct {
	// AllowNegative lets a debit take a stock below zero.
	AllowNegative bool
}

// Apply returns the quantity after moving delta out of or into a stock of
// have for product/warehouse, or an *InsufficientStock when the policy
// forbids the resulting negative stock. A debit from an already negative
// stock is refused too; a credit is always accepted.
func (p StockPolicy) Apply(key StockKey, have, delta Decimal) (Decimal, error) {
	after := have.Add(delta)
	if delta.IsNegative() && after.IsNegative() && !p.AllowNegative {
		return have, &InsufficientStock{Product: key.ProductID, Warehouse: key.WarehouseID, Available: have, Requested: delta.Neg()}
	}
	return after, nil
}

// InsufficientStock is returned when a debit would take a stock below zero
// while negative stock is not allowed. It unwraps to ErrConflict.
type InsufficientStock struct {
	Product   int64
	Warehouse int64
	Available Decimal
	Requested Decimal
}

func (e *InsufficientStock) Error() string {
	return fmt.Sprintf("insufficient stock of product %d in warehouse %d: %s available, %s requested",
		e.Product, e.Warehouse, e.Available, e.Requested)
}

// Unwrap makes InsufficientStock match ErrConflict.
func (e *InsufficientStock) Unwrap() error { return ErrConflict }

// ErrorCode returns the stable code.
func (e *InsufficientStock) ErrorCode() string { return "insufficient_stock" }

// Details returns the fields a client needs to react, for the problem's
// extension members.
func (e *InsufficientStock) Details() map[string]any {
	return map[string]any{
		"product_id":   e.Product,
		"warehouse_id": e.Warehouse,
		"available":    e.Available,
		"requested":    e.Requested,
	}
}

// StockShortages is returned when several stock rows of one batch of
// movements would go below zero; it names every one. It unwraps to
// ErrConflict.
type StockShortages struct {
	Items []*InsufficientStock
}

func (e *StockShortages) Error() string {
	parts := make([]string, len(e.Items))
	for i, it := range e.Items {
		parts[i] = it.Error()
	}
	return strings.Join(parts, "; ")
}

// Unwrap makes StockShortages match ErrConflict.
func (e *StockShortages) Unwrap() error { return ErrConflict }

// ErrorCode returns the stable code, the same as InsufficientStock's.
func (e *StockShortages) ErrorCode() string { return "insufficient_stock" }

// WeightedAverageCost returns the average unit cost after receiving qty at
// unitPrice when onHand units were held at avg, as Dolibarr computes PMP: a
// negative stock on hand counts as zero, and an unknown (zero) previous
// average is replaced by the receipt's price. Rounded to ScaleUnit.
func WeightedAverageCost(onHand, avg, qty, unitPrice Decimal) Decimal {
	if onHand.IsNegative() {
		onHand = Zero
	}
	total := onHand.Add(qty)
	if avg.IsZero() || !total.IsPositive() {
		return unitPrice.Round(ScaleUnit)
	}
	return onHand.Mul(avg).Add(qty.Mul(unitPrice)).Div(total, ScaleUnit)
}

// CheckQuantity validates a movement quantity: non-zero, at most ScaleQty
// fraction digits.
func CheckQuantity(v *ValidationError, field string, q Decimal, allowZero bool) {
	switch {
	case q.IsZero() && !allowZero:
		v.Add(field, "zero", "must not be zero")
	case q.Scale() > ScaleQty:
		v.Add(field, "too_precise", "must have at most %d digits after the point", ScaleQty)
	}
}
