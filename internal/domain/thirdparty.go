package domain

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ThirdParty is a company or person the business deals with: a customer, a
// prospect, a supplier, any mix of them, or none yet.
type ThirdParty struct {
	ID       int64
	Name     string
	Alias    string
	Customer bool
	Prospect bool
	Supplier bool
	// CustomerCode and SupplierCode are generated, unique, and never
	// edited: they appear on documents and in accounting exports.
	CustomerCode string
	SupplierCode string
	Address      string
	Zip          string
	Town         string
	CountryCode  string
	Email        string
	Phone        string
	VATNumber    string
	// ProfIDs are Dolibarr's idprof1..6 (France: SIREN, SIRET, NAF-APE,
	// RCS/RM), checked per country.
	ProfIDs      ProfIDs
	PaymentTerms PaymentTerms
	// Language is the one its documents (PDFs and e-mails) are written
	// in, one of DocumentLanguages; empty: the company default.
	Language  string
	Active    bool
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NeedsCustomerCode reports whether t is a customer or prospect without a
// code yet (Dolibarr gives prospects a customer code too).
func (t *ThirdParty) NeedsCustomerCode() bool {
	return (t.Customer || t.Prospect) && t.CustomerCode == ""
}

// NeedsSupplierCode reports whether t is a supplier without a code yet.
func (t *ThirdParty) NeedsSupplierCode() bool { return t.Supplier && t.SupplierCode == "" }

// Validate checks the third party's invariants and reports every broken one.
func (t *ThirdParty) Validate() error {
	v := &ValidationError{}
	checkText(v, "name", t.Name, MaxNameLen, true)
	checkText(v, "alias", t.Alias, MaxNameLen, false)
	checkText(v, "address", t.Address, MaxAddressLen, false)
	checkText(v, "zip", t.Zip, MaxZipLen, false)
	checkText(v, "town", t.Town, MaxTownLen, false)
	checkCountry(v, "country_code", t.CountryCode)
	checkEmail(v, "email", t.Email)
	checkPhone(v, "phone", t.Phone)
	checkVAT(v, "vat_number", t.VATNumber)
	checkProfIDs(v, t.CountryCode, t.ProfIDs, t.VATNumber)
	if t.PaymentTerms != "" {
		if _, ok := paymentTerms[t.PaymentTerms]; !ok {
			v.Add("payment_terms", "invalid", "must be one of %s", strings.Join(PaymentTermCodes(), ", "))
		}
	}
	if t.Language != "" && !slices.Contains(DocumentLanguages, t.Language) {
		v.Add("language", "invalid", "must be empty (the company default) or one of %s", strings.Join(DocumentLanguages, ", "))
	}
	return v.Err()
}

// DocumentLanguages are the languages documents can be written in: those
// both the PDF labels (infrastructure/pdf/i18n) and the mail templates
// (usecase/mailing) have, in their canonical spelling.
var DocumentLanguages = []string{"en", "es", "fr", "pt-BR"}

// NormalizeLanguage returns the canonical spelling of a document language
// ("FR" -> "fr", "pt-br" or "pt_BR" -> "pt-BR"), trimmed; a tag that is
// not one of DocumentLanguages comes back trimmed only, for Validate to
// refuse.
func NormalizeLanguage(s string) string {
	s = strings.TrimSpace(s)
	k := strings.ReplaceAll(s, "_", "-")
	for _, l := range DocumentLanguages {
		if strings.EqualFold(l, k) {
			return l
		}
	}
	return s
}

// checkEmail accepts "" or one bare address (no display name).
func checkEmail(v *ValidationError, field, s string) {
	if s == "" {
		return
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || utf8.RuneCountInString(s) > MaxEmailLen {
		v.Add(field, "invalid", "must be an e-mail address such as name@example.com")
	}
}

// checkPhone accepts "" or digits with the usual separators.
func checkPhone(v *ValidationError, field, s string) {
	if s == "" {
		return
	}
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+ ()-./", r):
		default:
			v.Add(field, "invalid", "must hold digits and + ( ) - . / separators only")
			return
		}
	}
	if digits < 3 || len(s) > MaxPhoneLen {
		v.Add(field, "invalid", "must hold 3 to 32 characters with at least 3 digits")
	}
}

// checkVAT accepts "" or an intra-community style VAT number: letters and
// digits, 4 to 20 characters.
func checkVAT(v *ValidationError, field, s string) {
	if s == "" {
		return
	}
	if len(s) < 4 || len(s) > MaxVATNumberLen {
		v.Add(field, "invalid", "must hold 4 to 20 letters and digits")
		return
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			v.Add(field, "invalid", "must hold upper-case letters and digits only, such as FR40123456824")
			return
		}
	}
	if !vatShape(s) {
		v.Add(field, "invalid_format", "must be a 2-letter country prefix and letters or digits, such as FR40123456824")
	}
}

// PaymentTerms is a code of Dolibarr's payment-terms dictionary
// (c_payment_term) saying when an invoice falls due.
type PaymentTerms string

type paymentTerm struct {
	days       int
	endOfMonth bool
}

var paymentTerms = map[PaymentTerms]paymentTerm{
	"RECEP":       {0, false},
	"10D":         {10, false},
	"10DENDMONTH": {10, true},
	"14D":         {14, false},
	"14DENDMONTH": {14, true},
	"30D":         {30, false},
	"30DENDMONTH": {30, true},
	"45D":         {45, false},
	"45DENDMONTH": {45, true},
	"60D":         {60, false},
	"60DENDMONTH": {60, true},
}

// PaymentTermCodes lists the known codes, sorted by delay.
func PaymentTermCodes() []string {
	return []string{"RECEP", "10D", "10DENDMONTH", "14D", "14DENDMONTH", "30D", "30DENDMONTH", "45D", "45DENDMONTH", "60D", "60DENDMONTH"}
}

// DueDate returns the due date of a document dated on under these terms:
// on plus the delay, then the end of that month for the *ENDMONTH terms.
// Empty terms mean due on receipt.
func (p PaymentTerms) DueDate(on time.Time) (time.Time, error) {
	if p == "" {
		return on, nil
	}
	t, ok := paymentTerms[p]
	if !ok {
		return on, fmt.Errorf("unknown payment terms %q", string(p))
	}
	due := on.AddDate(0, 0, t.days)
	if t.endOfMonth {
		first := time.Date(due.Year(), due.Month(), 1, 0, 0, 0, 0, due.Location())
		due = first.AddDate(0, 1, -1)
	}
	return due, nil
}

// CodePrefix names the kind of a generated third-party code.
type CodePrefix string

// Third-party code prefixes (Dolibarr's "monkey" numbering).
const (
	CustomerCodePrefix CodePrefix = "CU"
	SupplierCodePrefix CodePrefix = "SU"
)

// FormatThirdPartyCode builds a code like CU2611-0042 from a prefix, the
// creation date and a counter that never resets; the number widens past
// 9999 instead of wrapping.
func FormatThirdPartyCode(prefix CodePrefix, on time.Time, n int64) string {
	return fmt.Sprintf("%s%02d%02d-%04d", prefix, on.Year()%100, int(on.Month()), n)
}
