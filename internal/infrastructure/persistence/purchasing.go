package persistence

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/purchasing"
)

// The buy side's documents (migrations/*/000012_purchasing), on the same
// docStore and docCols as the sales documents: customer_id is the
// document's third party, the supplier.

type supplierPriceRow struct {
	ID           int64          `gorm:"primaryKey"`
	ProductID    int64          `gorm:"column:product_id;<-:create"`
	SupplierID   int64          `gorm:"column:supplier_id;<-:create"`
	SupplierRef  string         `gorm:"column:supplier_ref"`
	UnitPrice    domain.Decimal `gorm:"column:unit_price"`
	MinQuantity  domain.Decimal `gorm:"column:min_quantity"`
	VATRate      domain.Decimal `gorm:"column:vat_rate"`
	LeadTimeDays int            `gorm:"column:lead_time_days"`
	Active       bool           `gorm:"column:active"`
	CreatedAt    time.Time      `gorm:"column:created_at;<-:create;autoCreateTime:false"`
	UpdatedAt    time.Time      `gorm:"column:updated_at;autoUpdateTime:false"`
}

func (supplierPriceRow) TableName() string { return "supplier_prices" }

func toSupplierPriceRow(p *domain.SupplierPrice) supplierPriceRow {
	return supplierPriceRow{ID: p.ID, ProductID: p.ProductID, SupplierID: p.SupplierID, SupplierRef: p.SupplierRef,
		UnitPrice: p.UnitPrice, MinQuantity: p.MinQuantity, VATRate: p.VATRate, LeadTimeDays: p.LeadTimeDays,
		Active: p.Active, CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
}

func toSupplierPrice(r *supplierPriceRow) domain.SupplierPrice {
	return domain.SupplierPrice{ID: r.ID, ProductID: r.ProductID, SupplierID: r.SupplierID, SupplierRef: r.SupplierRef,
		UnitPrice: r.UnitPrice.Round(domain.ScaleStored), MinQuantity: r.MinQuantity.Round(domain.ScaleQty),
		VATRate: r.VATRate.Round(domain.ScaleRate), LeadTimeDays: r.LeadTimeDays, Active: r.Active,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// SupplierPriceStore stores supplier prices.
type SupplierPriceStore struct{ db *DB }

var _ purchasing.SupplierPriceStore = (*SupplierPriceStore)(nil)

// NewSupplierPriceStore returns the supplier price store on db.
func NewSupplierPriceStore(db *DB) *SupplierPriceStore { return &SupplierPriceStore{db: db} }

// Create inserts p and sets its id.
func (s *SupplierPriceStore) Create(ctx context.Context, p *domain.SupplierPrice) error {
	row := toSupplierPriceRow(p)
	row.ID = 0
	if err := s.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "supplier price")
	}
	p.ID = row.ID
	return nil
}

// Get loads price id of product productID.
func (s *SupplierPriceStore) Get(ctx context.Context, productID, id int64) (*domain.SupplierPrice, error) {
	var row supplierPriceRow
	err := s.db.Gorm(ctx).Where("id = ? AND product_id = ?", id, productID).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, domain.E(domain.ErrNotFound, "not_found", "supplier price %d of product %d not found", id, productID)
	}
	if err != nil {
		return nil, translate(err, "supplier price")
	}
	p := toSupplierPrice(&row)
	return &p, nil
}

// Save writes every changeable column of p.
func (s *SupplierPriceStore) Save(ctx context.Context, p *domain.SupplierPrice) error {
	row := toSupplierPriceRow(p)
	res := s.db.Gorm(ctx).Model(&row).Select("*").Updates(&row)
	if res.Error != nil {
		return translate(res.Error, "supplier price")
	}
	return nil
}

// Delete deletes price id of product productID.
func (s *SupplierPriceStore) Delete(ctx context.Context, productID, id int64) error {
	res := s.db.Gorm(ctx).Where("id = ? AND product_id = ?", id, productID).Delete(&supplierPriceRow{})
	if res.Error != nil {
		return translate(res.Error, "supplier price")
	}
	if res.RowsAffected == 0 {
		return domain.E(domain.ErrNotFound, "not_found", "supplier price %d of product %d not found", id, productID)
	}
	return nil
}

