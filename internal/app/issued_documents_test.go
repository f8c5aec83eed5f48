package app_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/mail/mailtest"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/pdf/pdftext"
)

// pdfOf fetches a document's PDF and returns its bytes.
func pdfOf(t *testing.T, a *apptest.App, token, path string) []byte {
	t.Helper()
	res := a.Do(t, http.MethodGet, path, nil, token)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
	return res.Body
}

// textOf extracts a PDF's text.
func textOf(t *testing.T, b []byte) string {
	t.Helper()
	pages, err := pdftext.Read(b)
	require.NoError(t, err)
	var s strings.Builder
	for _, p := range pages {
		s.WriteString(p.String())
	}
	return s.String()
}

// TestIssuedInvoiceNeverChanges, on every engine: an invoice validated
// for a customer whose phone is 01 11 11 11 11 is e-mailed (the runner
// renders and archives its PDF); the customer's phone and address then
// change; the PDF fetched through the API is byte for byte the one the
// mail carried, and still shows the old phone. A draft for the same
// customer shows the new one. Another language is archived at its first
// request and served identically after. Reopening the invoice discards the
// archive (an event says so); validated again, it is issued with the
// customer as it is now.
func TestIssuedInvoiceNeverChanges(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newMailFix(t, a)
		cust := docCreate(t, a, f.admin, "/api/v1/thirdparties", docJSON{"name": "Dupont SA", "customer": true,
			"email": "compta@dupont.test", "phone": "01 11 11 11 11", "address": "1 rue Ancienne", "town": "Lyon"})
		inv, ref := f.invoice(t, cust)
		path := fmt.Sprintf("/api/v1/invoices/%d", inv)

		srv := mailtest.Start(t, mailtest.Options{})
		cfg := a.Config
		cfg.Runner.PollInterval, cfg.Runner.MaintenanceInterval, cfg.Runner.Listen = 20*time.Millisecond, 50*time.Millisecond, false
		cfg.SMTP = app.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", From: "Billing <billing@acme.test>"}
		sent := f.send(t, path+"/send", nil)
		runJobsUntil(t, a, cfg, func() bool { return f.job(t, sent.JobID).State == domain.JobCompleted })
		msgs := srv.WaitMessages(t, 1, 10*time.Second)
		p, err := msgs[0].Parse()
		require.NoError(t, err)
		require.Len(t, p.Attachments, 1)
		mailed := p.Attachments[0].Data
		require.Contains(t, textOf(t, mailed), "01 11 11 11 11")

		// The customer moves and changes phone.
		res := a.Do(t, http.MethodPatch, fmt.Sprintf("/api/v1/thirdparties/%d", cust),
			docJSON{"phone": "09 99 99 99 99", "address": "2 avenue Nouvelle", "version": 1}, f.admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)

		fetched := pdfOf(t, a, f.admin, path+"/pdf")
		require.Equal(t, sha256.Sum256(mailed), sha256.Sum256(fetched), "the PDF fetched is the one mailed")
		require.True(t, bytes.Equal(mailed, fetched))
		sum := sha256.Sum256(mailed)
		res = a.Do(t, http.MethodGet, path+"/pdf", nil, f.admin)
		require.Equal(t, hex.EncodeToString(sum[:]), res.Header.Get("X-Content-SHA256"), "the archived file's digest")
		require.True(t, bytes.Equal(mailed, pdfOf(t, a, f.admin, path+"/pdf?lang=en")), "en is the language it was mailed in")
		text := textOf(t, fetched)
		require.Contains(t, text, "01 11 11 11 11")
		require.NotContains(t, text, "09 99 99 99 99")
		require.Contains(t, text, "1 rue Ancienne")

		// Drafts render live.
		draft := docCreate(t, a, f.admin, "/api/v1/invoices", docJSON{"customer_id": cust, "date": "2026-11-30",
			"lines": []docJSON{{"product_id": f.product, "quantity": "1"}}})
		res = a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/invoices/%d/pdf", draft), nil, f.admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Empty(t, res.Header.Get("X-Content-SHA256"), "a draft is not archived")
		require.Contains(t, textOf(t, res.Body), "09 99 99 99 99")

		// Another language: archived at its first request, from the issued
		// record, then served as archived.
		fr := pdfOf(t, a, f.admin, path+"/pdf?lang=fr")
		require.False(t, bytes.Equal(fr, fetched))
		require.Contains(t, textOf(t, fr), "01 11 11 11 11")
		require.True(t, bytes.Equal(fr, pdfOf(t, a, f.admin, path+"/pdf?lang=fr")))

		// Reopened (unpaid): the archive goes, with an event; validated
		// again, the invoice is issued to the customer as now.
		res = a.Do(t, http.MethodPost, path+"/reopen", nil, f.admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		evs := f.events(t, path, domain.EventArchiveDiscarded)
		require.Len(t, evs, 1)
		require.Contains(t, evs[0].Note, "2 archived PDF file(s) were discarded")
		require.Contains(t, textOf(t, pdfOf(t, a, f.admin, path+"/pdf")), "09 99 99 99 99", "a draft again: live")
		res = a.Do(t, http.MethodPost, path+"/validate", nil, f.admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		again := pdfOf(t, a, f.admin, path+"/pdf")
		require.Contains(t, textOf(t, again), "09 99 99 99 99")
		require.Contains(t, textOf(t, again), ref, "a reopened invoice keeps its number")
		require.True(t, bytes.Equal(again, pdfOf(t, a, f.admin, path+"/pdf")))
	})
}
