package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

// MovementRequest is the body of POST /stock/movements: a signed quantity
// (positive in, negative out) of one product in one warehouse.
type MovementRequest struct {
	ProductID     *int64  `json:"product_id"`
	WarehouseID   *int64  `json:"warehouse_id"`
	Quantity      *string `json:"quantity"`
	UnitPrice     *string `json:"unit_price"`
	Label         *string `json:"label"`
	InventoryCode *string `json:"inventory_code"`
	OriginType    *string `json:"origin_type"`
	OriginID      *int64  `json:"origin_id"`
}

// TransferRequest is the body of POST /stock/transfers.
type TransferRequest struct {
	ProductID       *int64  `json:"product_id"`
	FromWarehouseID *int64  `json:"from_warehouse_id"`
	ToWarehouseID   *int64  `json:"to_warehouse_id"`
	Quantity        *string `json:"quantity"`
	Label           *string `json:"label"`
	InventoryCode   *string `json:"inventory_code"`
}

// CorrectionRequest is the body of POST /stock/corrections.
type CorrectionRequest struct {
	ProductID   *int64  `json:"product_id"`
	WarehouseID *int64  `json:"warehouse_id"`
	Counted     *string `json:"counted"`
	Label       *string `json:"label"`
}

// MovementResponse is a journal line.
type MovementResponse struct {
	ID            int64  `json:"id"`
	ProductID     int64  `json:"product_id"`
	WarehouseID   int64  `json:"warehouse_id"`
	Quantity      string `json:"quantity"`
	UnitPrice     string `json:"unit_price"`
	Kind          string `json:"kind"`
	Label         string `json:"label"`
	InventoryCode string `json:"inventory_code"`
	OriginType    string `json:"origin_type"`
	OriginID      int64  `json:"origin_id"`
	// UserID is who made the movement; null when unknown (made before it
	// was recorded, or by the system).
	UserID    *int64 `json:"user_id"`
	CreatedAt string `json:"created_at"`
}

// TransferResponse holds the two legs of a transfer.
type TransferResponse struct {
	InventoryCode string             `json:"inventory_code"`
	Movements     []MovementResponse `json:"movements"`
}

// CorrectionResponse is the result of an inventory correction; movement is
// null when the count matched the stock.
type CorrectionResponse struct {
	Quantity string            `json:"quantity"`
	Movement *MovementResponse `json:"movement"`
}

// StockLevelResponse is one warehouse's quantity of a product.
type StockLevelResponse struct {
	WarehouseID int64  `json:"warehouse_id"`
	Quantity    string `json:"quantity"`
}

// ProductStockResponse is a product's stock per warehouse and in total.
type ProductStockResponse struct {
	ProductID  int64                `json:"product_id"`
	Total      string               `json:"total"`
	Warehouses []StockLevelResponse `json:"warehouses"`
}

func movementResponse(m *domain.Movement) MovementResponse {
	return MovementResponse{
		ID: m.ID, ProductID: m.ProductID, WarehouseID: m.WarehouseID, Quantity: m.Quantity.String(),
		UnitPrice: m.UnitPrice.Text(2), Kind: m.Kind.String(), Label: m.Label, InventoryCode: m.InventoryCode,
		OriginType: m.OriginType, OriginID: m.OriginID, UserID: optInt(m.UserID), CreatedAt: timestamp(m.CreatedAt),
	}
}

type stockHandlers struct{ svc *stock.Service }

// RegisterStock adds the stock routes.
func RegisterStock(s *Server, svc *stock.Service) {
	h := &stockHandlers{svc: svc}
	s.Guarded(http.MethodGet, "/api/v1/products/:id/stock", domain.PermStockRead, h.productStock)
	s.Guarded(http.MethodGet, "/api/v1/stock/movements", domain.PermStockRead, h.listMovements)
	s.Guarded(http.MethodPost, "/api/v1/stock/movements", domain.PermStockMove, h.move)
	s.Guarded(http.MethodPost, "/api/v1/stock/transfers", domain.PermStockMove, h.transfer)
	s.Guarded(http.MethodPost, "/api/v1/stock/corrections", domain.PermStockMove, h.correct)
}