// OfProducts lists the prices of products, of one supplier when
// supplierID is not 0.
func (s *SupplierPriceStore) OfProducts(ctx context.Context, productIDs []int64, supplierID int64) ([]domain.SupplierPrice, error) {
	q := s.db.Gorm(ctx).Where("product_id IN ?", nonEmpty(productIDs))
	if supplierID != 0 {
		q = q.Where("supplier_id = ?", supplierID)
	}
	var rows []supplierPriceRow
	if err := q.Order("product_id, supplier_id, min_quantity, id").Find(&rows).Error; err != nil {
		return nil, translate(err, "supplier prices")
	}
	out := make([]domain.SupplierPrice, len(rows))
	for i := range rows {
		out[i] = toSupplierPrice(&rows[i])
	}
	return out, nil
}

type purchaseOrderRow struct {
	Doc          docCols    `gorm:"embedded"`
	DeliveryDate *time.Time `gorm:"column:delivery_date"`
	ApprovedBy   int64      `gorm:"column:approved_by"`
	ApprovedAt   *time.Time `gorm:"column:approved_at"`
	OrderedAt    *time.Time `gorm:"column:ordered_at"`
	Billed       bool       `gorm:"column:billed"`
}

func (r *purchaseOrderRow) cols() *docCols { return &r.Doc }

func (purchaseOrderRow) TableName() string { return "purchase_orders" }

func toPurchaseOrderRow(o *domain.PurchaseOrder) purchaseOrderRow {
	return purchaseOrderRow{Doc: toDocCols(&o.Document, int(o.Status)), DeliveryDate: optDate(o.DeliveryDate),
		ApprovedBy: o.ApprovedBy, ApprovedAt: optTime(o.ApprovedAt), OrderedAt: optTime(o.OrderedAt), Billed: o.Billed}
}

func toPurchaseOrder(row *purchaseOrderRow, lines []domain.Line) *domain.PurchaseOrder {
	var delivery time.Time
	if row.DeliveryDate != nil {
		delivery = dateOf(*row.DeliveryDate)
	}
	return &domain.PurchaseOrder{Document: toDocument(&row.Doc, lines), Status: domain.PurchaseOrderStatus(row.Doc.Status),
		DeliveryDate: delivery, ApprovedBy: row.ApprovedBy, ApprovedAt: timeOf(row.ApprovedAt), OrderedAt: timeOf(row.OrderedAt),
		Billed: row.Billed}
}

// PurchaseOrderStore stores purchase orders and their lines.
type PurchaseOrderStore struct {
	docStore[*domain.PurchaseOrder, purchaseOrderRow, *purchaseOrderRow]
}

var _ purchasing.OrderStore = (*PurchaseOrderStore)(nil)

// NewPurchaseOrderStore returns the purchase order store on db.
func NewPurchaseOrderStore(db *DB) *PurchaseOrderStore {
	return &PurchaseOrderStore{docStore[*domain.PurchaseOrder, purchaseOrderRow, *purchaseOrderRow]{db: db,
		kind: domain.KindPurchaseOrder, toRow: toPurchaseOrderRow, toDoc: toPurchaseOrder}}
}

// List lists purchase orders matching f, without lines.
func (s *PurchaseOrderStore) List(ctx context.Context, f purchasing.Filter) (domain.Page[domain.PurchaseOrder], error) {
	rows, total, err := s.list(ctx, f, nil)
	if err != nil {
		return domain.Page[domain.PurchaseOrder]{}, err
	}
	out := make([]domain.PurchaseOrder, len(rows))
	for i := range rows {
		out[i] = *toPurchaseOrder(&rows[i], nil)
	}
	return domain.Page[domain.PurchaseOrder]{Items: out, Total: total}, nil
}

