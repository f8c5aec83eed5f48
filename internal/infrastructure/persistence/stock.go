package persistence

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

type stockRow struct {
	ID          int64 `gorm:"primaryKey"`
	ProductID   int64
	WarehouseID int64
	Quantity    domain.Decimal
	UpdatedAt   time.Time
}

func (stockRow) TableName() string { return "product_stock" }

type movementRow struct {
	ID            int64 `gorm:"primaryKey"`
	ProductID     int64
	WarehouseID   int64
	Quantity      domain.Decimal
	UnitPrice     domain.Decimal
	Kind          int
	Label         string
	InventoryCode string
	OriginType    string
	OriginID      int64
	CreatedAt     time.Time
}

func (movementRow) TableName() string { return "stock_movements" }

func toMovement(r *movementRow) domain.Movement {
	return domain.Movement{
		ID: r.ID, ProductID: r.ProductID, WarehouseID: r.WarehouseID, Quantity: r.Quantity.Round(domain.ScaleQty),
		UnitPrice: r.UnitPrice.Round(domain.ScaleUnit), Kind: domain.MovementKind(r.Kind), Label: r.Label,
		InventoryCode: r.InventoryCode, OriginType: r.OriginType, OriginID: r.OriginID, CreatedAt: r.CreatedAt.UTC(),
	}
}

// forUpdate is the row lock every stock change takes: SELECT ... FOR
// UPDATE on PostgreSQL and MySQL. GORM's SQLite dialect drops it; there the
// transaction began with BEGIN IMMEDIATE and already holds the database's
// single write lock (docs/decisions on SQLite locking).
var forUpdate = clause.Locking{Strength: clause.LockingStrengthUpdate}

// StockRepo stores per-warehouse stock rows and the movement journal.
type StockRepo struct{ db *DB }

var _ stock.Repo = (*StockRepo)(nil)

// NewStockRepo returns the stock repository on db.
func NewStockRepo(db *DB) *StockRepo { return &StockRepo{db: db} }

var errNoTx = errors.New("persistence: row locks need a transaction; call it inside Transactor.Do")

// lockLevel locks the stock row of k FOR UPDATE and returns its quantity,
// first inserting it at zero when it does not exist, in a way that cannot
// race: two transactions that both miss insert with ON CONFLICT DO NOTHING
// (the second waits for the first and inserts nothing), then both lock the
// one row.
//
// MySQL/InnoDB differs: a locking read that finds nothing takes a gap lock,
// and two such gap locks followed by two inserts deadlock. There the miss is
// detected by a plain read, and the insert (ON DUPLICATE KEY UPDATE, which
// takes an exclusive record lock instead of a shared one) precedes the lock.
func (r *StockRepo) lockLevel(ctx context.Context, k domain.StockKey) (domain.Decimal, error) {
	lock := "SELECT quantity FROM product_stock WHERE product_id = ? AND warehouse_id = ?"
	insert := "INSERT INTO product_stock (product_id, warehouse_id, quantity, updated_at) VALUES (?, ?, 0, ?) "
	switch r.db.Driver() {
	case "mysql":
		insert += "ON DUPLICATE KEY UPDATE id = id"
		lock += " FOR UPDATE"
		var one int
		err := r.db.queryRow(ctx, "SELECT 1 FROM product_stock WHERE product_id = ? AND warehouse_id = ?",
			k.ProductID, k.WarehouseID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := r.db.exec(ctx, insert, k.ProductID, k.WarehouseID, now()); err != nil {
				return domain.Zero, err
			}
		} else if err != nil {
			return domain.Zero, err
		}
	case "postgres":
		insert += "ON CONFLICT DO NOTHING"
		lock += " FOR UPDATE"
	default: // SQLite: BEGIN IMMEDIATE already holds the write lock.
		insert += "ON CONFLICT DO NOTHING"
	}
	var q domain.Decimal
	err := r.db.queryRow(ctx, lock, k.ProductID, k.WarehouseID).Scan(&q)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := r.db.exec(ctx, insert, k.ProductID, k.WarehouseID, now()); err != nil {
			return domain.Zero, err
		}
		err = r.db.queryRow(ctx, lock, k.ProductID, k.WarehouseID).Scan(&q)
	}
	return q, err
}

