package sales_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document"
	"github.com/dolibarr-go/dolibarr/internal/usecase/document/documenttest"
	"github.com/dolibarr-go/dolibarr/internal/usecase/sales"
)

// The fakes implement the sales ports whole: the engine's document stores
// (documenttest.Store) plus each kind's list, and the payment and credit
// stores. They share one call log.

type invoiceStore struct {
	*documenttest.Store[domain.Invoice, *domain.Invoice]
}

func (s invoiceStore) List(context.Context, sales.Filter) (domain.Page[domain.Invoice], error) {
	var out []domain.Invoice
	for _, inv := range s.Docs {
		out = append(out, *inv)
	}
	return domain.Page[domain.Invoice]{Items: out, Total: int64(len(out))}, nil
}

func (s invoiceStore) LockMany(_ context.Context, ids []int64) ([]*domain.Invoice, error) {
	s.Log.Calls = append(s.Log.Calls, fmt.Sprint("lock invoices ", ids))
	var out []*domain.Invoice
	for _, id := range ids {
		if inv := s.Doc(id); inv != nil {
			inv.Lines = nil
			out = append(out, inv)
		}
	}
	return out, nil
}

type orderStore struct {
	*documenttest.Store[domain.Order, *domain.Order]
}

func (s orderStore) List(context.Context, sales.Filter) (domain.Page[domain.Order], error) {
	return domain.Page[domain.Order]{Total: int64(len(s.Docs))}, nil
}

type proposalStore struct {
	*documenttest.Store[domain.Proposal, *domain.Proposal]
}

func (s proposalStore) List(context.Context, sales.Filter) (domain.Page[domain.Proposal], error) {
	return domain.Page[domain.Proposal]{Total: int64(len(s.Docs))}, nil
}

type paymentStore struct {
	log      *documenttest.Log
	payments []domain.Payment
}

func (s *paymentStore) Create(_ context.Context, p *domain.Payment) error {
	s.log.Calls = append(s.log.Calls, "create payment")
	p.ID = int64(len(s.payments) + 1)
	s.payments = append(s.payments, *p)
	return nil
}

func (s *paymentStore) Get(_ context.Context, id int64) (*domain.Payment, error) {
	if id < 1 || int(id) > len(s.payments) {
		return nil, domain.E(domain.ErrNotFound, "not_found", "payment %d not found", id)
	}
	p := s.payments[id-1]
	return &p, nil
}

func (s *paymentStore) List(context.Context, sales.PaymentFilter) (domain.Page[domain.Payment], error) {
	return domain.Page[domain.Payment]{Items: s.payments, Total: int64(len(s.payments))}, nil
}

