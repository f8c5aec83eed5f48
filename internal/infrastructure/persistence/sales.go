package persistence

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
)

// docCols are the columns proposals, orders and invoices share
// (migrations/*/000005_sales).
type docCols struct {
	Ref          *string        `gorm:"column:ref"` // NULL until the first validation
	CustomerID   int64          `gorm:"column:customer_id"`
	Status       int            `gorm:"column:status"`
	DocDate      time.Time      `gorm:"column:doc_date"`
	RefCustomer  string         `gorm:"column:ref_customer"`
	NotePublic   string         `gorm:"column:note_public"`
	NotePrivate  string         `gorm:"column:note_private"`
	Rounding     int            `gorm:"column:rounding"`
	TotalExclTax domain.Decimal `gorm:"column:total_excl_tax"`
	TotalVAT     domain.Decimal `gorm:"column:total_vat"`
	TotalInclTax domain.Decimal `gorm:"column:total_incl_tax"`
	WarehouseID  *int64         `gorm:"column:warehouse_id"`
	CreatedBy    int64          `gorm:"column:created_by"`
	ValidatedBy  int64          `gorm:"column:validated_by"`
	ValidatedAt  *time.Time     `gorm:"column:validated_at"`
	Version      int64          `gorm:"column:version"`
	CreatedAt    time.Time      `gorm:"column:created_at"`
	UpdatedAt    time.Time      `gorm:"column:updated_at"`
}

type proposalRow struct {
	ID         int64      `gorm:"primaryKey"`
	Doc        docCols    `gorm:"embedded"`
	ValidUntil time.Time  `gorm:"column:valid_until"`
	ClosedAt   *time.Time `gorm:"column:closed_at"`
	CloseNote  string     `gorm:"column:close_note"`
}

func (proposalRow) TableName() string { return "proposals" }

type orderRow struct {
	ID           int64      `gorm:"primaryKey"`
	Doc          docCols    `gorm:"embedded"`
	DeliveryDate *time.Time `gorm:"column:delivery_date"`
	ProposalID   *int64     `gorm:"column:proposal_id"`
	Billed       bool       `gorm:"column:billed"`
}

func (orderRow) TableName() string { return "orders" }

type invoiceRow struct {
	ID              int64          `gorm:"primaryKey"`
	Doc             docCols        `gorm:"embedded"`
	Type            int            `gorm:"column:type"`
	DueDate         time.Time      `gorm:"column:due_date"`
	SourceInvoiceID *int64         `gorm:"column:source_invoice_id"`
	OrderID         *int64         `gorm:"column:order_id"`
	ProposalID      *int64         `gorm:"column:proposal_id"`
	Paid            domain.Decimal `gorm:"column:paid"`
	CreditUsed      domain.Decimal `gorm:"column:credit_used"`
	CloseCode       string         `gorm:"column:close_code"`
	CloseNote       string         `gorm:"column:close_note"`
}

func (invoiceRow) TableName() string { return "invoices" }

type lineRow struct {
	ID              int64          `gorm:"primaryKey"`
	DocumentID      int64          `gorm:"column:document_id"`
	Position        int            `gorm:"column:position"`
	ProductID       *int64         `gorm:"column:product_id"`
	ProductType     int            `gorm:"column:product_type"`
	Description     string         `gorm:"column:description"`
	Quantity        domain.Decimal `gorm:"column:quantity"`
	UnitPrice       domain.Decimal `gorm:"column:unit_price"`
	DiscountPercent domain.Decimal `gorm:"column:discount_percent"`
	VATRate         domain.Decimal `gorm:"column:vat_rate"`
	TotalExclTax    domain.Decimal `gorm:"column:total_excl_tax"`
	TotalVAT        domain.Decimal `gorm:"column:total_vat"`
	TotalInclTax    domain.Decimal `gorm:"column:total_incl_tax"`
}

// lineTable is the line table of a kind; the three have the same shape.
func lineTable(kind domain.DocKind) string { return string(kind) + "_lines" }

