package app

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
	"github.com/dolibarr-go/dolibarr/internal/usecase/purchasing"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
	"github.com/dolibarr-go/dolibarr/internal/usecase/webhooks"
)

// wirePurchasing adds the buy side's routes over the use cases
// wireDocuments built (w.documents: printing and mailing of purchase orders
// use them too, in the API and in the all-in-one's runner).
func wirePurchasing(_ context.Context, _ deps, w *wiring) error {
	uc := w.documents.purchasing
	w.routes = append(w.routes, func(s *api.Server) { api.RegisterPurchasing(s, uc) })
	return nil
}

// newPurchasing builds the buy side on its own document engine, whose
// price source is the suppliers' prices (PurchasePrices), with the same
// event log, counters, stock use case and clock as sales.
func newPurchasing(d deps) (api.Purchasing, error) {
	cfg, err := purchaseConfig(d.cfg.Purchase, d.cfg.Sales)
	if err != nil {
		return api.Purchasing{}, err
	}
	catalog := persistence.NewDocumentCatalog(d.db)
	prices := persistence.NewSupplierPriceStore(d.db)
	// Receptions move stock through the same publishing repository as
	// sales, so stock.moved webhooks see goods coming in too.
	stk := stock.New(d.db, webhooks.Stock{Repo: persistence.NewStockRepo(d.db), Pub: publisher(d)}, catalog.CatalogRepo, domain.StockPolicy{AllowNegative: d.cfg.Stock.AllowNegative})
	eng := document.New(document.Deps{
		Tx: d.db, Events: persistence.NewEventLog(d.db), Counter: persistence.NewNumbering(d.db),
		Prices: purchasing.PurchasePrices{Catalog: catalog, Store: prices}, Catalog: catalog, Stock: stk, Now: d.now,
	})
	common := purchasing.Common{Engine: eng, Suppliers: catalog, Config: cfg}
	orders := persistence.NewPurchaseOrderStore(d.db)
	receptions := persistence.NewReceptionStore(d.db)
	invoices := persistence.NewSupplierInvoiceStore(d.db)
	accounts, bankStore := newBank(d)
	return api.Purchasing{
		SupplierPrices: purchasing.NewSupplierPrices(d.db, prices, catalog, catalog, d.now),
		Orders:         purchasing.NewOrders(common, orders),
		Receptions:     purchasing.NewReceptions(common, receptions, orders, catalog),
		Invoices:       purchasing.NewInvoices(common, invoices, orders, receptions),
		Payments:       purchasing.NewPayments(common, invoices, persistence.NewSupplierPaymentStore(d.db), accounts, bankStore),
	}, nil
}

// purchaseConfig turns the validated configuration into the use case's;
// documents are rounded as sales documents are.
func purchaseConfig(c PurchaseConfig, sc SalesConfig) (purchasing.Config, error) {
	out := purchasing.DefaultConfig()
	var ok bool
	if out.StockTrigger, ok = purchasing.ParseStockTrigger(c.StockIncreaseOn); !ok {
		return out, &ConfigError{Problems: []string{"DOLIBARR_STOCK_INCREASE_ON: invalid"}}
	}
	if out.Rounding, ok = domain.ParseRoundingMode(sc.RoundingMode); !ok {
		return out, &ConfigError{Problems: []string{"DOLIBARR_SALES_ROUNDING_MODE: invalid"}}
	}
	if c.ApprovalAbove != "" {
		d, err := domain.ParseDecimal(c.ApprovalAbove)
		if err != nil {
			return out, &ConfigError{Problems: []string{"DOLIBARR_PURCHASE_APPROVAL_ABOVE: invalid"}}
		}
		out.ApprovalAbove = &d
	}
	out.AllowOverReception = c.AllowOverReception
	for _, m := range []struct {
		dst *domain.Mask
		src string
	}{{&out.OrderMask, c.OrderMask}, {&out.ReceptionMask, c.ReceptionMask}, {&out.InvoiceMask, c.InvoiceMask}, {&out.CreditNoteMask, c.CreditNoteMask}} {
		mask, err := domain.ParseMask(m.src)
		if err != nil {
			return out, err
		}
		*m.dst = mask
	}
	return out, nil
}
