package app

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

// wireSales builds the sales documents use case (proposals, orders,
// invoices, payments) and its routes. It builds its own stock use case,
// with the same negative-stock policy as the catalogue's: both are stateless
// over the same tables, and the runner wires sales without the catalogue
// routes. The document's stock debits join the validating transaction.
func wireSales(_ context.Context, d deps, w *wiring) error {
	cfg, err := salesConfig(d.cfg.Sales)
	if err != nil {
		return err
	}
	catalog := persistence.NewSalesCatalog(d.db)
	stk := stock.New(d.db, persistence.NewStockRepo(d.db), catalog.CatalogRepo, domain.StockPolicy{AllowNegative: d.cfg.Stock.AllowNegative})
	svc := sales.New(sales.Deps{
		Tx: d.db, Repo: persistence.NewSalesRepo(d.db), Catalog: catalog, Stock: stk, Config: cfg, Now: d.now,
	})
	w.sales = svc
	w.routes = append(w.routes, func(s *api.Server) { api.RegisterSales(s, svc) })
	return nil
}

// salesConfig turns the validated configuration into the use case's.
func salesConfig(c SalesConfig) (sales.Config, error) {
	out := sales.DefaultConfig()
	var ok bool
	if out.StockTrigger, ok = sales.ParseStockTrigger(c.StockDecreaseOn); !ok {
		return out, &ConfigError{Problems: []string{"DOLIBARR_STOCK_DECREASE_ON: invalid"}}
	}
	if out.Rounding, ok = domain.ParseRoundingMode(c.RoundingMode); !ok {
		return out, &ConfigError{Problems: []string{"DOLIBARR_SALES_ROUNDING_MODE: invalid"}}
	}
	for _, m := range []struct {
		dst *domain.Mask
		src string
	}{{&out.ProposalMask, c.ProposalMask}, {&out.OrderMask, c.OrderMask}, {&out.InvoiceMask, c.InvoiceMask}, {&out.CreditNoteMask, c.CreditNoteMask}} {
		mask, err := domain.ParseMask(m.src)
		if err != nil {
			return out, err
		}
		*m.dst = mask
	}
	return out, nil
}