// Received sums the quantities of the order's validated receptions per
// order line.
func (s *PurchaseOrderStore) Received(ctx context.Context, orderID int64) (map[int64]domain.Decimal, error) {
	var rows []struct {
		OrderLineID int64
		Quantity    domain.Decimal
	}
	err := s.db.Gorm(ctx).Table("reception_lines AS l").Select("l.order_line_id, SUM(l.quantity) AS quantity").
		Joins("JOIN receptions r ON r.id = l.document_id").
		Where("r.order_id = ? AND r.status = ?", orderID, int(domain.ReceptionValidated)).
		Group("l.order_line_id").Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "received quantities")
	}
	out := make(map[int64]domain.Decimal, len(rows))
	for _, r := range rows {
		// SQLite sums in binary floating point; quantities have ScaleQty digits.
		out[r.OrderLineID] = r.Quantity.Round(domain.ScaleQty)
	}
	return out, nil
}

type receptionRow struct {
	Doc       docCols `gorm:"embedded"`
	OrderID   int64   `gorm:"column:order_id;<-:create"`
	InvoiceID *int64  `gorm:"column:supplier_invoice_id"`
}

func (r *receptionRow) cols() *docCols { return &r.Doc }

func (receptionRow) TableName() string { return "receptions" }

type receptionLineRow struct {
	ID          int64          `gorm:"primaryKey"`
	DocumentID  int64          `gorm:"column:document_id"`
	OrderLineID int64          `gorm:"column:order_line_id"`
	ProductID   int64          `gorm:"column:product_id"`
	WarehouseID int64          `gorm:"column:warehouse_id"`
	Quantity    domain.Decimal `gorm:"column:quantity"`
	UnitPrice   domain.Decimal `gorm:"column:unit_price"`
}

func (receptionLineRow) TableName() string { return "reception_lines" }

func toReceptionRow(r *domain.Reception) receptionRow {
	return receptionRow{Doc: toDocCols(&r.Document, int(r.Status)), OrderID: r.OrderID, InvoiceID: optID(r.InvoiceID)}
}

func toReception(row *receptionRow, _ []domain.Line) *domain.Reception {
	return &domain.Reception{Document: toDocument(&row.Doc, nil), Status: domain.ReceptionStatus(row.Doc.Status),
		OrderID: row.OrderID, InvoiceID: idOf(row.InvoiceID)}
}

// ReceptionStore stores receptions and their lines, which name an order
// line, a warehouse and a price rather than being document lines.
type ReceptionStore struct {
	docStore[*domain.Reception, receptionRow, *receptionRow]
}

var _ purchasing.ReceptionStore = (*ReceptionStore)(nil)

// NewReceptionStore returns the reception store on db.
func NewReceptionStore(db *DB) *ReceptionStore {
	return &ReceptionStore{docStore[*domain.Reception, receptionRow, *receptionRow]{db: db, kind: domain.KindReception,
		toRow: toReceptionRow, toDoc: toReception, noLines: true}}
}

func (s *ReceptionStore) withLines(ctx context.Context, rs ...*domain.Reception) error {
	if len(rs) == 0 {
		return nil
	}
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	var rows []receptionLineRow
	if err := s.db.Gorm(ctx).Where("document_id IN ?", ids).Order("document_id, id").Find(&rows).Error; err != nil {
		return translate(err, "reception lines")
	}
	byDoc := map[int64][]domain.ReceptionLine{}
	for _, l := range rows {
		byDoc[l.DocumentID] = append(byDoc[l.DocumentID], domain.ReceptionLine{ID: l.ID, OrderLineID: l.OrderLineID,
			ProductID: l.ProductID, WarehouseID: l.WarehouseID, Quantity: l.Quantity.Round(domain.ScaleQty),
			UnitPrice: l.UnitPrice.Round(domain.ScaleUnit)})
	}
	for _, r := range rs {
		r.Received = byDoc[r.ID]
	}
	return nil
}

// Get loads a reception with its lines.
func (s *ReceptionStore) Get(ctx context.Context, id int64) (*domain.Reception, error) {
	r, err := s.docStore.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return r, s.withLines(ctx, r)
}

// Lock locks a reception's row and loads it with its lines.
func (s *ReceptionStore) Lock(ctx context.Context, id int64) (*domain.Reception, error) {
	r, err := s.docStore.Lock(ctx, id)
	if err != nil {
		return nil, err
	}
	return r, s.withLines(ctx, r)
}