func toDocCols(d *domain.Document, status int) docCols {
	return docCols{
		Ref: nullable(d.Ref), CustomerID: d.CustomerID, Status: status, DocDate: dateOf(d.Date), RefCustomer: d.RefCustomer,
		NotePublic: d.NotePublic, NotePrivate: d.NotePrivate, Rounding: int(d.Rounding),
		TotalExclTax: d.TotalExclTax, TotalVAT: d.TotalVAT, TotalInclTax: d.TotalInclTax, WarehouseID: optID(d.WarehouseID),
		CreatedBy: d.CreatedBy, ValidatedBy: d.ValidatedBy, ValidatedAt: optTime(d.ValidatedAt), Version: d.Version,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
}

func toDocument(id int64, c *docCols, lines []domain.Line) domain.Document {
	return domain.Document{
		ID: id, Ref: deref(c.Ref), CustomerID: c.CustomerID, Date: dateOf(c.DocDate), RefCustomer: c.RefCustomer,
		NotePublic: c.NotePublic, NotePrivate: c.NotePrivate, Rounding: domain.RoundingMode(c.Rounding), Lines: lines,
		TotalExclTax: c.TotalExclTax.Round(domain.ScaleTotal), TotalVAT: c.TotalVAT.Round(domain.ScaleTotal),
		TotalInclTax: c.TotalInclTax.Round(domain.ScaleTotal), WarehouseID: idOf(c.WarehouseID), CreatedBy: c.CreatedBy,
		ValidatedBy: c.ValidatedBy, ValidatedAt: timeOf(c.ValidatedAt), Version: c.Version,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
}

// docUpdate is the column map every Save writes: the common fields that
// may change after creation, the version bumped (saveDoc adds updated_at).
func docUpdate(d *domain.Document, status int) map[string]any {
	return map[string]any{
		"ref": nullable(d.Ref), "customer_id": d.CustomerID, "status": status, "doc_date": dateOf(d.Date),
		"ref_customer": d.RefCustomer, "note_public": d.NotePublic, "note_private": d.NotePrivate,
		"total_excl_tax": d.TotalExclTax, "total_vat": d.TotalVAT, "total_incl_tax": d.TotalInclTax,
		"warehouse_id": optID(d.WarehouseID), "validated_by": d.ValidatedBy, "validated_at": optTime(d.ValidatedAt),
		"version": d.Version + 1,
	}
}

func toLineRow(docID int64, l *domain.Line) lineRow {
	return lineRow{
		ID: l.ID, DocumentID: docID, Position: l.Position, ProductID: optID(l.ProductID), ProductType: int(l.ProductType),
		Description: l.Description, Quantity: l.Quantity, UnitPrice: l.UnitPrice, DiscountPercent: l.DiscountPercent,
		VATRate: l.VATRate, TotalExclTax: l.TotalExclTax, TotalVAT: l.TotalVAT, TotalInclTax: l.TotalInclTax,
	}
}

func toLine(r *lineRow) domain.Line {
	return domain.Line{
		ID: r.ID, Position: r.Position, ProductID: idOf(r.ProductID), ProductType: domain.ProductType(r.ProductType),
		Description: r.Description, Quantity: r.Quantity.Round(domain.ScaleQty), UnitPrice: r.UnitPrice.Round(domain.ScaleStored),
		DiscountPercent: r.DiscountPercent.Round(domain.ScaleRate), VATRate: r.VATRate.Round(domain.ScaleRate),
		TotalExclTax: r.TotalExclTax.Round(domain.ScaleTotal), TotalVAT: r.TotalVAT.Round(domain.ScaleTotal),
		TotalInclTax: r.TotalInclTax.Round(domain.ScaleTotal),
	}
}

// SalesRepo stores proposals, orders, invoices, their lines and events,
// payments, and draws document numbers.
type SalesRepo struct{ db *DB }

var _ sales.Repo = (*SalesRepo)(nil)

// NewSalesRepo returns the sales repository on db.
func NewSalesRepo(db *DB) *SalesRepo { return &SalesRepo{db: db} }

// SalesCatalog is the catalogue as the sales use case reads it: the
// catalogue repository plus a batch product lookup, so a document's lines
// cost one query whatever their number.
type SalesCatalog struct{ *CatalogRepo }

var _ sales.Catalog = SalesCatalog{}

// NewSalesCatalog returns the sales view of the catalogue on db.
func NewSalesCatalog(db *DB) SalesCatalog { return SalesCatalog{NewCatalogRepo(db)} }

// Products loads the products ids in one query.
func (c SalesCatalog) Products(ctx context.Context, ids []int64) (map[int64]*domain.Product, error) {
	var rows []productRow
	if err := c.db.Gorm(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, translate(err, "products")
	}
	out := make(map[int64]*domain.Product, len(rows))
	for i := range rows {
		p := toProduct(&rows[i])
		out[p.ID] = &p
	}
	return out, nil
}

// loadDoc reads row id of dest's table, locked FOR UPDATE when lock.
func (r *SalesRepo) loadDoc(ctx context.Context, dest any, what string, id int64, lock bool) error {
	q := r.db.Gorm(ctx)
	if lock {
		if !InTx(ctx) {
			return errNoTx
		}
		q = q.Clauses(forUpdate)
	}
	err := q.Where("id = ?", id).Take(dest).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return domain.E(domain.ErrNotFound, "not_found", "%s %d not found", what, id)
	}
	return translate(err, what)
}

// lineColumns is the column list lines are read with, in scanLine's order.
const lineColumns = "id, position, product_id, product_type, description, quantity, unit_price, discount_percent, " +
	"vat_rate, total_excl_tax, total_vat, total_incl_tax"

// lines reads a document's lines with plain database/sql scanning: a GET of
// a document is the API's hottest read and GORM's reflective scan of every
// line cost more than the query itself.
func (r *SalesRepo) lines(ctx context.Context, kind domain.DocKind, id int64) ([]domain.Line, error) {
	rows, err := r.db.Gorm(ctx).Raw("SELECT "+lineColumns+" FROM "+lineTable(kind)+" WHERE document_id = ? ORDER BY position, id", id).Rows()
	if err != nil {
		return nil, translate(err, string(kind)+" lines")
	}
	defer rows.Close()
	var out []domain.Line
	for rows.Next() {
		var (
			row     lineRow
			product sql.NullInt64
		)
		err := rows.Scan(&row.ID, &row.Position, &product, &row.ProductType, &row.Description, &row.Quantity, &row.UnitPrice,
			&row.DiscountPercent, &row.VATRate, &row.TotalExclTax, &row.TotalVAT, &row.TotalInclTax)
		if err != nil {
			return nil, translate(err, string(kind)+" lines")
		}
		if product.Valid {
			row.ProductID = &product.Int64
		}
		out = append(out, toLine(&row))
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, string(kind)+" lines")
	}
	return out, nil
}

