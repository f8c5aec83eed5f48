package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/pdf"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/pdf/pdftext"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
)

type docJSON = map[string]any

// docCustomer creates a customer with accents in its name and address.
func docCustomer(t *testing.T, a *apptest.App, admin string) int64 {
	t.Helper()
	return docCreate(t, a, admin, "/api/v1/thirdparties", docJSON{
		"name": "Société Générale d'Équipements", "customer": true, "address": "Avenida Paulista, 1578",
		"zip": "01310-200", "town": "São Paulo", "country_code": "BR", "payment_terms": "30D",
	})
}

func docCreate(t *testing.T, a *apptest.App, token, path string, body docJSON) int64 {
	t.Helper()
	res := a.Do(t, http.MethodPost, path, body, token)
	require.Equal(t, http.StatusCreated, res.Status, "%s: %s", path, res.Body)
	var out struct {
		ID int64 `json:"id"`
	}
	res.JSON(t, &out)
	return out.ID
}

func docLines(product int64) []docJSON {
	return []docJSON{
		{"product_id": product, "description": "Lampe de bureau « Étoile »", "quantity": "2", "unit_price": "89.90", "vat_rate": "20"},
		{"description": "Pose et réglage – forfait", "quantity": "1", "unit_price": "55", "vat_rate": "10", "discount_percent": "10"},
	}
}

// pdfText checks a PDF response and returns its text.
func pdfText(t *testing.T, res *apptest.Response, filename string) string {
	t.Helper()
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
	require.Equal(t, `attachment; filename=`+filename, res.Header.Get("Content-Disposition"))
	require.True(t, bytes.HasPrefix(res.Body, []byte("%PDF-")))
	pages, err := pdftext.Read(res.Body)
	require.NoError(t, err)
	var b strings.Builder
	for _, p := range pages {
		b.WriteString(p.String())
	}
	return b.String()
}

// TestDocumentPDFs requests the PDF of an invoice (draft, then validated
// and partly paid), a proposal and an order through the real router, on
// every engine, and reads the documents back.
func TestDocumentPDFs(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		reader := a.Token(t, domain.PermInvoiceRead, domain.PermProposalRead, domain.PermOrderRead)
		customer := docCustomer(t, a, admin)
		product := docCreate(t, a, admin, "/api/v1/products", docJSON{"ref": "LAMP-01", "label": "Lampe", "type": "service", "price": "89.90", "vat_rate": "20"})
		inv := docCreate(t, a, admin, "/api/v1/invoices", docJSON{
			"customer_id": customer, "date": "2026-11-03", "due_date": "2026-12-03", "ref_customer": "PO-7781",
			"note_public": "Merci de votre confiance.", "lines": docLines(product),
		})
		path := fmt.Sprintf("/api/v1/invoices/%d/pdf", inv)

		// A draft: provisional ref, watermark label, French.
		text := pdfText(t, a.Do(t, http.MethodGet, path+"?lang=fr", nil, reader), fmt.Sprintf("PROV%d.pdf", inv))
		for _, s := range []string{"Facture\n", fmt.Sprintf("(PROV%d)", inv), "BROUILLON\n", "Société Générale d'Équipements\n",
			"01310-200 São Paulo\n", "LAMP-01 | 2 | 89,90 | 20\u00a0% | 179,80\n", "Lampe de bureau « Étoile »\n",
			"Pose et réglage – forfait | 1 | 55,00 | 10\u00a0% | 10\u00a0% | 49,50\n", "Total TTC | 270,21\u00a0€\n",
			"Conditions de règlement\u00a0: 30 jours\n", "Merci de votre confiance.\n", "Page 1 sur 1\n", "My Company"} {
			require.Contains(t, text, s)
		}

		// Validated and partly paid: final ref as file name, payments and
		// remainder, the configured language (English).
		res := a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/validate", inv), nil, admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var validated struct {
			Ref string `json:"ref"`
		}
		res.JSON(t, &validated)
		res = a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/payments", inv), docJSON{"date": "2026-11-10", "method": "transfer", "amount": "70.21", "reference": "VIR-1110"}, admin)
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		text = pdfText(t, a.Do(t, http.MethodGet, path, nil, reader), validated.Ref+".pdf")
		for _, s := range []string{"Invoice\n", "Ref.: " + validated.Ref + "\n", "Due date: 12/03/2026\n", "Total incl. tax | €270.21\n",
			"Already paid | €70.21\n", "Remaining to pay | €200.00\n", "11/10/2026 | Bank transfer | VIR-1110 | €70.21\n"} {
			require.Contains(t, text, s)
		}
		require.NotContains(t, text, "DRAFT")

		prop := docCreate(t, a, admin, "/api/v1/proposals", docJSON{"customer_id": customer, "date": "2026-11-03", "valid_until": "2026-12-03", "lines": docLines(product)})
		text = pdfText(t, a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/proposals/%d/pdf?lang=es", prop), nil, reader), fmt.Sprintf("PROV%d.pdf", prop))
		require.Contains(t, text, "Presupuesto\n")
		require.Contains(t, text, "Válido hasta: 03/12/2026\n")
		order := docCreate(t, a, admin, "/api/v1/orders", docJSON{"customer_id": customer, "date": "2026-11-03", "lines": docLines(product)})
		text = pdfText(t, a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/orders/%d/pdf?lang=pt-BR", order), nil, reader), fmt.Sprintf("PROV%d.pdf", order))
		require.Contains(t, text, "Pedido de venda\n")
		require.Contains(t, text, "Total com impostos | €\u00a0270,21\n")
	})
}

