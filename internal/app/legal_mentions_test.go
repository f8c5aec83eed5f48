package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/app"
	"github.com/dolibarr-go/dolibarr/internal/apptest"
)

// frenchCompany configures a French issuing company.
func frenchCompany(c *app.Config) {
	c.Company.Name, c.Company.CountryCode, c.Company.Town = "Atelier Durand SAS", "FR", "Lyon"
	c.Company.IDProf1, c.Company.IDProf2, c.Company.VATID = "732829320", "73282932000074", "FR44732829320"
	c.Company.VATExemptionReason = "art. 293 B du CGI"
}

// TestFrenchB2BInvoiceLegalMentions, on every engine: a French company's
// invoice to a French business (SIREN, SIRET, VAT number) prints, in
// French, the late-payment penalty and the 40 EUR recovery fee mentions,
// the customer's SIRET and SIREN, the country's name (not its code), the
// company's SIRET, and the VAT exemption mention of its 0 % line. An
// invoice to a consumer (no professional id) carries no B2B mention.
func TestFrenchB2BInvoiceLegalMentions(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		business := docCreate(t, a, admin, "/api/v1/thirdparties", docJSON{"name": "Renault Pièces SA", "customer": true,
			"country_code": "FR", "town": "Boulogne", "idprof1": "552 100 554", "idprof2": "55210055400013", "vat_number": "FR66552100554"})
		consumer := docCreate(t, a, admin, "/api/v1/thirdparties", docJSON{"name": "Jeanne Martin", "customer": true, "country_code": "FR"})
		product := docCreate(t, a, admin, "/api/v1/products", docJSON{"ref": "AUDIT", "label": "Audit", "type": "service", "price": "500", "vat_rate": "20"})
		pdfFor := func(customer int64) string {
			inv := docCreate(t, a, admin, "/api/v1/invoices", docJSON{"customer_id": customer, "lines": []docJSON{
				{"product_id": product, "quantity": "1"},
				{"description": "Formation (exonérée)", "quantity": "1", "unit_price": "100", "vat_rate": "0"},
			}})
			res := a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/invoices/%d/validate", inv), nil, admin)
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			return strings.Join(strings.Fields(textOf(t, pdfOf(t, a, admin, fmt.Sprintf("/api/v1/invoices/%d/pdf?lang=fr", inv)))), " ")
		}
		text := pdfFor(business)
		for _, want := range []string{
			"pénalités au taux annuel de trois fois le taux d'intérêt légal",
			"indemnité forfaitaire pour frais de recouvrement de 40,00",
			"SIRET 55210055400013", "SIREN 552 100 554", "FR66552100554",
			"France", "SIRET 73282932000074",
			"TVA non applicable, art. 293 B du CGI",
		} {
			require.Contains(t, text, want)
		}
		require.NotContains(t, text, "Boulogne FR", "the country's name, not its code")

		text = pdfFor(consumer)
		require.NotContains(t, text, "recouvrement", "no B2B mention to a consumer")
		require.Contains(t, text, "TVA non applicable")

		// A proposal has a signature line.
		prop := docCreate(t, a, admin, "/api/v1/proposals", docJSON{"customer_id": business, "lines": []docJSON{{"product_id": product, "quantity": "1"}}})
		text = textOf(t, pdfOf(t, a, admin, fmt.Sprintf("/api/v1/proposals/%d/pdf?lang=fr", prop)))
		require.Contains(t, text, "Bon pour accord")
		require.NotContains(t, text, "recouvrement", "not an invoice")
	}, apptest.WithConfig(frenchCompany))
}

// TestFrenchProfessionalIDsChecked, on every engine: a French third party
// with a SIREN or SIRET whose checksum fails, a SIRET of another SIREN or
// a malformed VAT number is refused with 422 and one field error each,
// and nothing is written; other countries' ids are free text.
func TestFrenchProfessionalIDsChecked(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		admin := a.AdminToken(t)
		count := func() int64 {
			res := a.Do(t, http.MethodGet, "/api/v1/thirdparties", nil, admin)
			require.Equal(t, http.StatusOK, res.Status)
			var page struct {
				Paging struct {
					Total int64 `json:"total"`
				} `json:"paging"`
			}
			res.JSON(t, &page)
			return page.Paging.Total
		}
		before := count()
		res := a.Do(t, http.MethodPost, "/api/v1/thirdparties", docJSON{"name": "Bad", "customer": true, "country_code": "FR",
			"idprof1": "552100555", "idprof2": "55210055400014", "vat_number": "F1"}, admin)
		p := requireProblem(t, res, http.StatusUnprocessableEntity, "validation_failed")
		codes := map[string]string{}
		for _, e := range p.Errors {
			codes[e.Field] = e.Code
		}
		require.Equal(t, "invalid_siren", codes["idprof1"])
		require.Equal(t, "invalid_siret", codes["idprof2"])
		require.Contains(t, []string{"invalid", "invalid_format"}, codes["vat_number"])
		res = a.Do(t, http.MethodPost, "/api/v1/thirdparties", docJSON{"name": "Bad", "customer": true, "country_code": "FR",
			"idprof1": "552100554", "idprof2": "73282932000074"}, admin)
		p = requireProblem(t, res, http.StatusUnprocessableEntity, "validation_failed")
		require.Equal(t, "siret_not_of_siren", p.Errors[0].Code)
		require.Equal(t, before, count(), "nothing written")

		id := docCreate(t, a, admin, "/api/v1/thirdparties", docJSON{"name": "GmbH", "customer": true, "country_code": "DE",
			"idprof1": "HRB 12345", "vat_number": "DE123456789"})
		res = a.Do(t, http.MethodGet, fmt.Sprintf("/api/v1/thirdparties/%d", id), nil, admin)
		require.Equal(t, http.StatusOK, res.Status)
		require.Contains(t, string(res.Body), `"idprof1":"HRB 12345"`)
	})
}

// TestDocumentListsNameTheCustomer, on every engine: invoice, order and
// proposal lists carry each document's customer name.
func TestDocumentListsNameTheCustomer(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.App) {
		f := newSalesFix(t, a, "", "")
		f.invoice(t, obj{"product_id": f.service, "quantity": "1"})
		res := f.do(t, http.MethodPost, "/api/v1/invoices", obj{"customer_id": f.other, "lines": []obj{{"product_id": f.service, "quantity": "1"}}})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		for _, path := range []string{"/api/v1/orders", "/api/v1/proposals"} {
			res := f.do(t, http.MethodPost, path, obj{"customer_id": f.customer, "lines": []obj{{"product_id": f.service, "quantity": "1"}}})
			require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		}
		for path, want := range map[string][]string{"/api/v1/invoices?sort=id": {"ACME", "Globex"}, "/api/v1/orders": {"ACME"}, "/api/v1/proposals": {"ACME"}} {
			res := f.do(t, http.MethodGet, path, nil)
			require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
			var page struct {
				Data []struct {
					CustomerName string `json:"customer_name"`
				} `json:"data"`
			}
			res.JSON(t, &page)
			var got []string
			for _, d := range page.Data {
				got = append(got, d.CustomerName)
			}
			require.ElementsMatch(t, want, got, path)
		}
	})
}