// insertDoc inserts a header row then all its lines in one statement.
func (r *SalesRepo) insertDoc(ctx context.Context, kind domain.DocKind, row any, id func() int64, d *domain.Document) error {
	if err := r.db.Gorm(ctx).Create(row).Error; err != nil {
		return translate(err, string(kind))
	}
	d.ID = id()
	if len(d.Lines) == 0 {
		return nil
	}
	rows := make([]lineRow, len(d.Lines))
	for i := range d.Lines {
		d.Lines[i].Position = i + 1
		rows[i] = toLineRow(d.ID, &d.Lines[i])
	}
	if err := r.db.Gorm(ctx).Table(lineTable(kind)).Create(&rows).Error; err != nil {
		return translate(err, string(kind)+" line")
	}
	for i := range rows {
		d.Lines[i].ID = rows[i].ID
	}
	return nil
}

func stamp(d *domain.Document) {
	t := now()
	d.Version, d.CreatedAt, d.UpdatedAt = 1, t, t
}

func (r *SalesRepo) saveDoc(ctx context.Context, model any, kind domain.DocKind, d *domain.Document, cols map[string]any) error {
	// One clock reading for the row and the entity: the response to a
	// change shows the updated_at a later GET reads.
	t := now()
	cols["updated_at"] = t
	res := r.db.Gorm(ctx).Model(model).Where("id = ?", d.ID).Updates(cols)
	if res.Error != nil {
		return translate(res.Error, string(kind))
	}
	if res.RowsAffected != 1 {
		return domain.E(domain.ErrNotFound, "not_found", "%s %d not found", kind, d.ID)
	}
	d.Version++
	d.UpdatedAt = t
	return nil
}

