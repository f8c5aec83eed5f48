package printing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

type fakeSource struct {
	doc   Document
	err   error
	calls int
}

func (f *fakeSource) Load(context.Context, int64) (Document, error) {
	f.calls++
	return f.doc, f.err
}

func (f *fakeSource) Map(context.Context, domain.CommercialDocument, *domain.ThirdParty) (Document, error) {
	f.calls++
	return f.doc, f.err
}

type fakeRenderer struct {
	got      Document
	calls    int
	deadline time.Time
	err      error
}

func (f *fakeRenderer) Render(ctx context.Context, doc Document, w io.Writer) error {
	f.calls++
	f.got = doc
	f.deadline, _ = ctx.Deadline()
	if err := ctx.Err(); err != nil {
		return err
	}
	if f.err != nil {
		return f.err
	}
	_, err := w.Write([]byte("%PDF-fake"))
	return err
}

var company = Party{Name: "Atelier Lumière", VATID: "FR40123456789"}

func TestRenderCompletesTheDocument(t *testing.T) {
	src := &fakeSource{doc: Document{Kind: KindInvoice, Ref: "FA2611-0042"}}
	r := &fakeRenderer{}
	svc := New(Sources{domain.KindInvoice: src}, r, Config{Company: company, Language: "fr", Timeout: 5 * time.Second})
	var buf bytes.Buffer
	start := time.Now()
	f, err := svc.Render(context.Background(), Request{Kind: domain.KindInvoice, ID: 7}, &buf)
	require.NoError(t, err)
	require.Equal(t, File{Name: "FA2611-0042.pdf", ContentType: "application/pdf", Ref: "FA2611-0042"}, f)
	require.Equal(t, "%PDF-fake", buf.String())
	require.Equal(t, 1, src.calls)
	require.Equal(t, company, r.got.Company, "the company block comes from configuration")
	require.Equal(t, "fr", r.got.Language, "the configured language when nothing else names one")
	require.Equal(t, "EUR", r.got.Currency)
	require.WithinDuration(t, start.Add(5*time.Second), r.deadline, time.Second, "rendering runs under the configured timeout")

	// The request's language wins over the document's, which wins over
	// the configuration's.
	src.doc.Language = "es"
	_, err = svc.Render(context.Background(), Request{Kind: domain.KindInvoice, ID: 7}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "es", r.got.Language)
	_, err = svc.Render(context.Background(), Request{Kind: domain.KindInvoice, ID: 7, Language: "pt-BR"}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "pt-BR", r.got.Language)
}

func TestRenderErrors(t *testing.T) {
	r := &fakeRenderer{}
	src := &fakeSource{err: domain.E(domain.ErrNotFound, "invoice_not_found", "invoice 9 not found")}
	svc := New(Sources{domain.KindInvoice: src, domain.KindOrder: src}, r, Config{})
	_, err := svc.Render(context.Background(), Request{Kind: domain.KindInvoice, ID: 9}, io.Discard)
	require.ErrorIs(t, err, domain.ErrNotFound)
	require.Zero(t, r.calls)

	_, err = svc.Render(context.Background(), Request{Kind: "quote", ID: 9}, io.Discard)
	require.ErrorIs(t, err, domain.ErrInvalid)
	require.Equal(t, 1, src.calls, "an unknown kind loads nothing")
	_, err = svc.RenderDocument(context.Background(), Printable{Doc: &domain.Proposal{}}, io.Discard)
	require.ErrorIs(t, err, domain.ErrInvalid, "nor does a kind without a source")
	require.Equal(t, 1, src.calls)

	// A context that ends during loading stops before rendering.
	src.err = nil
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = svc.Render(ctx, Request{Kind: domain.KindOrder, ID: 1}, io.Discard)
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, r.calls)
}

// TestRenderFailureIsMarked: what the renderer fails on (an error or a
// recovered panic of the PDF library) is ErrRenderFailed, so a job knows
// retrying will not help; a rendering its context stopped is not.
func TestRenderFailureIsMarked(t *testing.T) {
	r := &fakeRenderer{err: errors.New("pdf: rendering panicked: runtime error: index out of range [65536] with length 65536")}
	svc := New(Sources{domain.KindInvoice: &fakeSource{doc: Document{Kind: KindInvoice, Ref: "FA2611-0042"}}}, r, Config{})
	_, err := svc.Render(context.Background(), Request{Kind: domain.KindInvoice, ID: 7}, io.Discard)
	require.ErrorIs(t, err, ErrRenderFailed)
	require.ErrorContains(t, err, "index out of range")

	for _, stop := range []error{context.Canceled, context.DeadlineExceeded} {
		r.err = fmt.Errorf("pdf: %w", stop)
		_, err = svc.Render(context.Background(), Request{Kind: domain.KindInvoice, ID: 7}, io.Discard)
		require.ErrorIs(t, err, stop)
		require.NotErrorIs(t, err, ErrRenderFailed, "a stopped rendering may succeed next time")
	}
}

