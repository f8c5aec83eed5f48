package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
)

// ProductInput is the body of POST /products and, with version, PATCH.
// Amounts are decimal strings.
type ProductInput struct {
	Ref         *string `json:"ref"`
	Label       *string `json:"label"`
	Description *string `json:"description"`
	Type        *string `json:"type"`
	Price       *string `json:"price"`
	PriceBase   *string `json:"price_base"`
	VATRate     *string `json:"vat_rate"`
	CostPrice   *string `json:"cost_price"`
	OnSale      *bool   `json:"on_sale"`
	OnPurchase  *bool   `json:"on_purchase"`
	StockAlert  *string `json:"stock_alert"`
}

// ProductPatch is the body of PATCH /products/{id}.
type ProductPatch struct {
	ProductInput
	Version *int64 `json:"version"`
}

// ProductResponse is a product as the API shows it.
type ProductResponse struct {
	ID           int64  `json:"id"`
	Ref          string `json:"ref"`
	Label        string `json:"label"`
	Description  string `json:"description"`
	Type         string `json:"type"`
	Price        string `json:"price"`
	PriceInclTax string `json:"price_incl_tax"`
	PriceBase    string `json:"price_base"`
	VATRate      string `json:"vat_rate"`
	CostPrice    string `json:"cost_price"`
	AverageCost  string `json:"average_cost"`
	OnSale       bool   `json:"on_sale"`
	OnPurchase   bool   `json:"on_purchase"`
	StockAlert   string `json:"stock_alert"`
	Version      int64  `json:"version"`
	CreatedAt    string `json:"created_at"`
	UpdatedAt    string `json:"updated_at"`
}

func productResponse(p *domain.Product) ProductResponse {
	return ProductResponse{
		ID: p.ID, Ref: p.Ref, Label: p.Label, Description: p.Description, Type: p.Type.String(),
		Price: p.Price.Text(2), PriceInclTax: p.PriceInclTax.Text(2), PriceBase: string(p.PriceBase),
		VATRate: p.VATRate.String(), CostPrice: p.CostPrice.Text(2), AverageCost: p.AverageCost.Text(2),
		OnSale: p.OnSale, OnPurchase: p.OnPurchase, StockAlert: p.StockAlert.String(), Version: p.Version,
		CreatedAt: timestamp(p.CreatedAt), UpdatedAt: timestamp(p.UpdatedAt),
	}
}

// toProductFields parses the request into value types, collecting every
// field that does not parse.
func toProductFields(in ProductInput) (catalog.ProductFields, *domain.ValidationError) {
	v := &domain.ValidationError{}
	f := catalog.ProductFields{
		Ref: in.Ref, Label: in.Label, Description: in.Description, OnSale: in.OnSale, OnPurchase: in.OnPurchase,
		Price: decimalField(v, "price", in.Price), VATRate: decimalField(v, "vat_rate", in.VATRate),
		CostPrice: decimalField(v, "cost_price", in.CostPrice), StockAlert: decimalField(v, "stock_alert", in.StockAlert),
	}
	if in.Type != nil {
		t, ok := domain.ParseProductType(*in.Type)
		if !ok {
			v.Add("type", "invalid", "must be product or service")
		} else {
			f.Type = &t
		}
	}
	if in.PriceBase != nil {
		b := domain.PriceBase(*in.PriceBase)
		if b != domain.PriceExclTax && b != domain.PriceInclTax {
			v.Add("price_base", "invalid", "must be excl_tax or incl_tax")
		} else {
			f.PriceBase = &b
		}
	}
	return f, v
}

type catalogHandlers struct{ svc *catalog.Service }

