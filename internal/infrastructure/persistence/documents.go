package persistence

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
)

// docCols are the columns every document table shares
// (migrations/*/000005_sales), embedded in each kind's row as its Doc
// field. The row struct
// is the one description of a table: GORM reads it, inserts it whole, and
// updates every column but those tagged <-:create, which are written at
// creation only. The timestamps are the use case's clock's: GORM's own
// autoCreateTime and autoUpdateTime are off.
type docCols struct {
	ID           int64          `gorm:"primaryKey"`
	Ref          *string        `gorm:"column:ref"` // NULL until the first validation
	CustomerID   int64          `gorm:"column:customer_id"`
	Status       int            `gorm:"column:status"`
	DocDate      time.Time      `gorm:"column:doc_date"`
	RefCustomer  string         `gorm:"column:ref_customer"`
	NotePublic   string         `gorm:"column:note_public"`
	NotePrivate  string         `gorm:"column:note_private"`
	Rounding     int            `gorm:"column:rounding;<-:create"`
	TotalExclTax domain.Decimal `gorm:"column:total_excl_tax"`
	TotalVAT     domain.Decimal `gorm:"column:total_vat"`
	TotalInclTax domain.Decimal `gorm:"column:total_incl_tax"`
	WarehouseID  *int64         `gorm:"column:warehouse_id"`
	CreatedBy    int64          `gorm:"column:created_by;<-:create"`
	ValidatedBy  int64          `gorm:"column:validated_by"`
	ValidatedAt  *time.Time     `gorm:"column:validated_at"`
	Version      int64          `gorm:"column:version"`
	CreatedAt    time.Time      `gorm:"column:created_at;<-:create;autoCreateTime:false"`
	UpdatedAt    time.Time      `gorm:"column:updated_at;autoUpdateTime:false"`
}

func toDocCols(d *domain.Document, status int) docCols {
	return docCols{
		ID: d.ID, Ref: nullable(d.Ref), CustomerID: d.CustomerID, Status: status, DocDate: dateOf(d.Date), RefCustomer: d.RefCustomer,
		NotePublic: d.NotePublic, NotePrivate: d.NotePrivate, Rounding: int(d.Rounding),
		TotalExclTax: d.TotalExclTax, TotalVAT: d.TotalVAT, TotalInclTax: d.TotalInclTax, WarehouseID: optID(d.WarehouseID),
		CreatedBy: d.CreatedBy, ValidatedBy: d.ValidatedBy, ValidatedAt: optTime(d.ValidatedAt), Version: d.Version,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
	}
}