// TestDocumentPDFErrors: unknown document, malformed id or language,
// missing token, missing permission.
func TestDocumentPDFErrors(t *testing.T) {
	a := apptest.New(t, "sqlite")
	admin := a.AdminToken(t)
	inv := docCreate(t, a, admin, "/api/v1/invoices", docJSON{"customer_id": docCustomer(t, a, admin), "date": "2026-11-03", "lines": docLines(0)[1:]})
	path := fmt.Sprintf("/api/v1/invoices/%d/pdf", inv)
	for _, c := range []struct {
		path, token string
		status      int
		code        string
	}{
		{"/api/v1/invoices/999999/pdf", admin, http.StatusNotFound, ""},
		{"/api/v1/orders/999999/pdf", admin, http.StatusNotFound, ""},
		{"/api/v1/invoices/abc/pdf", admin, http.StatusBadRequest, "invalid_id"},
		{path + "?lang=not!a!tag", admin, http.StatusBadRequest, "invalid_query"},
		{path, "", http.StatusUnauthorized, ""},
		{path, a.Token(t, domain.PermProposalRead, domain.PermOrderRead), http.StatusForbidden, ""},
	} {
		res := a.Do(t, http.MethodGet, c.path, nil, c.token)
		require.Equal(t, c.status, res.Status, "%s: %s", c.path, res.Body)
		if c.code != "" {
			var p struct {
				Code string `json:"code"`
			}
			res.JSON(t, &p)
			require.Equal(t, c.code, p.Code)
		}
	}
	res := a.Do(t, http.MethodGet, path+"?lang=de", nil, a.Token(t, domain.PermInvoiceRead))
	require.Contains(t, pdfText(t, res, fmt.Sprintf("PROV%d.pdf", inv)), "Invoice\n", "an unsupported language falls back to English")
}

