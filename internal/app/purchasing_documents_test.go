package app_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/mail/mailtest"
)

// TestPurchaseOrderPDFAndMail: a purchase order prints under its own
// title with the supplier's block and code, in the language asked, and
// is e-mailed to the supplier's address through the runner, like the
// sales documents; a draft is not sendable.
func TestPurchaseOrderPDFAndMail(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newBuyFix(t, a)
		sup := f.create(t, "/api/v1/thirdparties", obj{"name": "Quincaillerie Dupré", "supplier": true, "email": "commandes@dupre.test"})
		po := decode[api.PurchaseOrderResponse](t, f.do(t, http.MethodPost, "/api/v1/purchase-orders", obj{"supplier_id": sup, "delivery_date": "2031-01-15",
			"date": "2030-12-20", "lines": []obj{{"product_id": f.bolt, "quantity": "12", "unit_price": "1.25"}}}), http.StatusCreated)
		path := fmt.Sprintf("/api/v1/purchase-orders/%d", po.ID)
		requireProblem(t, f.do(t, http.MethodPost, path+"/send", nil), http.StatusConflict, "purchase_order_not_sendable")
		po = decode[api.PurchaseOrderResponse](t, f.do(t, http.MethodPost, path+"/validate", nil), http.StatusOK)

		text := pdfText(t, f.do(t, http.MethodGet, path+"/pdf?lang=fr", nil), po.Ref+".pdf")
		for _, s := range []string{"Commande fournisseur\n", "Fournisseur\n", "Quincaillerie Dupré\n", "Code fournisseur", "15/01/2031"} {
			require.Contains(t, text, s)
		}

		srv := mailtest.Start(t, mailtest.Options{})
		cfg := a.Config
		cfg.Runner.PollInterval, cfg.Runner.MaintenanceInterval, cfg.Runner.Listen = 20*time.Millisecond, 50*time.Millisecond, false
		cfg.SMTP = app.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", From: "Acme Purchasing <buy@acme.test>"}
		mf := &mailFix{a: a, admin: f.admin}
		sent := mf.send(t, path+"/send", nil)
		runJobsUntil(t, a, cfg, func() bool { return mf.job(t, sent.JobID).State == domain.JobCompleted })
		msgs := srv.WaitMessages(t, 1, 10*time.Second)
		require.Equal(t, []string{"commandes@dupre.test"}, msgs[0].To)
		p, err := msgs[0].Parse()
		require.NoError(t, err)
		require.Contains(t, p.Subject, "Purchase order "+po.Ref)
		require.Len(t, mf.events(t, path, domain.EventSentByMail), 1)
	})
}
