package persistence

import (
	"context"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
)

type paymentRow struct {
	ID         int64 `gorm:"primaryKey"`
	CustomerID int64
	PayDate    time.Time
	Amount     domain.Decimal
	Method     string
	Reference  string
	Issuer     string
	IssuerBank string
	Note       string
	// BankAccountID is NULL when no bank account existed (decision 0040).
	BankAccountID *int64
	CreatedBy     int64
	CreatedAt     time.Time
}

func (paymentRow) TableName() string { return "payments" }

type allocationRow struct {
	ID        int64 `gorm:"primaryKey"`
	PaymentID int64
	InvoiceID int64
	Amount    domain.Decimal
}

func (allocationRow) TableName() string { return "payment_allocations" }

// allocationView is an allocation with its invoice's reference.
type allocationView struct {
	PaymentID int64
	InvoiceID int64
	Amount    domain.Decimal
	Ref       *string
}

// PaymentStore stores customer payments and their allocations.
type PaymentStore struct{ db *DB }

var _ sales.PaymentStore = (*PaymentStore)(nil)

// NewPaymentStore returns the payment store on db.
func NewPaymentStore(db *DB) *PaymentStore { return &PaymentStore{db: db} }

func toPayment(r *paymentRow) domain.Payment {
	return domain.Payment{ID: r.ID, CustomerID: r.CustomerID, Date: dateOf(r.PayDate), Amount: r.Amount.Round(domain.ScaleTotal),
		Method: domain.PaymentMethod(r.Method), Reference: r.Reference, Issuer: r.Issuer, IssuerBank: r.IssuerBank, Note: r.Note,
		BankAccountID: idOf(r.BankAccountID), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
}

// Create stores p, at the time it carries, and its allocations and sets
// its id.
func (r *PaymentStore) Create(ctx context.Context, p *domain.Payment) error {
	row := paymentRow{CustomerID: p.CustomerID, PayDate: dateOf(p.Date), Amount: p.Amount, Method: string(p.Method),
		Reference: p.Reference, Issuer: p.Issuer, IssuerBank: p.IssuerBank, Note: p.Note, BankAccountID: optID(p.BankAccountID),
		CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt.UTC().Truncate(time.Microsecond)}
	tx := r.db.Gorm(ctx)
	if err := tx.Create(&row).Error; err != nil {
		return translate(err, "payment")
	}
	allocs := make([]allocationRow, len(p.Allocations))
	for i, a := range p.Allocations {
		allocs[i] = allocationRow{PaymentID: row.ID, InvoiceID: a.InvoiceID, Amount: a.Amount}
	}
	if err := tx.Create(&allocs).Error; err != nil {
		return translate(err, "payment allocation")
	}
	p.ID, p.CreatedAt = row.ID, row.CreatedAt
	return nil
}

// allocations loads the allocations of payments ids (all invoices when
// invoiceID is 0), with the invoices' references.
func (r *PaymentStore) allocations(ctx context.Context, ids []int64, invoiceID int64) (map[int64][]domain.Allocation, error) {
	var views []allocationView
	q := r.db.Gorm(ctx).Table("payment_allocations AS a").
		Select("a.payment_id, a.invoice_id, a.amount, i.ref").
		Joins("JOIN invoices i ON i.id = a.invoice_id").
		Where("a.payment_id IN ?", ids)
	if invoiceID != 0 {
		q = q.Where("a.invoice_id = ?", invoiceID)
	}
	if err := q.Order("a.id").Scan(&views).Error; err != nil {
		return nil, translate(err, "payment allocations")
	}
	out := map[int64][]domain.Allocation{}
	for _, v := range views {
		ref := deref(v.Ref)
		if ref == "" {
			ref = domain.ProvisionalRef(v.InvoiceID)
		}
		out[v.PaymentID] = append(out[v.PaymentID], domain.Allocation{InvoiceID: v.InvoiceID, Amount: v.Amount.Round(domain.ScaleTotal), InvoiceRef: ref})
	}
	return out, nil
}

func (r *PaymentStore) withAllocations(ctx context.Context, rows []paymentRow, invoiceID int64) ([]domain.Payment, error) {
	out := make([]domain.Payment, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]int64, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	allocs, err := r.allocations(ctx, ids, invoiceID)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		out[i] = toPayment(&rows[i])
		out[i].Allocations = allocs[rows[i].ID]
	}
	return out, nil
}

// Get loads payment id with its allocations.
func (r *PaymentStore) Get(ctx context.Context, id int64) (*domain.Payment, error) {
	var row paymentRow
	if err := getByID(ctx, r.db, &row, "payment", id); err != nil {
		return nil, err
	}
	ps, err := r.withAllocations(ctx, []paymentRow{row}, 0)
	if err != nil {
		return nil, err
	}
	return &ps[0], nil
}

var paymentList = listSpec{sorts: map[string]string{"id": "id", "date": "pay_date", "amount": "amount"}, search: []string{"reference"}, updated: "created_at"}

// List lists payments matching f with their allocations.
func (r *PaymentStore) List(ctx context.Context, f sales.PaymentFilter) (domain.Page[domain.Payment], error) {
	q := r.db.Gorm(ctx).Model(&paymentRow{})
	if f.CustomerID != 0 {
		q = q.Where("customer_id = ?", f.CustomerID)
	}
	if !f.From.IsZero() {
		q = q.Where("pay_date >= ?", dateOf(f.From))
	}
	if !f.To.IsZero() {
		q = q.Where("pay_date <= ?", dateOf(f.To))
	}
	var rows []paymentRow
	total, err := list(q, f.ListParams, paymentList, &rows)
	if err != nil {
		return domain.Page[domain.Payment]{}, translate(err, "payments")
	}
	ps, err := r.withAllocations(ctx, rows, 0)
	if err != nil {
		return domain.Page[domain.Payment]{}, err
	}
	return domain.Page[domain.Payment]{Items: ps, Total: total}, nil
}

// OfInvoice lists the payments made on invoice id, oldest first, each
// with only that invoice's allocation.
func (r *PaymentStore) OfInvoice(ctx context.Context, invoiceID int64) ([]domain.Payment, error) {
	var rows []paymentRow
	err := r.db.Gorm(ctx).Where("id IN (?)", r.db.Gorm(ctx).Model(&allocationRow{}).Select("payment_id").Where("invoice_id = ?", invoiceID)).
		Order("id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "payments")
	}
	return r.withAllocations(ctx, rows, invoiceID)
}

// Delete deletes payment id and its allocations.
func (r *PaymentStore) Delete(ctx context.Context, id int64) error {
	tx := r.db.Gorm(ctx)
	if err := tx.Where("payment_id = ?", id).Delete(&allocationRow{}).Error; err != nil {
		return translate(err, "payment allocations")
	}
	return deleteByID(ctx, r.db, &paymentRow{}, "payment", id)
}
