// Package bank keeps the books of the money that moves: bank and cash
// accounts, their lines (Dolibarr's llx_bank), transfers between accounts,
// manual reconciliation, and the payment-method dictionary.
//
// An account's balance is the sum of its lines and nothing else: the
// opening balance is the account's first line, and no column caches a
// balance. Every line is written in a transaction that first locks its
// account row (Post), so a line never lands on an account being closed,
// and writers of one account queue on that row. Payments post their line
// with Post inside their own transaction, after locking their invoices:
// the lock order is invoices, then bank lines, then accounts (ascending id).
package bank

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// AccountStore keeps the accounts. Lock* (here and in LineStore) lock rows FOR UPDATE in the
// transaction ctx carries.
type AccountStore interface {
	CreateAccount(ctx context.Context, a *domain.BankAccount) error
	// GetAccount loads an account with its balance.
	GetAccount(ctx context.Context, id int64) (*domain.BankAccount, error)
	LockAccount(ctx context.Context, id int64) (*domain.BankAccount, error)
	// UpdateAccount writes a if it is still at a.Version and bumps it.
	UpdateAccount(ctx context.Context, a *domain.BankAccount) error
	ListAccounts(ctx context.Context, f AccountFilter) (domain.Page[domain.BankAccount], error)
	// CountAccounts counts every account and the open ones, and returns
	// the id of one open account.
	CountAccounts(ctx context.Context) (all, open int64, anOpen int64, err error)
}

// LineStore keeps the lines of the accounts.
type LineStore interface {
	InsertLine(ctx context.Context, l *domain.BankLine) error
	LockLine(ctx context.Context, accountID, id int64) (*domain.BankLine, error)
	// LinesOf reads, and LockLinesOf locks, the lines written by
	// (origin, originID).
	LinesOf(ctx context.Context, origin string, originID int64) ([]domain.BankLine, error)
	LockLinesOf(ctx context.Context, origin string, originID int64) ([]domain.BankLine, error)
	// SaveReconciliation writes a line's reconciliation fields.
	SaveReconciliation(ctx context.Context, l *domain.BankLine) error
	DeleteLine(ctx context.Context, id int64) error
	Lines(ctx context.Context, accountID int64, f domain.BankLineFilter) (domain.BankLinePage, error)
}

// AccountFilter selects accounts; nil fields do not filter.
type AccountFilter struct {
	domain.ListParams
	Closed *bool
}

// AccountSorts are the fields accounts can be sorted on.
var AccountSorts = []string{"id", "label", "created_at"}

// AccountFields are the editable fields of an account (nil: default on
// create, unchanged on update). The opening balance and date are set on
// create only: they are the account's first line.
type AccountFields struct {
	Label          *string
	Kind           *domain.BankAccountKind
	Currency       *string
	IBAN           *string
	BIC            *string
	OpeningBalance *domain.Decimal
	OpeningDate    *time.Time
	Closed         *bool
	// Problems are the fields the caller could not parse.
	Problems domain.ValidationError
}

func (f AccountFields) apply(a *domain.BankAccount) {
	setIf(&a.Label, f.Label)
	setIf(&a.Kind, f.Kind)
	setIf(&a.Currency, f.Currency)
	setIf(&a.IBAN, f.IBAN)
	setIf(&a.BIC, f.BIC)
	setIf(&a.Closed, f.Closed)
}

// TransferInput moves Amount from one account to another.
type TransferInput struct {
	FromID, ToID int64
	Amount       domain.Decimal
	Date         time.Time // zero: today
	Label        string
	Reference    string
}

// Accounts is the bank accounts use case; it is also the port payments
// post their lines through (Post, Unpost, ResolveAccount).
type Accounts struct {
	tx       domain.Transactor
	accounts AccountStore
	lines    LineStore
	now      func() time.Time
	// defaultID is DOLIBARR_BANK_DEFAULT_ACCOUNT_ID; 0: none.
	defaultID int64
}

// New returns the bank accounts use case.
func New(tx domain.Transactor, accounts AccountStore, lines LineStore, now func() time.Time, defaultAccountID int64) *Accounts {
	return &Accounts{tx: tx, accounts: accounts, lines: lines, now: now, defaultID: defaultAccountID}
}

func (u *Accounts) stamp() time.Time { return u.now().UTC().Truncate(time.Microsecond) }

