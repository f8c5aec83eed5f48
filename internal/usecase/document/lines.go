package document

import (
	"context"
	"fmt"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// LineInput is one line of a request. With a product, omitted fields take
// the defaults the engine's price source gives for it.
type LineInput struct {
	ProductID       int64
	Description     *string
	Quantity        domain.Decimal
	UnitPrice       *domain.Decimal
	DiscountPercent *domain.Decimal
	VATRate         *domain.Decimal
}

// PriceQuery asks for the defaults of one line naming a product: a
// supplier's price may depend on the quantity.
type PriceQuery struct {
	ProductID int64
	Quantity  domain.Decimal
}

// Price is what a product gives the line naming it when the request leaves
// a field out, or why the product cannot be on the document.
type Price struct {
	// Found is false for a product that does not exist.
	Found       bool
	Type        domain.ProductType
	Description string
	UnitPrice   domain.Decimal
	VATRate     domain.Decimal
	// Refusal, when not empty, is the code of the line's product_id
	// problem ("not_on_sale") and Reason its message: the product exists
	// but cannot be on this kind of document.
	Refusal string
	Reason  string
}

// Prices is the pluggable price source of a side: sales take a product's
// selling price (sales.SellingPrices), purchasing will take the supplier's
// best price for the quantity.
type Prices interface {
	// Prices answers qs in order, for the documents of third party party,
	// reading what it needs in one round trip.
	Prices(ctx context.Context, party int64, qs []PriceQuery) ([]Price, error)
}

// BuildLines turns line inputs into lines for a document of third party
// party, filling product defaults and recording every problem in v under
// "lines[i].". The products are priced in one call.
func (e *Engine) BuildLines(ctx context.Context, v *domain.ValidationError, party int64, ins []LineInput) ([]domain.Line, error) {
	prices, err := e.price(ctx, party, ins)
	if err != nil {
		return nil, err
	}
	lines := make([]domain.Line, 0, len(ins))
	for i, in := range ins {
		lines = append(lines, buildLine(v, fmt.Sprintf("lines[%d].", i), in, prices[i]))
	}
	return lines, nil
}

// BuildLine builds the single line of a line edit, recording its problems
// in v without a prefix.
func (e *Engine) BuildLine(ctx context.Context, v *domain.ValidationError, party int64, in LineInput) (domain.Line, error) {
	prices, err := e.price(ctx, party, []LineInput{in})
	if err != nil {
		return domain.Line{}, err
	}
	return buildLine(v, "", in, prices[0]), nil
}

// price asks the source for the lines naming a product (a positive id;
// any other is not found) and returns one Price per input.
func (e *Engine) price(ctx context.Context, party int64, ins []LineInput) ([]Price, error) {
	out := make([]Price, len(ins))
	var qs []PriceQuery
	var at []int
	for i, in := range ins {
		if in.ProductID > 0 {
			qs = append(qs, PriceQuery{ProductID: in.ProductID, Quantity: in.Quantity})
			at = append(at, i)
		}
	}
	if len(qs) == 0 {
		return out, nil
	}
	prices, err := e.prices.Prices(ctx, party, qs)
	if err != nil {
		return nil, err
	}
	for k, i := range at {
		out[i] = prices[k]
	}
	return out, nil
}

// buildLine makes a line from its input and the price of its product.
func buildLine(v *domain.ValidationError, prefix string, in LineInput, p Price) domain.Line {
	l := domain.Line{ProductID: in.ProductID, Quantity: in.Quantity, ProductType: domain.ProductService}
	if in.ProductID != 0 {
		switch {
		case !p.Found:
			v.Add(prefix+"product_id", "not_found", "product %d does not exist", in.ProductID)
		case p.Refusal != "":
			v.Add(prefix+"product_id", p.Refusal, "%s", p.Reason)
		default:
			l.ProductType, l.Description, l.UnitPrice, l.VATRate = p.Type, p.Description, p.UnitPrice, p.VATRate
		}
	} else if in.UnitPrice == nil {
		v.Add(prefix+"unit_price", "required", "is required on a line without a product")
	}
	if in.Description != nil {
		l.Description = *in.Description
	}
	if in.UnitPrice != nil {
		l.UnitPrice = *in.UnitPrice
	}
	if in.DiscountPercent != nil {
		l.DiscountPercent = *in.DiscountPercent
	}
	if in.VATRate != nil {
		l.VATRate = *in.VATRate
	}
	l.Check(v, prefix)
	return l
}

// LineEditor edits the lines of drafts of one kind D; a kind's use case
// embeds it to offer AddLine, UpdateLine and DeleteLine. Each edit runs
// through Run: the draft is locked, its version checked, the line written
// and the header saved with its new totals and version; no event.
type LineEditor[D domain.CommercialDocument] struct {
	e     *Engine
	store Store[D]
}

// NewLineEditor returns the line edits of the documents in store.
func NewLineEditor[D domain.CommercialDocument](e *Engine, store Store[D]) LineEditor[D] {
	return LineEditor[D]{e: e, store: store}
}

func (le LineEditor[D]) edit(ctx context.Context, id, version int64, fn func(ctx context.Context, d D) error) (D, error) {
	return Run(ctx, le.e, le.store, Change[D]{ID: id, Version: version,
		Apply: func(ctx context.Context, d D, _ time.Time) (string, error) {
			if err := d.CheckEditable(); err != nil {
				return "", err
			}
			return "", fn(ctx, d)
		}})
}

// line builds the line of an edit of d, or fails with its problems.
func (le LineEditor[D]) line(ctx context.Context, d D, in LineInput) (domain.Line, error) {
	v := &domain.ValidationError{}
	l, err := le.e.BuildLine(ctx, v, d.Header().CustomerID, in)
	if err != nil {
		return l, err
	}
	return l, v.Err()
}

// AddLine appends a line to draft id. version, when not zero, must be the
// draft's current version.
func (le LineEditor[D]) AddLine(ctx context.Context, id, version int64, in LineInput) (D, error) {
	return le.edit(ctx, id, version, func(ctx context.Context, d D) error {
		l, err := le.line(ctx, d, in)
		if err != nil {
			return err
		}
		h := d.Header()
		if err := h.AddLine(l); err != nil {
			return err
		}
		return le.store.InsertLine(ctx, id, &h.Lines[len(h.Lines)-1])
	})
}

// UpdateLine changes line lineID of draft id as in says: what in leaves
// out is kept from the line (its product, description, unit price,
// discount and VAT rate), so changing a credit note line's quantity keeps
// its negative price and its discount; naming another product takes that
// product's defaults for what in leaves out (keepUnsaid).
func (le LineEditor[D]) UpdateLine(ctx context.Context, id, lineID, version int64, in LineInput) (D, error) {
	return le.edit(ctx, id, version, func(ctx context.Context, d D) error {
		h := d.Header()
		cur, err := h.Line(lineID)
		if err != nil {
			return err
		}
		in = keepUnsaid(in, *cur)
		l, err := le.line(ctx, d, in)
		if err != nil {
			return err
		}
		l.ID = lineID
		if err := h.ReplaceLine(l); err != nil {
			return err
		}
		cur, _ = h.Line(lineID)
		return le.store.UpdateLine(ctx, id, cur)
	})
}

// DeleteLine removes line lineID of draft id.
func (le LineEditor[D]) DeleteLine(ctx context.Context, id, lineID, version int64) (D, error) {
	return le.edit(ctx, id, version, func(ctx context.Context, d D) error {
		if err := d.Header().RemoveLine(lineID); err != nil {
			return err
		}
		return le.store.DeleteLine(ctx, id, lineID)
	})
}

// keepUnsaid fills what in leaves out from cur, the line it changes, unless
// in names another product. An update naming no product but a unit price
// makes a free-text line, as before; one naming neither keeps the line's
// product.
func keepUnsaid(in LineInput, cur domain.Line) LineInput {
	if in.ProductID == 0 && in.UnitPrice == nil {
		in.ProductID = cur.ProductID
	}
	if in.ProductID != cur.ProductID {
		return in
	}
	if in.Description == nil {
		in.Description = &cur.Description
	}
	if in.UnitPrice == nil {
		in.UnitPrice = &cur.UnitPrice
	}
	if in.DiscountPercent == nil {
		in.DiscountPercent = &cur.DiscountPercent
	}
	if in.VATRate == nil {
		in.VATRate = &cur.VATRate
	}
	return in
}
