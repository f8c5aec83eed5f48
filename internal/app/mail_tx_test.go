package app

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
	"github.com/dolibarr-go/dolibarr/internal/usecase/mailing"
)

// failingSaves is the real repository whose SaveSend fails: the last step
// of a send request, after the row and the job were written.
type failingSaves struct{ *persistence.MailingRepo }

func (failingSaves) SaveSend(context.Context, *domain.DocumentSend) error {
	return errors.New("disk full")
}

type oneInvoice struct{}

func (oneInvoice) Invoice(_ context.Context, id int64) (*domain.Invoice, error) {
	return &domain.Invoice{Document: domain.Document{ID: id, Ref: "FA2611-0001", CustomerID: 1}, Status: domain.InvoiceValidated}, nil
}

func (oneInvoice) Order(context.Context, int64) (*domain.Order, error) {
	return nil, domain.E(domain.ErrNotFound, "not_found", "no orders")
}

func (oneInvoice) Proposal(context.Context, int64) (*domain.Proposal, error) {
	return nil, domain.E(domain.ErrNotFound, "not_found", "no proposals")
}

type oneCustomer struct{}

func (oneCustomer) GetThirdParty(context.Context, int64) (*domain.ThirdParty, error) {
	return &domain.ThirdParty{ID: 1, Name: "ACME", Email: "billing@acme.test"}, nil
}

// TestSendRequestAndJobShareOneTransaction: on every engine, a send request
// whose last write fails leaves neither the request nor its job; one that
// succeeds leaves exactly one of each, linked.
func TestSendRequestAndJobShareOneTransaction(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *persistence.DB) {
		d := deps{db: db, log: zap.NewNop()}
		count := func(table string) int64 {
			var n int64
			require.NoError(t, db.Gorm(context.Background()).Table(table).Count(&n).Error)
			return n
		}
		newSvc := func(store mailing.Store) *mailing.Service {
			svc, err := mailing.New(mailing.Deps{Tx: db, Store: store, Jobs: jobQueue(d),
				Sources: map[domain.DocKind]mailing.Source{domain.KindInvoice: mailing.Invoices(oneInvoice{}.Invoice)}, Customers: oneCustomer{}})
			require.NoError(t, err)
			return svc
		}
		req := mailing.Request{Kind: domain.KindInvoice, ID: 42}

		_, err := newSvc(failingSaves{persistence.NewMailingRepo(db)}).RequestSend(context.Background(), req)
		require.ErrorContains(t, err, "disk full")
		require.Zero(t, count("document_sends"), "the request rolled back")
		require.Zero(t, count("jobs"), "and its job with it")

		s, err := newSvc(persistence.NewMailingRepo(db)).RequestSend(context.Background(), req)
		require.NoError(t, err)
		require.EqualValues(t, 1, count("document_sends"))
		require.EqualValues(t, 1, count("jobs"))
		got, err := persistence.NewMailingRepo(db).Send(context.Background(), s.ID, false)
		require.NoError(t, err)
		require.Equal(t, s.JobID, got.JobID)
		require.Equal(t, []string{"billing@acme.test"}, got.To)
		require.Equal(t, domain.SendQueued, got.Status)
	})
}
