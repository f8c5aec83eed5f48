package persistence

import (
	"context"
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
	// UserID is NULL when nobody is known (the domain's zero).
	UserID    *int64
	CreatedAt time.Time
}

func (movementRow) TableName() string { return "stock_movements" }

func toMovement(r *movementRow) domain.Movement {
	return domain.Movement{
		ID: r.ID, ProductID: r.ProductID, WarehouseID: r.WarehouseID, Quantity: r.Quantity.Round(domain.ScaleQty),
		UnitPrice: r.UnitPrice.Round(domain.ScaleUnit), Kind: domain.MovementKind(r.Kind), Label: r.Label,
		InventoryCode: r.InventoryCode, OriginType: r.OriginType, OriginID: r.OriginID, UserID: idOf(r.UserID),
		CreatedAt: r.CreatedAt.UTC(),
	}
}

// StockRepo stores per-warehouse stock rows and the movement journal.
type StockRepo struct{ db *DB }

var _ stock.Repo = (*StockRepo)(nil)

// NewStockRepo returns the stock repository on db.
func NewStockRepo(db *DB) *StockRepo { return &StockRepo{db: db} }

// lockOrCreate locks the row of dest's table matching the unique key FOR
// UPDATE into dest, first inserting seed when no such row exists, in a way
// that cannot race: two transactions that both miss insert with ON CONFLICT
// DO NOTHING (the second waits for the first and inserts nothing), then both
// lock the one row.
//
// MySQL/InnoDB differs: a locking read that finds nothing takes a gap lock,
// and two such gap locks followed by two inserts deadlock. There the miss is
// detected by a plain read, and the insert (ON DUPLICATE KEY UPDATE, which
// takes an exclusive record lock instead of a shared one) precedes the lock.
func lockOrCreate(ctx context.Context, db *DB, key map[string]any, seed, dest any) error {
	if !InTx(ctx) {
		return errNoTx
	}
	tx := db.Gorm(ctx)
	if db.Dialect().GapLocks() {
		var n int64
		if err := tx.Model(dest).Where(key).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(seed).Error; err != nil {
				return err
			}
		}
		return tx.Clauses(forUpdate).Where(key).Take(dest).Error
	}
	err := tx.Clauses(forUpdate).Where(key).Take(dest).Error
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return err
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(seed).Error; err != nil {
		return err
	}
	return tx.Clauses(forUpdate).Where(key).Take(dest).Error
}

// LockLevels locks the stock rows of keys FOR UPDATE in the order given,
// creating missing ones at zero, and returns their quantities.
func (r *StockRepo) LockLevels(ctx context.Context, keys []domain.StockKey) ([]domain.Decimal, error) {
	out := make([]domain.Decimal, len(keys))
	for i, k := range keys {
		var row stockRow
		seed := stockRow{ProductID: k.ProductID, WarehouseID: k.WarehouseID, UpdatedAt: now()}
		key := map[string]any{"product_id": k.ProductID, "warehouse_id": k.WarehouseID}
		if err := lockOrCreate(ctx, r.db, key, &seed, &row); err != nil {
			return nil, translate(err, fmt.Sprintf("stock of product %d in warehouse %d", k.ProductID, k.WarehouseID))
		}
		out[i] = row.Quantity.Round(domain.ScaleQty)
	}
	return out, nil
}

// SetLevel writes the quantity of a row the transaction has locked.
func (r *StockRepo) SetLevel(ctx context.Context, key domain.StockKey, qty domain.Decimal) error {
	res := r.db.Gorm(ctx).Model(&stockRow{}).
		Where("product_id = ? AND warehouse_id = ?", key.ProductID, key.WarehouseID).
		Updates(map[string]any{"quantity": qty, "updated_at": now()})
	if res.Error != nil {
		return translate(res.Error, "stock")
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("persistence: stock row of product %d in warehouse %d vanished while locked", key.ProductID, key.WarehouseID)
	}
	return nil
}

// AddMovements appends ms to the journal and sets their ids.
func (r *StockRepo) AddMovements(ctx context.Context, ms []*domain.Movement) error {
	rows := make([]movementRow, len(ms))
	for i, m := range ms {
		rows[i] = movementRow{
			ProductID: m.ProductID, WarehouseID: m.WarehouseID, Quantity: m.Quantity, UnitPrice: m.UnitPrice,
			Kind: int(m.Kind), Label: m.Label, InventoryCode: m.InventoryCode, OriginType: m.OriginType,
			OriginID: m.OriginID, UserID: optID(m.UserID), CreatedAt: m.CreatedAt.UTC().Truncate(time.Microsecond),
		}
	}
	if err := r.db.Gorm(ctx).Create(&rows).Error; err != nil {
		return translate(err, "stock movement")
	}
	for i := range ms {
		ms[i].ID = rows[i].ID
		ms[i].CreatedAt = rows[i].CreatedAt
	}
	return nil
}

// Targets reads what a stock change checks before its transaction, the
// products' types and the warehouses' statuses, in one narrow query: it is
// on the path of every movement, where two full-row reads cost more CPU
// than the rest of the debit.
func (r *StockRepo) Targets(ctx context.Context, products, warehouses []int64) (map[int64]domain.ProductType, map[int64]domain.WarehouseStatus, error) {
	rows, err := r.db.Gorm(ctx).Raw(
		"SELECT 0, id, type FROM products WHERE id IN ? UNION ALL SELECT 1, id, status FROM warehouses WHERE id IN ?",
		nonEmpty(products), nonEmpty(warehouses)).Rows()
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
	if r.db.Dialect().KeyShareLocks() {
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

var movementList = listSpec{sorts: sortSpec(stock.MovementSorts), search: []string{"label", "inventory_code"}, updated: "created_at"}

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
	if f.UserID != 0 {
		q = q.Where("user_id = ?", f.UserID)
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