// Create inserts the reception's row and its lines.
func (s *ReceptionStore) Create(ctx context.Context, r *domain.Reception) error {
	if err := s.docStore.Create(ctx, r); err != nil {
		return err
	}
	rows := make([]receptionLineRow, len(r.Received))
	for i, l := range r.Received {
		rows[i] = receptionLineRow{DocumentID: r.ID, OrderLineID: l.OrderLineID, ProductID: l.ProductID,
			WarehouseID: l.WarehouseID, Quantity: l.Quantity, UnitPrice: l.UnitPrice}
	}
	if len(rows) == 0 {
		return nil
	}
	if err := s.db.Gorm(ctx).Create(&rows).Error; err != nil {
		return translate(err, "reception line")
	}
	for i := range rows {
		r.Received[i].ID = rows[i].ID
	}
	return nil
}

// LockMany locks receptions ids FOR UPDATE in id order, with their lines.
func (s *ReceptionStore) LockMany(ctx context.Context, ids []int64) ([]*domain.Reception, error) {
	if !InTx(ctx) {
		return nil, errNoTx
	}
	var rows []receptionRow
	if err := s.db.Gorm(ctx).Clauses(forUpdate).Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "receptions")
	}
	out := make([]*domain.Reception, len(rows))
	for i := range rows {
		out[i] = toReception(&rows[i], nil)
	}
	return out, s.withLines(ctx, out...)
}

// List lists receptions matching f, without lines.
func (s *ReceptionStore) List(ctx context.Context, f purchasing.ReceptionFilter) (domain.Page[domain.Reception], error) {
	rows, total, err := s.list(ctx, f.Filter, func(q *gorm.DB) *gorm.DB {
		if f.OrderID != 0 {
			q = q.Where("order_id = ?", f.OrderID)
		}
		return q
	})
	if err != nil {
		return domain.Page[domain.Reception]{}, err
	}
	out := make([]domain.Reception, len(rows))
	for i := range rows {
		out[i] = *toReception(&rows[i], nil)
	}
	return domain.Page[domain.Reception]{Items: out, Total: total}, nil
}

type supplierInvoiceRow struct {
	Doc             docCols        `gorm:"embedded"`
	Type            int            `gorm:"column:type;<-:create"`
	DueDate         time.Time      `gorm:"column:due_date"`
	SourceInvoiceID *int64         `gorm:"column:source_invoice_id;<-:create"`
	PurchaseOrderID *int64         `gorm:"column:purchase_order_id;<-:create"`
	Paid            domain.Decimal `gorm:"column:paid"`
	CreditUsed      domain.Decimal `gorm:"column:credit_used"`
	CloseCode       string         `gorm:"column:close_code"`
	CloseNote       string         `gorm:"column:close_note"`
	SupplierRef     string         `gorm:"column:supplier_ref"`
}

func (r *supplierInvoiceRow) cols() *docCols { return &r.Doc }

func (supplierInvoiceRow) TableName() string { return "supplier_invoices" }

func toSupplierInvoiceRow(inv *domain.SupplierInvoice) supplierInvoiceRow {
	return supplierInvoiceRow{
		Doc: toDocCols(&inv.Document, int(inv.Status)), Type: int(inv.Type), DueDate: dateOf(inv.DueDate),
		SourceInvoiceID: optID(inv.SourceInvoiceID), PurchaseOrderID: optID(inv.PurchaseOrderID),
		Paid: inv.Paid, CreditUsed: inv.CreditUsed, CloseCode: string(inv.CloseCode), CloseNote: inv.CloseNote,
		SupplierRef: inv.SupplierRef,
	}
}

func toSupplierInvoice(row *supplierInvoiceRow, lines []domain.Line) *domain.SupplierInvoice {
	return &domain.SupplierInvoice{Invoice: domain.Invoice{
		Document: toDocument(&row.Doc, lines), Type: domain.InvoiceType(row.Type), Status: domain.InvoiceStatus(row.Doc.Status),
		DueDate: dateOf(row.DueDate), SourceInvoiceID: idOf(row.SourceInvoiceID), Paid: row.Paid.Round(domain.ScaleTotal),
		CreditUsed: row.CreditUsed.Round(domain.ScaleTotal), CloseCode: domain.CloseCode(row.CloseCode), CloseNote: row.CloseNote,
	}, SupplierRef: row.SupplierRef, PurchaseOrderID: idOf(row.PurchaseOrderID)}
}

