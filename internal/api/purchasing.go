package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/purchasing"
)

// Purchasing are the buy side's use cases the routes serve.
type Purchasing struct {
	SupplierPrices *purchasing.SupplierPrices
	Orders         *purchasing.Orders
	Receptions     *purchasing.Receptions
	Invoices       *purchasing.Invoices
	Payments       *purchasing.Payments
}

// RegisterPurchasing adds the buy side's routes, one handler set per
// aggregate.
func RegisterPurchasing(s *Server, uc Purchasing) {
	supplierPriceHandlers{svc: uc.SupplierPrices}.register(s)
	purchaseOrderHandlers{svc: uc.Orders}.register(s)
	receptionHandlers{svc: uc.Receptions}.register(s)
	supplierInvoiceHandlers{svc: uc.Invoices}.register(s)
	supplierPaymentHandlers{svc: uc.Payments}.register(s)
}

// SupplierPriceInput is the body of POST /products/{id}/supplier-prices
// and, all fields optional, of its PATCH.
type SupplierPriceInput struct {
	SupplierID   *int64  `json:"supplier_id"`
	SupplierRef  *string `json:"supplier_ref"`
	UnitPrice    *string `json:"unit_price"`
	MinQuantity  *string `json:"min_quantity"`
	VATRate      *string `json:"vat_rate"`
	LeadTimeDays *int    `json:"lead_time_days"`
	Active       *bool   `json:"active"`
}

