package persistence

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
)

// The sales documents: one row type per table, each the one description
// of its columns (see docCols), and one store per kind on the generic
// docStore.

type proposalRow struct {
	Doc        docCols    `gorm:"embedded"`
	ValidUntil time.Time  `gorm:"column:valid_until"`
	ClosedAt   *time.Time `gorm:"column:closed_at"`
	CloseNote  string     `gorm:"column:close_note"`
}

func (r *proposalRow) cols() *docCols { return &r.Doc }

func (proposalRow) TableName() string { return "proposals" }

func toProposalRow(p *domain.Proposal) proposalRow {
	return proposalRow{Doc: toDocCols(&p.Document, int(p.Status)), ValidUntil: dateOf(p.ValidUntil),
		ClosedAt: optTime(p.ClosedAt), CloseNote: p.CloseNote}
}

func toProposal(row *proposalRow, lines []domain.Line) *domain.Proposal {
	return &domain.Proposal{Document: toDocument(&row.Doc, lines), Status: domain.ProposalStatus(row.Doc.Status),
		ValidUntil: dateOf(row.ValidUntil), ClosedAt: timeOf(row.ClosedAt), CloseNote: row.CloseNote}
}

type orderRow struct {
	Doc          docCols    `gorm:"embedded"`
	DeliveryDate *time.Time `gorm:"column:delivery_date"`
	ProposalID   *int64     `gorm:"column:proposal_id;<-:create"`
	Billed       bool       `gorm:"column:billed"`
}

func (r *orderRow) cols() *docCols { return &r.Doc }

func (orderRow) TableName() string { return "orders" }

func toOrderRow(o *domain.Order) orderRow {
	return orderRow{Doc: toDocCols(&o.Document, int(o.Status)), DeliveryDate: optDate(o.DeliveryDate),
		ProposalID: optID(o.ProposalID), Billed: o.Billed}
}

func toOrder(row *orderRow, lines []domain.Line) *domain.Order {
	var delivery time.Time
	if row.DeliveryDate != nil {
		delivery = dateOf(*row.DeliveryDate)
	}
	return &domain.Order{Document: toDocument(&row.Doc, lines), Status: domain.OrderStatus(row.Doc.Status),
		DeliveryDate: delivery, ProposalID: idOf(row.ProposalID), Billed: row.Billed}
}

type invoiceRow struct {
	Doc             docCols        `gorm:"embedded"`
	Type            int            `gorm:"column:type;<-:create"`
	DueDate         time.Time      `gorm:"column:due_date"`
	SourceInvoiceID *int64         `gorm:"column:source_invoice_id;<-:create"`
	OrderID         *int64         `gorm:"column:order_id;<-:create"`
	ProposalID      *int64         `gorm:"column:proposal_id;<-:create"`
	Paid            domain.Decimal `gorm:"column:paid"`
	CreditUsed      domain.Decimal `gorm:"column:credit_used"`
	CloseCode       string         `gorm:"column:close_code"`
	CloseNote       string         `gorm:"column:close_note"`
}

func (r *invoiceRow) cols() *docCols { return &r.Doc }

func (invoiceRow) TableName() string { return "invoices" }

func toInvoiceRow(inv *domain.Invoice) invoiceRow {
	return invoiceRow{
		Doc: toDocCols(&inv.Document, int(inv.Status)), Type: int(inv.Type), DueDate: dateOf(inv.DueDate),
		SourceInvoiceID: optID(inv.SourceInvoiceID), OrderID: optID(inv.OrderID), ProposalID: optID(inv.ProposalID),
		Paid: inv.Paid, CreditUsed: inv.CreditUsed, CloseCode: string(inv.CloseCode), CloseNote: inv.CloseNote,
	}
}

func toInvoice(row *invoiceRow, lines []domain.Line) *domain.Invoice {
	return &domain.Invoice{
		Document: toDocument(&row.Doc, lines), Type: domain.InvoiceType(row.Type), Status: domain.InvoiceStatus(row.Doc.Status),
		DueDate: dateOf(row.DueDate), SourceInvoiceID: idOf(row.SourceInvoiceID), OrderID: idOf(row.OrderID),
		ProposalID: idOf(row.ProposalID), Paid: row.Paid.Round(domain.ScaleTotal), CreditUsed: row.CreditUsed.Round(domain.ScaleTotal),
		CloseCode: domain.CloseCode(row.CloseCode), CloseNote: row.CloseNote,
	}
}

// ProposalStore stores proposals and their lines.
type ProposalStore struct {
	docStore[*domain.Proposal, proposalRow, *proposalRow]
}

var _ sales.ProposalStore = (*ProposalStore)(nil)

// NewProposalStore returns the proposal store on db.
func NewProposalStore(db *DB) *ProposalStore {
	return &ProposalStore{docStore[*domain.Proposal, proposalRow, *proposalRow]{db: db, kind: domain.KindProposal,
		toRow: toProposalRow, toDoc: toProposal}}
}