// SupplierInvoiceStore stores supplier invoices and their lines.
type SupplierInvoiceStore struct {
	docStore[*domain.SupplierInvoice, supplierInvoiceRow, *supplierInvoiceRow]
}

var _ purchasing.InvoiceStore = (*SupplierInvoiceStore)(nil)

// NewSupplierInvoiceStore returns the supplier invoice store on db.
func NewSupplierInvoiceStore(db *DB) *SupplierInvoiceStore {
	return &SupplierInvoiceStore{docStore[*domain.SupplierInvoice, supplierInvoiceRow, *supplierInvoiceRow]{db: db,
		kind: domain.KindSupplierInvoice, toRow: toSupplierInvoiceRow, toDoc: toSupplierInvoice}}
}

// List lists supplier invoices matching f, without lines.
func (s *SupplierInvoiceStore) List(ctx context.Context, f purchasing.Filter) (domain.Page[domain.SupplierInvoice], error) {
	rows, total, err := s.list(ctx, f, func(q *gorm.DB) *gorm.DB {
		if f.InvoiceType != nil {
			q = q.Where("type = ?", int(*f.InvoiceType))
		}
		return q
	})
	if err != nil {
		return domain.Page[domain.SupplierInvoice]{}, err
	}
	out := make([]domain.SupplierInvoice, len(rows))
	for i := range rows {
		out[i] = *toSupplierInvoice(&rows[i], nil)
	}
	return domain.Page[domain.SupplierInvoice]{Items: out, Total: total}, nil
}

// LockMany locks supplier invoices ids FOR UPDATE in id order, without
// their lines.
func (s *SupplierInvoiceStore) LockMany(ctx context.Context, ids []int64) ([]*domain.SupplierInvoice, error) {
	if !InTx(ctx) {
		return nil, errNoTx
	}
	var rows []supplierInvoiceRow
	if err := s.db.Gorm(ctx).Clauses(forUpdate).Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "supplier invoices")
	}
	out := make([]*domain.SupplierInvoice, len(rows))
	for i := range rows {
		out[i] = toSupplierInvoice(&rows[i], nil)
	}
	return out, nil
}

type supplierPaymentRow struct {
	ID         int64 `gorm:"primaryKey"`
	SupplierID int64
	PayDate    time.Time
	Amount     domain.Decimal
	Method     string
	Reference  string
	Issuer     string
	IssuerBank string
	// BankAccountID names the account the payment was posted to; nil when
	// the installation had none (decision 0040).
	BankAccountID *int64
	Note          string
	CreatedBy     int64
	CreatedAt     time.Time
}

func (supplierPaymentRow) TableName() string { return "supplier_payments" }

type supplierAllocationRow struct {
	ID        int64 `gorm:"primaryKey"`
	PaymentID int64
	InvoiceID int64
	Amount    domain.Decimal
}

func (supplierAllocationRow) TableName() string { return "supplier_payment_allocations" }

// SupplierPaymentStore stores supplier payments and their allocations.
type SupplierPaymentStore struct{ db *DB }

var _ purchasing.PaymentStore = (*SupplierPaymentStore)(nil)

// NewSupplierPaymentStore returns the supplier payment store on db.
func NewSupplierPaymentStore(db *DB) *SupplierPaymentStore { return &SupplierPaymentStore{db: db} }

