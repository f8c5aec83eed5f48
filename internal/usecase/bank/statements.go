package bank

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// StatementJobKind is the runner's job that matches an imported
// statement's entries with the account's lines.
const StatementJobKind = "bank.statement.match"

// MatchWindowDays is how far apart an entry's date and a line's may be.
const MatchWindowDays = 5

// StatementStore keeps imported statements and their entries.
type StatementStore interface {
	// CreateStatement stores s and its entries and sets their ids.
	CreateStatement(ctx context.Context, s *domain.BankStatement) error
	SetStatementJob(ctx context.Context, id, jobID int64) error
	// GetStatement loads statement id of account accountID with entries.
	GetStatement(ctx context.Context, accountID, id int64) (*domain.BankStatement, error)
	// LockStatement locks statement id and loads it with its entries.
	LockStatement(ctx context.Context, id int64) (*domain.BankStatement, error)
	SaveEntry(ctx context.Context, e *domain.StatementEntry) error
	FinishStatement(ctx context.Context, id int64, at time.Time) error
	// OpenLines locks the unreconciled lines of an account dated in
	// [from, to], date then id order.
	OpenLines(ctx context.Context, accountID int64, from, to time.Time) ([]domain.BankLine, error)
}

// Enqueuer adds a job in the transaction ctx carries.
type Enqueuer interface {
	Enqueue(ctx context.Context, job domain.NewJob) (domain.EnqueueResult, error)
}

// Statements imports bank statements and matches them with the lines.
type Statements struct {
	tx       domain.Transactor
	accounts AccountStore
	lines    LineStore
	stmts    StatementStore
	jobs     Enqueuer
	now      func() time.Time
}

// NewStatements returns the statement import use case.
func NewStatements(tx domain.Transactor, accounts AccountStore, lines LineStore, stmts StatementStore, jobs Enqueuer, now func() time.Time) *Statements {
	return &Statements{tx: tx, accounts: accounts, lines: lines, stmts: stmts, jobs: jobs, now: now}
}

type statementJob struct {
	StatementID int64 `json:"statement_id"`
}

// Import parses a camt.053 document for account id and, in one
// transaction, stores it with its entries (pending) and enqueues the
// matching job. A document that is not camt.053, of another account (its
// IBAN differs from the account's) or currency is refused, and nothing is
// written.
func (u *Statements) Import(ctx context.Context, accountID int64, body []byte, by int64) (*domain.BankStatement, error) {
	acc, err := u.accounts.GetAccount(ctx, accountID)
	if err != nil {
		return nil, err
	}
	st, err := ParseCAMT053(body)
	if err != nil {
		return nil, err
	}
	v := &domain.ValidationError{}
	if acc.IBAN != "" && st.IBAN != "" && st.IBAN != acc.IBAN {
		v.Add("statement", "other_account", "the statement is of account %s, not %s", st.IBAN, acc.IBAN)
	}
	if st.Currency != "" && st.Currency != acc.Currency {
		v.Add("statement", "other_currency", "the statement is in %s, the account in %s", st.Currency, acc.Currency)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := u.now().UTC().Truncate(time.Microsecond)
	s := &domain.BankStatement{AccountID: accountID, Format: "camt.053", MessageID: st.MessageID, Status: "pending",
		Entries: st.Entries, CreatedBy: by, CreatedAt: now}
	for i := range s.Entries {
		s.Entries[i].Status = domain.EntryPending
	}
	err = u.tx.Do(ctx, func(ctx context.Context) error {
		cp := *s
		cp.Entries = slices.Clone(s.Entries)
		if err := u.stmts.CreateStatement(ctx, &cp); err != nil {
			return err
		}
		job, err := domain.NewJobFor(StatementJobKind, statementJob{StatementID: cp.ID})
		if err != nil {
			return err
		}
		job.UniqueKey = fmt.Sprintf("statement:%d", cp.ID)
		res, err := u.jobs.Enqueue(ctx, job)
		if err != nil {
			return err
		}
		if err := u.stmts.SetStatementJob(ctx, cp.ID, res.ID); err != nil {
			return err
		}
		cp.JobID = res.ID
		*s = cp
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Get returns a statement of an account with its entries.
func (u *Statements) Get(ctx context.Context, accountID, id int64) (*domain.BankStatement, error) {
	return u.stmts.GetStatement(ctx, accountID, id)
}

// HandleJob is the runner's handler of StatementJobKind.
func (u *Statements) HandleJob(ctx context.Context, job *domain.Job) error {
	var p statementJob
	if err := job.DecodePayload(&p); err != nil {
		return domain.JobPermanent(err)
	}
	err := u.Match(ctx, p.StatementID)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.JobPermanent(err)
	}
	return err
}

// Match matches the pending entries of a statement, in one transaction
// that locks the account row (as Post does: no line appears or goes
// meanwhile), the statement, then the candidate lines. An entry matches a
// line when their amounts are equal, their dates at most MatchWindowDays
// apart and no other entry took it; among several, the one whose
// reference equals the entry's wins. Exactly one candidate: the line is
// reconciled and the entry matched. Several: ambiguous, left for a person
// (manual reconcile). None: unmatched. A rerun (a runner killed before
// committing, a retried job) finds the same pending entries.
func (u *Statements) Match(ctx context.Context, statementID int64) error {
	return u.tx.Do(ctx, func(ctx context.Context) error {
		s, err := u.stmts.LockStatement(ctx, statementID)
		if err != nil {
			return err
		}
		if s.Status == "done" {
			return nil
		}
		if _, err := u.accounts.LockAccount(ctx, s.AccountID); err != nil {
			return err
		}
		// Lock order: statement, account, lines. Import never locks.
		from, to := s.Entries[0].Date, s.Entries[0].Date
		for _, e := range s.Entries {
			from, to = minTime(from, e.Date), maxTime(to, e.Date)
		}
		window := MatchWindowDays * 24 * time.Hour
		lines, err := u.stmts.OpenLines(ctx, s.AccountID, from.Add(-window), to.Add(window))
		if err != nil {
			return err
		}
		taken := map[int64]bool{}
		now := u.now().UTC().Truncate(time.Microsecond)
		for i := range s.Entries {
			e := &s.Entries[i]
			if e.Status != domain.EntryPending {
				continue
			}
			var fits []*domain.BankLine
			for j := range lines {
				l := &lines[j]
				d := l.Date.Sub(e.Date)
				if !taken[l.ID] && l.Amount.Equal(e.Amount) && d <= window && d >= -window {
					fits = append(fits, l)
				}
			}
			if len(fits) > 1 && e.Reference != "" {
				var byRef []*domain.BankLine
				for _, l := range fits {
					if l.Reference == e.Reference {
						byRef = append(byRef, l)
					}
				}
				if len(byRef) == 1 {
					fits = byRef
				}
			}
			e.Candidates = len(fits)
			switch len(fits) {
			case 0:
				e.Status = domain.EntryUnmatched
			case 1:
				l := fits[0]
				taken[l.ID] = true
				l.Reconciled, l.ReconciledAt, l.ReconciledBy = true, now, s.CreatedBy
				if err := u.lines.SaveReconciliation(ctx, l); err != nil {
					return err
				}
				e.Status, e.LineID = domain.EntryMatched, l.ID
			default:
				e.Status = domain.EntryAmbiguous
			}
			if err := u.stmts.SaveEntry(ctx, e); err != nil {
				return err
			}
		}
		return u.stmts.FinishStatement(ctx, s.ID, now)
	})
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
