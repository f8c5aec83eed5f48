package app

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
)

// wireCatalog builds the catalogue (third parties, contacts, products,
// warehouses) and stock use cases and their routes.
func wireCatalog(_ context.Context, d deps, w *wiring) error {
	repo := persistence.NewCatalogRepo(d.db)
	cat := catalog.New(d.db, repo, persistence.NewCounterRepo(d.db))
	stk := stock.New(d.db, persistence.NewStockRepo(d.db), repo, domain.StockPolicy{AllowNegative: d.cfg.Stock.AllowNegative})
	w.routes = append(w.routes, func(s *api.Server) {
		api.RegisterCatalog(s, cat)
		api.RegisterStock(s, stk)
	})
	return nil
}
