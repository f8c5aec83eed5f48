package domain

import (
	"fmt"
	"strings"
)

// ProfIDs are a third party's (or the company's) professional ids,
// Dolibarr's idprof1..idprof6, whose meaning depends on the country: in
// France SIREN, SIRET, NAF-APE, RCS/RM, then free.
type ProfIDs [6]string

// MaxProfIDLen is the length of each professional id.
const MaxProfIDLen = 128

// checkProfIDs checks the professional ids of a party of country and its
// VAT number against each other: every id is short, plain text; in France
// the SIREN (idprof1) and the SIRET (idprof2) are 9 and 14 digits with
// their Luhn checksum, the SIRET starts with the SIREN, and a French VAT
// number is FR, a 2-character key and the SIREN.
func checkProfIDs(v *ValidationError, country string, ids ProfIDs, vat string) {
	for i, s := range ids {
		checkText(v, fmt.Sprintf("idprof%d", i+1), s, MaxProfIDLen, false)
	}
	if country != "FR" {
		return
	}
	siren, siret := compact(ids[0]), compact(ids[1])
	if siren != "" && !ValidSIREN(siren) {
		v.Add("idprof1", "invalid_siren", "a SIREN is 9 digits whose Luhn checksum holds, such as 732 829 320")
	}
	if siret != "" {
		switch {
		case !ValidSIRET(siret):
			v.Add("idprof2", "invalid_siret", "a SIRET is 14 digits whose Luhn checksum holds, such as 732 829 320 00074")
		case siren != "" && !strings.HasPrefix(siret, siren):
			v.Add("idprof2", "siret_not_of_siren", "a SIRET starts with its company's SIREN (%s)", siren)
		}
	}
	if vat != "" && strings.HasPrefix(vat, "FR") {
		if len(vat) != 13 || !allDigits(vat[4:]) {
			v.Add("vat_number", "invalid_format", "a French VAT number is FR, a 2-character key and the 9-digit SIREN, such as FR44732829320")
		} else if siren != "" && vat[4:] != siren {
			v.Add("vat_number", "vat_not_of_siren", "a French VAT number ends with the SIREN (%s)", siren)
		}
	}
}

// compact drops the spaces people type in ids.
func compact(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), " ", "") }

// luhn reports whether the digits s pass the Luhn checksum.
func luhn(s string) bool {
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// ValidSIREN checks a French SIREN: 9 digits, Luhn.
func ValidSIREN(s string) bool { return len(s) == 9 && allDigits(s) && luhn(s) }

// ValidSIRET checks a French SIRET: 14 digits, Luhn; La Poste's
// establishments (SIREN 356000000) use a sum of digits divisible by 5.
func ValidSIRET(s string) bool {
	if len(s) != 14 || !allDigits(s) {
		return false
	}
	if strings.HasPrefix(s, "356000000") {
		sum := 0
		for _, r := range s {
			sum += int(r - '0')
		}
		return sum%5 == 0
	}
	return luhn(s)
}

// vatShape checks the shape VAT numbers share: a 2-letter country prefix
// (Greece's is EL) and at least 2 letters or digits (up to the column's
// limit, MaxVATNumberLen: some countries' numbers are long).
func vatShape(s string) bool {
	if len(s) < 4 || len(s) > MaxVATNumberLen {
		return false
	}
	if s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		return false
	}
	for _, r := range s[2:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// IsBusiness reports a third party that trades as a business: it has a
// VAT number or a professional id (B2B legal mentions apply to it).
func (t *ThirdParty) IsBusiness() bool {
	if t.VATNumber != "" {
		return true
	}
	for _, s := range t.ProfIDs {
		if s != "" {
			return true
		}
	}
	return false
}

// CheckProfIDs checks professional ids and a VAT number outside of a
// third party (the company's configuration) and returns the problems.
func CheckProfIDs(country string, ids ProfIDs, vat string) error {
	v := &ValidationError{}
	checkProfIDs(v, country, ids, vat)
	return v.Err()
}

// ProfIDLabels names the professional ids of a country, as documents
// print them; an empty name is not printed.
func ProfIDLabels(country string) [6]string {
	if country == "FR" {
		return [6]string{"SIREN", "SIRET", "NAF-APE", "RCS/RM", "", ""}
	}
	return [6]string{"Prof. Id 1", "Prof. Id 2", "Prof. Id 3", "Prof. Id 4", "Prof. Id 5", "Prof. Id 6"}
}