// Create validates and stores an account and its opening line in one
// transaction.
func (u *Accounts) Create(ctx context.Context, f AccountFields, by int64) (*domain.BankAccount, error) {
	a := &domain.BankAccount{Kind: domain.BankCurrent, Currency: "EUR", OpeningDate: domain.DateOnly(u.now())}
	f.apply(a)
	setIf(&a.OpeningBalance, f.OpeningBalance)
	if f.OpeningDate != nil {
		a.OpeningDate = domain.DateOnly(*f.OpeningDate)
	}
	if err := f.Problems.Merge(a.Validate()); err != nil {
		return nil, err
	}
	a.CreatedAt = u.stamp()
	a.UpdatedAt = a.CreatedAt
	err := u.tx.Do(ctx, func(ctx context.Context) error {
		acc := *a
		if err := u.accounts.CreateAccount(ctx, &acc); err != nil {
			return err
		}
		line := &domain.BankLine{AccountID: acc.ID, Date: acc.OpeningDate, Amount: acc.OpeningBalance,
			Label: "Opening balance", Origin: domain.LineOpening, CreatedBy: by, CreatedAt: acc.CreatedAt}
		if err := u.lines.InsertLine(ctx, line); err != nil {
			return err
		}
		acc.Balance = acc.OpeningBalance
		*a = acc
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Get returns an account with its balance.
func (u *Accounts) Get(ctx context.Context, id int64) (*domain.BankAccount, error) {
	return u.accounts.GetAccount(ctx, id)
}

// List lists accounts with their balances.
func (u *Accounts) List(ctx context.Context, f AccountFilter) (domain.Page[domain.BankAccount], error) {
	return u.accounts.ListAccounts(ctx, f)
}

// Update applies f to the account if it is still at version. Closing an
// account makes it refuse new lines; reopening it accepts them again.
func (u *Accounts) Update(ctx context.Context, id, version int64, f AccountFields) (*domain.BankAccount, error) {
	if f.OpeningBalance != nil || f.OpeningDate != nil {
		f.Problems.Add("opening_balance", "read_only", "is set when the account is created: it is the account's first line")
	}
	var out *domain.BankAccount
	err := u.tx.Do(ctx, func(ctx context.Context) error {
		a, err := u.accounts.LockAccount(ctx, id)
		if err != nil {
			return err
		}
		if a.Version != version {
			return &domain.StaleVersion{What: "bank account", ID: id, Expected: version}
		}
		if f.Currency != nil && *f.Currency != a.Currency {
			f.Problems.Add("currency", "read_only", "cannot change: the account's lines are in %s", a.Currency)
		}
		f.apply(a)
		if err := f.Problems.Merge(a.Validate()); err != nil {
			return err
		}
		a.UpdatedAt = u.stamp()
		if err := u.accounts.UpdateAccount(ctx, a); err != nil {
			return err
		}
		out = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u.accounts.GetAccount(ctx, out.ID)
}

// Lines lists an account's lines with the running balance and totals.
func (u *Accounts) Lines(ctx context.Context, id int64, f domain.BankLineFilter) (domain.BankLinePage, error) {
	if _, err := u.accounts.GetAccount(ctx, id); err != nil {
		return domain.BankLinePage{}, err
	}
	return u.lines.Lines(ctx, id, f)
}

// Post writes line on its account inside the caller's transaction (ctx
// must carry one): it locks the account row, refuses a closed account and
// inserts the line. It is the one way money lands on an account, for
// customer and supplier payments alike.
func (u *Accounts) Post(ctx context.Context, line domain.BankLine) (*domain.BankLine, error) {
	if err := line.Check(); err != nil {
		return nil, err
	}
	a, err := u.accounts.LockAccount(ctx, line.AccountID)
	if err != nil {
		return nil, err
	}
	if err := a.AcceptsLines(); err != nil {
		return nil, err
	}
	if line.CreatedAt.IsZero() {
		line.CreatedAt = u.stamp()
	}
	line.Date = domain.DateOnly(line.Date)
	if err := u.lines.InsertLine(ctx, &line); err != nil {
		return nil, err
	}
	return &line, nil
}

// LockOpen locks account id in the caller's transaction and refuses a
// closed one. A writer that inserts rows referring to the account (a
// payment) calls it first: the foreign key check would otherwise take a
// shared lock that a later Post upgrades, and two such writers deadlock.
func (u *Accounts) LockOpen(ctx context.Context, id int64) error {
	a, err := u.accounts.LockAccount(ctx, id)
	if err != nil {
		return err
	}
	return a.AcceptsLines()
}

// Unpost deletes the lines (origin, originID) wrote, inside the caller's
// transaction; a reconciled line refuses (409 bank_line_reconciled), as
// does a closed account. It locks the accounts (id order) before the
// lines, the order Post takes them in, so an Unpost and a Post never wait
// on each other in a cycle (MariaDB's gap locks on the lines' index
// included).
func (u *Accounts) Unpost(ctx context.Context, origin string, originID int64) error {
	found, err := u.lines.LinesOf(ctx, origin, originID)
	if err != nil || len(found) == 0 {
		return err
	}
	ids := make([]int64, 0, len(found))
	for _, l := range found {
		if !slices.Contains(ids, l.AccountID) {
			ids = append(ids, l.AccountID)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := u.LockOpen(ctx, id); err != nil {
			return err
		}
	}
	lines, err := u.lines.LockLinesOf(ctx, origin, originID)
	if err != nil {
		return err
	}
	for i := range lines {
		if err := lines[i].CheckUnlocked(); err != nil {
			return err
		}
	}
	for i := range lines {
		if err := u.lines.DeleteLine(ctx, lines[i].ID); err != nil {
			return err
		}
	}
	return nil
}

// ResolveAccount returns the account a payment posts to: id when given
// (it must exist), else DOLIBARR_BANK_DEFAULT_ACCOUNT_ID when set, else
// the only open account. It returns 0 when no account exists at all: the
// installation keeps no bank books and payments post no line (decision
// 0040). With several open accounts and no default, the payment must name
// one (422 bank_account_id required).
func (u *Accounts) ResolveAccount(ctx context.Context, id int64) (int64, error) {
	if id == 0 {
		id = u.defaultID
	}
	if id != 0 {
		if _, err := u.accounts.GetAccount(ctx, id); err != nil {
			if errors.Is(err, domain.ErrNotFound) {
				v := &domain.ValidationError{}
				v.Add("bank_account_id", "not_found", "bank account %d does not exist", id)
				return 0, v
			}
			return 0, err
		}
		return id, nil
	}
	all, open, anOpen, err := u.accounts.CountAccounts(ctx)
	switch {
	case err != nil:
		return 0, err
	case all == 0:
		return 0, nil
	case open == 1:
		return anOpen, nil
	}
	v := &domain.ValidationError{}
	if open == 0 {
		v.Add("bank_account_id", "no_open_account", "every bank account is closed: open one or create one")
	} else {
		v.Add("bank_account_id", "required", "is required: there are %d open bank accounts and no default (DOLIBARR_BANK_DEFAULT_ACCOUNT_ID)", open)
	}
	return 0, v
}

// Transfer moves money between two accounts of the same currency: two
// lines, written in one transaction that locks both accounts in id order.
func (u *Accounts) Transfer(ctx context.Context, in TransferInput, by int64) (from, to *domain.BankLine, err error) {
	v := &domain.ValidationError{}
	if in.FromID <= 0 {
		v.Add("from_account_id", "required", "is required (a positive id)")
	}
	if in.ToID <= 0 {
		v.Add("to_account_id", "required", "is required (a positive id)")
	}
	if in.FromID > 0 && in.FromID == in.ToID {
		v.Add("to_account_id", "same_account", "must differ from from_account_id")
	}
	if !in.Amount.IsPositive() {
		v.Add("amount", "not_positive", "must be positive")
	}
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	date := domain.DateOnly(in.Date)
	if in.Date.IsZero() {
		date = domain.DateOnly(u.now())
	}
	label := in.Label
	if label == "" {
		label = "Transfer"
	}
	err = u.tx.Do(ctx, func(ctx context.Context) error {
		lo, hi := min(in.FromID, in.ToID), max(in.FromID, in.ToID)
		accs := map[int64]*domain.BankAccount{}
		for _, id := range []int64{lo, hi} {
			a, err := u.accounts.LockAccount(ctx, id)
			if errors.Is(err, domain.ErrNotFound) {
				field := "from_account_id"
				if id == in.ToID {
					field = "to_account_id"
				}
				v := &domain.ValidationError{}
				v.Add(field, "not_found", "bank account %d does not exist", id)
				return v
			}
			if err != nil {
				return err
			}
			if err := a.AcceptsLines(); err != nil {
				return err
			}
			accs[id] = a
		}
		if accs[in.FromID].Currency != accs[in.ToID].Currency {
			return domain.E(domain.ErrConflict, "currency_mismatch", "cannot transfer from %s to %s: the currencies differ",
				accs[in.FromID].Currency, accs[in.ToID].Currency)
		}
		at := u.stamp()
		debit := &domain.BankLine{AccountID: in.FromID, Date: date, Amount: in.Amount.Neg(), Label: label, Reference: in.Reference,
			Origin: domain.LineTransfer, CreatedBy: by, CreatedAt: at}
		if err := debit.Check(); err != nil {
			return err
		}
		if err := u.lines.InsertLine(ctx, debit); err != nil {
			return err
		}
		// The credit line names the debit line: together they are one
		// transfer.
		credit := &domain.BankLine{AccountID: in.ToID, Date: date, Amount: in.Amount, Label: label, Reference: in.Reference,
			Origin: domain.LineTransfer, OriginID: debit.ID, CreatedBy: by, CreatedAt: at}
		if err := u.lines.InsertLine(ctx, credit); err != nil {
			return err
		}
		from, to = debit, credit
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return from, to, nil
}

// Reconcile marks a line as matching the bank's statement, which locks it
// (and what wrote it) against changes; Unreconcile (reconciled false)
// unlocks it.
func (u *Accounts) Reconcile(ctx context.Context, accountID, lineID int64, reconciled bool, by int64) (*domain.BankLine, error) {
	var out *domain.BankLine
	err := u.tx.Do(ctx, func(ctx context.Context) error {
		l, err := u.lines.LockLine(ctx, accountID, lineID)
		if err != nil {
			return err
		}
		if l.Reconciled == reconciled {
			out = l
			return nil
		}
		l.Reconciled = reconciled
		l.ReconciledAt, l.ReconciledBy = time.Time{}, 0
		if reconciled {
			l.ReconciledAt, l.ReconciledBy = u.stamp(), by
		}
		if err := u.lines.SaveReconciliation(ctx, l); err != nil {
			return err
		}
		out = l
		return nil
	})
	return out, err
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}