// Create stores p and its allocations and sets its id.
func (r *SupplierPaymentStore) Create(ctx context.Context, p *domain.Payment) error {
	row := supplierPaymentRow{SupplierID: p.CustomerID, PayDate: dateOf(p.Date), Amount: p.Amount, Method: string(p.Method),
		Reference: p.Reference, Issuer: p.Issuer, IssuerBank: p.IssuerBank, Note: p.Note, CreatedBy: p.CreatedBy,
		BankAccountID: optID(p.BankAccountID), CreatedAt: p.CreatedAt.UTC().Truncate(time.Microsecond)}
	tx := r.db.Gorm(ctx)
	if err := tx.Create(&row).Error; err != nil {
		return translate(err, "supplier payment")
	}
	allocs := make([]supplierAllocationRow, len(p.Allocations))
	for i, a := range p.Allocations {
		allocs[i] = supplierAllocationRow{PaymentID: row.ID, InvoiceID: a.InvoiceID, Amount: a.Amount}
	}
	if err := tx.Create(&allocs).Error; err != nil {
		return translate(err, "supplier payment allocation")
	}
	p.ID, p.CreatedAt = row.ID, row.CreatedAt
	return nil
}

func (r *SupplierPaymentStore) withAllocations(ctx context.Context, rows []supplierPaymentRow) ([]domain.Payment, error) {
	out := make([]domain.Payment, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]int64, len(rows))
	for i := range rows {
		ids[i] = rows[i].ID
	}
	var views []allocationView
	err := r.db.Gorm(ctx).Table("supplier_payment_allocations AS a").
		Select("a.payment_id, a.invoice_id, a.amount, i.ref").
		Joins("JOIN supplier_invoices i ON i.id = a.invoice_id").
		Where("a.payment_id IN ?", ids).Order("a.id").Scan(&views).Error
	if err != nil {
		return nil, translate(err, "supplier payment allocations")
	}
	allocs := map[int64][]domain.Allocation{}
	for _, v := range views {
		ref := deref(v.Ref)
		if ref == "" {
			ref = domain.ProvisionalRef(v.InvoiceID)
		}
		allocs[v.PaymentID] = append(allocs[v.PaymentID], domain.Allocation{InvoiceID: v.InvoiceID, Amount: v.Amount.Round(domain.ScaleTotal), InvoiceRef: ref})
	}
	for i := range rows {
		rw := &rows[i]
		out[i] = domain.Payment{ID: rw.ID, CustomerID: rw.SupplierID, Date: dateOf(rw.PayDate), Amount: rw.Amount.Round(domain.ScaleTotal),
			Method: domain.PaymentMethod(rw.Method), Reference: rw.Reference, Issuer: rw.Issuer, IssuerBank: rw.IssuerBank,
			BankAccountID: idOf(rw.BankAccountID), Note: rw.Note, CreatedBy: rw.CreatedBy,
			CreatedAt: rw.CreatedAt.UTC(), Allocations: allocs[rw.ID]}
	}
	return out, nil
}

// Get loads payment id with its allocations.
func (r *SupplierPaymentStore) Get(ctx context.Context, id int64) (*domain.Payment, error) {
	var row supplierPaymentRow
	if err := getByID(ctx, r.db, &row, "supplier payment", id); err != nil {
		return nil, err
	}
	ps, err := r.withAllocations(ctx, []supplierPaymentRow{row})
	if err != nil {
		return nil, err
	}
	return &ps[0], nil
}

var supplierPaymentList = listSpec{sorts: map[string]string{"id": "id", "date": "pay_date", "amount": "amount"}, search: []string{"reference"}}

// List lists payments matching f with their allocations.
func (r *SupplierPaymentStore) List(ctx context.Context, f purchasing.PaymentFilter) (domain.Page[domain.Payment], error) {
	q := r.db.Gorm(ctx).Model(&supplierPaymentRow{})
	if f.SupplierID != 0 {
		q = q.Where("supplier_id = ?", f.SupplierID)
	}
	if !f.From.IsZero() {
		q = q.Where("pay_date >= ?", dateOf(f.From))
	}
	if !f.To.IsZero() {
		q = q.Where("pay_date <= ?", dateOf(f.To))
	}
	var rows []supplierPaymentRow
	total, err := list(q, f.ListParams, supplierPaymentList, &rows)
	if err != nil {
		return domain.Page[domain.Payment]{}, translate(err, "supplier payments")
	}
	ps, err := r.withAllocations(ctx, rows)
	if err != nil {
		return domain.Page[domain.Payment]{}, err
	}
	return domain.Page[domain.Payment]{Items: ps, Total: total}, nil
}
