package persistence

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
)

// creditRow is a row of customer_credits (migrations/*/000008).
type creditRow struct {
	ID              int64 `gorm:"primaryKey"`
	CustomerID      int64
	SourceInvoiceID int64
	AmountExclTax   domain.Decimal
	AmountVAT       domain.Decimal `gorm:"column:amount_vat"`
	AmountInclTax   domain.Decimal
	UsedInvoiceID   *int64
	UsedAt          *time.Time
	CreatedBy       int64
	CreatedAt       time.Time
}

func (creditRow) TableName() string { return "customer_credits" }

// creditView is a credit with the references of its credit note and of
// the invoice it was used on.
type creditView struct {
	Credit    creditRow `gorm:"embedded"`
	SourceRef *string
	UsedRef   *string
}

// creditSelect reads credits with their documents' references.
const creditSelect = "c.id, c.customer_id, c.source_invoice_id, c.amount_excl_tax, c.amount_vat, c.amount_incl_tax, " +
	"c.used_invoice_id, c.used_at, c.created_by, c.created_at, s.ref AS source_ref, u.ref AS used_ref"

// CreditStore stores customer credits.
type CreditStore struct{ db *DB }

var _ sales.CreditStore = (*CreditStore)(nil)

// NewCreditStore returns the credit store on db.
func NewCreditStore(db *DB) *CreditStore { return &CreditStore{db: db} }

func toCredit(v *creditView) domain.CustomerCredit {
	r := &v.Credit
	c := domain.CustomerCredit{ID: r.ID, CustomerID: r.CustomerID, SourceInvoiceID: r.SourceInvoiceID,
		SourceRef: deref(v.SourceRef), AmountExclTax: r.AmountExclTax.Round(domain.ScaleTotal),
		AmountVAT: r.AmountVAT.Round(domain.ScaleTotal), AmountInclTax: r.AmountInclTax.Round(domain.ScaleTotal),
		UsedInvoiceID: idOf(r.UsedInvoiceID), UsedRef: deref(v.UsedRef), UsedAt: timeOf(r.UsedAt),
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
	if c.SourceRef == "" {
		c.SourceRef = domain.ProvisionalRef(c.SourceInvoiceID)
	}
	if c.UsedRef == "" && c.UsedInvoiceID != 0 {
		c.UsedRef = domain.ProvisionalRef(c.UsedInvoiceID)
	}
	return c
}

// Create stores a new credit, at the time it carries, and sets its id. A
// second credit of the same credit note is refused as already_converted
// (unique source).
func (r *CreditStore) Create(ctx context.Context, c *domain.CustomerCredit) error {
	row := creditRow{CustomerID: c.CustomerID, SourceInvoiceID: c.SourceInvoiceID, AmountExclTax: c.AmountExclTax,
		AmountVAT: c.AmountVAT, AmountInclTax: c.AmountInclTax, UsedInvoiceID: optID(c.UsedInvoiceID),
		UsedAt: optTime(c.UsedAt), CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt.UTC().Truncate(time.Microsecond)}
	err := translate(r.db.Gorm(ctx).Create(&row).Error, "customer credit")
	var de *domain.Error
	if errors.As(err, &de) && de.Code == "duplicate" {
		return domain.E(domain.ErrConflict, "already_converted", "credit note %d is already a customer credit", c.SourceInvoiceID)
	}
	if err != nil {
		return err
	}
	c.ID, c.CreatedAt = row.ID, row.CreatedAt
	return nil
}

// Lock locks the credit row alone (not its invoices: the caller locked
// those, in id order, before it; SQLite: the transaction holds the write
// lock) and reads it by that locking read, which sees the current row. A plain read could come from an older
// snapshot (InnoDB's REPEATABLE READ keeps the transaction's first one)
// and show a credit another transaction has just used as still available.
// The references, fixed once the invoices are validated, are read plainly.
func (r *CreditStore) Lock(ctx context.Context, id int64) (*domain.CustomerCredit, error) {
	if !InTx(ctx) {
		return nil, errNoTx
	}
	var v creditView
	err := r.db.Gorm(ctx).Clauses(forUpdate).Where("id = ?", id).Take(&v.Credit).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.E(domain.ErrNotFound, "credit_not_found", "credit %d not found", id)
	}
	if err != nil {
		return nil, translate(err, "customer credit")
	}
	ids := []int64{v.Credit.SourceInvoiceID}
	if v.Credit.UsedInvoiceID != nil {
		ids = append(ids, *v.Credit.UsedInvoiceID)
	}
	var refs []struct {
		ID  int64
		Ref *string
	}
	if err := r.db.Gorm(ctx).Table("invoices").Select("id, ref").Where("id IN ?", ids).Scan(&refs).Error; err != nil {
		return nil, translate(err, "invoice")
	}
	for _, ref := range refs {
		if ref.ID == v.Credit.SourceInvoiceID {
			v.SourceRef = ref.Ref
		}
		if ref.ID == idOf(v.Credit.UsedInvoiceID) {
			v.UsedRef = ref.Ref
		}
	}
	c := toCredit(&v)
	return &c, nil
}

func (r *CreditStore) creditQuery(ctx context.Context) *gorm.DB {
	return r.db.Gorm(ctx).Table("customer_credits AS c").Select(creditSelect).
		Joins("JOIN invoices s ON s.id = c.source_invoice_id").
		Joins("LEFT JOIN invoices u ON u.id = c.used_invoice_id")
}

// Save writes the use of a credit: the invoice it was used on and when.
func (r *CreditStore) Save(ctx context.Context, c *domain.CustomerCredit) error {
	res := r.db.Gorm(ctx).Model(&creditRow{}).Where("id = ?", c.ID).
		Updates(map[string]any{"used_invoice_id": optID(c.UsedInvoiceID), "used_at": optTime(c.UsedAt)})
	if res.Error != nil {
		return translate(res.Error, "customer credit")
	}
	if res.RowsAffected != 1 {
		return domain.E(domain.ErrNotFound, "credit_not_found", "credit %d not found", c.ID)
	}
	return nil
}

// List lists the credits of a customer, oldest first, filtered by status.
func (r *CreditStore) List(ctx context.Context, customerID int64, status domain.CreditStatus) ([]domain.CustomerCredit, error) {
	q := r.creditQuery(ctx).Where("c.customer_id = ?", customerID)
	switch status {
	case domain.CreditsAvailable:
		q = q.Where("c.used_invoice_id IS NULL")
	case domain.CreditsUsed:
		q = q.Where("c.used_invoice_id IS NOT NULL")
	case domain.CreditsAll:
	}
	var views []creditView
	if err := q.Order("c.id").Scan(&views).Error; err != nil {
		return nil, translate(err, "customer credits")
	}
	out := make([]domain.CustomerCredit, len(views))
	for i := range views {
		out[i] = toCredit(&views[i])
	}
	return out, nil
}
