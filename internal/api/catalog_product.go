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
		Price: p.Price.Text(2), PriceInclTax: priceInclTax(p), PriceBase: string(p.PriceBase),
		VATRate: p.VATRate.String(), CostPrice: p.CostPrice.Text(2), AverageCost: p.AverageCost.Text(2),
		OnSale: p.OnSale, OnPurchase: p.OnPurchase, StockAlert: p.StockAlert.String(), Version: p.Version,
		CreatedAt: timestamp(p.CreatedAt), UpdatedAt: timestamp(p.UpdatedAt),
	}
}

// toProductFields parses the request into value types; a field that does
// not parse is left nil and recorded in Problems, which the use case
// reports together with the product's invariant problems.
func toProductFields(in ProductInput) catalog.ProductFields {
	f := catalog.ProductFields{
		Ref: in.Ref, Label: in.Label, Description: in.Description, OnSale: in.OnSale, OnPurchase: in.OnPurchase,
	}
	v := &f.Problems
	f.Price, f.VATRate = decimalField(v, "price", in.Price), decimalField(v, "vat_rate", in.VATRate)
	f.CostPrice, f.StockAlert = decimalField(v, "cost_price", in.CostPrice), decimalField(v, "stock_alert", in.StockAlert)
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
	return f
}

type productHandlers struct{ products *catalog.Products }

// RegisterProducts adds the product routes.
func RegisterProducts(s *Server, products *catalog.Products) {
	h := &productHandlers{products: products}
	s.Guarded(http.MethodGet, "/api/v1/products", domain.PermProductRead, h.list)
	s.Guarded(http.MethodPost, "/api/v1/products", domain.PermProductWrite, h.create)
	s.Guarded(http.MethodGet, "/api/v1/products/:id", domain.PermProductRead, h.get)
	s.Guarded(http.MethodPatch, "/api/v1/products/:id", domain.PermProductWrite, h.update)
	s.Guarded(http.MethodDelete, "/api/v1/products/:id", domain.PermProductWrite, h.delete)
}

func (h *productHandlers) list(c echo.Context) error {
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
	page, err := h.products.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(c, page, p, productResponse))
}

func (h *productHandlers) create(c echo.Context) error {
	var in ProductInput
	if err := Bind(c, &in); err != nil {
		return err
	}
	p, err := h.products.Create(c.Request().Context(), toProductFields(in))
	if err != nil {
		return err
	}
	return created(c, "/api/v1/products/", p.ID, p.Version, productResponse(p))
}

func (h *productHandlers) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, err := h.products.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return record(c, p.Version, productResponse(p))
}

func (h *productHandlers) update(c echo.Context) error {
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
	p, err := h.products.Update(c.Request().Context(), id, version, toProductFields(in.ProductInput))
	if err != nil {
		return editError(err, hdr)
	}
	return record(c, p.Version, productResponse(p))
}

func (h *productHandlers) delete(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	if err := h.products.Delete(c.Request().Context(), id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// priceInclTax is the price incl. tax as shown: derived from the price
// excl. tax, it is an amount rounded like every other one (products saved
// before decision 0037 kept 5 decimals); typed, it is shown as typed.
func priceInclTax(p *domain.Product) string {
	if p.PriceBase == domain.PriceInclTax {
		return p.PriceInclTax.Text(2)
	}
	return p.PriceInclTax.Round(domain.ScaleTotal).Text(2)
}
