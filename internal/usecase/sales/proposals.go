package sales

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
)

// ProposalStore keeps proposals.
type ProposalStore interface {
	document.Store[*domain.Proposal]
	// List lists proposals matching f, without their lines.
	List(ctx context.Context, f Filter) (domain.Page[domain.Proposal], error)
}

// ProposalInput is a new proposal.
type ProposalInput struct {
	HeaderInput
	// ValidUntil defaults to the date plus the configured validity.
	ValidUntil time.Time
}

// ProposalPatch changes a draft proposal; nil fields are kept.
type ProposalPatch struct {
	HeaderPatch
	ValidUntil *time.Time
}

// Proposals is the commercial proposals use case.
type Proposals struct {
	document.LineEditor[*domain.Proposal]
	base
	store ProposalStore
}

// NewProposals returns the proposals use case.
func NewProposals(c Common, store ProposalStore) *Proposals {
	return &Proposals{LineEditor: document.NewLineEditor[*domain.Proposal](c.Engine, store), base: newBase(c), store: store}
}

// Create creates a draft proposal with its lines.
func (s *Proposals) Create(ctx context.Context, in ProposalInput, by int64) (*domain.Proposal, error) {
	v := &domain.ValidationError{}
	h, _, err := s.newHeader(ctx, v, in.HeaderInput, by)
	if err != nil {
		return nil, err
	}
	p := &domain.Proposal{Document: h, ValidUntil: domain.DateOnly(in.ValidUntil)}
	if in.ValidUntil.IsZero() {
		p.ValidUntil = p.Date.AddDate(0, 0, s.cfg.ProposalValidityDays)
	}
	if err := v.Merge(p.CheckNew()); err != nil {
		return nil, err
	}
	if err := s.insert(ctx, p, ""); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Proposals) insert(ctx context.Context, p *domain.Proposal, note string) error {
	p.Status = domain.ProposalDraft
	return document.Insert[*domain.Proposal](ctx, s.eng, s.store, p, note)
}

// Get returns a proposal with its lines.
func (s *Proposals) Get(ctx context.Context, id int64) (*domain.Proposal, error) {
	return s.store.Get(ctx, id)
}

// List lists proposals without their lines.
func (s *Proposals) List(ctx context.Context, f Filter) (domain.Page[domain.Proposal], error) {
	return s.store.List(ctx, f)
}

// Events returns a proposal's event log, oldest first.
func (s *Proposals) Events(ctx context.Context, id int64) ([]domain.DocEvent, error) {
	return document.History[*domain.Proposal](ctx, s.eng, s.store, id)
}

// Update changes a draft's header.
func (s *Proposals) Update(ctx context.Context, id, version int64, pa ProposalPatch) (*domain.Proposal, error) {
	return s.run(ctx, id, version, 0, "", func(ctx context.Context, p *domain.Proposal, _ time.Time) (string, error) {
		if err := p.CheckEditable(); err != nil {
			return "", err
		}
		v := &domain.ValidationError{}
		if err := s.applyHeader(ctx, v, &p.Document, pa.HeaderPatch); err != nil {
			return "", err
		}
		if pa.ValidUntil != nil {
			p.ValidUntil = domain.DateOnly(*pa.ValidUntil)
		}
		return "", v.Merge(p.CheckNew())
	})
}

// run runs one change of proposal id through the engine.
func (s *Proposals) run(ctx context.Context, id, version, by int64, action string,
	apply func(ctx context.Context, p *domain.Proposal, now time.Time) (string, error)) (*domain.Proposal, error) {
	return document.Run[*domain.Proposal](ctx, s.eng, s.store,
		document.Change[*domain.Proposal]{ID: id, Version: version, By: by, Action: action, Apply: apply})
}

// Delete deletes a draft proposal.
func (s *Proposals) Delete(ctx context.Context, id, by int64) error {
	return document.Remove[*domain.Proposal](ctx, s.eng, s.store, id, by, (*domain.Proposal).CheckEditable, nil)
}

// Validate validates a draft proposal and draws its reference.
func (s *Proposals) Validate(ctx context.Context, id, by int64) (*domain.Proposal, error) {
	return document.Run[*domain.Proposal](ctx, s.eng, s.store, document.Change[*domain.Proposal]{
		ID: id, By: by, Action: "validated",
		Apply: func(_ context.Context, p *domain.Proposal, now time.Time) (string, error) {
			return "", p.Validate(by, now)
		},
		Series: func(*domain.Proposal) document.Series {
			return document.Series{Scope: ScopeProposal, Mask: s.cfg.ProposalMask}
		},
	})
}

// Reopen takes a validated proposal back to draft.
func (s *Proposals) Reopen(ctx context.Context, id, by int64) (*domain.Proposal, error) {
	return s.run(ctx, id, 0, by, "reopened", func(_ context.Context, p *domain.Proposal, _ time.Time) (string, error) {
		return "", p.BackToDraft()
	})
}

// Close records the customer's answer.
func (s *Proposals) Close(ctx context.Context, id int64, signed bool, note string, by int64) (*domain.Proposal, error) {
	action := "refused"
	if signed {
		action = "signed"
	}
	return s.run(ctx, id, 0, by, action, func(_ context.Context, p *domain.Proposal, now time.Time) (string, error) {
		return note, p.Close(signed, note, now)
	})
}

// Cancel cancels a draft or open proposal.
func (s *Proposals) Cancel(ctx context.Context, id int64, note string, by int64) (*domain.Proposal, error) {
	if err := checkNoteInput(note); err != nil {
		return nil, err
	}
	return s.run(ctx, id, 0, by, "canceled", func(_ context.Context, p *domain.Proposal, _ time.Time) (string, error) {
		return note, p.Cancel()
	})
}

// Clone creates a draft copy of a proposal dated today.
func (s *Proposals) Clone(ctx context.Context, id, by int64) (*domain.Proposal, error) {
	src, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	p := &domain.Proposal{Document: document.Copy(&src.Document, s.eng.Now(), by)}
	p.ValidUntil = p.Date.AddDate(0, 0, s.cfg.ProposalValidityDays)
	if err := s.insert(ctx, p, "clone of "+src.DisplayRef()); err != nil {
		return nil, err
	}
	return p, nil
}