// RegisterCatalog adds the third-party, contact, product and warehouse
// routes.
func RegisterCatalog(s *Server, svc *catalog.Service) {
	h := &catalogHandlers{svc: svc}
	s.Guarded(http.MethodGet, "/api/v1/products", domain.PermProductRead, h.listProducts)
	s.Guarded(http.MethodPost, "/api/v1/products", domain.PermProductWrite, h.createProduct)
	s.Guarded(http.MethodGet, "/api/v1/products/:id", domain.PermProductRead, h.getProduct)
	s.Guarded(http.MethodPatch, "/api/v1/products/:id", domain.PermProductWrite, h.updateProduct)
	s.Guarded(http.MethodDelete, "/api/v1/products/:id", domain.PermProductWrite, h.deleteProduct)

	s.Guarded(http.MethodGet, "/api/v1/warehouses", domain.PermWarehouseRead, h.listWarehouses)
	s.Guarded(http.MethodPost, "/api/v1/warehouses", domain.PermWarehouseWrite, h.createWarehouse)
	s.Guarded(http.MethodGet, "/api/v1/warehouses/:id", domain.PermWarehouseRead, h.getWarehouse)
	s.Guarded(http.MethodPatch, "/api/v1/warehouses/:id", domain.PermWarehouseWrite, h.updateWarehouse)
	s.Guarded(http.MethodDelete, "/api/v1/warehouses/:id", domain.PermWarehouseWrite, h.deleteWarehouse)

	s.Guarded(http.MethodGet, "/api/v1/thirdparties", domain.PermThirdPartyRead, h.listThirdParties)
	s.Guarded(http.MethodPost, "/api/v1/thirdparties", domain.PermThirdPartyWrite, h.createThirdParty)
	s.Guarded(http.MethodGet, "/api/v1/thirdparties/:id", domain.PermThirdPartyRead, h.getThirdParty)
	s.Guarded(http.MethodPatch, "/api/v1/thirdparties/:id", domain.PermThirdPartyWrite, h.updateThirdParty)
	s.Guarded(http.MethodDelete, "/api/v1/thirdparties/:id", domain.PermThirdPartyWrite, h.deleteThirdParty)

	s.Guarded(http.MethodGet, "/api/v1/contacts", domain.PermContactRead, h.listContacts)
	s.Guarded(http.MethodPost, "/api/v1/contacts", domain.PermContactWrite, h.createContact)
	s.Guarded(http.MethodGet, "/api/v1/contacts/:id", domain.PermContactRead, h.getContact)
	s.Guarded(http.MethodPatch, "/api/v1/contacts/:id", domain.PermContactWrite, h.updateContact)
	s.Guarded(http.MethodDelete, "/api/v1/contacts/:id", domain.PermContactWrite, h.deleteContact)
}

func (h *catalogHandlers) listProducts(c echo.Context) error {
	p, err := parseList(c, catalog.ProductSorts)
	if err != nil {
		return err
	}
	f := catalog.ProductFilter{ListParams: p}
	if s := c.QueryParam("type"); s != "" {
		t, ok := domain.ParseProductType(s)
		if !ok {
			return BadRequest("invalid_query", "type must be product or service")
		}
		f.Type = &t
	}
	if f.OnSale, err = boolQuery(c, "on_sale"); err != nil {
		return err
	}
	if f.OnPurchase, err = boolQuery(c, "on_purchase"); err != nil {
		return err
	}
	page, err := h.svc.Products(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(page, p, productResponse))
}

func (h *catalogHandlers) createProduct(c echo.Context) error {
	var in ProductInput
	if err := Bind(c, &in); err != nil {
		return err
	}
	f, perr := toProductFields(in)
	if perr.Err() != nil {
		return h.svc.CheckNewProduct(perr, f)
	}
	p, err := h.svc.CreateProduct(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return created(c, "/api/v1/products/", p.ID, p.Version, productResponse(p))
}

func (h *catalogHandlers) getProduct(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, err := h.svc.Product(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return record(c, p.Version, productResponse(p))
}

func (h *catalogHandlers) updateProduct(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in ProductPatch
	if err := Bind(c, &in); err != nil {
		return err
	}
	version, hdr, err := expectedVersion(c, in.Version)
	if err != nil {
		return err
	}
	f, perr := toProductFields(in.ProductInput)
	if err := perr.Err(); err != nil {
		return err
	}
	p, err := h.svc.UpdateProduct(c.Request().Context(), id, version, f)
	if err != nil {
		return editError(err, hdr)
	}
	return record(c, p.Version, productResponse(p))
}

func (h *catalogHandlers) deleteProduct(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteProduct(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