// LockLevels locks the stock rows of keys FOR UPDATE in the order given,
// creating missing ones at zero, and returns their quantities.
func (r *StockRepo) LockLevels(ctx context.Context, keys []domain.StockKey) ([]domain.Decimal, error) {
	if !InTx(ctx) {
		return nil, errNoTx
	}
	out := make([]domain.Decimal, len(keys))
	for i, k := range keys {
		q, err := r.lockLevel(ctx, k)
		if err != nil {
			return nil, translate(err, fmt.Sprintf("stock of product %d in warehouse %d", k.ProductID, k.WarehouseID))
		}
		out[i] = q.Round(domain.ScaleQty)
	}
	return out, nil
}

// SetLevel writes the quantity of a row the transaction has locked.
func (r *StockRepo) SetLevel(ctx context.Context, key domain.StockKey, qty domain.Decimal) error {
	res, err := r.db.exec(ctx, "UPDATE product_stock SET quantity = ?, updated_at = ? WHERE product_id = ? AND warehouse_id = ?",
		qty, now(), key.ProductID, key.WarehouseID)
	if err != nil {
		return translate(err, "stock")
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("persistence: stock row of product %d in warehouse %d vanished while locked", key.ProductID, key.WarehouseID)
	}
	return nil
}

// AddMovements appends ms to the journal in one statement and sets their
// ids: MySQL gives the first id of the multi-row insert (InnoDB allocates a
// simple insert's ids consecutively); PostgreSQL and SQLite return them in
// VALUES order.
func (r *StockRepo) AddMovements(ctx context.Context, ms []*domain.Movement) error {
	if len(ms) == 0 {
		return nil
	}
	args := make([]any, 0, 10*len(ms))
	for _, m := range ms {
		m.CreatedAt = m.CreatedAt.UTC().Truncate(time.Microsecond)
		args = append(args, m.ProductID, m.WarehouseID, m.Quantity, m.UnitPrice, int(m.Kind), m.Label, m.InventoryCode,
			m.OriginType, m.OriginID, m.CreatedAt)
	}
	q := "INSERT INTO stock_movements (product_id, warehouse_id, quantity, unit_price, kind, label, inventory_code, " +
		"origin_type, origin_id, created_at) VALUES " + placeholders(10, len(ms))
	if r.db.Driver() == "mysql" {
		res, err := r.db.exec(ctx, q, args...)
		if err != nil {
			return translate(err, "stock movement")
		}
		first, err := res.LastInsertId()
		if err != nil {
			return translate(err, "stock movement")
		}
		for i, m := range ms {
			m.ID = first + int64(i)
		}
		return nil
	}
	rows, err := r.db.query(ctx, q+" RETURNING id", args...)
	if err != nil {
		return translate(err, "stock movement")
	}
	defer rows.Close()
	for i := 0; rows.Next() && i < len(ms); i++ {
		if err := rows.Scan(&ms[i].ID); err != nil {
			return translate(err, "stock movement")
		}
	}
	return translate(rows.Err(), "stock movement")
}

// Targets reads what a stock change checks before its transaction, the
// products' types and the warehouses' statuses, in one narrow query: it is
// on the path of every movement, where two full-row reads cost more CPU
// than the rest of the debit.
func (r *StockRepo) Targets(ctx context.Context, products, warehouses []int64) (map[int64]domain.ProductType, map[int64]domain.WarehouseStatus, error) {
	products, warehouses = nonEmpty(products), nonEmpty(warehouses)
	args := make([]any, 0, len(products)+len(warehouses))
	for _, id := range products {
		args = append(args, id)
	}
	for _, id := range warehouses {
		args = append(args, id)
	}
	rows, err := r.db.query(ctx, "SELECT 0, id, type FROM products WHERE id IN "+placeholders(len(products), 1)+
		" UNION ALL SELECT 1, id, status FROM warehouses WHERE id IN "+placeholders(len(warehouses), 1), args...)
	if err != nil {
		return nil, nil, translate(err, "stock targets")
	}
	defer rows.Close()
	types := make(map[int64]domain.ProductType, len(products))
	statuses := make(map[int64]domain.WarehouseStatus, len(warehouses))
	for rows.Next() {
		var kind, id, v int64
		if err := rows.Scan(&kind, &id, &v); err != nil {
			return nil, nil, translate(err, "stock targets")
		}
		if kind == 0 {
			types[id] = domain.ProductType(v)
		} else {
			statuses[id] = domain.WarehouseStatus(v)
		}
	}
	return types, statuses, translate(rows.Err(), "stock targets")
}

// nonEmpty keeps "IN ?" valid SQL for an empty list: ids are positive, so
// 0 matches nothing.
func nonEmpty(ids []int64) []int64 {
	if len(ids) == 0 {
		return []int64{0}
	}
	return ids
}

