package domain

import "time"

// ProposalStatus is Dolibarr's commercial proposal status.
type ProposalStatus int

// Proposal statuses.
const (
	ProposalCanceled  ProposalStatus = -1
	ProposalDraft     ProposalStatus = 0
	ProposalValidated ProposalStatus = 1 // sent to the customer, open
	ProposalSigned    ProposalStatus = 2
	ProposalRefused   ProposalStatus = 3 // Dolibarr's "not signed"
	ProposalBilled    ProposalStatus = 4
)

// ParseProposalStatus reads the API name of a status.
func ParseProposalStatus(s string) (ProposalStatus, bool) {
	for _, st := range []ProposalStatus{ProposalCanceled, ProposalDraft, ProposalValidated, ProposalSigned, ProposalRefused, ProposalBilled} {
		if st.String() == s {
			return st, true
		}
	}
	return 0, false
}

func (s ProposalStatus) String() string {
	switch s {
	case ProposalCanceled:
		return "canceled"
	case ProposalValidated:
		return "validated"
	case ProposalSigned:
		return "signed"
	case ProposalRefused:
		return "refused"
	case ProposalBilled:
		return "billed"
	default:
		return "draft"
	}
}

// DefaultProposalValidityDays is how long a proposal stays open when no
// validity date is given (Dolibarr's PROPALE_VALIDITY_DURATION).
const DefaultProposalValidityDays = 15

// Proposal is a commercial proposal (quote).
type Proposal struct {
	Document
	Status     ProposalStatus
	ValidUntil time.Time
	ClosedAt   time.Time // when it was signed or refused
	CloseNote  string
}

// Kind returns KindProposal.
func (p *Proposal) Kind() DocKind { return KindProposal }

// StatusName returns the API name of the status.
func (p *Proposal) StatusName() string { return p.Status.String() }

// Sendable refuses drafts and canceled proposals.
func (p *Proposal) Sendable() bool { return p.Status != ProposalDraft && p.Status != ProposalCanceled }

// CheckEditable allows changes to drafts only.
func (p *Proposal) CheckEditable() error {
	if p.Status != ProposalDraft {
		return notDraft(p, "edit")
	}
	return nil
}

// NeedsRef reports whether validation must draw a new reference.
func (p *Proposal) NeedsRef() bool { return p.Ref == "" }

// CheckNew checks a new proposal's fields.
func (p *Proposal) CheckNew() error {
	err := p.CheckHeader()
	v := validationOf(err)
	if p.ValidUntil.IsZero() {
		v.Add("valid_until", "required", "is required")
	} else if p.ValidUntil.Before(p.Date) {
		v.Add("valid_until", "before_date", "must not be before the proposal date")
	}
	return v.Err()
}

// CanValidate returns the error Validate would give, changing nothing.
func (p *Proposal) CanValidate() error {
	if p.Status != ProposalDraft {
		return notDraft(p, "validate")
	}
	if len(p.Lines) == 0 {
		return illegal(p, "validate", "empty", "it has no lines")
	}
	return nil
}

// Validate turns a draft with lines into an open proposal; its reference
// is drawn afterwards in the same transaction.
func (p *Proposal) Validate(by int64, at time.Time) error {
	if err := p.CanValidate(); err != nil {
		return err
	}
	p.Status, p.ValidatedBy, p.ValidatedAt = ProposalValidated, by, at
	return nil
}

// BackToDraft reopens a validated proposal for editing.
func (p *Proposal) BackToDraft() error {
	if p.Status != ProposalValidated {
		return illegal(p, "reopen", "not_validated", "it is %s; only a validated proposal goes back to draft", p.Status)
	}
	p.Status = ProposalDraft
	return nil
}

// Close records the customer's answer: signed or refused.
func (p *Proposal) Close(signed bool, note string, at time.Time) error {
	if p.Status != ProposalValidated {
		return illegal(p, "close", "not_validated", "it is %s; only a validated proposal can be signed or refused", p.Status)
	}
	if err := checkNote("note", note); err != nil {
		return err
	}
	p.Status = ProposalRefused
	if signed {
		p.Status = ProposalSigned
	}
	p.ClosedAt, p.CloseNote = at, note
	return nil
}

// Cancel cancels a draft or open proposal.
func (p *Proposal) Cancel() error {
	if p.Status != ProposalDraft && p.Status != ProposalValidated {
		return illegal(p, "cancel", "not_cancelable", "it is %s; only a draft or validated proposal can be canceled", p.Status)
	}
	p.Status = ProposalCanceled
	return nil
}

// CheckConvertible returns nil when an order or invoice may be created from
// the proposal: it must be signed (and not billed yet).
func (p *Proposal) CheckConvertible() error {
	if p.Status != ProposalSigned {
		return illegal(p, "convert", "not_signed", "it is %s; only a signed proposal becomes an order or invoice", p.Status)
	}
	return nil
}

// Unbill takes a billed proposal back to signed when the draft invoice made
// from it is deleted.
func (p *Proposal) Unbill() {
	if p.Status == ProposalBilled {
		p.Status = ProposalSigned
	}
}

// MarkBilled records that an invoice was created from the signed proposal.
func (p *Proposal) MarkBilled() error {
	if err := p.CheckConvertible(); err != nil {
		return err
	}
	p.Status = ProposalBilled
	return nil
}
