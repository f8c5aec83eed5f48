package document

import (
	"context"
	"fmt"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// IssuedStore keeps what documents were issued with and their archived
// printed copies (decision 0036).
type IssuedStore interface {
	// Keep stores rec, replacing the record of the same document.
	Keep(ctx context.Context, rec *domain.IssuedDocument) error
	// Discard deletes the record of document (kind, id) and its archived
	// files, and returns how many files it deleted.
	Discard(ctx context.Context, kind domain.DocKind, id int64) (int, error)
}

// Parties reads the third parties documents are issued to.
type Parties interface {
	GetThirdParty(ctx context.Context, id int64) (*domain.ThirdParty, error)
}

// Issuing is what the engine needs to freeze documents at validation:
// where to keep them, who they are issued to and by.
type Issuing struct {
	Store   IssuedStore
	Parties Parties
	// Company is the issuing company as documents print it.
	Company domain.IssuedParty
}

// issue keeps what d is issued with, in the validating transaction: its
// customer's and the company's identity, its lines with their products'
// references, its totals. A validation replaces the record an earlier one
// kept (a reopened document validated again).
func (e *Engine) issue(ctx context.Context, d domain.CommercialDocument, now time.Time) error {
	if e.issuing.Store == nil {
		return nil
	}
	h := d.Header()
	cust, err := e.issuing.Parties.GetThirdParty(ctx, h.CustomerID)
	if err != nil {
		return err
	}
	var ids []int64
	for _, l := range h.Lines {
		if l.ProductID != 0 {
			ids = append(ids, l.ProductID)
		}
	}
	refs := map[int64]string{}
	if len(ids) > 0 {
		products, err := e.catalog.Products(ctx, ids)
		if err != nil {
			return err
		}
		for id, p := range products {
			refs[id] = p.Ref
		}
	}
	return e.issuing.Store.Keep(ctx, domain.Issue(d, cust, e.issuing.Company, refs, now))
}

// reissue forgets what d was issued with and its archived copies, in the
// caller's transaction, when d goes back to draft: its next validation
// issues it again. The event says how many archived copies went.
func (e *Engine) reissue(ctx context.Context, d domain.CommercialDocument, by int64, now time.Time) error {
	if e.issuing.Store == nil {
		return nil
	}
	n, err := e.issuing.Store.Discard(ctx, d.Kind(), d.Header().ID)
	if err != nil {
		return err
	}
	note := fmt.Sprintf("back to draft: the issued record and %d archived PDF file(s) were discarded", n)
	return e.Record(ctx, domain.Event(d, domain.EventArchiveDiscarded, d.StatusName(), by, note, now))
}