// CreateInvoice stores a new invoice with its lines.
func (r *SalesRepo) CreateInvoice(ctx context.Context, inv *domain.Invoice) error {
	stamp(&inv.Document)
	row := invoiceRow{
		Doc: toDocCols(&inv.Document, int(inv.Status)), Type: int(inv.Type), DueDate: dateOf(inv.DueDate),
		SourceInvoiceID: optID(inv.SourceInvoiceID), OrderID: optID(inv.OrderID), ProposalID: optID(inv.ProposalID),
		Paid: inv.Paid, CreditUsed: inv.CreditUsed, CloseCode: string(inv.CloseCode), CloseNote: inv.CloseNote,
	}
	return r.insertDoc(ctx, domain.KindInvoice, &row, func() int64 { return row.ID }, &inv.Document)
}

func toInvoice(row *invoiceRow, lines []domain.Line) domain.Invoice {
	return domain.Invoice{
		Document: toDocument(row.ID, &row.Doc, lines), Type: domain.InvoiceType(row.Type), Status: domain.InvoiceStatus(row.Doc.Status),
		DueDate: dateOf(row.DueDate), SourceInvoiceID: idOf(row.SourceInvoiceID), OrderID: idOf(row.OrderID),
		ProposalID: idOf(row.ProposalID), Paid: row.Paid.Round(domain.ScaleTotal), CreditUsed: row.CreditUsed.Round(domain.ScaleTotal),
		CloseCode: domain.CloseCode(row.CloseCode), CloseNote: row.CloseNote,
	}
}

// invoiceColumns is the column list invoices are read with, in
// scanInvoice's order.
const invoiceColumns = "id, ref, customer_id, status, doc_date, ref_customer, note_public, note_private, rounding, " +
	"total_excl_tax, total_vat, total_incl_tax, warehouse_id, created_by, validated_by, validated_at, version, " +
	"created_at, updated_at, type, due_date, source_invoice_id, order_id, proposal_id, paid, credit_used, close_code, " +
	"close_note"

// scanInvoice reads one row of invoiceColumns; plain scanning, as for
// lines, because reading one invoice is the hottest path.
func scanInvoice(sc interface{ Scan(...any) error }) (invoiceRow, error) {
	var (
		row                               invoiceRow
		ref                               sql.NullString
		warehouse, source, order, propsal sql.NullInt64
		validated                         sql.NullTime
	)
	d := &row.Doc
	err := sc.Scan(&row.ID, &ref, &d.CustomerID, &d.Status, &d.DocDate, &d.RefCustomer, &d.NotePublic, &d.NotePrivate,
		&d.Rounding, &d.TotalExclTax, &d.TotalVAT, &d.TotalInclTax, &warehouse, &d.CreatedBy, &d.ValidatedBy, &validated,
		&d.Version, &d.CreatedAt, &d.UpdatedAt, &row.Type, &row.DueDate, &source, &order, &propsal, &row.Paid,
		&row.CreditUsed, &row.CloseCode, &row.CloseNote)
	if err != nil {
		return row, err
	}
	if ref.Valid {
		d.Ref = &ref.String
	}
	if validated.Valid {
		d.ValidatedAt = &validated.Time
	}
	for _, n := range []struct {
		src sql.NullInt64
		dst **int64
	}{{warehouse, &d.WarehouseID}, {source, &row.SourceInvoiceID}, {order, &row.OrderID}, {propsal, &row.ProposalID}} {
		if n.src.Valid {
			v := n.src.Int64
			*n.dst = &v
		}
	}
	return row, nil
}

// Invoice loads invoice id with its lines, locked when lock.
func (r *SalesRepo) Invoice(ctx context.Context, id int64, lock bool) (*domain.Invoice, error) {
	q := "SELECT " + invoiceColumns + " FROM invoices WHERE id = ?"
	if lock {
		if !InTx(ctx) {
			return nil, errNoTx
		}
		// SQLite has no FOR UPDATE: its transaction holds the write lock.
		if !r.db.Dialect().SingleWriter() {
			q += " FOR UPDATE"
		}
	}
	row, err := scanInvoice(r.db.Gorm(ctx).Raw(q, id).Row())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.E(domain.ErrNotFound, "not_found", "invoice %d not found", id)
	}
	if err != nil {
		return nil, translate(err, "invoice")
	}
	lines, err := r.lines(ctx, domain.KindInvoice, id)
	if err != nil {
		return nil, err
	}
	inv := toInvoice(&row, lines)
	return &inv, nil
}

