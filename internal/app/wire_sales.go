package app

import (
	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
	"github.com/dolibarr-go/dolibarr/internal/usecase/printing"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
	"github.com/dolibarr-go/dolibarr/internal/usecase/stock"
	"github.com/dolibarr-go/dolibarr/internal/usecase/webhooks"
)

// newSales builds, in dependency order, the document engine with the
// selling prices and the sales use cases on it (proposals, orders,
// invoices, conversions, payments, credits). It builds its own stock use
// case, with the same negative-stock policy as the catalogue's: both are
// stateless over the same tables, and the runner builds sales without the
// catalogue routes. A document's stock moves join the validating
// transaction.
func newSales(d deps) (api.Sales, error) {
	cfg, err := salesConfig(d.cfg.Sales)
	if err != nil {
		return api.Sales{}, err
	}
	catalog := persistence.NewDocumentCatalog(d.db)
	pub := publisher(d)
	stk := stock.New(d.db, webhooks.Stock{Repo: persistence.NewStockRepo(d.db), Pub: pub}, catalog.CatalogRepo, domain.StockPolicy{AllowNegative: d.cfg.Stock.AllowNegative})
	backdated, _ := domain.ParseBackdatedPolicy(d.cfg.Sales.NumberingBackdated) // validated with the configuration
	numbering := persistence.NewNumbering(d.db)
	eng := document.New(document.Deps{
		Tx: d.db, Events: webhooks.DocumentEvents{Log: persistence.NewEventLog(d.db), Pub: pub}, Counter: numbering,
		Prices: sales.SellingPrices{Catalog: catalog}, Catalog: catalog, Stock: stk, Now: d.now,
		Chronology: numbering, Backdated: backdated,
		Warehouses: persistence.NewWarehouseRepo(d.db), DefaultWarehouse: d.cfg.Stock.DefaultWarehouseID,
		Issuing: document.Issuing{Store: persistence.NewIssued(d.db), Parties: catalog, Company: printing.CompanyParty(companyParty(d.cfg.Company))},
	})
	common := sales.Common{Engine: eng, Customers: catalog, Config: cfg}
	proposals := persistence.NewProposalStore(d.db)
	orders := persistence.NewOrderStore(d.db)
	invoices := persistence.NewInvoiceStore(d.db)
	accounts, store := newBank(d)
	return api.Sales{
		Proposals:   sales.NewProposals(common, proposals),
		Orders:      sales.NewOrders(common, orders),
		Invoices:    sales.NewInvoices(common, invoices, orders, proposals),
		Conversions: sales.NewConversions(common, proposals, orders, invoices),
		Payments:    sales.NewPayments(common, invoices, webhooks.Payments{PaymentStore: persistence.NewPaymentStore(d.db), Pub: pub}, accounts, store),
		Credits:     sales.NewCredits(common, invoices, persistence.NewCreditStore(d.db)),
	}, nil
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
