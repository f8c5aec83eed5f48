package sales

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

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

// CreateProposal creates a draft proposal with its lines.
func (s *Service) CreateProposal(ctx context.Context, in ProposalInput, by int64) (*domain.Proposal, error) {
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
	err = s.tx.Do(ctx, func(ctx context.Context) error { return s.insertProposal(ctx, p, "") })
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Service) insertProposal(ctx context.Context, p *domain.Proposal, note string) error {
	p.Status = domain.ProposalDraft
	p.Recompute()
	if err := s.repo.CreateProposal(ctx, p); err != nil {
		return err
	}
	return s.record(ctx, domain.Event(p, "created", "", p.CreatedBy, note, p.CreatedAt))
}

// Proposal returns a proposal with its lines.
func (s *Service) Proposal(ctx context.Context, id int64) (*domain.Proposal, error) {
	return s.repo.Proposal(ctx, id, false)
}

// Proposals lists proposals without their lines.
func (s *Service) Proposals(ctx context.Context, f Filter) (domain.Page[domain.Proposal], error) {
	return s.repo.Proposals(ctx, f)
}

// UpdateProposal changes a draft's header.
func (s *Service) UpdateProposal(ctx context.Context, id, version int64, pa ProposalPatch) (*domain.Proposal, error) {
	var p *domain.Proposal
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		var err error
		if p, err = s.repo.Proposal(ctx, id, true); err != nil {
			return err
		}
		if err := checkVersion(p, version); err != nil {
			return err
		}
		if err := p.CheckEditable(); err != nil {
			return err
		}
		v := &domain.ValidationError{}
		if err := s.applyHeader(ctx, v, &p.Document, pa.HeaderPatch); err != nil {
			return err
		}
		if pa.ValidUntil != nil {
			p.ValidUntil = domain.DateOnly(*pa.ValidUntil)
		}
		if err := v.Merge(p.CheckNew()); err != nil {
			return err
		}
		return s.repo.SaveProposal(ctx, p)
	})
	return p, err
}

// DeleteProposal deletes a draft proposal.
func (s *Service) DeleteProposal(ctx context.Context, id, by int64) error {
	return s.tx.Do(ctx, func(ctx context.Context) error {
		p, err := s.repo.Proposal(ctx, id, true)
		if err != nil {
			return err
		}
		if err := p.CheckEditable(); err != nil {
			return err
		}
		if err := s.repo.DeleteProposal(ctx, id); err != nil {
			return err
		}
		return s.record(ctx, domain.Event(p, "deleted", p.StatusName(), by, "", s.clock()))
	})
}

// ValidateProposal validates a draft proposal and draws its reference.
func (s *Service) ValidateProposal(ctx context.Context, id, by int64) (*domain.Proposal, error) {
	var p *domain.Proposal
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		var err error
		if p, err = s.repo.Proposal(ctx, id, true); err != nil {
			return err
		}
		if err := p.CanValidate(); err != nil {
			return err
		}
		from := p.StatusName()
		now := s.clock()
		if err := p.Validate(by, now); err != nil {
			return err
		}
		if err := s.record(ctx, domain.Event(p, "validated", from, by, "", now)); err != nil {
			return err
		}
		if err := s.drawRef(ctx, p, ScopeProposal, s.cfg.ProposalMask); err != nil {
			return err
		}
		return s.repo.SaveProposal(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Service) proposalTransition(ctx context.Context, id, by int64, action, note string, change func(p *domain.Proposal) error) (*domain.Proposal, error) {
	var p *domain.Proposal
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		var err error
		if p, err = s.repo.Proposal(ctx, id, true); err != nil {
			return err
		}
		from := p.StatusName()
		if err := change(p); err != nil {
			return err
		}
		if err := s.repo.SaveProposal(ctx, p); err != nil {
			return err
		}
		return s.record(ctx, domain.Event(p, action, from, by, note, s.clock()))
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ReopenProposal takes a validated proposal back to draft.
func (s *Service) ReopenProposal(ctx context.Context, id, by int64) (*domain.Proposal, error) {
	return s.proposalTransition(ctx, id, by, "reopened", "", (*domain.Proposal).BackToDraft)
}

// CloseProposal records the customer's answer.
func (s *Service) CloseProposal(ctx context.Context, id int64, signed bool, note string, by int64) (*domain.Proposal, error) {
	action := "refused"
	if signed {
		action = "signed"
	}
	now := s.clock()
	return s.proposalTransition(ctx, id, by, action, note, func(p *domain.Proposal) error { return p.Close(signed, note, now) })
}

// CancelProposal cancels a draft or open proposal.
func (s *Service) CancelProposal(ctx context.Context, id int64, note string, by int64) (*domain.Proposal, error) {
	if err := checkNoteInput(note); err != nil {
		return nil, err
	}
	return s.proposalTransition(ctx, id, by, "canceled", note, (*domain.Proposal).Cancel)
}

// CloneProposal creates a draft copy of a proposal dated today.
func (s *Service) CloneProposal(ctx context.Context, id, by int64) (*domain.Proposal, error) {
	src, err := s.repo.Proposal(ctx, id, false)
	if err != nil {
		return nil, err
	}
	p := &domain.Proposal{Document: cloneHeader(&src.Document, s.clock(), by)}
	p.ValidUntil = p.Date.AddDate(0, 0, s.cfg.ProposalValidityDays)
	if err := s.tx.Do(ctx, func(ctx context.Context) error { return s.insertProposal(ctx, p, "clone of "+src.DisplayRef()) }); err != nil {
		return nil, err
	}
	return p, nil
}

// InvoiceFromProposal creates a draft invoice from a signed proposal and
// classifies the proposal billed.
func (s *Service) InvoiceFromProposal(ctx context.Context, proposalID, by int64) (*domain.Invoice, error) {
	var inv *domain.Invoice
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		p, err := s.repo.Proposal(ctx, proposalID, true)
		if err != nil {
			return err
		}
		from := p.StatusName()
		if err := p.MarkBilled(); err != nil {
			return err
		}
		cust, err := s.catalog.GetThirdParty(ctx, p.CustomerID)
		if err != nil {
			return err
		}
		inv = &domain.Invoice{Document: cloneHeader(&p.Document, s.clock(), by), ProposalID: p.ID}
		inv.DueDate = dueDate(cust, inv.Date)
		if err := s.insertInvoice(ctx, inv, "created", "from proposal "+p.DisplayRef()); err != nil {
			return err
		}
		if err := s.repo.SaveProposal(ctx, p); err != nil {
			return err
		}
		return s.record(ctx, domain.Event(p, "billed", from, by, "invoice "+inv.DisplayRef(), s.clock()))
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}
