package app

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/usecase/bank"
)

// newBank builds the bank accounts use case, which payments post their
// lines through, on its store (also the payment-method dictionary's).
// Both are stateless over the tables: the sales wiring and the bank routes
// each build one.
func newBank(d deps) (*bank.Accounts, *persistence.BankStore) {
	store := persistence.NewBankStore(d.db)
	return bank.New(d.db, store, d.now, d.cfg.Bank.DefaultAccountID), store
}

// wireBank adds the routes of bank accounts, their lines, transfers,
// reconciliation and the payment-method dictionary.
func wireBank(_ context.Context, d deps, w *wiring) error {
	accounts, store := newBank(d)
	methods := bank.NewMethods(store)
	w.routes = append(w.routes, func(s *api.Server) {
		api.RegisterBank(s, accounts, methods)
	})
	return nil
}
