// Package stock moves goods in and out of warehouses: receipts and debits,
// transfers and inventory corrections, each written to an append-only
// journal in the same transaction that locks and updates the per-warehouse
// stock rows (CT-02: replicas of the API never lose an update).
package stock

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Repo is the stock storage the use case needs. Every method but Levels and
// Movements must run inside the transaction ctx carries.
type Repo interface {
	// LockLevels locks the stock rows of keys FOR UPDATE, in the order
	// given, creating missing rows at zero in a way that cannot race, and
	// returns their quantities in the same order.
	LockLevels(ctx context.Context, keys []domain.StockKey) ([]domain.Decimal, error)
	// SetLevel writes the new quantity of a locked row.
	SetLevel(ctx context.Context, key domain.StockKey, qty domain.Decimal) error
	// AddMovements appends to the journal and sets the movements' ids.
	AddMovements(ctx context.Context, ms []*domain.Movement) error
	// Targets returns, in one round trip, the type of each product and the
	// status of each warehouse among the ids; unknown ids are absent.
	Targets(ctx context.Context, products, warehouses []int64) (map[int64]domain.ProductType, map[int64]domain.WarehouseStatus, error)
	// LockProducts locks, in the order given (product id order), the
	// product rows this stock change must hold before its stock rows, and
	// returns the weighted average cost of the costed ones (receipts with a
	// unit price), whose rows it always locks: that serialises the receipts
	// that change a cost. Whether the other touched products are locked too
	// depends on the engine: where the journal's foreign-key check on the
	// product would conflict with that lock, every writer must take it first.
	LockProducts(ctx context.Context, touched, costed []int64) (map[int64]domain.Decimal, error)
	// ProductQuantity returns the product's total quantity over all
	// warehouses as this transaction sees it.
	ProductQuantity(ctx context.Context, productID int64) (domain.Decimal, error)
	// SetAverageCost stores a new weighted average cost.
	SetAverageCost(ctx context.Context, productID int64, avg domain.Decimal) error
	// Levels lists a product's per-warehouse quantities, by warehouse id.
	Levels(ctx context.Context, productID int64) ([]domain.StockLevel, error)
	// Movements lists the journal.
	Movements(ctx context.Context, f MovementFilter) (domain.Page[domain.Movement], error)
}

// Catalog looks up the products and warehouses a movement names.
type Catalog interface {
	GetProduct(ctx context.Context, id int64) (*domain.Product, error)
	GetWarehouse(ctx context.Context, id int64) (*domain.Warehouse, error)
}

// MovementFilter selects journal lines; zero fields do not filter.
type MovementFilter struct {
	domain.ListParams
	ProductID     int64
	WarehouseID   int64
	From, To      time.Time // created_at in [From, To)
	InventoryCode string
	UserID        int64
}

// MovementSorts are the fields the journal can be sorted on.
var MovementSorts = []string{"id", "created_at", "quantity"}

// Service is the stock use case.
type Service struct {
	tx      domain.Transactor
	repo    Repo
	catalog Catalog
	policy  domain.StockPolicy
	now     func() time.Time
}

// New returns the stock use case.
func New(tx domain.Transactor, repo Repo, catalog Catalog, policy domain.StockPolicy) *Service {
	return &Service{tx: tx, repo: repo, catalog: catalog, policy: policy, now: func() time.Time { return time.Now().UTC() }}
}

// MoveInput is a single movement: a receipt (positive quantity) or a debit
// (negative quantity) of one product in one warehouse.
type MoveInput struct {
	ProductID   int64
	WarehouseID int64
	Quantity    domain.Decimal
	// UnitPrice, on a receipt, updates the product's weighted average cost;
	// zero leaves it unchanged.
	UnitPrice     domain.Decimal
	Label         string
	InventoryCode string
	OriginType    string
	OriginID      int64
	// UserID is the user making the movement, journaled for audit; zero
	// when the system moves stock on nobody's behalf.
	UserID int64
	// At is when the movement happens: a document's transition passes its
	// own time, so one transition has one time; zero is now.
	At time.Time
}

