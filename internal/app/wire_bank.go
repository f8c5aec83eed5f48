package app

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/queue"
	"github.com/dolibarr-go/dolibarr/internal/usecase/bank"
)

// newBank builds the bank accounts use case, which payments post their
// lines through, on its store (also the payment-method dictionary's).
// Both are stateless over the tables: the sales wiring and the bank routes
// each build one.
func newBank(d deps) (*bank.Accounts, *persistence.BankStore) {
	store := persistence.NewBankStore(d.db)
	return bank.New(d.db, store, store, d.now, d.cfg.Bank.DefaultAccountID), store
}

// wireBank adds the routes of bank accounts, their lines, transfers,
// reconciliation and the payment-method dictionary.
func wireBank(_ context.Context, d deps, w *wiring) error {
	accounts, store := newBank(d)
	methods := bank.NewMethods(store)
	statements := bank.NewStatements(d.db, store, store, store, jobQueue(d), d.now)
	w.routes = append(w.routes, func(s *api.Server) {
		api.RegisterBank(s, accounts, methods, statements)
	})
	return nil
}

// registerBankJobs registers the matching of imported statements.
func registerBankJobs(_ context.Context, d deps, _ *wiring, reg *queue.Registry) error {
	_, store := newBank(d)
	statements := bank.NewStatements(d.db, store, store, store, jobQueue(d), d.now)
	return reg.Register(bank.StatementJobKind, statements.HandleJob, queue.CompleteAtOnce())
}