func toDocument(c *docCols, lines []domain.Line) domain.Document {
	return domain.Document{
		ID: c.ID, Ref: deref(c.Ref), CustomerID: c.CustomerID, Date: dateOf(c.DocDate), RefCustomer: c.RefCustomer,
		NotePublic: c.NotePublic, NotePrivate: c.NotePrivate, Rounding: domain.RoundingMode(c.Rounding), Lines: lines,
		TotalExclTax: c.TotalExclTax.Round(domain.ScaleTotal), TotalVAT: c.TotalVAT.Round(domain.ScaleTotal),
		TotalInclTax: c.TotalInclTax.Round(domain.ScaleTotal), WarehouseID: idOf(c.WarehouseID), CreatedBy: c.CreatedBy,
		ValidatedBy: c.ValidatedBy, ValidatedAt: timeOf(c.ValidatedAt), Version: c.Version,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
}

// lineRow is a row of a document's line table; the line tables of every
// kind have this shape (<kind>_lines).
type lineRow struct {
	ID              int64          `gorm:"primaryKey"`
	DocumentID      int64          `gorm:"column:document_id;<-:create"`
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

// docRow is a pointer to one kind's row type R, which gives the generic
// store its shared columns.
type docRow[R any] interface {
	*R
	cols() *docCols
}

// docStore stores the documents D of one kind, kept in the rows R of its
// table and the lines of its line table, through GORM models only. Each
// kind embeds it and adds its list (sales.ProposalStore and its siblings).
type docStore[D domain.CommercialDocument, R any, P docRow[R]] struct {
	db   *DB
	kind domain.DocKind
	// toRow and toDoc convert between the entity and the row; toDoc
	// takes the lines read separately (nil in lists).
	toRow func(d D) R
	toDoc func(r *R, lines []domain.Line) D
	// noLines is set for a kind whose lines are not domain.Lines (a
	// reception's): its store reads and writes them itself.
	noLines bool
}

// lineTable is the line table of the kind.
func (s docStore[D, R, P]) lineTable() string { return string(s.kind) + "_lines" }

func (s docStore[D, R, P]) notFound(id int64) error {
	return domain.E(domain.ErrNotFound, "not_found", "%s %d not found", s.kind, id)
}

// Get loads document id with its lines.
func (s docStore[D, R, P]) Get(ctx context.Context, id int64) (D, error) {
	return s.load(ctx, s.db.Gorm(ctx), id)
}

// Lock loads document id with its lines after locking its row FOR UPDATE
// (SQLite: the transaction holds the write lock already).
func (s docStore[D, R, P]) Lock(ctx context.Context, id int64) (D, error) {
	if !InTx(ctx) {
		var none D
		return none, errNoTx
	}
	return s.load(ctx, s.db.Gorm(ctx).Clauses(forUpdate), id)
}

func (s docStore[D, R, P]) load(ctx context.Context, q *gorm.DB, id int64) (D, error) {
	var none D
	var row R
	err := q.Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return none, s.notFound(id)
	}
	if err != nil {
		return none, translate(err, string(s.kind))
	}
	if s.noLines {
		return s.toDoc(&row, nil), nil
	}
	lines, err := s.lines(ctx, id)
	if err != nil {
		return none, err
	}
	return s.toDoc(&row, lines), nil
}

// lines reads a document's lines in order.
func (s docStore[D, R, P]) lines(ctx context.Context, id int64) ([]domain.Line, error) {
	var rows []lineRow
	err := s.db.Gorm(ctx).Table(s.lineTable()).Where("document_id = ?", id).Order("position, id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, string(s.kind)+" lines")
	}
	out := make([]domain.Line, len(rows))
	for i := range rows {
		out[i] = toLine(&rows[i])
	}
	return out, nil
}

// Create inserts the document's row at version 1, with the timestamps it
// carries, then all its lines in one statement, and sets the ids.
func (s docStore[D, R, P]) Create(ctx context.Context, d D) error {
	h := d.Header()
	h.Version = 1
	row := s.toRow(d)
	P(&row).cols().ID = 0 // a new row; d may carry the id of an attempt Do rolled back
	if err := s.db.Gorm(ctx).Create(&row).Error; err != nil {
		return translate(err, string(s.kind))
	}
	h.ID = P(&row).cols().ID
	if len(h.Lines) == 0 {
		return nil
	}
	rows := make([]lineRow, len(h.Lines))
	for i := range h.Lines {
		h.Lines[i].Position = i + 1
		rows[i] = toLineRow(h.ID, &h.Lines[i])
		rows[i].ID = 0 // new rows; d may carry the ids of an attempt Do rolled back
	}
	if err := s.db.Gorm(ctx).Table(s.lineTable()).Create(&rows).Error; err != nil {
		return translate(err, string(s.kind)+" line")
	}
	for i := range rows {
		h.Lines[i].ID = rows[i].ID
	}
	return nil
}

// Save writes the document's row (not its lines) at the next version: every
// column but the creation-only ones, updated_at as the entity carries it.
func (s docStore[D, R, P]) Save(ctx context.Context, d D) error {
	h := d.Header()
	row := s.toRow(d)
	P(&row).cols().Version = h.Version + 1
	res := s.db.Gorm(ctx).Model(&row).Select("*").Updates(&row)
	if res.Error != nil {
		return translate(res.Error, string(s.kind))
	}
	if res.RowsAffected != 1 {
		return s.notFound(h.ID)
	}
	h.Version++
	return nil
}

// Delete deletes document id and (by cascade) its lines.
func (s docStore[D, R, P]) Delete(ctx context.Context, id int64) error {
	return deleteByID(ctx, s.db, P(new(R)), string(s.kind), id)
}

// InsertLine inserts l on document docID and sets its id.
func (s docStore[D, R, P]) InsertLine(ctx context.Context, docID int64, l *domain.Line) error {
	row := toLineRow(docID, l)
	row.ID = 0 // a new row; l may carry the id of an attempt Do rolled back
	if err := s.db.Gorm(ctx).Table(s.lineTable()).Create(&row).Error; err != nil {
		return translate(err, string(s.kind)+" line")
	}
	l.ID = row.ID
	return nil
}

// UpdateLine rewrites line l of document docID.
func (s docStore[D, R, P]) UpdateLine(ctx context.Context, docID int64, l *domain.Line) error {
	row := toLineRow(docID, l)
	res := s.db.Gorm(ctx).Table(s.lineTable()).Model(&row).Where("document_id = ?", docID).Select("*").Updates(&row)
	if res.Error != nil {
		return translate(res.Error, string(s.kind)+" line")
	}
	if res.RowsAffected != 1 {
		return domain.E(domain.ErrNotFound, "line_not_found", "line %d not found", l.ID)
	}
	return nil
}

// DeleteLine deletes line lineID of document docID.
func (s docStore[D, R, P]) DeleteLine(ctx context.Context, docID, lineID int64) error {
	res := s.db.Gorm(ctx).Table(s.lineTable()).Where("id = ? AND document_id = ?", lineID, docID).Delete(&lineRow{})
	if res.Error != nil {
		return translate(res.Error, string(s.kind)+" line")
	}
	if res.RowsAffected != 1 {
		return domain.E(domain.ErrNotFound, "line_not_found", "line %d not found", lineID)
	}
	return nil
}

var documentList = listSpec{
	sorts:  map[string]string{"id": "id", "ref": "ref", "date": "doc_date", "total_incl_tax": "total_incl_tax", "status": "status"},
	search: []string{"ref", "ref_customer"},
}

// list reads the rows of a document list without lines: f's common
// filters, then more (a kind's own, may be nil).
func (s docStore[D, R, P]) list(ctx context.Context, f sales.Filter, more func(q *gorm.DB) *gorm.DB) ([]R, int64, error) {
	q := s.db.Gorm(ctx).Model(P(new(R)))
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
	if more != nil {
		q = more(q)
	}
	var rows []R
	total, err := list(q, f.ListParams, documentList, &rows)
	if err != nil {
		return nil, 0, translate(err, string(s.kind)+"s")
	}
	return rows, total, nil
}