// Validate reports every field problem of in.
func (in MoveInput) Validate() error {
	v := &domain.ValidationError{}
	checkID(v, "product_id", in.ProductID)
	checkID(v, "warehouse_id", in.WarehouseID)
	domain.CheckQuantity(v, "quantity", in.Quantity, false)
	checkPrice(v, "unit_price", in.UnitPrice)
	if !in.UnitPrice.IsZero() && in.Quantity.IsNegative() {
		v.Add("unit_price", "not_allowed", "is only accepted on a receipt (positive quantity)")
	}
	checkLabel(v, "label", in.Label)
	checkShort(v, "inventory_code", in.InventoryCode, domain.MaxInventoryCodeLen)
	checkShort(v, "origin_type", in.OriginType, domain.MaxOriginTypeLen)
	if in.OriginID < 0 {
		v.Add("origin_id", "invalid", "must not be negative")
	}
	checkUser(v, in.UserID)
	return v.Err()
}

// Move applies one movement: it locks the stock row, applies the
// negative-stock policy, updates the row and the weighted average cost, and
// appends the journal line, all in one transaction: a MoveBatch of one.
func (s *Service) Move(ctx context.Context, in MoveInput) (*domain.Movement, error) {
	ms, err := s.MoveBatch(ctx, []MoveInput{in})
	if err != nil {
		return nil, err
	}
	return ms[0], nil
}

// MoveBatch applies several movements as one, inside the transaction ctx
// carries (or a new one): a document's validation calls it so that its
// stock changes commit or roll back with the document. Rows are locked in
// product-id then warehouse-id order; when several would go below zero the
// error is a *domain.StockShortages naming every one (a single short row
// gives a *domain.InsufficientStock, as Move does).
func (s *Service) MoveBatch(ctx context.Context, ins []MoveInput) ([]*domain.Movement, error) {
	products := make([]int64, 0, len(ins))
	warehouses := make([]int64, 0, len(ins))
	ms := make([]*domain.Movement, len(ins))
	for i, in := range ins {
		if err := in.Validate(); err != nil {
			return nil, err
		}
		if !slices.Contains(products, in.ProductID) {
			products = append(products, in.ProductID)
		}
		if !slices.Contains(warehouses, in.WarehouseID) {
			warehouses = append(warehouses, in.WarehouseID)
		}
		kind := domain.MovementIn
		if in.Quantity.IsNegative() {
			kind = domain.MovementOut
		}
		ms[i] = &domain.Movement{
			ProductID: in.ProductID, WarehouseID: in.WarehouseID, Quantity: in.Quantity, UnitPrice: in.UnitPrice,
			Kind: kind, Label: in.Label, InventoryCode: in.InventoryCode, OriginType: in.OriginType, OriginID: in.OriginID,
			UserID: in.UserID,
		}
	}
	if err := s.checkTargets(ctx, products, warehouses); err != nil {
		return nil, err
	}
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		now := s.now()
		for i, m := range ms {
			m.CreatedAt = now
			if at := ins[i].At; !at.IsZero() {
				m.CreatedAt = at
			}
		}
		return s.apply(ctx, ms)
	})
	if err != nil {
		return nil, err
	}
	return ms, nil
}

// TransferInput moves a quantity of a product from one warehouse to another.
type TransferInput struct {
	ProductID       int64
	FromWarehouseID int64
	ToWarehouseID   int64
	Quantity        domain.Decimal // positive
	Label           string
	InventoryCode   string // groups the two legs; generated when empty
	UserID          int64  // who transfers; zero when unknown
}