// LockProducts locks the product rows a stock change holds before its stock
// rows (decision 0008) and returns the average cost of the costed ones.
//
// PostgreSQL: only the costed rows, FOR NO KEY UPDATE. The journal's
// foreign-key check takes FOR KEY SHARE on the product, which does not
// conflict with NO KEY UPDATE, so a debit never waits on a receipt's
// product lock and need not take one itself; inserts that merely reference
// the product (invoice lines) do not wait either.
//
// MySQL/MariaDB: InnoDB's foreign-key check takes a shared lock that does
// conflict with FOR UPDATE, so every touched product is locked, in order,
// before any stock row. SQLite: the single writer serialises everything;
// the same rule is applied so the code path is the one tested.
func (r *StockRepo) LockProducts(ctx context.Context, touched, costed []int64) (map[int64]domain.Decimal, error) {
	if !InTx(ctx) {
		return nil, errNoTx
	}
	ids, lock := touched, forUpdate
	if r.db.Driver() == "postgres" {
		ids, lock = costed, clause.Locking{Strength: "NO KEY UPDATE"}
	}
	isCosted := make(map[int64]bool, len(costed))
	for _, id := range costed {
		isCosted[id] = true
	}
	out := make(map[int64]domain.Decimal, len(costed))
	for _, id := range ids {
		var row productRow
		err := r.db.Gorm(ctx).Clauses(lock).Select("id", "average_cost").Where("id = ?", id).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, domain.E(domain.ErrNotFound, "not_found", "product %d not found", id)
		}
		if err != nil {
			return nil, translate(err, "product")
		}
		if isCosted[id] {
			out[id] = row.AverageCost.Round(domain.ScaleUnit)
		}
	}
	return out, nil
}

// ProductQuantity sums the product's stock over every warehouse.
func (r *StockRepo) ProductQuantity(ctx context.Context, productID int64) (domain.Decimal, error) {
	var total domain.Decimal
	err := r.db.Gorm(ctx).Model(&stockRow{}).Select("COALESCE(SUM(quantity), 0)").
		Where("product_id = ?", productID).Row().Scan(&total)
	if err != nil {
		return domain.Zero, translate(err, "stock")
	}
	// SQLite sums in binary floating point; quantities have ScaleQty digits.
	return total.Round(domain.ScaleQty), nil
}

// SetAverageCost stores the product's new weighted average cost.
func (r *StockRepo) SetAverageCost(ctx context.Context, productID int64, avg domain.Decimal) error {
	err := r.db.Gorm(ctx).Model(&productRow{}).Where("id = ?", productID).Update("average_cost", avg).Error
	return translate(err, "product")
}

// Levels lists the product's per-warehouse quantities by warehouse id.
func (r *StockRepo) Levels(ctx context.Context, productID int64) ([]domain.StockLevel, error) {
	var rows []stockRow
	if err := r.db.Gorm(ctx).Where("product_id = ?", productID).Order("warehouse_id").Find(&rows).Error; err != nil {
		return nil, translate(err, "stock")
	}
	out := make([]domain.StockLevel, len(rows))
	for i, row := range rows {
		out[i] = domain.StockLevel{ProductID: row.ProductID, WarehouseID: row.WarehouseID, Quantity: row.Quantity.Round(domain.ScaleQty)}
	}
	return out, nil
}

var movementList = listSpec{sorts: sortSpec(stock.MovementSorts), search: []string{"label", "inventory_code"}}

// Movements lists the journal lines matching f.
func (r *StockRepo) Movements(ctx context.Context, f stock.MovementFilter) (domain.Page[domain.Movement], error) {
	q := r.db.Gorm(ctx).Model(&movementRow{})
	if f.ProductID != 0 {
		q = q.Where("product_id = ?", f.ProductID)
	}
	if f.WarehouseID != 0 {
		q = q.Where("warehouse_id = ?", f.WarehouseID)
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To.UTC())
	}
	if f.InventoryCode != "" {
		q = q.Where("inventory_code = ?", f.InventoryCode)
	}
	var rows []movementRow
	total, err := list(q, f.ListParams, movementList, &rows)
	if err != nil {
		return domain.Page[domain.Movement]{}, translate(err, "stock movements")
	}
	out := make([]domain.Movement, len(rows))
	for i := range rows {
		out[i] = toMovement(&rows[i])
	}
	return domain.Page[domain.Movement]{Items: out, Total: total}, nil
}