func (s *paymentStore) OfInvoice(_ context.Context, invoiceID int64) ([]domain.Payment, error) {
	var out []domain.Payment
	for _, p := range s.payments {
		for _, a := range p.Allocations {
			if a.InvoiceID == invoiceID {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

func (s *paymentStore) Delete(_ context.Context, id int64) error {
	s.log.Calls = append(s.log.Calls, fmt.Sprintf("delete payment %d", id))
	return nil
}

// noBank is an installation without bank accounts: payments post no line.
type noBank struct{}

func (noBank) ResolveAccount(context.Context, int64) (int64, error) { return 0, nil }
func (noBank) Post(_ context.Context, l domain.BankLine) (*domain.BankLine, error) {
	return &l, nil
}
func (noBank) Unpost(context.Context, string, int64) error { return nil }
func (noBank) LockOpen(context.Context, int64) error       { return nil }

// methods is the seeded dictionary's part the tests use.
type methods struct{}

func (methods) GetMethod(_ context.Context, code string) (*domain.PaymentMethodEntry, error) {
	switch code {
	case "VIR", "LIQ", "CB", "PRE":
		return &domain.PaymentMethodEntry{Code: code, Label: code, Active: true}, nil
	case "CHQ":
		return &domain.PaymentMethodEntry{Code: code, Label: "Cheque", Active: true, NeedsReference: true}, nil
	}
	return nil, domain.E(domain.ErrNotFound, "not_found", "payment method %s not found", code)
}

type customers map[int64]*domain.ThirdParty

func (c customers) GetThirdParty(_ context.Context, id int64) (*domain.ThirdParty, error) {
	if t, ok := c[id]; ok {
		return t, nil
	}
	return nil, domain.E(domain.ErrNotFound, "not_found", "third party %d not found", id)
}

type fixture struct {
	log         *documenttest.Log
	invoices    invoiceStore
	orders      orderStore
	proposals   proposalStore
	payments    *paymentStore
	events      *documenttest.Events
	stock       *documenttest.Stock
	inv         *sales.Invoices
	conv        *sales.Conversions
	pay         *sales.Payments
	proposalsUC *sales.Proposals
	common      sales.Common
}

var today = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func newFixture(trigger sales.StockTrigger) *fixture {
	log := &documenttest.Log{}
	f := &fixture{
		log:       log,
		invoices:  invoiceStore{documenttest.NewStore[domain.Invoice](log)},
		orders:    orderStore{documenttest.NewStore[domain.Order](log)},
		proposals: proposalStore{documenttest.NewStore[domain.Proposal](log)},
		payments:  &paymentStore{log: log},
		events:    &documenttest.Events{Log: log},
		stock:     &documenttest.Stock{Log: log, Levels: map[int64]domain.Decimal{}},
	}
	catalog := &documenttest.Catalog{Log: log, Known: map[int64]*domain.Product{
		1: {ID: 1, Ref: "WIDGET", Label: "Widget", Type: domain.ProductGoods, OnSale: true, Price: domain.MustDecimal("10"), VATRate: domain.MustDecimal("20")},
		2: {ID: 2, Ref: "GADGET", Label: "Gadget", Type: domain.ProductGoods, OnSale: true, Price: domain.MustDecimal("10"), VATRate: domain.MustDecimal("20")},
		3: {ID: 3, Ref: "OLD", Label: "Old", Type: domain.ProductGoods},
	}}
	eng := document.New(document.Deps{Tx: documenttest.Tx{}, Events: f.events, Counter: &documenttest.Counter{Log: log},
		Prices: sales.SellingPrices{Catalog: catalog}, Catalog: catalog, Stock: f.stock, Now: func() time.Time { return today }})
	cfg := sales.DefaultConfig()
	cfg.StockTrigger = trigger
	f.common = sales.Common{Engine: eng, Config: cfg, Customers: customers{
		7: {ID: 7, Name: "ACME", Customer: true, Active: true, PaymentTerms: "30D"},
		8: {ID: 8, Name: "Supplier", Supplier: true, Active: true}}}
	f.inv = sales.NewInvoices(f.common, f.invoices, f.orders, f.proposals)
	f.conv = sales.NewConversions(f.common, f.proposals, f.orders, f.invoices)
	f.pay = sales.NewPayments(f.common, f.invoices, f.payments, noBank{}, methods{})
	f.proposalsUC = sales.NewProposals(f.common, f.proposals)
	return f
}

func (f *fixture) draft(id int64, typ domain.InvoiceType, lines ...domain.Line) {
	inv := &domain.Invoice{Type: typ}
	inv.ID, inv.CustomerID, inv.Date, inv.Lines, inv.Version = id, 7, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), lines, 1
	inv.Recompute()
	f.invoices.Put(inv)
}

func goods(product int64, qty string) domain.Line {
	return domain.Line{ProductID: product, ProductType: domain.ProductGoods, Description: "g", Quantity: domain.MustDecimal(qty),
		UnitPrice: domain.MustDecimal("10"), VATRate: domain.MustDecimal("20")}
}

func code(err error) string {
	var c interface{ ErrorCode() string }
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return ""
}

// TestCreateTakesProductDefaultsAndChecksTheCustomer: a new invoice's lines
// take their product's selling price, a product not on sale and a third
// party that is no customer are field problems, and nothing is written.
func TestCreateTakesProductDefaultsAndChecksTheCustomer(t *testing.T) {
	f := newFixture(sales.StockNever)
	ctx := context.Background()
	inv, err := f.inv.Create(ctx, sales.InvoiceInput{HeaderInput: sales.HeaderInput{CustomerID: 7,
		Lines: []document.LineInput{{ProductID: 1, Quantity: domain.MustDecimal("2")}}}}, 5)
	require.NoError(t, err)
	require.Equal(t, "Widget", inv.Lines[0].Description)
	require.Equal(t, "24", inv.TotalInclTax.String())
	require.Equal(t, time.Date(2026, 12, 30, 0, 0, 0, 0, time.UTC), inv.DueDate, "due on the customer's terms")
	require.Equal(t, today, inv.CreatedAt)
	require.Equal(t, []string{"products [1]", "create invoice", "event created invoice 101"}, f.log.Calls)

	f.log.Reset()
	_, err = f.inv.Create(ctx, sales.InvoiceInput{HeaderInput: sales.HeaderInput{CustomerID: 8,
		Lines: []document.LineInput{{ProductID: 3, Quantity: domain.MustDecimal("1")}}}}, 5)
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve)
	fields := map[string]string{}
	for _, fe := range ve.Fields {
		fields[fe.Field] = fe.Code
	}
	require.Equal(t, map[string]string{"customer_id": "not_customer", "lines[0].product_id": "not_on_sale"}, fields)
	require.NotContains(t, f.log.Calls, "create invoice")
}

// TestValidationOrder: the invoice locked first, then the stock, the event,
// the number, and the save last: the counter is locked last.
func TestValidationOrder(t *testing.T) {
	f := newFixture(sales.StockOnInvoice)
	f.stock.Levels[1] = domain.MustDecimal("10")
	f.draft(1, domain.InvoiceStandard, goods(1, "2"), goods(1, "3"))
	inv, err := f.inv.Validate(context.Background(), 1, 4, 99)
	require.NoError(t, err)
	require.Equal(t, "FA2611-0001", inv.Ref)
	require.Equal(t, []string{"lock invoice 1", "stock 1 moves", "event validated invoice 1", "number sales.invoice", "save invoice 1"}, f.log.Calls)
	require.Len(t, f.stock.Batches[0], 1, "lines of one product merged")
	require.Equal(t, "-5", f.stock.Batches[0][0].Quantity.String())
	require.Equal(t, "invoice", f.stock.Batches[0][0].OriginType)
	require.Equal(t, int64(99), f.stock.Batches[0][0].UserID)
	require.Equal(t, today, f.stock.Batches[0][0].At, "the movement has the validation's time")
	require.Equal(t, int64(99), f.events.List[0].UserID)
	require.Equal(t, int64(4), inv.WarehouseID)
	require.Equal(t, today, inv.ValidatedAt)
	require.Equal(t, today, inv.UpdatedAt)
}

// TestRefusedValidationTouchesNothing: a state error or a shortage stops
// before any number is drawn; a state error also before any stock move.
func TestRefusedValidationTouchesNothing(t *testing.T) {
	f := newFixture(sales.StockOnInvoice)
	f.stock.Levels[1] = domain.MustDecimal("1")
	f.draft(1, domain.InvoiceStandard, goods(1, "2"), goods(2, "1"))
	_, err := f.inv.Validate(context.Background(), 1, 4, 1)
	var short *domain.DocumentStockShortage
	require.ErrorAs(t, err, &short)
	require.ErrorIs(t, err, domain.ErrConflict)
	require.Equal(t, "insufficient_stock", code(err))
	require.Len(t, short.Items, 2)
	require.Equal(t, "WIDGET", short.Items[0].ProductRef)
	require.Equal(t, "GADGET", short.Items[1].ProductRef)
	require.Equal(t, []string{"lock invoice 1", "stock 2 moves", "products [1 2]"}, f.log.Calls,
		"no event, no number, no save; the shortage's product references cost one read")
	require.Equal(t, domain.InvoiceDraft, f.invoices.Doc(1).Status)

	d := f.invoices.Doc(1)
	d.Status = domain.InvoiceValidated
	f.invoices.Put(d)
	f.stock.Batches = nil
	_, err = f.inv.Validate(context.Background(), 1, 4, 1)
	require.Equal(t, "invoice_not_draft", code(err))
	require.Empty(t, f.stock.Batches)

	f.draft(2, domain.InvoiceStandard, goods(1, "1"))
	_, err = f.inv.Validate(context.Background(), 2, 0, 1)
	require.ErrorIs(t, err, domain.ErrInvalid, "a warehouse is required when stock moves")
}

// TestStockTriggerNone: no stock moves at all; a warehouse is not needed.
func TestStockTriggerNone(t *testing.T) {
	f := newFixture(sales.StockNever)
	f.draft(1, domain.InvoiceStandard, goods(1, "1000"))
	inv, err := f.inv.Validate(context.Background(), 1, 0, 1)
	require.NoError(t, err)
	require.Empty(t, f.stock.Batches)
	require.Zero(t, inv.WarehouseID)
}

// TestCreditNotePutsStockBackWhereItCameFrom: without a warehouse the
// credit note uses its invoice's, and moves stock in; it is numbered in its
// own series. Reopening it takes the stock out again.
func TestCreditNotePutsStockBackWhereItCameFrom(t *testing.T) {
	f := newFixture(sales.StockOnInvoice)
	f.stock.Levels[1] = domain.MustDecimal("5")
	f.draft(1, domain.InvoiceStandard, goods(1, "5"))
	ctx := context.Background()
	src, err := f.inv.Validate(ctx, 1, 8, 1)
	require.NoError(t, err)
	cn, err := f.inv.CreditNote(ctx, src.ID, 1)
	require.NoError(t, err)
	got, err := f.inv.Validate(ctx, cn.ID, 0, 1)
	require.NoError(t, err)
	require.Equal(t, "AV2611-0001", got.Ref)
	require.Equal(t, int64(8), got.WarehouseID)
	require.Equal(t, "5", f.stock.Levels[1].String())

	got, err = f.inv.Reopen(ctx, cn.ID, 1)
	require.NoError(t, err)
	require.Zero(t, got.WarehouseID)
	require.Equal(t, "0", f.stock.Levels[1].String(), "a reopened credit note takes back what it put in")
	require.Equal(t, "AV2611-0001", got.Ref, "and keeps its number")
}

// TestCreditNoteSourceReadFailures: a credit note without a warehouse takes
// its source invoice's; a source that is gone leaves the choice to the
// caller (422), while a failure to read it is reported as such, not hidden
// behind a field error.
func TestCreditNoteSourceReadFailures(t *testing.T) {
	f := newFixture(sales.StockOnInvoice)
	f.stock.Levels[1] = domain.MustDecimal("5")
	f.draft(1, domain.InvoiceStandard, goods(1, "5"))
	ctx := context.Background()
	src, err := f.inv.Validate(ctx, 1, 8, 1)
	require.NoError(t, err)
	cn, err := domain.CreditNoteFor(src, src.Date, 1)
	require.NoError(t, err)
	cn.ID = 2
	f.invoices.Put(cn)

	boom := errors.New("connection reset")
	f.invoices.Err[1] = boom
	_, err = f.inv.Validate(ctx, 2, 0, 1)
	require.ErrorIs(t, err, boom)

	delete(f.invoices.Docs, 1)
	delete(f.invoices.Err, 1)
	_, err = f.inv.Validate(ctx, 2, 0, 1)
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve, "no source, no warehouse: the caller must name one")
	require.Equal(t, "warehouse_id", ve.Fields[0].Field)
}

// TestEventLogFailureFailsTheChange: the event is written in the change's
// transaction before the number is drawn; its failure is the use case's.
func TestEventLogFailureFailsTheChange(t *testing.T) {
	f := newFixture(sales.StockNever)
	f.events.Err = errors.New("disk full")
	f.draft(1, domain.InvoiceStandard, goods(1, "1"))
	_, err := f.inv.Validate(context.Background(), 1, 0, 1)
	require.ErrorContains(t, err, "disk full")
	require.NotContains(t, f.log.Calls, "number sales.invoice")
	require.Equal(t, domain.InvoiceDraft, f.invoices.Doc(1).Status)
}

// TestPaymentChecksInvoicesBeforeApplying: unknown invoices and invoices of
// another customer are field errors; nothing is recorded.
func TestPaymentChecksInvoicesBeforeApplying(t *testing.T) {
	f := newFixture(sales.StockNever)
	f.draft(1, domain.InvoiceStandard, goods(1, "1"))
	ctx := context.Background()
	_, err := f.inv.Validate(ctx, 1, 0, 1)
	require.NoError(t, err)
	f.log.Reset()
	_, err = f.pay.Pay(ctx, sales.PaymentInput{Method: domain.PayCash, CustomerID: 8, Allocations: []domain.Allocation{
		{InvoiceID: 1, Amount: domain.MustDecimal("1")}, {InvoiceID: 5, Amount: domain.MustDecimal("1")}}}, 1)
	var ve *domain.ValidationError
	require.ErrorAs(t, err, &ve)
	fields := map[string]string{}
	for _, fe := range ve.Fields {
		fields[fe.Field] = fe.Code
	}
	require.Equal(t, map[string]string{"allocations[0].invoice_id": "other_customer", "allocations[1].invoice_id": "not_found"}, fields)
	require.Equal(t, []string{"lock invoices [1 5]"}, f.log.Calls)

	// The whole remainder: the invoice becomes paid in the payment's
	// transaction, stamped by the same clock.
	f.log.Reset()
	p, err := f.pay.PayInvoice(ctx, 1, nil, sales.PaymentInput{Method: domain.PayCash}, 3)
	require.NoError(t, err)
	require.Equal(t, []string{"lock invoices [1]", "create payment", "save invoice 1", "event paid invoice 1"}, f.log.Calls)
	require.Equal(t, "12", p.Amount.String())
	require.Equal(t, today, p.CreatedAt)
	paid := f.invoices.Doc(1)
	require.Equal(t, domain.InvoicePaid, paid.Status)
	require.Equal(t, today, paid.UpdatedAt)
	ofInv, err := f.pay.OfInvoice(ctx, 1)
	require.NoError(t, err)
	require.Len(t, ofInv, 1)
}

// TestLineEditsOnAnInvoice: an invoice offers the engine's line edits.
func TestLineEditsOnAnInvoice(t *testing.T) {
	f := newFixture(sales.StockNever)
	l := goods(1, "2")
	l.ID = 5
	f.draft(1, domain.InvoiceStandard, l)
	ctx := context.Background()
	inv, err := f.inv.AddLine(ctx, 1, 0, document.LineInput{ProductID: 2, Quantity: domain.MustDecimal("3")})
	require.NoError(t, err)
	require.Len(t, inv.Lines, 2)
	require.Equal(t, "50", inv.TotalExclTax.String(), "the totals count the new line (2 × 10 + 3 × 10)")
	inv, err = f.inv.DeleteLine(ctx, 1, 5, inv.Version)
	require.NoError(t, err)
	require.Len(t, inv.Lines, 1)
	require.Equal(t, int64(3), inv.Version)
}

// TestInvoiceFromOrderLocksTheOrderFirst: the order is locked and the
// invoice created; the order becomes billed only when that invoice is
// validated (the order locked after the invoice), and cannot be invoiced
// again then.
func TestInvoiceFromOrderLocksTheOrderFirst(t *testing.T) {
	f := newFixture(sales.StockNever)
	o := &domain.Order{Status: domain.OrderValidated, ProposalID: 3}
	o.ID, o.CustomerID, o.Ref, o.Lines, o.Version = 1, 7, "CO2611-0001", []domain.Line{goods(1, "2")}, 2
	o.Recompute()
	f.orders.Put(o)
	ctx := context.Background()
	inv, err := f.conv.InvoiceFromOrder(ctx, 1, 4)
	require.NoError(t, err)
	require.Equal(t, []string{"lock order 1", "create invoice", "event created invoice 101", "event invoice_drafted order 1", "save order 1"}, f.log.Calls)
	require.Equal(t, int64(1), inv.OrderID)
	require.Equal(t, int64(3), inv.ProposalID, "the order's proposal too")
	require.False(t, f.orders.Doc(1).Billed, "a draft does not bill its order")
	require.Equal(t, "invoice (PROV101)", f.events.List[1].Note)

	f.log.Reset()
	_, err = f.inv.Validate(ctx, inv.ID, 0, 4)
	require.NoError(t, err)
	require.Equal(t, "lock invoice 101", f.log.Calls[0])
	require.Contains(t, f.log.Calls, "lock order 1")
	require.Contains(t, f.log.Calls, "event billed order 1")
	require.True(t, f.orders.Doc(1).Billed, "validating the invoice bills the order")

	_, err = f.conv.InvoiceFromOrder(ctx, 1, 4)
	require.Equal(t, "order_billed", code(err))
}

// TestProposalLifeCycle: validate draws the proposal's number, close
// records the answer with its time, an order is made from the signed
// proposal without changing it.
func TestProposalLifeCycle(t *testing.T) {
	f := newFixture(sales.StockNever)
	ctx := context.Background()
	p, err := f.proposalsUC.Create(ctx, sales.ProposalInput{HeaderInput: sales.HeaderInput{CustomerID: 7,
		Lines: []document.LineInput{{ProductID: 1, Quantity: domain.MustDecimal("1")}}}}, 2)
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC), p.ValidUntil, "the default validity")
	p, err = f.proposalsUC.Validate(ctx, p.ID, 2)
	require.NoError(t, err)
	require.Equal(t, "PR2611-0001", p.Ref)
	p, err = f.proposalsUC.Close(ctx, p.ID, true, "ok", 2)
	require.NoError(t, err)
	require.Equal(t, domain.ProposalSigned, p.Status)
	require.Equal(t, today, p.ClosedAt)
	version := p.Version
	f.log.Reset()
	o, err := f.conv.OrderFromProposal(ctx, p.ID, 2)
	require.NoError(t, err)
	require.Equal(t, p.ID, o.ProposalID)
	require.Equal(t, []string{"lock proposal 101", "create order", "event created order 101"}, f.log.Calls)
	require.Equal(t, version, f.proposals.Doc(p.ID).Version, "the proposal is not saved")
	evs, err := f.proposalsUC.Events(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, []string{"created", "validated", "signed"}, []string{evs[0].Action, evs[1].Action, evs[2].Action})
}