// Validate reports every field problem of in.
func (in TransferInput) Validate() error {
	v := &domain.ValidationError{}
	checkID(v, "product_id", in.ProductID)
	checkID(v, "from_warehouse_id", in.FromWarehouseID)
	checkID(v, "to_warehouse_id", in.ToWarehouseID)
	if in.FromWarehouseID == in.ToWarehouseID && in.FromWarehouseID > 0 {
		v.Add("to_warehouse_id", "same_warehouse", "must differ from from_warehouse_id")
	}
	domain.CheckQuantity(v, "quantity", in.Quantity, false)
	if in.Quantity.IsNegative() {
		v.Add("quantity", "negative", "must be positive")
	}
	checkLabel(v, "label", in.Label)
	checkShort(v, "inventory_code", in.InventoryCode, domain.MaxInventoryCodeLen)
	checkUser(v, in.UserID)
	return v.Err()
}

// Transfer writes the two legs of a transfer (out of the source, into the
// destination) in one transaction; both rows are locked in key order.
func (s *Service) Transfer(ctx context.Context, in TransferInput) ([]*domain.Movement, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkTargets(ctx, []int64{in.ProductID}, []int64{in.FromWarehouseID, in.ToWarehouseID}); err != nil {
		return nil, err
	}
	code := in.InventoryCode
	if code == "" {
		code = "TR-" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	}
	label := in.Label
	if label == "" {
		label = fmt.Sprintf("Transfer from warehouse %d to warehouse %d", in.FromWarehouseID, in.ToWarehouseID)
	}
	out := &domain.Movement{ProductID: in.ProductID, WarehouseID: in.FromWarehouseID, Quantity: in.Quantity.Neg(),
		Kind: domain.MovementManualOut, Label: label, InventoryCode: code, UserID: in.UserID}
	inn := &domain.Movement{ProductID: in.ProductID, WarehouseID: in.ToWarehouseID, Quantity: in.Quantity,
		Kind: domain.MovementManualIn, Label: label, InventoryCode: code, UserID: in.UserID}
	ms := []*domain.Movement{out, inn}
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		now := s.now()
		out.CreatedAt, inn.CreatedAt = now, now
		return s.apply(ctx, ms)
	})
	if err != nil {
		return nil, err
	}
	return ms, nil
}

// CorrectionInput sets the counted quantity of a product in a warehouse
// (an inventory correction); the difference is journaled.
type CorrectionInput struct {
	ProductID   int64
	WarehouseID int64
	Counted     domain.Decimal
	Label       string
	UserID      int64 // who counted; zero when unknown
}

// Validate reports every field problem of in.
func (in CorrectionInput) Validate() error {
	v := &domain.ValidationError{}
	checkID(v, "product_id", in.ProductID)
	checkID(v, "warehouse_id", in.WarehouseID)
	domain.CheckQuantity(v, "counted", in.Counted, true)
	checkLabel(v, "label", in.Label)
	checkUser(v, in.UserID)
	return v.Err()
}