// List lists proposals matching f, without lines.
func (s *ProposalStore) List(ctx context.Context, f sales.Filter) (domain.Page[domain.Proposal], error) {
	rows, total, err := s.list(ctx, f, nil)
	if err != nil {
		return domain.Page[domain.Proposal]{}, err
	}
	out := make([]domain.Proposal, len(rows))
	docs := make([]*domain.Document, len(rows))
	for i := range rows {
		out[i] = *toProposal(&rows[i], nil)
		docs[i] = &out[i].Document
	}
	if err := customerNames(ctx, s.db, docs); err != nil {
		return domain.Page[domain.Proposal]{}, err
	}
	return domain.Page[domain.Proposal]{Items: out, Total: total}, nil
}

// OrderStore stores orders and their lines.
type OrderStore struct {
	docStore[*domain.Order, orderRow, *orderRow]
}

var _ sales.OrderStore = (*OrderStore)(nil)

// NewOrderStore returns the order store on db.
func NewOrderStore(db *DB) *OrderStore {
	return &OrderStore{docStore[*domain.Order, orderRow, *orderRow]{db: db, kind: domain.KindOrder,
		toRow: toOrderRow, toDoc: toOrder}}
}

// List lists orders matching f, without lines.
func (s *OrderStore) List(ctx context.Context, f sales.Filter) (domain.Page[domain.Order], error) {
	rows, total, err := s.list(ctx, f, nil)
	if err != nil {
		return domain.Page[domain.Order]{}, err
	}
	out := make([]domain.Order, len(rows))
	docs := make([]*domain.Document, len(rows))
	for i := range rows {
		out[i] = *toOrder(&rows[i], nil)
		docs[i] = &out[i].Document
	}
	if err := customerNames(ctx, s.db, docs); err != nil {
		return domain.Page[domain.Order]{}, err
	}
	return domain.Page[domain.Order]{Items: out, Total: total}, nil
}

// InvoiceStore stores invoices and credit notes and their lines.
type InvoiceStore struct {
	docStore[*domain.Invoice, invoiceRow, *invoiceRow]
}

var _ sales.InvoiceStore = (*InvoiceStore)(nil)

// NewInvoiceStore returns the invoice store on db.
func NewInvoiceStore(db *DB) *InvoiceStore {
	return &InvoiceStore{docStore[*domain.Invoice, invoiceRow, *invoiceRow]{db: db, kind: domain.KindInvoice,
		toRow: toInvoiceRow, toDoc: toInvoice}}
}

// List lists invoices matching f, without lines.
func (s *InvoiceStore) List(ctx context.Context, f sales.Filter) (domain.Page[domain.Invoice], error) {
	rows, total, err := s.list(ctx, f, func(q *gorm.DB) *gorm.DB {
		if f.InvoiceType != nil {
			q = q.Where("type = ?", int(*f.InvoiceType))
		}
		return q
	})
	if err != nil {
		return domain.Page[domain.Invoice]{}, err
	}
	out := make([]domain.Invoice, len(rows))
	docs := make([]*domain.Document, len(rows))
	for i := range rows {
		out[i] = *toInvoice(&rows[i], nil)
		docs[i] = &out[i].Document
	}
	if err := customerNames(ctx, s.db, docs); err != nil {
		return domain.Page[domain.Invoice]{}, err
	}
	return domain.Page[domain.Invoice]{Items: out, Total: total}, nil
}

// LockMany locks the invoices ids FOR UPDATE in id order, without their
// lines.
func (s *InvoiceStore) LockMany(ctx context.Context, ids []int64) ([]*domain.Invoice, error) {
	if !InTx(ctx) {
		return nil, errNoTx
	}
	var rows []invoiceRow
	if err := s.db.Gorm(ctx).Clauses(forUpdate).Where("id IN ?", ids).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "invoices")
	}
	out := make([]*domain.Invoice, len(rows))
	for i := range rows {
		out[i] = toInvoice(&rows[i], nil)
	}
	return out, nil
}

// DocumentCatalog is the catalogue as commercial documents read it: third
// parties, and a batch product lookup so a document's lines cost one query
// whatever their number.
type DocumentCatalog struct{ *CatalogRepo }

var (
	_ sales.Customers  = DocumentCatalog{}
	_ document.Catalog = DocumentCatalog{}
)

// NewDocumentCatalog returns the documents' view of the catalogue on db.
func NewDocumentCatalog(db *DB) DocumentCatalog { return DocumentCatalog{NewCatalogRepo(db)} }

// Products loads the products ids in one query.
func (c DocumentCatalog) Products(ctx context.Context, ids []int64) (map[int64]*domain.Product, error) {
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

// customerNames fills the customer name of listed documents, in one query
// for the page: a list shows who each document is for.
func customerNames(ctx context.Context, db *DB, docs []*domain.Document) error {
	if len(docs) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(docs))
	seen := map[int64]bool{}
	for _, d := range docs {
		if !seen[d.CustomerID] {
			seen[d.CustomerID] = true
			ids = append(ids, d.CustomerID)
		}
	}
	var rows []struct {
		ID   int64
		Name string
	}
	if err := db.Gorm(ctx).Table("thirdparties").Select("id, name").Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return translate(err, "third party")
	}
	names := make(map[int64]string, len(rows))
	for _, r := range rows {
		names[r.ID] = r.Name
	}
	for _, d := range docs {
		d.CustomerName = names[d.CustomerID]
	}
	return nil
}