// toMoveInput parses the request and checks it, reporting every field
// problem at once.
func toMoveInput(r MovementRequest) (stock.MoveInput, error) {
	v := &domain.ValidationError{}
	in := stock.MoveInput{
		ProductID: val(r.ProductID), WarehouseID: val(r.WarehouseID),
		Quantity: val(decimalField(v, "quantity", r.Quantity)), UnitPrice: val(decimalField(v, "unit_price", r.UnitPrice)),
		Label: val(r.Label), InventoryCode: val(r.InventoryCode), OriginType: val(r.OriginType), OriginID: val(r.OriginID),
	}
	if r.Quantity == nil {
		v.Add("quantity", "required", "is required")
	}
	return in, v.Merge(in.Validate())
}

func toTransferInput(r TransferRequest) (stock.TransferInput, error) {
	v := &domain.ValidationError{}
	in := stock.TransferInput{
		ProductID: val(r.ProductID), FromWarehouseID: val(r.FromWarehouseID), ToWarehouseID: val(r.ToWarehouseID),
		Quantity: val(decimalField(v, "quantity", r.Quantity)), Label: val(r.Label), InventoryCode: val(r.InventoryCode),
	}
	if r.Quantity == nil {
		v.Add("quantity", "required", "is required")
	}
	return in, v.Merge(in.Validate())
}

func toCorrectionInput(r CorrectionRequest) (stock.CorrectionInput, error) {
	v := &domain.ValidationError{}
	in := stock.CorrectionInput{
		ProductID: val(r.ProductID), WarehouseID: val(r.WarehouseID),
		Counted: val(decimalField(v, "counted", r.Counted)), Label: val(r.Label),
	}
	if r.Counted == nil {
		v.Add("counted", "required", "is required")
	}
	return in, v.Merge(in.Validate())
}

func (h *stockHandlers) move(c echo.Context) error {
	var r MovementRequest
	if err := Bind(c, &r); err != nil {
		return err
	}
	in, err := toMoveInput(r)
	if err != nil {
		return err
	}
	in.UserID = actor(c)
	m, err := h.svc.Move(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, movementResponse(m))
}

func (h *stockHandlers) transfer(c echo.Context) error {
	var r TransferRequest
	if err := Bind(c, &r); err != nil {
		return err
	}
	in, err := toTransferInput(r)
	if err != nil {
		return err
	}
	in.UserID = actor(c)
	ms, err := h.svc.Transfer(c.Request().Context(), in)
	if err != nil {
		return err
	}
	out := TransferResponse{InventoryCode: ms[0].InventoryCode}
	for _, m := range ms {
		out.Movements = append(out.Movements, movementResponse(m))
	}
	return c.JSON(http.StatusCreated, out)
}

func (h *stockHandlers) correct(c echo.Context) error {
	var r CorrectionRequest
	if err := Bind(c, &r); err != nil {
		return err
	}
	in, err := toCorrectionInput(r)
	if err != nil {
		return err
	}
	in.UserID = actor(c)
	m, err := h.svc.Correct(c.Request().Context(), in)
	if err != nil {
		return err
	}
	out := CorrectionResponse{Quantity: in.Counted.String()}
	if m != nil {
		mr := movementResponse(m)
		out.Movement = &mr
	}
	return c.JSON(http.StatusOK, out)
}

func (h *stockHandlers) productStock(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	levels, total, err := h.svc.Levels(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out := ProductStockResponse{ProductID: id, Total: total.String(), Warehouses: make([]StockLevelResponse, 0, len(levels))}
	for _, l := range levels {
		out.Warehouses = append(out.Warehouses, StockLevelResponse{WarehouseID: l.WarehouseID, Quantity: l.Quantity.String()})
	}
	return c.JSON(http.StatusOK, out)
}

func (h *stockHandlers) listMovements(c echo.Context) error {
	p, err := parseList(c, stock.MovementSorts)
	if err != nil {
		return err
	}
	f := stock.MovementFilter{ListParams: p, InventoryCode: c.QueryParam("inventory_code")}
	if f.ProductID, err = idQuery(c, "product_id"); err != nil {
		return err
	}
	if f.WarehouseID, err = idQuery(c, "warehouse_id"); err != nil {
		return err
	}
	if f.UserID, err = idQuery(c, "user_id"); err != nil {
		return err
	}
	if f.From, err = timeQuery(c, "from"); err != nil {
		return err
	}
	if f.To, err = timeQuery(c, "to"); err != nil {
		return err
	}
	page, err := h.svc.Movements(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(c, page, p, movementResponse))
}