// Correct locks the stock row, journals counted − current as a manual
// movement and sets the row to counted. It returns nil and no error when the
// count matches the stock (nothing to journal).
func (s *Service) Correct(ctx context.Context, in CorrectionInput) (*domain.Movement, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if in.Counted.IsNegative() && !s.policy.AllowNegative {
		v := &domain.ValidationError{}
		v.Add("counted", "negative", "must not be negative while negative stock is not allowed")
		return nil, v
	}
	if err := s.checkTargets(ctx, []int64{in.ProductID}, []int64{in.WarehouseID}); err != nil {
		return nil, err
	}
	label := in.Label
	if label == "" {
		label = "Inventory correction"
	}
	var m *domain.Movement
	err := s.tx.Do(ctx, func(ctx context.Context) error {
		// The transactor may run this again from scratch: a movement from
		// an attempt that did not commit must not be reported.
		m = nil
		// The product row before the stock row, as apply takes them
		// (decision 0008): on InnoDB the journal's foreign-key check waits
		// on a product a debit holds, and that debit waits on this stock
		// row; taking the product first makes one of the two wait instead.
		if _, err := s.repo.LockProducts(ctx, []int64{in.ProductID}, nil); err != nil {
			return err
		}
		key := domain.StockKey{ProductID: in.ProductID, WarehouseID: in.WarehouseID}
		have, err := s.repo.LockLevels(ctx, []domain.StockKey{key})
		if err != nil {
			return err
		}
		delta := in.Counted.Sub(have[0])
		if delta.IsZero() {
			return nil
		}
		kind := domain.MovementManualIn
		if delta.IsNegative() {
			kind = domain.MovementManualOut
		}
		m = &domain.Movement{ProductID: in.ProductID, WarehouseID: in.WarehouseID, Quantity: delta, Kind: kind,
			Label: label, UserID: in.UserID, CreatedAt: s.now()}
		if err := s.repo.SetLevel(ctx, key, in.Counted); err != nil {
			return err
		}
		return s.repo.AddMovements(ctx, []*domain.Movement{m})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// apply is the single writer of stock: inside the caller's transaction it
// locks the product rows it must (product id order, see Repo.LockProducts),
// then every touched stock row (product id, then warehouse id order),
// applies the policy, updates the rows and the averages, and journals ms.
func (s *Service) apply(ctx context.Context, ms []*domain.Movement) error {
	// Product rows first, in id order, before any stock row (decision
	// 0008): the costed ones for their average cost and, on engines where
	// the journal's foreign-key check would wait on that lock, every touched
	// one, so that a debit never holds a stock row while waiting for a
	// product a priced receipt holds (TestStockPricedReceiptsAndDebitsNoDeadlock).
	type costChange struct {
		product int64
		qty     domain.Decimal
		price   domain.Decimal
	}
	var costs []costChange
	var products, costed []int64
	for _, m := range ms {
		products = append(products, m.ProductID)
		if m.Quantity.IsPositive() && m.UnitPrice.IsPositive() {
			costs = append(costs, costChange{m.ProductID, m.Quantity, m.UnitPrice})
			costed = append(costed, m.ProductID)
		}
	}
	slices.Sort(products)
	products = slices.Compact(products)
	slices.Sort(costed)
	costed = slices.Compact(costed)
	avgs, err := s.repo.LockProducts(ctx, products, costed)
	if err != nil {
		return err
	}
	// Net change per stock row, rows in lock order.
	deltas := map[domain.StockKey]domain.Decimal{}
	var keys []domain.StockKey
	for _, m := range ms {
		k := domain.StockKey{ProductID: m.ProductID, WarehouseID: m.WarehouseID}
		if _, seen := deltas[k]; !seen {
			keys = append(keys, k)
		}
		deltas[k] = deltas[k].Add(m.Quantity)
	}
	slices.SortFunc(keys, func(a, b domain.StockKey) int {
		if a.Less(b) {
			return -1
		}
		if b.Less(a) {
			return 1
		}
		return 0
	})
	have, err := s.repo.LockLevels(ctx, keys)
	if err != nil {
		return err
	}
	// Quantities on hand before this change, for the average cost, read
	// once the stock rows are locked: a debit of the same rows that
	// committed while this change waited for them is counted, so the cost
	// is the one a replay of the movements in commit order gives
	// (TestConcurrentReceptionsAndSalesReplayInCommitOrder). A debit in
	// another warehouse that commits between this read and this commit is
	// not: on PostgreSQL such debits take no product lock (decision 0008).
	onHand := map[int64]domain.Decimal{}
	for p := range avgs {
		q, err := s.repo.ProductQuantity(ctx, p)
		if err != nil {
			return err
		}
		onHand[p] = q
	}
	// Every short row is reported, not just the first, so a document's
	// validation names each missing product at once.
	var short []*domain.InsufficientStock
	for i, k := range keys {
		after, err := s.policy.Apply(k, have[i], deltas[k])
		var is *domain.InsufficientStock
		if errors.As(err, &is) {
			short = append(short, is)
			continue
		}
		if err != nil {
			return err
		}
		if len(short) == 0 {
			if err := s.repo.SetLevel(ctx, k, after); err != nil {
				return err
			}
		}
	}
	switch len(short) {
	case 0:
	case 1:
		return short[0]
	default:
		return &domain.StockShortages{Items: short}
	}
	for _, c := range costs {
		avg := domain.WeightedAverageCost(onHand[c.product], avgs[c.product], c.qty, c.price)
		avgs[c.product] = avg
		onHand[c.product] = onHand[c.product].Add(c.qty)
	}
	for p, avg := range avgs {
		if err := s.repo.SetAverageCost(ctx, p, avg); err != nil {
			return err
		}
	}
	return s.repo.AddMovements(ctx, ms)
}

// checkTargets verifies that the products are goods and the warehouses are
// open, before the stock transaction takes any lock of its own (a caller's
// transaction, such as a document's validation, may already hold some).
func (s *Service) checkTargets(ctx context.Context, products, warehouses []int64) error {
	types, statuses, err := s.repo.Targets(ctx, products, warehouses)
	if err != nil {
		return err
	}
	for _, id := range products {
		t, ok := types[id]
		if !ok {
			return domain.E(domain.ErrNotFound, "not_found", "product %d not found", id)
		}
		if t == domain.ProductService {
			return domain.E(domain.ErrConflict, "service_not_stocked", "product %d is a service: services have no stock", id)
		}
	}
	for _, id := range warehouses {
		st, ok := statuses[id]
		if !ok {
			return domain.E(domain.ErrNotFound, "not_found", "warehouse %d not found", id)
		}
		w := domain.Warehouse{ID: id, Status: st}
		if err := w.AcceptsMovements(); err != nil {
			return err
		}
	}
	return nil
}

// Levels returns a product's per-warehouse stock and its total.
func (s *Service) Levels(ctx context.Context, productID int64) ([]domain.StockLevel, domain.Decimal, error) {
	if _, err := s.catalog.GetProduct(ctx, productID); err != nil {
		return nil, domain.Zero, err
	}
	levels, err := s.repo.Levels(ctx, productID)
	if err != nil {
		return nil, domain.Zero, err
	}
	total := domain.Zero
	for _, l := range levels {
		total = total.Add(l.Quantity)
	}
	return levels, total, nil
}

// Movements lists the journal.
func (s *Service) Movements(ctx context.Context, f MovementFilter) (domain.Page[domain.Movement], error) {
	return s.repo.Movements(ctx, f)
}

func checkID(v *domain.ValidationError, field string, id int64) {
	if id <= 0 {
		v.Add(field, "required", "is required (a positive id)")
	}
}

// checkUser refuses a negative user id; zero means nobody (the system).
func checkUser(v *domain.ValidationError, id int64) {
	if id < 0 {
		v.Add("user_id", "invalid", "must not be negative")
	}
}

func checkPrice(v *domain.ValidationError, field string, d domain.Decimal) {
	switch {
	case d.IsNegative():
		v.Add(field, "negative", "must not be negative")
	case d.Scale() > domain.ScaleUnit:
		v.Add(field, "too_precise", "must have at most %d digits after the point", domain.ScaleUnit)
	}
}

func checkLabel(v *domain.ValidationError, field, s string) {
	checkShort(v, field, s, domain.MaxLabelLen)
}

func checkShort(v *domain.ValidationError, field, s string, max int) {
	if !utf8.ValidString(s) {
		v.Add(field, "invalid", "must be valid UTF-8")
		return
	}
	if utf8.RuneCountInString(s) > max {
		v.Add(field, "too_long", "must be at most %d characters", max)
		return
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			v.Add(field, "invalid", "must not contain control characters")
			return
		}
	}
}
