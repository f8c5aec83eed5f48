package document

import (
	"context"
	"errors"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

// Direction is the way a document's transition moves its goods.
type Direction int

// Directions.
const (
	// Out takes goods out of stock: a sale's validation, a purchase's
	// cancellation.
	Out Direction = -1
	// In puts goods into stock: a reception, a credit note, a sale's
	// reopening.
	In Direction = 1
)

// Reverse is the direction that undoes d.
func (d Direction) Reverse() Direction { return -d }

// HasGoods reports whether any line of d is a catalogue good (moves stock).
func HasGoods(d *domain.Document) bool {
	for _, l := range d.Lines {
		if l.ProductID != 0 && l.ProductType == domain.ProductGoods {
			return true
		}
	}
	return false
}

// StockEffect is how a transition of a document moves its goods.
type StockEffect struct {
	Warehouse int64
	Direction Direction
	Label     string
	// By is the user whose transition moves the stock, journaled; At is the
	// transition's time, the movements' too.
	By int64
	At time.Time
}

// StockMoves returns the movements a transition of d makes: the quantity
// of every goods line in the effect's direction and warehouse, merged per
// product.
func StockMoves(d domain.CommercialDocument, eff StockEffect) []stock.MoveInput {
	h := d.Header()
	idx := map[int64]int{}
	var out []stock.MoveInput
	for _, l := range h.Lines {
		if l.ProductID == 0 || l.ProductType != domain.ProductGoods {
			continue
		}
		q := l.Quantity
		if eff.Direction == Out {
			q = q.Neg()
		}
		if i, ok := idx[l.ProductID]; ok {
			out[i].Quantity = out[i].Quantity.Add(q)
			continue
		}
		idx[l.ProductID] = len(out)
		out = append(out, stock.MoveInput{ProductID: l.ProductID, WarehouseID: eff.Warehouse, Quantity: q,
			Label: eff.Label, OriginType: string(d.Kind()), OriginID: h.ID, UserID: eff.By, At: eff.At})
	}
	return out
}

// MoveStock applies the stock effect of a transition of d in the caller's
// transaction: its goods lines, into or out of a warehouse (StockMoves).
// See Move for shortages.
func (e *Engine) MoveStock(ctx context.Context, d domain.CommercialDocument, eff StockEffect) error {
	return e.Move(ctx, d, StockMoves(d, eff))
}

// Move applies moves, the stock effect of a transition of d, in the
// caller's transaction; a kind whose lines name their own warehouse or
// price (a reception) builds its moves itself. A debit the stock refuses
// becomes a *domain.DocumentStockShortage naming every short product.
func (e *Engine) Move(ctx context.Context, d domain.CommercialDocument, moves []stock.MoveInput) error {
	if len(moves) == 0 {
		return nil
	}
	_, err := e.stock.MoveBatch(ctx, moves)
	var one *domain.InsufficientStock
	var many *domain.StockShortages
	switch {
	case errors.As(err, &many):
	case errors.As(err, &one):
		many = &domain.StockShortages{Items: []*domain.InsufficientStock{one}}
	default:
		return err
	}
	h := d.Header()
	out := &domain.DocumentStockShortage{Kind: d.Kind(), ID: h.ID, Ref: h.DisplayRef()}
	ids := make([]int64, len(many.Items))
	for i, it := range many.Items {
		ids[i] = it.Product
	}
	// The references only label the problem: one batch read, and a failed
	// one leaves them empty rather than hiding the shortage.
	products, _ := e.catalog.Products(ctx, ids)
	for _, it := range many.Items {
		sp := domain.ShortProduct{ProductID: it.Product, WarehouseID: it.Warehouse, Available: it.Available, Requested: it.Requested}
		if p := products[it.Product]; p != nil {
			sp.ProductRef = p.Ref
		}
		out.Items = append(out.Items, sp)
	}
	return out
}