// SaveInvoice writes the invoice's fields (not its lines).
func (r *SalesRepo) SaveInvoice(ctx context.Context, inv *domain.Invoice) error {
	cols := docUpdate(&inv.Document, int(inv.Status))
	cols["due_date"] = dateOf(inv.DueDate)
	cols["paid"] = inv.Paid
	cols["credit_used"] = inv.CreditUsed
	cols["close_code"] = string(inv.CloseCode)
	cols["close_note"] = inv.CloseNote
	return r.saveDoc(ctx, &invoiceRow{}, domain.KindInvoice, &inv.Document, cols)
}

// DeleteInvoice deletes an invoice and (by cascade) its lines.
func (r *SalesRepo) DeleteInvoice(ctx context.Context, id int64) error {
	return deleteByID(ctx, r.db, &invoiceRow{}, "invoice", id)
}

// LockInvoices locks the invoices ids FOR UPDATE in id order, without
// their lines.
func (r *SalesRepo) LockInvoices(ctx context.Context, ids []int64) ([]*domain.Invoice, error) {
	if !InTx(ctx) {
		return nil, errNoTx
	}
	var rows []invoiceRow
	if err := r.db.Gorm(ctx).Clauses(forUpdate).Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "invoices")
	}
	out := make([]*domain.Invoice, len(rows))
	for i := range rows {
		inv := toInvoice(&rows[i], nil)
		out[i] = &inv
	}
	return out, nil
}

var documentList = listSpec{
	sorts:  map[string]string{"id": "id", "ref": "ref", "date": "doc_date", "total_incl_tax": "total_incl_tax", "status": "status"},
	search: []string{"ref", "ref_customer"},
}

func filterDocs(q *gorm.DB, f sales.Filter) *gorm.DB {
	if f.Status != nil {
		q = q.Where("status = ?", *f.Status)
	}
	if f.CustomerID != 0 {
		q = q.Where("customer_id = ?", f.CustomerID)
	}
	if !f.From.IsZero() {
		q = q.Where("doc_date >= ?", dateOf(f.From))
	}
	if !f.To.IsZero() {
		q = q.Where("doc_date <= ?", dateOf(f.To))
	}
	return q
}

// Invoices lists invoices matching f, without lines.
func (r *SalesRepo) Invoices(ctx context.Context, f sales.Filter) (domain.Page[domain.Invoice], error) {
	q := filterDocs(r.db.Gorm(ctx).Model(&invoiceRow{}), f)
	if f.InvoiceType != nil {
		q = q.Where("type = ?", int(*f.InvoiceType))
	}
	var rows []invoiceRow
	total, err := list(q, f.ListParams, documentList, &rows)
	if err != nil {
		return domain.Page[domain.Invoice]{}, translate(err, "invoices")
	}
	out := make([]domain.Invoice, len(rows))
	for i := range rows {
		out[i] = toInvoice(&rows[i], nil)
	}
	return domain.Page[domain.Invoice]{Items: out, Total: total}, nil
}

// CreateOrder stores a new order with its lines.
func (r *SalesRepo) CreateOrder(ctx context.Context, o *domain.Order) error {
	stamp(&o.Document)
	row := orderRow{Doc: toDocCols(&o.Document, int(o.Status)), DeliveryDate: optDate(o.DeliveryDate),
		ProposalID: optID(o.ProposalID), Billed: o.Billed}
	return r.insertDoc(ctx, domain.KindOrder, &row, func() int64 { return row.ID }, &o.Document)
}

func toOrder(row *orderRow, lines []domain.Line) domain.Order {
	var delivery time.Time
	if row.DeliveryDate != nil {
		delivery = dateOf(*row.DeliveryDate)
	}
	return domain.Order{Document: toDocument(row.ID, &row.Doc, lines), Status: domain.OrderStatus(row.Doc.Status),
		DeliveryDate: delivery, ProposalID: idOf(row.ProposalID), Billed: row.Billed}
}

