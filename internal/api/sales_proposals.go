package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
)

// ProposalInput is the body of POST /proposals.
type ProposalInput struct {
	HeaderInput
	ValidUntil *string `json:"valid_until"`
}

// ProposalPatch is the body of PATCH /proposals/{id}.
type ProposalPatch struct {
	HeaderPatch
	ValidUntil *string `json:"valid_until"`
}

// ProposalCloseInput is the body of POST /proposals/{id}/close.
type ProposalCloseInput struct {
	Status *string `json:"status"`
	Note   *string `json:"note"`
}

// ProposalResponse is a proposal as the API shows it.
type ProposalResponse struct {
	DocumentResponse
	ValidUntil string  `json:"valid_until"`
	ClosedAt   *string `json:"closed_at"`
	CloseNote  string  `json:"close_note"`
}

func proposalResponse(p *domain.Proposal, full bool) ProposalResponse {
	return ProposalResponse{DocumentResponse: documentResponse(&p.Document, p.StatusName(), full),
		ValidUntil: dateString(p.ValidUntil), ClosedAt: optStamp(p.ClosedAt), CloseNote: p.CloseNote}
}

func proposalSummary(p *domain.Proposal) ProposalResponse { return proposalResponse(p, false) }

var proposalStatuses = statusNames(domain.ProposalCanceled, domain.ProposalDraft, domain.ProposalValidated,
	domain.ProposalSigned, domain.ProposalRefused, domain.ProposalBilled)

// proposalHandlers serve commercial proposals.
type proposalHandlers struct{ svc *sales.Proposals }

func (h proposalHandlers) register(s *Server) {
	const base = "/api/v1/proposals"
	w := domain.PermProposalWrite
	s.Guarded(http.MethodGet, base, domain.PermProposalRead, h.list)
	s.Guarded(http.MethodPost, base, w, h.create)
	s.Guarded(http.MethodGet, base+"/:id", domain.PermProposalRead, h.get)
	s.Guarded(http.MethodPatch, base+"/:id", w, h.update)
	s.Guarded(http.MethodDelete, base+"/:id", w, h.remove)
	lineHandlers[*domain.Proposal]{svc: h.svc, send: func(c echo.Context, status int, p *domain.Proposal) error {
		return sendDoc(c, status, p.Version, proposalResponse(p, true))
	}}.register(s, base, w)
	s.Guarded(http.MethodPost, base+"/:id/validate", domain.PermProposalValidate, docAction(h.svc.Validate, sendProposal))
	s.Guarded(http.MethodPost, base+"/:id/reopen", domain.PermProposalValidate, docAction(h.svc.Reopen, sendProposal))
	s.Guarded(http.MethodPost, base+"/:id/close", w, h.close)
	s.Guarded(http.MethodPost, base+"/:id/cancel", domain.PermProposalValidate, h.cancel)
	s.Guarded(http.MethodPost, base+"/:id/clone", w, docAction(h.svc.Clone, createdProposal))
	s.Guarded(http.MethodGet, base+"/:id/events", domain.PermProposalRead, events(h.svc))
}

func (h proposalHandlers) list(c echo.Context) error {
	f, err := docFilter(c, func(s string) (int, bool) { st, ok := domain.ParseProposalStatus(s); return int(st), ok }, proposalStatuses)
	if err != nil {
		return err
	}
	page, err := h.svc.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(c, page, f.ListParams, proposalSummary))
}

func (h proposalHandlers) create(c echo.Context) error {
	var body ProposalInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	v := &domain.ValidationError{}
	in := sales.ProposalInput{HeaderInput: toHeaderInput(v, body.HeaderInput), ValidUntil: val(dateField(v, "valid_until", body.ValidUntil))}
	if err := v.Err(); err != nil {
		return err
	}
	p, err := h.svc.Create(c.Request().Context(), in, actor(c))
	if err != nil {
		return err
	}
	return createdProposal(c, p)
}

func (h proposalHandlers) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, err := h.svc.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return sendProposal(c, p)
}

func (h proposalHandlers) update(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body ProposalPatch
	if err := Bind(c, &body); err != nil {
		return err
	}
	version, hdr, err := expectedVersion(c, body.Version)
	if err != nil {
		return err
	}
	v := &domain.ValidationError{}
	pa := sales.ProposalPatch{HeaderPatch: toHeaderPatch(v, body.HeaderPatch), ValidUntil: dateField(v, "valid_until", body.ValidUntil)}
	if err := v.Err(); err != nil {
		return err
	}
	p, err := h.svc.Update(c.Request().Context(), id, version, pa)
	if err != nil {
		return editError(err, hdr)
	}
	return sendProposal(c, p)
}

func (h proposalHandlers) remove(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), id, actor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// sendProposal answers with the whole proposal; createdProposal with the
// proposal a clone made.
func sendProposal(c echo.Context, p *domain.Proposal) error {
	return sendDoc(c, http.StatusOK, p.Version, proposalResponse(p, true))
}

func createdProposal(c echo.Context, p *domain.Proposal) error {
	return created(c, "/api/v1/proposals/", p.ID, p.Version, proposalResponse(p, true))
}

func (h proposalHandlers) close(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body ProposalCloseInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	v := &domain.ValidationError{}
	signed := false
	switch {
	case body.Status == nil:
		v.Add("status", "required", "is required: signed or refused")
	case *body.Status == "signed":
		signed = true
	case *body.Status != "refused":
		v.Add("status", "invalid", "must be signed or refused")
	}
	if err := v.Err(); err != nil {
		return err
	}
	p, err := h.svc.Close(c.Request().Context(), id, signed, val(body.Note), actor(c))
	if err != nil {
		return err
	}
	return sendProposal(c, p)
}

func (h proposalHandlers) cancel(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body NoteInput
	if err := bindOptional(c, &body); err != nil {
		return err
	}
	p, err := h.svc.Cancel(c.Request().Context(), id, val(body.Note), actor(c))
	if err != nil {
		return err
	}
	return sendProposal(c, p)
}
