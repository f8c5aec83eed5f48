package persistence

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/bank"
)

type bankAccountRow struct {
	ID             int64 `gorm:"primaryKey"`
	Label          string
	Kind           string
	Currency       string
	IBAN           string `gorm:"column:iban"`
	BIC            string `gorm:"column:bic"`
	OpeningBalance domain.Decimal
	OpeningDate    time.Time
	Closed         bool
	Version        int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (bankAccountRow) TableName() string { return "bank_accounts" }

type bankLineRow struct {
	ID           int64 `gorm:"primaryKey"`
	AccountID    int64
	LineDate     time.Time
	Amount       domain.Decimal
	Label        string
	Reference    string
	Origin       string
	OriginID     int64
	Reconciled   bool
	ReconciledAt *time.Time
	ReconciledBy int64
	CreatedBy    int64
	CreatedAt    time.Time
}

func (bankLineRow) TableName() string { return "bank_lines" }

type paymentMethodRow struct {
	Code           string `gorm:"primaryKey"`
	Label          string
	NeedsReference bool
	Active         bool
	Builtin        bool
}

func (paymentMethodRow) TableName() string { return "payment_methods" }

func toBankAccountRow(a *domain.BankAccount) bankAccountRow {
	return bankAccountRow{ID: a.ID, Label: a.Label, Kind: string(a.Kind), Currency: a.Currency, IBAN: a.IBAN, BIC: a.BIC,
		OpeningBalance: a.OpeningBalance, OpeningDate: dateOf(a.OpeningDate), Closed: a.Closed, Version: a.Version,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

func toBankAccount(r *bankAccountRow) domain.BankAccount {
	return domain.BankAccount{ID: r.ID, Label: r.Label, Kind: domain.BankAccountKind(r.Kind), Currency: r.Currency, IBAN: r.IBAN,
		BIC: r.BIC, OpeningBalance: r.OpeningBalance.Round(domain.ScaleTotal), OpeningDate: dateOf(r.OpeningDate), Closed: r.Closed,
		Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func toBankLine(r *bankLineRow) domain.BankLine {
	return domain.BankLine{ID: r.ID, AccountID: r.AccountID, Date: dateOf(r.LineDate), Amount: r.Amount.Round(domain.ScaleTotal),
		Label: r.Label, Reference: r.Reference, Origin: r.Origin, OriginID: r.OriginID, Reconciled: r.Reconciled,
		ReconciledAt: timeOf(r.ReconciledAt), ReconciledBy: r.ReconciledBy, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
}

// BankStore stores bank accounts, their lines and the payment-method
// dictionary.
type BankStore struct{ db *DB }

var (
	_ bank.AccountStore = (*BankStore)(nil)
	_ bank.LineStore    = (*BankStore)(nil)
	_ bank.MethodStore  = (*BankStore)(nil)
)

// NewBankStore returns the bank store on db.
func NewBankStore(db *DB) *BankStore { return &BankStore{db: db} }

// sumExpr sums a NUMERIC expression exactly: SQLite's sum() is binary
// floating point, so it uses dec_sum (reports_sqlite.go).
func (r *BankStore) sumExpr(expr string) string {
	if r.db.Dialect() == SQLite {
		return "dec_sum(" + expr + ")"
	}
	return "COALESCE(SUM(" + expr + "), 0)"
}

// CreateAccount stores a at version 1 and sets its id.
func (r *BankStore) CreateAccount(ctx context.Context, a *domain.BankAccount) error {
	row := toBankAccountRow(a)
	row.Version = 1
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "bank account "+a.Label)
	}
	a.ID, a.Version = row.ID, row.Version
	return nil
}

// GetAccount loads account id with its balance.
func (r *BankStore) GetAccount(ctx context.Context, id int64) (*domain.BankAccount, error) {
	var row bankAccountRow
	if err := getByID(ctx, r.db, &row, "bank account", id); err != nil {
		return nil, err
	}
	a := toBankAccount(&row)
	bal, err := r.balances(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	a.Balance = bal[id]
	return &a, nil
}

// LockAccount locks account id FOR UPDATE, without its balance.
func (r *BankStore) LockAccount(ctx context.Context, id int64) (*domain.BankAccount, error) {
	if !InTx(ctx) {
		return nil, errNoTx
	}
	var row bankAccountRow
	err := r.db.Gorm(ctx).Clauses(forUpdate).Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.E(domain.ErrNotFound, "not_found", "bank account %d not found", id)
	}
	if err != nil {
		return nil, translate(err, "bank account")
	}
	a := toBankAccount(&row)
	return &a, nil
}

// UpdateAccount writes a if it is still at a.Version and bumps it.
func (r *BankStore) UpdateAccount(ctx context.Context, a *domain.BankAccount) error {
	row := toBankAccountRow(a)
	row.Version++
	if err := updateVersioned(ctx, r.db, &row, "bank account", a.ID, a.Version); err != nil {
		return err
	}
	a.Version = row.Version
	return nil
}

// balances sums the lines of accounts ids.
func (r *BankStore) balances(ctx context.Context, ids []int64) (map[int64]domain.Decimal, error) {
	var sums []struct {
		AccountID int64
		Balance   domain.Decimal
	}
	err := r.db.Gorm(ctx).Model(&bankLineRow{}).Select("account_id, "+r.sumExpr("amount")+" AS balance").
		Where("account_id IN ?", ids).Group("account_id").Scan(&sums).Error
	if err != nil {
		return nil, translate(err, "bank balances")
	}
	out := make(map[int64]domain.Decimal, len(ids))
	for _, s := range sums {
		out[s.AccountID] = s.Balance.Round(domain.ScaleTotal)
	}
	for _, id := range ids {
		if _, ok := out[id]; !ok {
			out[id] = domain.Zero.Round(domain.ScaleTotal)
		}
	}
	return out, nil
}

var bankAccountList = listSpec{sorts: sortSpec(bank.AccountSorts), search: []string{"label", "iban"}}

// ListAccounts lists accounts matching f with their balances.
func (r *BankStore) ListAccounts(ctx context.Context, f bank.AccountFilter) (domain.Page[domain.BankAccount], error) {
	q := r.db.Gorm(ctx).Model(&bankAccountRow{})
	if f.Closed != nil {
		q = q.Where("closed = ?", *f.Closed)
	}
	var rows []bankAccountRow
	total, err := list(q, f.ListParams, bankAccountList, &rows)
	if err != nil {
		return domain.Page[domain.BankAccount]{}, translate(err, "bank accounts")
	}
	page := pageOf(rows, total, toBankAccount)
	if len(rows) == 0 {
		return page, nil
	}
	ids := make([]int64, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	bal, err := r.balances(ctx, ids)
	if err != nil {
		return domain.Page[domain.BankAccount]{}, err
	}
	for i := range page.Items {
		page.Items[i].Balance = bal[page.Items[i].ID]
	}
	return page, nil
}

// CountAccounts counts the accounts, the open ones, and returns the
// smallest open id.
func (r *BankStore) CountAccounts(ctx context.Context) (all, open, anOpen int64, err error) {
	var c struct {
		NAll   int64
		NOpen  int64
		AnOpen *int64
	}
	err = r.db.Gorm(ctx).Model(&bankAccountRow{}).
		Select("COUNT(*) AS n_all, COALESCE(SUM(CASE WHEN closed THEN 0 ELSE 1 END), 0) AS n_open, MIN(CASE WHEN closed THEN NULL ELSE id END) AS an_open").
		Scan(&c).Error
	if err != nil {
		return 0, 0, 0, translate(err, "bank accounts")
	}
	return c.NAll, c.NOpen, idOf(c.AnOpen), nil
}

// InsertLine stores l and sets its id.
func (r *BankStore) InsertLine(ctx context.Context, l *domain.BankLine) error {
	row := bankLineRow{AccountID: l.AccountID, LineDate: dateOf(l.Date), Amount: l.Amount, Label: l.Label, Reference: l.Reference,
		Origin: l.Origin, OriginID: l.OriginID, Reconciled: l.Reconciled, ReconciledAt: optTime(l.ReconciledAt),
		ReconciledBy: l.ReconciledBy, CreatedBy: l.CreatedBy, CreatedAt: l.CreatedAt.UTC().Truncate(time.Microsecond)}
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "bank line")
	}
	l.ID, l.CreatedAt = row.ID, row.CreatedAt
	return nil
}

// LockLine locks line id of account accountID.
func (r *BankStore) LockLine(ctx context.Context, accountID, id int64) (*domain.BankLine, error) {
	if !InTx(ctx) {
		return nil, errNoTx
	}
	var row bankLineRow
	err := r.db.Gorm(ctx).Clauses(forUpdate).Where("id = ? AND account_id = ?", id, accountID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.E(domain.ErrNotFound, "not_found", "bank line %d of account %d not found", id, accountID)
	}
	if err != nil {
		return nil, translate(err, "bank line")
	}
	l := toBankLine(&row)
	return &l, nil
}

// LinesOf reads the lines written by (origin, originID), id order.
func (r *BankStore) LinesOf(ctx context.Context, origin string, originID int64) ([]domain.BankLine, error) {
	return r.linesOf(r.db.Gorm(ctx), origin, originID)
}

// LockLinesOf locks the lines written by (origin, originID), id order.
func (r *BankStore) LockLinesOf(ctx context.Context, origin string, originID int64) ([]domain.BankLine, error) {
	if !InTx(ctx) {
		return nil, errNoTx
	}
	return r.linesOf(r.db.Gorm(ctx).Clauses(forUpdate), origin, originID)
}

func (r *BankStore) linesOf(q *gorm.DB, origin string, originID int64) ([]domain.BankLine, error) {
	var rows []bankLineRow
	err := q.Where("origin = ? AND origin_id = ?", origin, originID).Order("id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "bank lines")
	}
	out := make([]domain.BankLine, len(rows))
	for i := range rows {
		out[i] = toBankLine(&rows[i])
	}
	return out, nil
}

// SaveReconciliation writes l's reconciliation fields.
func (r *BankStore) SaveReconciliation(ctx context.Context, l *domain.BankLine) error {
	err := r.db.Gorm(ctx).Model(&bankLineRow{}).Where("id = ?", l.ID).Updates(map[string]any{
		"reconciled": l.Reconciled, "reconciled_at": optTime(l.ReconciledAt), "reconciled_by": l.ReconciledBy,
	}).Error
	return translate(err, "bank line")
}

// DeleteLine deletes line id.
func (r *BankStore) DeleteLine(ctx context.Context, id int64) error {
	return deleteByID(ctx, r.db, &bankLineRow{}, "bank line", id)
}

// Lines lists the lines of account accountID matching f in date then id
// order (newest first with f.Desc), each with the account's balance after
// it, and the totals of every matching line.
func (r *BankStore) Lines(ctx context.Context, accountID int64, f domain.BankLineFilter) (domain.BankLinePage, error) {
	db := r.db.Gorm(ctx)
	filtered := func() *gorm.DB {
		q := db.Model(&bankLineRow{}).Where("account_id = ?", accountID)
		if !f.From.IsZero() {
			q = q.Where("line_date >= ?", dateOf(f.From))
		}
		if !f.To.IsZero() {
			q = q.Where("line_date <= ?", dateOf(f.To))
		}
		if f.MinAmount != nil {
			q = q.Where("amount >= ?", *f.MinAmount)
		}
		if f.MaxAmount != nil {
			q = q.Where("amount <= ?", *f.MaxAmount)
		}
		if f.Reconciled != nil {
			q = q.Where("reconciled = ?", *f.Reconciled)
		}
		return q
	}
	var tot struct {
		N       int64
		Credits domain.Decimal
		Debits  domain.Decimal
	}
	err := filtered().Select("COUNT(*) AS n, " + r.sumExpr("CASE WHEN amount > 0 THEN amount ELSE 0 END") + " AS credits, " +
		r.sumExpr("CASE WHEN amount < 0 THEN amount ELSE 0 END") + " AS debits").Scan(&tot).Error
	if err != nil {
		return domain.BankLinePage{}, translate(err, "bank lines")
	}
	bal, err := r.balances(ctx, []int64{accountID})
	if err != nil {
		return domain.BankLinePage{}, err
	}
	page := domain.BankLinePage{Total: tot.N, Credits: tot.Credits.Round(domain.ScaleTotal), Debits: tot.Debits.Round(domain.ScaleTotal),
		Balance: bal[accountID], Items: []domain.BankLine{}}
	var rows []bankLineRow
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	if err := filtered().Order("line_date" + dir).Order("id" + dir).Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return domain.BankLinePage{}, translate(err, "bank lines")
	}
	if len(rows) == 0 {
		return page, nil
	}
	first, last := &rows[0], &rows[len(rows)-1]
	if f.Desc {
		first, last = last, first
	}
	// The running balance: every line before the page's first, then each
	// line from the first to the last (filtered out or not) in order.
	var before struct{ Sum domain.Decimal }
	err = db.Model(&bankLineRow{}).Select(r.sumExpr("amount")+" AS sum").
		Where("account_id = ? AND (line_date < ? OR (line_date = ? AND id < ?))", accountID, first.LineDate, first.LineDate, first.ID).
		Scan(&before).Error
	if err != nil {
		return domain.BankLinePage{}, translate(err, "bank lines")
	}
	var span []struct {
		ID     int64
		Amount domain.Decimal
	}
	err = db.Model(&bankLineRow{}).Select("id, amount").
		Where("account_id = ? AND (line_date > ? OR (line_date = ? AND id >= ?)) AND (line_date < ? OR (line_date = ? AND id <= ?))",
			accountID, first.LineDate, first.LineDate, first.ID, last.LineDate, last.LineDate, last.ID).
		Order("line_date").Order("id").Scan(&span).Error
	if err != nil {
		return domain.BankLinePage{}, translate(err, "bank lines")
	}
	running := make(map[int64]domain.Decimal, len(span))
	acc := before.Sum
	for _, s := range span {
		acc = acc.Add(s.Amount)
		running[s.ID] = acc.Round(domain.ScaleTotal)
	}
	page.Items = make([]domain.BankLine, len(rows))
	for i := range rows {
		page.Items[i] = toBankLine(&rows[i])
		page.Items[i].Balance = running[rows[i].ID]
	}
	return page, nil
}

// ListMethods lists the dictionary, code order.
func (r *BankStore) ListMethods(ctx context.Context, activeOnly bool) ([]domain.PaymentMethodEntry, error) {
	q := r.db.Gorm(ctx).Model(&paymentMethodRow{})
	if activeOnly {
		q = q.Where("active = ?", true)
	}
	var rows []paymentMethodRow
	if err := q.Order("code").Find(&rows).Error; err != nil {
		return nil, translate(err, "payment methods")
	}
	out := make([]domain.PaymentMethodEntry, len(rows))
	for i, row := range rows {
		out[i] = domain.PaymentMethodEntry(row)
	}
	return out, nil
}

// GetMethod loads the entry code.
func (r *BankStore) GetMethod(ctx context.Context, code string) (*domain.PaymentMethodEntry, error) {
	var row paymentMethodRow
	err := r.db.Gorm(ctx).Where("code = ?", code).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.E(domain.ErrNotFound, "not_found", "payment method %s not found", code)
	}
	if err != nil {
		return nil, translate(err, "payment method")
	}
	m := domain.PaymentMethodEntry(row)
	return &m, nil
}

// CreateMethod stores a new entry (never built in).
func (r *BankStore) CreateMethod(ctx context.Context, m *domain.PaymentMethodEntry) error {
	m.Builtin = false
	row := paymentMethodRow(*m)
	return translate(r.db.Gorm(ctx).Create(&row).Error, "payment method "+m.Code)
}

// UpdateMethod writes an entry's label, reference rule and activity.
func (r *BankStore) UpdateMethod(ctx context.Context, m *domain.PaymentMethodEntry) error {
	err := r.db.Gorm(ctx).Model(&paymentMethodRow{}).Where("code = ?", m.Code).Updates(map[string]any{
		"label": m.Label, "needs_reference": m.NeedsReference, "active": m.Active,
	}).Error
	return translate(err, "payment method")
}
