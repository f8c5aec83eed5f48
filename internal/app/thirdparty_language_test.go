package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/mail/mailtest"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/pdf/i18n"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/pdf/pdftext"
)

// TestDocumentLanguagesHavePDFCatalogs: every language a third party may
// prefer has PDF labels, and every PDF catalog can be preferred but en-GB,
// a PDF-only variant of English (day-first dates) asked with ?lang=en-GB.
func TestDocumentLanguagesHavePDFCatalogs(t *testing.T) {
	require.ElementsMatch(t, append([]string{"en-GB"}, domain.DocumentLanguages...), i18n.Languages())
}

// TestDocumentPDFInTheCustomersLanguage: the PDF of a French customer's
// documents comes out in French when the request names no language; lang
// still wins; a customer without a language gets the configured default
// (English).
func TestDocumentPDFInTheCustomersLanguage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		reader := a.Token(t, domain.PermInvoiceRead, domain.PermProposalRead, domain.PermOrderRead)
		customer := docCreate(t, a, admin, "/api/v1/thirdparties", docJSON{"name": "Martin SARL", "customer": true, "language": "fr", "payment_terms": "30D"})
		product := docCreate(t, a, admin, "/api/v1/products", docJSON{"ref": "LAMP-01", "label": "Lampe", "type": "service", "price": "89.90", "vat_rate": "20"})
		inv := docCreate(t, a, admin, "/api/v1/invoices", docJSON{"customer_id": customer, "date": "2026-11-03", "due_date": "2026-12-03", "lines": docLines(product)})
		path := fmt.Sprintf("/api/v1/invoices/%d/pdf", inv)
		file := fmt.Sprintf("PROV%d.pdf", inv)

		text := pdfText(t, a.Do(t, http.MethodGet, path, nil, reader), file)
		for _, s := range []string{"Facture\n", "BROUILLON\n", "Total TTC | 270,21\u00a0€\n", "Conditions de règlement\u00a0: 30 jours\n"} {
			require.Contains(t, text, s, "the customer's language without lang")
		}
		text = pdfText(t, a.Do(t, http.MethodGet, path+"?lang=en", nil, reader), file)
		require.Contains(t, text, "Invoice\n", "an explicit lang wins")
		require.Contains(t, text, "Total incl. tax | €270.21\n")
		require.NotContains(t, text, "Facture")

		order := docCreate(t, a, admin, "/api/v1/orders", docJSON{"customer_id": customer, "date": "2026-11-03", "lines": docLines(product)})
		text = pdfText(t, a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/orders/%d/pdf", order), nil, reader), fmt.Sprintf("PROV%d.pdf", order))
		require.Contains(t, text, "Commande\n", "every kind of document")

		res := a.Do(t, http.MethodPatch, fmt.Sprintf("/api/v1/thirdparties/%d", customer), docJSON{"language": "", "version": 1}, admin)
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		text = pdfText(t, a.Do(t, http.MethodGet, path, nil, reader), file)
		require.Contains(t, text, "Invoice\n", "no customer language: the configured default")
	})
}

// TestSendDocumentInTheCustomersLanguage: a send naming no language goes
// out, message and PDF, in the customer's language; a named language wins.
func TestSendDocumentInTheCustomersLanguage(t *testing.T) {
	eachMailEngine(t, func(t *testing.T, driver string) {
		srv := mailtest.Start(t, mailtest.Options{})
		a := apptest.New(t, driver, mailConfig(srv))
		f := newMailFix(t, a)
		fr := docCreate(t, a, f.admin, "/api/v1/thirdparties", docJSON{"name": "Dupont et Fils", "customer": true, "email": "compta@dupont.test", "language": "fr"})
		plain, plainRef := f.invoice(t, fr)
		forced, forcedRef := f.invoice(t, fr)
		s := f.send(t, fmt.Sprintf("/api/v1/invoices/%d/send", plain), nil)
		require.Nil(t, s.Language, "the send records the request's language only")
		f.send(t, fmt.Sprintf("/api/v1/invoices/%d/send", forced), obj{"language": "en"})
		mailRun(t, a, nil)

		msgs := srv.WaitMessages(t, 2, 30*time.Second)
		got := map[string][2]string{} // ref -> subject, PDF text
		for _, m := range msgs {
			p, err := m.Parse()
			require.NoError(t, err)
			require.Equal(t, []string{"compta@dupont.test"}, m.To)
			require.Len(t, p.Attachments, 1)
			pages, err := pdftext.Read(p.Attachments[0].Data)
			require.NoError(t, err)
			var text strings.Builder
			for _, pg := range pages {
				text.WriteString(pg.String())
			}
			for _, ref := range []string{plainRef, forcedRef} {
				if strings.Contains(p.Subject, ref) {
					got[ref] = [2]string{p.Subject, text.String()}
					if ref == plainRef {
						require.Contains(t, p.Text, "Bonjour Dupont et Fils,")
						require.Contains(t, p.Text, "1\u202f200,00 EUR TTC, à régler avant le 30/12/2026")
					}
				}
			}
		}
		require.Len(t, got, 2)
		require.Equal(t, "Facture "+plainRef+" de Acme", got[plainRef][0], "the customer's language")
		require.Contains(t, got[plainRef][1], "Facture\n", "the PDF speaks the message's language")
		require.Equal(t, "Invoice "+forcedRef+" from Acme", got[forcedRef][0], "a named language wins")
		require.Contains(t, got[forcedRef][1], "Invoice\n")
	})
}
