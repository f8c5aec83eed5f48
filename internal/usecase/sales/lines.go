package sales

import (
	"context"
	"fmt"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// docStore loads (locked) and saves the documents of one kind, so line
// edits are written once for the three kinds.
type docStore struct {
	load func(ctx context.Context, id int64) (domain.CommercialDocument, error)
	save func(ctx context.Context, d domain.CommercialDocument) error
}

func (s *Service) store(kind domain.DocKind) (docStore, error) {
	switch kind {
	case domain.KindInvoice:
		return storeOf(s.repo.Invoice, s.repo.SaveInvoice), nil
	case domain.KindOrder:
		return storeOf(s.repo.Order, s.repo.SaveOrder), nil
	case domain.KindProposal:
		return storeOf(s.repo.Proposal, s.repo.SaveProposal), nil
	}
	return docStore{}, fmt.Errorf("sales: unknown document kind %q", kind)
}

// storeOf adapts one kind's repository methods: load locks the row.
func storeOf[T domain.CommercialDocument](load func(ctx context.Context, id int64, lock bool) (T, error),
	save func(ctx context.Context, d T) error) docStore {
	return docStore{
		load: func(ctx context.Context, id int64) (domain.CommercialDocument, error) {
			d, err := load(ctx, id, true)
			if err != nil {
				return nil, err
			}
			return d, nil
		},
		save: func(ctx context.Context, d domain.CommercialDocument) error { return save(ctx, d.(T)) },
	}
}

// editLines runs edit on the locked draft id of kind, then saves the
// header (totals, version).
func (s *Service) editLines(ctx context.Context, kind domain.DocKind, id, version int64,
	edit func(ctx context.Context, d domain.CommercialDocument) error) (domain.CommercialDocument, error) {
	st, err := s.store(kind)
	if err != nil {
		return nil, err
	}
	var d domain.CommercialDocument
	err = s.tx.Do(ctx, func(ctx context.Context) error {
		if d, err = st.load(ctx, id); err != nil {
			return err
		}
		if err := checkVersion(d, version); err != nil {
			return err
		}
		if err := d.CheckEditable(); err != nil {
			return err
		}
		if err := edit(ctx, d); err != nil {
			return err
		}
		return st.save(ctx, d)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// AddLine appends a line to a draft. version, when not zero, must be the
// document's current version.
func (s *Service) AddLine(ctx context.Context, kind domain.DocKind, id, version int64, in LineInput) (domain.CommercialDocument, error) {
	return s.editLines(ctx, kind, id, version, func(ctx context.Context, d domain.CommercialDocument) error {
		v := &domain.ValidationError{}
		l, err := s.buildOneLine(ctx, v, in)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		h := d.Header()
		if err := h.AddLine(l); err != nil {
			return err
		}
		return s.repo.InsertLine(ctx, kind, id, &h.Lines[len(h.Lines)-1])
	})
}

// UpdateLine replaces a line of a draft with in.
func (s *Service) UpdateLine(ctx context.Context, kind domain.DocKind, id, lineID, version int64, in LineInput) (domain.CommercialDocument, error) {
	return s.editLines(ctx, kind, id, version, func(ctx context.Context, d domain.CommercialDocument) error {
		h := d.Header()
		if _, err := h.Line(lineID); err != nil {
			return err
		}
		v := &domain.ValidationError{}
		l, err := s.buildOneLine(ctx, v, in)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		l.ID = lineID
		if err := h.ReplaceLine(l); err != nil {
			return err
		}
		cur, _ := h.Line(lineID)
		return s.repo.UpdateLine(ctx, kind, id, cur)
	})
}

// DeleteLine removes a line of a draft.
func (s *Service) DeleteLine(ctx context.Context, kind domain.DocKind, id, lineID, version int64) (domain.CommercialDocument, error) {
	return s.editLines(ctx, kind, id, version, func(ctx context.Context, d domain.CommercialDocument) error {
		if err := d.Header().RemoveLine(lineID); err != nil {
			return err
		}
		return s.repo.DeleteLine(ctx, kind, id, lineID)
	})
}
