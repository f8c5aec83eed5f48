package app

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/usecase/catalog"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
	"github.com/dolibarr-go/dolibarr/internal/usecase/webhooks"
)

// wireCatalog builds the catalogue use cases (third parties, contacts,
// products, warehouses), each on its own repository and the one clock, and
// the stock use case, and their routes.
func wireCatalog(_ context.Context, d deps, w *wiring) error {
	lookup := persistence.NewCatalogRepo(d.db)
	pub := publisher(d)
	thirdParties := catalog.NewThirdParties(d.db, webhooks.ThirdParties{ThirdPartyRepo: persistence.NewThirdPartyRepo(d.db), Pub: pub}, persistence.NewCounterRepo(d.db), d.now)
	contacts := catalog.NewContacts(persistence.NewContactRepo(d.db), lookup, d.now)
	products := catalog.NewProducts(persistence.NewProductRepo(d.db), d.now)
	warehouses := catalog.NewWarehouses(persistence.NewWarehouseRepo(d.db), d.now)
	stk := stock.New(d.db, webhooks.Stock{Repo: persistence.NewStockRepo(d.db), Pub: pub}, lookup, domain.StockPolicy{AllowNegative: d.cfg.Stock.AllowNegative})
	w.routes = append(w.routes, func(s *api.Server) {
		api.RegisterProducts(s, products)
		api.RegisterWarehouses(s, warehouses)
		api.RegisterThirdParties(s, thirdParties)
		api.RegisterContacts(s, contacts)
		api.RegisterStock(s, stk)
	})
	return nil
}