// Order loads order id with its lines, locked when lock.
func (r *SalesRepo) Order(ctx context.Context, id int64, lock bool) (*domain.Order, error) {
	var row orderRow
	if err := r.loadDoc(ctx, &row, "order", id, lock); err != nil {
		return nil, err
	}
	lines, err := r.lines(ctx, domain.KindOrder, id)
	if err != nil {
		return nil, err
	}
	o := toOrder(&row, lines)
	return &o, nil
}

// SaveOrder writes the order's fields (not its lines).
func (r *SalesRepo) SaveOrder(ctx context.Context, o *domain.Order) error {
	cols := docUpdate(&o.Document, int(o.Status))
	cols["delivery_date"] = optDate(o.DeliveryDate)
	cols["billed"] = o.Billed
	return r.saveDoc(ctx, &orderRow{}, domain.KindOrder, &o.Document, cols)
}

// DeleteOrder deletes an order and its lines.
func (r *SalesRepo) DeleteOrder(ctx context.Context, id int64) error {
	return deleteByID(ctx, r.db, &orderRow{}, "order", id)
}

// Orders lists orders matching f, without lines.
func (r *SalesRepo) Orders(ctx context.Context, f sales.Filter) (domain.Page[domain.Order], error) {
	q := filterDocs(r.db.Gorm(ctx).Model(&orderRow{}), f)
	var rows []orderRow
	total, err := list(q, f.ListParams, documentList, &rows)
	if err != nil {
		return domain.Page[domain.Order]{}, translate(err, "orders")
	}
	out := make([]domain.Order, len(rows))
	for i := range rows {
		out[i] = toOrder(&rows[i], nil)
	}
	return domain.Page[domain.Order]{Items: out, Total: total}, nil
}

// CreateProposal stores a new proposal with its lines.
func (r *SalesRepo) CreateProposal(ctx context.Context, p *domain.Proposal) error {
	stamp(&p.Document)
	row := proposalRow{Doc: toDocCols(&p.Document, int(p.Status)), ValidUntil: dateOf(p.ValidUntil),
		ClosedAt: optTime(p.ClosedAt), CloseNote: p.CloseNote}
	return r.insertDoc(ctx, domain.KindProposal, &row, func() int64 { return row.ID }, &p.Document)
}

func toProposal(row *proposalRow, lines []domain.Line) domain.Proposal {
	return domain.Proposal{Document: toDocument(row.ID, &row.Doc, lines), Status: domain.ProposalStatus(row.Doc.Status),
		ValidUntil: dateOf(row.ValidUntil), ClosedAt: timeOf(row.ClosedAt), CloseNote: row.CloseNote}
}

// Proposal loads proposal id with its lines, locked when lock.
func (r *SalesRepo) Proposal(ctx context.Context, id int64, lock bool) (*domain.Proposal, error) {
	var row proposalRow
	if err := r.loadDoc(ctx, &row, "proposal", id, lock); err != nil {
		return nil, err
	}
	lines, err := r.lines(ctx, domain.KindProposal, id)
	if err != nil {
		return nil, err
	}
	p := toProposal(&row, lines)
	return &p, nil
}

// SaveProposal writes the proposal's fields (not its lines).
func (r *SalesRepo) SaveProposal(ctx context.Context, p *domain.Proposal) error {
	cols := docUpdate(&p.Document, int(p.Status))
	cols["valid_until"] = dateOf(p.ValidUntil)
	cols["closed_at"] = optTime(p.ClosedAt)
	cols["close_note"] = p.CloseNote
	return r.saveDoc(ctx, &proposalRow{}, domain.KindProposal, &p.Document, cols)
}

// DeleteProposal deletes a proposal and its lines.
func (r *SalesRepo) DeleteProposal(ctx context.Context, id int64) error {
	return deleteByID(ctx, r.db, &proposalRow{}, "proposal", id)
}