// TestCT03ClientDisconnectStopsRendering is CT-03. A client requests the
// PDF of a 1,000-line invoice (27 pages) from a real HTTP server
// built exactly as the binaries build it, and closes its connection while
// maroto is drawing the rows. The render goroutine must observe the
// cancellation, return context.Canceled having done fewer units of work
// than the document has, and leave no goroutine behind.
//
// To act at a known point without sleeping, the test's Progress hook
// pauses the render goroutine at one unit inside maroto's Generate until
// the request's context ends: the only thing that can end it is the
// client closing the connection.
func TestCT03ClientDisconnectStopsRendering(t *testing.T) {
	// Registered first, so it runs last: after the server, the database and
	// every connection are closed.
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })

	type pause struct{ done, total int }
	paused := make(chan pause, 1)
	resumed := make(chan error, 1)
	reports := make(chan pdf.Report, 4)
	var pauseAt atomic.Int64 // set before the request, read by the render goroutine
	progress := func(ctx context.Context, done, total int) {
		if at := pauseAt.Load(); at == 0 || int64(done) != at {
			return
		}
		paused <- pause{done, total}
		select {
		case <-ctx.Done():
			resumed <- ctx.Err()
		case <-time.After(30 * time.Second):
			resumed <- errors.New("the request context was never cancelled")
		}
	}

	cfg := apptest.Config(t, "sqlite")
	db := testdb.New(t, "sqlite")
	// The server's background work (the revocation poll) ends with the
	// test, before the leak check.
	srvCtx, stopSrv := context.WithCancel(context.Background())
	t.Cleanup(stopSrv)
	srv, err := app.NewTestServer(srvCtx, cfg, db, zap.NewNop(),
		app.WithPDFHooks(progress, func(r pdf.Report) { reports <- r }))
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	client := ts.Client()
	defer client.CloseIdleConnections()

	call := func(ctx context.Context, method, path, token string, body any) (*http.Response, error) {
		var rd io.Reader
		if body != nil {
			b, err := json.Marshal(body)
			require.NoError(t, err)
			rd = bytes.NewReader(b)
		}
		req, err := http.NewRequestWithContext(ctx, method, ts.URL+path, rd)
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return client.Do(req)
	}
	post := func(token, path string, body any) map[string]any {
		res, err := call(context.Background(), http.MethodPost, path, token, body)
		require.NoError(t, err)
		defer func() { _ = res.Body.Close() }()
		var out map[string]any
		require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
		require.Less(t, res.StatusCode, 300, "%s: %v", path, out)
		return out
	}
	token := post("", "/api/v1/auth/login", docJSON{"login": apptest.AdminLogin, "password": apptest.AdminPassword})["access_token"].(string)
	customer := post(token, "/api/v1/thirdparties", docJSON{"name": "Zoë Müller GmbH", "customer": true})["id"]
	lines := make([]docJSON, domain.MaxLines)
	for i := range lines {
		lines[i] = docJSON{"description": fmt.Sprintf("Ligne n° %d – prestation détaillée", i+1), "quantity": "3", "unit_price": "12.5", "vat_rate": "20"}
	}
	inv := post(token, "/api/v1/invoices", docJSON{"customer_id": customer, "date": "2026-11-03", "lines": lines})
	id := int64(inv["id"].(float64))
	post(token, fmt.Sprintf("/api/v1/invoices/%d/validate", id), nil)

	// The PDF's units: set-up, one build and one draw per body row,
	// output. Pause at the tenth row drawn, after every row was built:
	// inside maroto's Generate, the part maroto itself cannot interrupt.
	body := 0
	{
		// Learn the number of body rows from a complete render first.
		res, err := call(context.Background(), http.MethodGet, fmt.Sprintf("/api/v1/invoices/%d/pdf", id), token, nil)
		require.NoError(t, err)
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		require.Equal(t, http.StatusOK, res.StatusCode, "%s", b)
		full := <-reports
		require.NoError(t, full.Err)
		require.Equal(t, full.Units, full.Done)
		require.Greater(t, full.Pages, 20, "a large invoice")
		body = (full.Units - 2) / 2
	}
	at := 1 + body + 10
	pauseAt.Store(int64(at))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clientErr := make(chan error, 1)
	go func() {
		res, err := call(ctx, http.MethodGet, fmt.Sprintf("/api/v1/invoices/%d/pdf?lang=fr", id), token, nil)
		if err == nil {
			_ = res.Body.Close()
			err = fmt.Errorf("got a response: %s", res.Status)
		}
		clientErr <- err
	}()
	p := <-paused
	require.Equal(t, at, p.done)
	cancel() // the client gives up: its transport closes the connection
	require.ErrorIs(t, <-clientErr, context.Canceled)

	require.ErrorIs(t, <-resumed, context.Canceled, "the server saw the disconnection as the request context's cancellation")
	rep := <-reports
	require.ErrorIs(t, rep.Err, context.Canceled, "the render goroutine returned context.Canceled")
	require.Equal(t, at, rep.Done, "it stopped at the very next unit")
	require.Less(t, rep.Done, rep.Units, "fewer units rendered than the document has")
	t.Logf("stopped after %d of %d units (%d pages laid out)", rep.Done, rep.Units, rep.Pages)

	// Everything is closed before the leak check runs.
	ts.Close()
	client.CloseIdleConnections()
	require.Empty(t, reports, "no other render ran")
}
