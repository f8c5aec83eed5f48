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
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/pdf/pdftext"
)

// emojiInvoice creates a customer and a validated invoice whose texts hold
// code points beyond U+FFFF (👍, 𝄞), which the API accepts, and returns
// the invoice's id and ref.
func emojiInvoice(t *testing.T, a *apptest.App, admin string) (int64, string) {
	t.Helper()
	cust := docCreate(t, a, admin, "/api/v1/thirdparties", docJSON{"name": "Zoë 👍 Müller", "customer": true,
		"email": "zoe@muller.test", "address": "1 rue du 𝄞"})
	product := docCreate(t, a, admin, "/api/v1/products", docJSON{"ref": "LAMP-01", "label": "Lampe", "type": "service", "price": "89.90", "vat_rate": "20"})
	inv := docCreate(t, a, admin, "/api/v1/invoices", docJSON{"customer_id": cust, "date": "2026-11-03", "due_date": "2026-12-03",
		"note_public": "Merci 🙏", "lines": []docJSON{{"product_id": product, "description": "Lampe 👍🏽 laiton", "quantity": "1"}}})
	res := a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/validate", inv), nil, admin)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	var v struct {
		Ref string `json:"ref"`
	}
	res.JSON(t, &v)
	return inv, v.Ref
}

// TestDocumentPDFWithEmoji is issue 21's defect 2 through the API, on
// every engine: the PDF of an invoice whose customer name, address, line
// and note hold emoji was a 500 (the renderer panicked); it is a PDF that
// prints U+FFFD where the fonts have no glyph.
func TestDocumentPDFWithEmoji(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		inv, ref := emojiInvoice(t, a, admin)
		text := pdfText(t, a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/invoices/%d/pdf", inv), nil, admin), ref+".pdf")
		for _, s := range []string{"Zoë \uFFFD Müller\n", "1 rue du \uFFFD\n", "Lampe \uFFFD\uFFFD laiton\n", "Merci \uFFFD\n"} {
			require.Contains(t, text, s)
		}
	})
}

// TestSendDocumentWithEmoji: the e-mail job of that invoice was retried as
// a transient failure five times and never delivered; it is delivered at
// the first attempt, its PDF attached.
func TestSendDocumentWithEmoji(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{})
	a := apptest.New(t, "sqlite", mailConfig(srv))
	f := newMailFix(t, a)
	inv, ref := emojiInvoice(t, a, f.admin)
	s := f.send(t, fmt.Sprintf("/api/v1/invoices/%d/send", inv), nil)
	mailRun(t, a, nil)

	msgs := srv.WaitMessages(t, 1, 30*time.Second)
	p, err := msgs[0].Parse()
	require.NoError(t, err)
	require.Contains(t, p.Text, "Zoë 👍 Müller", "the message itself is UTF-8 and keeps the emoji")
	require.Len(t, p.Attachments, 1)
	require.Equal(t, ref+".pdf", p.Attachments[0].Name)
	pages, err := pdftext.Read(p.Attachments[0].Data)
	require.NoError(t, err)
	require.True(t, strings.Contains(pages[0].String(), "Zoë \uFFFD Müller\n"))
	require.Eventually(t, func() bool { return f.job(t, s.JobID).State == domain.JobCompleted }, 10*time.Second, 20*time.Millisecond)
	require.Equal(t, 1, f.job(t, s.JobID).Attempt)
}