// SupplierPriceResponse is a supplier price as the API shows it.
type SupplierPriceResponse struct {
	ID           int64  `json:"id"`
	ProductID    int64  `json:"product_id"`
	SupplierID   int64  `json:"supplier_id"`
	SupplierRef  string `json:"supplier_ref"`
	UnitPrice    string `json:"unit_price"`
	MinQuantity  string `json:"min_quantity"`
	VATRate      string `json:"vat_rate"`
	LeadTimeDays int    `json:"lead_time_days"`
	Active       bool   `json:"active"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
}

func supplierPriceResponse(p *domain.SupplierPrice) SupplierPriceResponse {
	return SupplierPriceResponse{ID: p.ID, ProductID: p.ProductID, SupplierID: p.SupplierID, SupplierRef: p.SupplierRef,
		UnitPrice: amount(p.UnitPrice), MinQuantity: p.MinQuantity.String(), VATRate: p.VATRate.String(),
		LeadTimeDays: p.LeadTimeDays, Active: p.Active, CreatedAt: timestamp(p.CreatedAt), UpdatedAt: timestamp(p.UpdatedAt)}
}

type supplierPriceHandlers struct{ svc *purchasing.SupplierPrices }

func (h supplierPriceHandlers) register(s *Server) {
	const base = "/api/v1/products/:id/supplier-prices"
	s.Guarded(http.MethodGet, base, domain.PermSupplierPriceRead, h.list)
	s.Guarded(http.MethodPost, base, domain.PermSupplierPriceWrite, h.create)
	s.Guarded(http.MethodGet, base+"/best", domain.PermSupplierPriceRead, h.best)
	s.Guarded(http.MethodPatch, base+"/:priceId", domain.PermSupplierPriceWrite, h.update)
	s.Guarded(http.MethodDelete, base+"/:priceId", domain.PermSupplierPriceWrite, h.remove)
}

func (h supplierPriceHandlers) list(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ps, err := h.svc.List(c.Request().Context(), id)
	if err != nil {
		return err
	}
	out := make([]SupplierPriceResponse, len(ps))
	for i := range ps {
		out[i] = supplierPriceResponse(&ps[i])
	}
	return c.JSON(http.StatusOK, map[string]any{"data": out})
}

func (h supplierPriceHandlers) create(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body SupplierPriceInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	v := &domain.ValidationError{}
	p := domain.SupplierPrice{ProductID: id, SupplierRef: val(body.SupplierRef), MinQuantity: domain.DecimalFromInt(1), Active: true}
	if body.SupplierID != nil {
		p.SupplierID = *body.SupplierID
	}
	if body.UnitPrice == nil {
		v.Add("unit_price", "required", "is required")
	} else if d := decimalField(v, "unit_price", body.UnitPrice); d != nil {
		p.UnitPrice = *d
	}
	if d := decimalField(v, "min_quantity", body.MinQuantity); d != nil {
		p.MinQuantity = *d
	}
	if d := decimalField(v, "vat_rate", body.VATRate); d != nil {
		p.VATRate = *d
	}
	if body.LeadTimeDays != nil {
		p.LeadTimeDays = *body.LeadTimeDays
	}
	if body.Active != nil {
		p.Active = *body.Active
	}
	if err := v.Err(); err != nil {
		return err
	}
	out, err := h.svc.Create(c.Request().Context(), p)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/products/"+strconv.FormatInt(id, 10)+"/supplier-prices/"+strconv.FormatInt(out.ID, 10))
	return c.JSON(http.StatusCreated, supplierPriceResponse(out))
}

func priceID(c echo.Context) (int64, error) { return idParam(c, "priceId", "the supplier price id") }

func (h supplierPriceHandlers) update(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	pid, err := priceID(c)
	if err != nil {
		return err
	}
	var body SupplierPriceInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	v := &domain.ValidationError{}
	if body.SupplierID != nil {
		v.Add("supplier_id", "read_only", "cannot change: delete the price and create another")
	}
	p := purchasing.SupplierPricePatch{SupplierRef: body.SupplierRef, UnitPrice: decimalField(v, "unit_price", body.UnitPrice),
		MinQuantity: decimalField(v, "min_quantity", body.MinQuantity), VATRate: decimalField(v, "vat_rate", body.VATRate),
		LeadTimeDays: body.LeadTimeDays, Active: body.Active}
	if err := v.Err(); err != nil {
		return err
	}
	out, err := h.svc.Update(c.Request().Context(), id, pid, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, supplierPriceResponse(out))
}

func (h supplierPriceHandlers) remove(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	pid, err := priceID(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), id, pid); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// best serves GET .../supplier-prices/best?supplier_id=&quantity=: the
// price a purchase line without one takes.
func (h supplierPriceHandlers) best(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	supplier, err := idQuery(c, "supplier_id")
	if err != nil {
		return err
	}
	qty := domain.DecimalFromInt(1)
	if s := c.QueryParam("quantity"); s != "" {
		d, err := domain.ParseDecimal(s)
		if err != nil || !d.IsPositive() {
			return BadRequest("invalid_query", "quantity must be a positive decimal number")
		}
		qty = d
	}
	p, err := h.svc.Best(c.Request().Context(), id, supplier, qty)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, supplierPriceResponse(p))
}

// PurchaseHeaderInput is the common part of a new buy-side document.
type PurchaseHeaderInput struct {
	SupplierID  *int64      `json:"supplier_id"`
	Date        *string     `json:"date"`
	RefSupplier *string     `json:"ref_supplier"`
	NotePublic  *string     `json:"note_public"`
	NotePrivate *string     `json:"note_private"`
	Lines       []LineInput `json:"lines"`
}

func toPurchaseHeader(v *domain.ValidationError, in PurchaseHeaderInput) purchasing.HeaderInput {
	out := purchasing.HeaderInput{Date: val(dateField(v, "date", in.Date)), RefSupplier: val(in.RefSupplier),
		NotePublic: val(in.NotePublic), NotePrivate: val(in.NotePrivate), Lines: toLineInputs(v, in.Lines)}
	if in.SupplierID != nil {
		out.SupplierID = *in.SupplierID
	}
	return out
}

// PurchaseHeaderPatch is the common part of a buy-side draft's PATCH.
type PurchaseHeaderPatch struct {
	SupplierID  *int64  `json:"supplier_id"`
	Date        *string `json:"date"`
	RefSupplier *string `json:"ref_supplier"`
	NotePublic  *string `json:"note_public"`
	NotePrivate *string `json:"note_private"`
	Version     *int64  `json:"version"`
}

func toPurchasePatch(v *domain.ValidationError, in PurchaseHeaderPatch) purchasing.HeaderPatch {
	return purchasing.HeaderPatch{SupplierID: in.SupplierID, Date: dateField(v, "date", in.Date), RefSupplier: in.RefSupplier,
		NotePublic: in.NotePublic, NotePrivate: in.NotePrivate}
}

// PurchaseDocumentResponse holds the fields the buy-side documents share:
// a sales document's, with the supplier in place of the customer.
type PurchaseDocumentResponse struct {
	ID           int64           `json:"id"`
	Ref          string          `json:"ref"`
	Provisional  bool            `json:"provisional"`
	SupplierID   int64           `json:"supplier_id"`
	Status       string          `json:"status"`
	Date         string          `json:"date"`
	RefSupplier  string          `json:"ref_supplier"`
	NotePublic   string          `json:"note_public"`
	NotePrivate  string          `json:"note_private"`
	RoundingMode string          `json:"rounding_mode"`
	TotalExclTax string          `json:"total_excl_tax"`
	TotalVAT     string          `json:"total_vat"`
	TotalInclTax string          `json:"total_incl_tax"`
	VATBreakdown *[]VATResponse  `json:"vat_breakdown,omitempty"`
	Lines        *[]LineResponse `json:"lines,omitempty"`
	WarehouseID  *int64          `json:"warehouse_id"`
	CreatedBy    int64           `json:"created_by"`
	ValidatedBy  *int64          `json:"validated_by"`
	ValidatedAt  *string         `json:"validated_at"`
	Version      int64           `json:"version"`
	CreatedAt    string          `json:"created_at"`
	UpdatedAt    string          `json:"updated_at"`
}

func purchaseDocResponse(d *domain.Document, status string, full bool) PurchaseDocumentResponse {
	r := documentResponse(d, status, full)
	return PurchaseDocumentResponse{ID: r.ID, Ref: r.Ref, Provisional: r.Provisional, SupplierID: r.CustomerID, Status: r.Status,
		Date: r.Date, RefSupplier: r.RefCustomer, NotePublic: r.NotePublic, NotePrivate: r.NotePrivate, RoundingMode: r.RoundingMode,
		TotalExclTax: r.TotalExclTax, TotalVAT: r.TotalVAT, TotalInclTax: r.TotalInclTax, VATBreakdown: r.VATBreakdown,
		Lines: r.Lines, WarehouseID: r.WarehouseID, CreatedBy: r.CreatedBy, ValidatedBy: r.ValidatedBy, ValidatedAt: r.ValidatedAt,
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// purchaseFilter reads a buy-side list's parameters (supplier_id filters
// the third party).
func purchaseFilter(c echo.Context, parse func(string) (int, bool), statuses string) (purchasing.Filter, error) {
	p, err := parseList(c, purchasingSorts)
	if err != nil {
		return purchasing.Filter{}, err
	}
	f := purchasing.Filter{ListParams: p}
	if s := c.QueryParam("status"); s != "" {
		st, ok := parse(s)
		if !ok {
			return f, BadRequest("invalid_query", "status must be one of "+statuses)
		}
		f.Status = &st
	}
	if f.CustomerID, err = idQuery(c, "supplier_id"); err != nil {
		return f, err
	}
	f.From, f.To, err = dateRange(c)
	return f, err
}

var purchasingSorts = []string{"id", "ref", "date", "total_incl_tax", "status"}

// PurchaseOrderInput is the body of POST /purchase-orders.
type PurchaseOrderInput struct {
	PurchaseHeaderInput
	DeliveryDate *string `json:"delivery_date"`
}

// PurchaseOrderPatch is the body of PATCH /purchase-orders/{id}.
type PurchaseOrderPatch struct {
	PurchaseHeaderPatch
	DeliveryDate *string `json:"delivery_date"`
}

// PurchaseOrderResponse is a purchase order as the API shows it; full
// answers give each line's received quantity.
type PurchaseOrderResponse struct {
	PurchaseDocumentResponse
	DeliveryDate *string          `json:"delivery_date"`
	ApprovedBy   *int64           `json:"approved_by"`
	ApprovedAt   *string          `json:"approved_at"`
	OrderedAt    *string          `json:"ordered_at"`
	Billed       bool             `json:"billed"`
	Received     map[int64]string `json:"received,omitempty"`
}

func purchaseOrderResponse(o *domain.PurchaseOrder, full bool) PurchaseOrderResponse {
	return PurchaseOrderResponse{PurchaseDocumentResponse: purchaseDocResponse(&o.Document, o.StatusName(), full),
		DeliveryDate: optDateString(o.DeliveryDate), ApprovedBy: optInt(o.ApprovedBy), ApprovedAt: optStamp(o.ApprovedAt),
		OrderedAt: optStamp(o.OrderedAt), Billed: o.Billed}
}

func purchaseOrderSummary(o *domain.PurchaseOrder) PurchaseOrderResponse {
	return purchaseOrderResponse(o, false)
}

var purchaseOrderStatuses = statusNames(domain.PurchaseOrderStatuses()...)

type purchaseOrderHandlers struct{ svc *purchasing.Orders }

const purchaseOrdersBase = "/api/v1/purchase-orders"

func (h purchaseOrderHandlers) register(s *Server) {
	const base = purchaseOrdersBase
	w := domain.PermPurchaseWrite
	s.Guarded(http.MethodGet, base, domain.PermPurchaseRead, h.list)
	s.Guarded(http.MethodPost, base, w, h.create)
	s.Guarded(http.MethodGet, base+"/:id", domain.PermPurchaseRead, h.get)
	s.Guarded(http.MethodPatch, base+"/:id", w, h.update)
	s.Guarded(http.MethodDelete, base+"/:id", w, h.remove)
	lineHandlers[*domain.PurchaseOrder]{svc: h.svc, send: func(c echo.Context, status int, o *domain.PurchaseOrder) error {
		return sendDoc(c, status, o.Version, purchaseOrderResponse(o, true))
	}}.register(s, base, w)
	s.Guarded(http.MethodPost, base+"/:id/validate", domain.PermPurchaseValidate, docAction(h.svc.Validate, h.send))
	s.Guarded(http.MethodPost, base+"/:id/approve", domain.PermPurchaseApprove, docAction(h.svc.Approve, h.send))
	s.Guarded(http.MethodPost, base+"/:id/order", domain.PermPurchaseValidate, docAction(h.svc.MarkOrdered, h.send))
	s.Guarded(http.MethodPost, base+"/:id/close", w, docAction(h.svc.Close, h.send))
	s.Guarded(http.MethodPost, base+"/:id/cancel", w, h.cancel)
	s.Guarded(http.MethodGet, base+"/:id/events", domain.PermPurchaseRead, events(h.svc))
}

func (h purchaseOrderHandlers) list(c echo.Context) error {
	f, err := purchaseFilter(c, func(s string) (int, bool) { st, ok := domain.ParsePurchaseOrderStatus(s); return int(st), ok }, purchaseOrderStatuses)
	if err != nil {
		return err
	}
	page, err := h.svc.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(c, page, f.ListParams, purchaseOrderSummary))
}

func (h purchaseOrderHandlers) create(c echo.Context) error {
	var body PurchaseOrderInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	v := &domain.ValidationError{}
	in := purchasing.OrderInput{HeaderInput: toPurchaseHeader(v, body.PurchaseHeaderInput),
		DeliveryDate: val(dateField(v, "delivery_date", body.DeliveryDate))}
	if err := v.Err(); err != nil {
		return err
	}
	o, err := h.svc.Create(c.Request().Context(), in, actor(c))
	if err != nil {
		return err
	}
	return created(c, purchaseOrdersBase+"/", o.ID, o.Version, purchaseOrderResponse(o, true))
}

// send answers with the whole order and what was received of each line.
func (h purchaseOrderHandlers) send(c echo.Context, o *domain.PurchaseOrder) error {
	r := purchaseOrderResponse(o, true)
	if o.Status == domain.PurchasePartlyReceived || o.Status == domain.PurchaseReceived || o.Status == domain.PurchaseClosed {
		rec, err := h.svc.Received(c.Request().Context(), o.ID)
		if err != nil {
			return err
		}
		r.Received = make(map[int64]string, len(rec))
		for id, q := range rec {
			r.Received[id] = q.String()
		}
	}
	return sendDoc(c, http.StatusOK, o.Version, r)
}

func (h purchaseOrderHandlers) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	o, err := h.svc.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return h.send(c, o)
}

func (h purchaseOrderHandlers) update(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body PurchaseOrderPatch
	if err := Bind(c, &body); err != nil {
		return err
	}
	version, hdr, err := optionalVersion(c, body.Version)
	if err != nil {
		return err
	}
	v := &domain.ValidationError{}
	p := purchasing.OrderPatch{HeaderPatch: toPurchasePatch(v, body.PurchaseHeaderPatch), DeliveryDate: dateField(v, "delivery_date", body.DeliveryDate)}
	if err := v.Err(); err != nil {
		return err
	}
	o, err := h.svc.Update(c.Request().Context(), id, version, p)
	if err != nil {
		return editError(err, hdr)
	}
	return h.send(c, o)
}

func (h purchaseOrderHandlers) remove(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), id, actor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h purchaseOrderHandlers) cancel(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var body NoteInput
	if err := bindOptional(c, &body); err != nil {
		return err
	}
	o, err := h.svc.Cancel(c.Request().Context(), id, val(body.Note), actor(c))
	if err != nil {
		return err
	}
	return h.send(c, o)
}