// Proposals lists proposals matching f, without lines.
func (r *SalesRepo) Proposals(ctx context.Context, f sales.Filter) (domain.Page[domain.Proposal], error) {
	q := filterDocs(r.db.Gorm(ctx).Model(&proposalRow{}), f)
	var rows []proposalRow
	total, err := list(q, f.ListParams, documentList, &rows)
	if err != nil {
		return domain.Page[domain.Proposal]{}, translate(err, "proposals")
	}
	out := make([]domain.Proposal, len(rows))
	for i := range rows {
		out[i] = toProposal(&rows[i], nil)
	}
	return domain.Page[domain.Proposal]{Items: out, Total: total}, nil
}

// InsertLine inserts l on document docID of kind and sets its id.
func (r *SalesRepo) InsertLine(ctx context.Context, kind domain.DocKind, docID int64, l *domain.Line) error {
	row := toLineRow(docID, l)
	if err := r.db.Gorm(ctx).Table(lineTable(kind)).Create(&row).Error; err != nil {
		return translate(err, string(kind)+" line")
	}
	l.ID = row.ID
	return nil
}

// UpdateLine rewrites line l of document docID.
func (r *SalesRepo) UpdateLine(ctx context.Context, kind domain.DocKind, docID int64, l *domain.Line) error {
	row := toLineRow(docID, l)
	res := r.db.Gorm(ctx).Table(lineTable(kind)).Where("id = ? AND document_id = ?", l.ID, docID).Updates(map[string]any{
		"position": row.Position, "product_id": row.ProductID, "product_type": row.ProductType, "description": row.Description,
		"quantity": row.Quantity, "unit_price": row.UnitPrice, "discount_percent": row.DiscountPercent, "vat_rate": row.VATRate,
		"total_excl_tax": row.TotalExclTax, "total_vat": row.TotalVAT, "total_incl_tax": row.TotalInclTax,
	})
	if res.Error != nil {
		return translate(res.Error, string(kind)+" line")
	}
	if res.RowsAffected != 1 {
		return domain.E(domain.ErrNotFound, "line_not_found", "line %d not found", l.ID)
	}
	return nil
}

// DeleteLine deletes line lineID of document docID.
func (r *SalesRepo) DeleteLine(ctx context.Context, kind domain.DocKind, docID, lineID int64) error {
	res := r.db.Gorm(ctx).Table(lineTable(kind)).Where("id = ? AND document_id = ?", lineID, docID).Delete(&lineRow{})
	if res.Error != nil {
		return translate(res.Error, string(kind)+" line")
	}
	if res.RowsAffected != 1 {
		return domain.E(domain.ErrNotFound, "line_not_found", "line %d not found", lineID)
	}
	return nil
}

type eventRow struct {
	ID         int64 `gorm:"primaryKey"`
	DocKind    string
	DocumentID int64
	Action     string
	FromStatus string
	ToStatus   string
	UserID     int64
	Note       string
	CreatedAt  time.Time
}

func (eventRow) TableName() string { return "document_events" }

// AddEvent appends e to the event log and sets its id.
func (r *SalesRepo) AddEvent(ctx context.Context, e *domain.DocEvent) error {
	row := eventRow{DocKind: string(e.Kind), DocumentID: e.DocumentID, Action: e.Action, FromStatus: e.From, ToStatus: e.To,
		UserID: e.UserID, Note: e.Note, CreatedAt: e.At.UTC().Truncate(time.Microsecond)}
	if row.CreatedAt.IsZero() {
		row.CreatedAt = now()
	}
	if err := r.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, "document event")
	}
	e.ID, e.At = row.ID, row.CreatedAt
	return nil
}

// Events lists a document's events, oldest first.
func (r *SalesRepo) Events(ctx context.Context, kind domain.DocKind, docID int64) ([]domain.DocEvent, error) {
	var rows []eventRow
	err := r.db.Gorm(ctx).Where("doc_kind = ? AND document_id = ?", string(kind), docID).Order("id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "document events")
	}
	out := make([]domain.DocEvent, len(rows))
	for i, row := range rows {
		out[i] = domain.DocEvent{ID: row.ID, Kind: domain.DocKind(row.DocKind), DocumentID: row.DocumentID, Action: row.Action,
			From: row.FromStatus, To: row.ToStatus, UserID: row.UserID, Note: row.Note, At: row.CreatedAt.UTC()}
	}
	return out, nil
}