func TestFileName(t *testing.T) {
	for ref, want := range map[string]string{
		"FA2611-0042": "FA2611-0042.pdf", "(PROV42)": "PROV42.pdf", "AV 2611/7": "AV_2611_7.pdf",
		"": "document.pdf", "../../etc": "etc.pdf", "Réf é": "R_f.pdf", `a"b`: "a_b.pdf",
	} {
		require.Equal(t, want, FileName(ref), ref)
	}
}

type fakeSales struct {
	inv   *domain.Invoice
	pays  []domain.Payment
	reads int
}

func (f *fakeSales) Proposal(context.Context, int64) (*domain.Proposal, error) {
	return &domain.Proposal{Document: f.inv.Document, ValidUntil: f.inv.DueDate}, nil
}
func (f *fakeSales) Order(context.Context, int64) (*domain.Order, error) {
	return &domain.Order{Document: f.inv.Document, Status: domain.OrderValidated}, nil
}
func (f *fakeSales) Invoice(_ context.Context, id int64) (*domain.Invoice, error) {
	f.reads++
	if f.inv == nil || f.inv.ID != id {
		return nil, domain.E(domain.ErrNotFound, "invoice_not_found", "invoice %d not found", id)
	}
	return f.inv, nil
}
func (f *fakeSales) InvoicePayments(context.Context, int64) ([]domain.Payment, error) {
	return f.pays, nil
}

type fakeCatalog struct {
	productReads  int
	customerReads int
	onProduct     func()
	language      string
}

func (f *fakeCatalog) GetThirdParty(context.Context, int64) (*domain.ThirdParty, error) {
	f.customerReads++
	return &domain.ThirdParty{Name: "Zoë Müller", Address: "1 Praça da Sé", Town: "São Paulo", CountryCode: "BR",
		CustomerCode: "CU0001", VATNumber: "BR1", PaymentTerms: "30D", Language: f.language}, nil
}
func (f *fakeCatalog) GetProduct(_ context.Context, id int64) (*domain.Product, error) {
	f.productReads++
	if f.onProduct != nil {
		f.onProduct()
	}
	return &domain.Product{ID: id, Ref: map[int64]string{1: "LAMP", 2: "BULB"}[id]}, nil
}

func sampleInvoice() *domain.Invoice {
	d := domain.MustDecimal
	inv := &domain.Invoice{
		Document: domain.Document{ID: 42, CustomerID: 3, Date: time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC),
			RefCustomer: "PO-1", NotePublic: "Merci", Lines: []domain.Line{
				{ProductID: 1, Description: "Lampe", Quantity: d("2"), UnitPrice: d("89.9"), VATRate: d("20")},
				{Description: "Pose", Quantity: d("1"), UnitPrice: d("55"), VATRate: d("10"), DiscountPercent: d("10")},
				{ProductID: 2, Description: "Ampoule", Quantity: d("15"), UnitPrice: d("6.36"), VATRate: d("20")},
				{ProductID: 1, Description: "Lampe (2)", Quantity: d("1"), UnitPrice: d("89.9"), VATRate: d("20")},
			}},
		Status: domain.InvoiceValidated, DueDate: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC),
	}
	inv.Ref = "FA2611-0042"
	inv.Recompute()
	inv.Paid = d("100")
	return inv
}

// TestInvoicesSourceMapsAnInvoice checks the mapping from the sales entities:
// header, customer, product refs (one read per product), VAT breakdown,
// payments, credits used and remainder, draft and credit-note flags.
func TestInvoicesSourceMapsAnInvoice(t *testing.T) {
	inv := sampleInvoice()
	pay := domain.Payment{Date: time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC), Method: domain.PayBankTransfer, Reference: "VIR-1", Amount: domain.MustDecimal("100")}
	cat := &fakeCatalog{}
	sales := &fakeSales{inv: inv, pays: []domain.Payment{pay}}
	src := Invoices(sales.Invoice, sales.InvoicePayments, cat)
	doc, err := src.Load(context.Background(), 42)
	require.NoError(t, err)
	require.Equal(t, KindInvoice, doc.Kind)
	require.False(t, doc.Draft)
	require.Equal(t, "FA2611-0042", doc.Ref)
	require.Equal(t, "PO-1", doc.CustomerRef)
	require.Equal(t, inv.Date, doc.IssueDate)
	require.Equal(t, inv.DueDate, doc.DueDate)
	require.Equal(t, "Merci", doc.PublicNote)
	require.Equal(t, "30D", doc.PaymentTerms)
	require.Equal(t, Party{Name: "Zoë Müller", Address: "1 Praça da Sé", Town: "São Paulo", CountryCode: "BR", Code: "CU0001", VATID: "BR1", Business: true}, doc.Customer)
	require.Equal(t, 2, cat.productReads, "one read per distinct product")
	require.Len(t, doc.Lines, 4)
	require.Equal(t, []string{"LAMP", "", "BULB", "LAMP"}, []string{doc.Lines[0].Ref, doc.Lines[1].Ref, doc.Lines[2].Ref, doc.Lines[3].Ref})
	require.Equal(t, "49.5", doc.Lines[1].TotalExclTax.String(), "line totals as the sales engine computed them")
	require.Equal(t, "10", doc.Lines[1].DiscountPercent.String())
	require.True(t, doc.TotalInclTax.Equal(inv.TotalInclTax))
	require.Len(t, doc.VAT, 2)
	vatSum := domain.Zero
	for _, v := range doc.VAT {
		vatSum = vatSum.Add(v.Amount)
	}
	require.True(t, vatSum.Equal(inv.TotalVAT), "the breakdown adds up to the VAT total")
	require.Equal(t, []Payment{{Date: pay.Date, Method: "transfer", Reference: "VIR-1", Amount: pay.Amount}}, doc.Payments)
	require.True(t, doc.Paid.Equal(domain.MustDecimal("100")))
	require.True(t, doc.CreditUsed.IsZero())
	require.True(t, doc.Remaining.Equal(inv.TotalInclTax.Sub(domain.MustDecimal("100"))))

	// Customer credits used on the invoice are carried apart from the
	// payments, and the remainder is net of both.
	inv.CreditUsed = domain.MustDecimal("50")
	doc, err = src.Load(context.Background(), 42)
	require.NoError(t, err)
	require.True(t, doc.Paid.Equal(domain.MustDecimal("100")), "credits are not payments")
	require.True(t, doc.CreditUsed.Equal(domain.MustDecimal("50")))
	require.True(t, doc.Remaining.Equal(inv.TotalInclTax.Sub(domain.MustDecimal("150"))))
	require.True(t, doc.TotalInclTax.Sub(doc.Paid).Sub(doc.CreditUsed).Equal(doc.Remaining), "total - paid - credits used = remaining")
	inv.CreditUsed = domain.Zero

	inv.Type, inv.Status, inv.Ref = domain.InvoiceCreditNote, domain.InvoiceDraft, ""
	doc, err = src.Load(context.Background(), 42)
	require.NoError(t, err)
	require.Equal(t, KindCreditNote, doc.Kind)
	require.True(t, doc.Draft)
	require.Equal(t, "(PROV42)", doc.Ref)

	doc, err = Orders(sales.Order, cat).Load(context.Background(), 42)
	require.NoError(t, err)
	require.Equal(t, KindOrder, doc.Kind)
	require.False(t, doc.Draft)
	require.Empty(t, doc.Payments)

	_, err = src.Load(context.Background(), 7)
	require.ErrorIs(t, err, domain.ErrNotFound)
}

// TestRenderInTheCustomersLanguage: without a requested language the
// document speaks its customer's, else the configured default; a requested
// language still wins.
func TestRenderInTheCustomersLanguage(t *testing.T) {
	cat := &fakeCatalog{language: "pt-BR"}
	r := &fakeRenderer{}
	sales := &fakeSales{inv: sampleInvoice()}
	svc := New(Sources{domain.KindInvoice: Invoices(sales.Invoice, sales.InvoicePayments, cat)}, r, Config{Language: "fr", Timeout: 5 * time.Second})
	_, err := svc.Render(context.Background(), Request{Kind: domain.KindInvoice, ID: 42}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "pt-BR", r.got.Language, "the customer's language")
	_, err = svc.Render(context.Background(), Request{Kind: domain.KindInvoice, ID: 42, Language: "en"}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "en", r.got.Language, "the request's language wins")
	cat.language = ""
	_, err = svc.Render(context.Background(), Request{Kind: domain.KindInvoice, ID: 42}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "fr", r.got.Language, "the default when the customer has none")
}

// TestSourceStopsWhenCancelled: a cancellation during loading stops
// before the next read.
func TestSourceStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cat := &fakeCatalog{onProduct: cancel}
	sales := &fakeSales{inv: sampleInvoice()}
	_, err := Invoices(sales.Invoice, sales.InvoicePayments, cat).Load(ctx, 42)
	require.True(t, errors.Is(err, context.Canceled))
	require.Equal(t, 1, cat.productReads, "no read after the cancellation")
}

// TestRenderOfADocumentAlreadyRead: a caller that has read the document and
// its customer (the mail job) hands them over; they are not read again,
// and the PDF is the one a Render by id gives.
func TestRenderOfADocumentAlreadyRead(t *testing.T) {
	sales, cat := &fakeSales{inv: sampleInvoice()}, &fakeCatalog{language: "pt-BR"}
	r := &fakeRenderer{}
	svc := New(Sources{domain.KindInvoice: Invoices(sales.Invoice, sales.InvoicePayments, cat)}, r, Config{Language: "fr", Timeout: 5 * time.Second})
	_, err := svc.Render(context.Background(), Request{Kind: domain.KindInvoice, ID: 42}, io.Discard)
	require.NoError(t, err)
	byID := r.got
	require.Equal(t, 1, sales.reads)
	require.Equal(t, 1, cat.customerReads)

	cust, err := cat.GetThirdParty(context.Background(), 3)
	require.NoError(t, err)
	f, err := svc.RenderDocument(context.Background(), Printable{Doc: sales.inv, Customer: cust}, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "FA2611-0042.pdf", f.Name)
	require.Equal(t, 1, sales.reads, "the document is not read again")
	require.Equal(t, 2, cat.customerReads, "the customer is not read again (one read above, by the test)")
	require.Equal(t, byID, r.got)
}
