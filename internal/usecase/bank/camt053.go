package bank

import (
	"bytes"
	"encoding/xml"
	"strings"
	"time"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// camtNamespace prefixes the namespaces of every version of ISO 20022's
// BankToCustomerStatement (camt.053.001.02 to .13).
const camtNamespace = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."

// camtDoc is the part of a camt.053 document the import reads. Element
// names are matched without their namespace, which is checked on the root.
type camtDoc struct {
	XMLName xml.Name `xml:"Document"`
	Stmts   []struct {
		ID   string `xml:"Id"`
		Acct struct {
			IBAN  string `xml:"Id>IBAN"`
			Other string `xml:"Id>Othr>Id"`
			Ccy   string `xml:"Ccy"`
		} `xml:"Acct"`
		Entries []struct {
			Amt struct {
				Value string `xml:",chardata"`
				Ccy   string `xml:"Ccy,attr"`
			} `xml:"Amt"`
			CdtDbtInd string `xml:"CdtDbtInd"`
			RvslInd   string `xml:"RvslInd"`
			// Sts is a code up to version 08, a Cd element after.
			Sts struct {
				Text string `xml:",chardata"`
				Cd   string `xml:"Cd"`
			} `xml:"Sts"`
			BookDate    string `xml:"BookgDt>Dt"`
			BookDateTm  string `xml:"BookgDt>DtTm"`
			ValueDate   string `xml:"ValDt>Dt"`
			NtryRef     string `xml:"NtryRef"`
			AcctSvcrRef string `xml:"AcctSvcrRef"`
			AddtlInf    string `xml:"AddtlNtryInf"`
			Txs         []struct {
				EndToEndID string   `xml:"Refs>EndToEndId"`
				Ustrd      []string `xml:"RmtInf>Ustrd"`
				CdtrRef    string   `xml:"RmtInf>Strd>CdtrRefInf>Ref"`
			} `xml:"NtryDtls>TxDtls"`
		} `xml:"Ntry"`
	} `xml:"BkToCstmrStmt>Stmt"`
	MsgID string `xml:"BkToCstmrStmt>GrpHdr>MsgId"`
}

// Statement is a parsed bank statement.
type Statement struct {
	MessageID string
	IBAN      string
	Currency  string
	Entries   []domain.StatementEntry
}

// ParseCAMT053 reads an ISO 20022 camt.053 document (any version): its
// statements' booked entries, signed (DBIT negative), with their booking
// date (else value date) and the most specific reference they carry
// (end-to-end id, structured creditor reference, unstructured remittance
// text, then the entry's references). Anything else is a
// 422 not_camt053; nothing is stored.
func ParseCAMT053(b []byte) (*Statement, error) {
	refuse := func(format string, args ...any) error {
		v := &domain.ValidationError{}
		v.Add("statement", "not_camt053", format, args...)
		return v
	}
	var root struct {
		XMLName xml.Name
	}
	if err := xml.NewDecoder(bytes.NewReader(b)).Decode(&root); err != nil {
		return nil, refuse("is not well-formed XML")
	}
	if root.XMLName.Local != "Document" || !strings.HasPrefix(root.XMLName.Space, camtNamespace) {
		return nil, refuse("is not an ISO 20022 camt.053 document (root Document in namespace %s*)", camtNamespace)
	}
	var doc camtDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		return nil, refuse("cannot be read: %v", err)
	}
	if len(doc.Stmts) == 0 {
		return nil, refuse("holds no statement (Stmt)")
	}
	out := &Statement{MessageID: clip(doc.MsgID, domain.MaxStatementMessageIDLen), IBAN: domain.NormalizeIBAN(doc.Stmts[0].Acct.IBAN), Currency: doc.Stmts[0].Acct.Ccy}
	for si, s := range doc.Stmts {
		if si > 0 && domain.NormalizeIBAN(s.Acct.IBAN) != out.IBAN {
			return nil, refuse("holds statements of several accounts")
		}
		for i, e := range s.Entries {
			st := strings.TrimSpace(e.Sts.Cd)
			if st == "" {
				st = strings.TrimSpace(e.Sts.Text)
			}
			if st != "" && st != "BOOK" {
				continue // pending or information entries are not on the account yet
			}
			amt, err := domain.ParseDecimal(strings.TrimSpace(e.Amt.Value))
			if err != nil || amt.IsNegative() {
				return nil, refuse("entry %d has no valid amount", i+1)
			}
			switch e.CdtDbtInd {
			case "CRDT":
			case "DBIT":
				amt = amt.Neg()
			default:
				return nil, refuse("entry %d has no CdtDbtInd (CRDT or DBIT)", i+1)
			}
			if e.RvslInd == "true" {
				amt = amt.Neg()
			}
			if out.Currency == "" {
				out.Currency = e.Amt.Ccy
			}
			if e.Amt.Ccy != "" && e.Amt.Ccy != out.Currency {
				return nil, refuse("entry %d is in %s, the statement in %s", i+1, e.Amt.Ccy, out.Currency)
			}
			date, ok := camtDate(e.BookDate, e.BookDateTm, e.ValueDate)
			if !ok {
				return nil, refuse("entry %d has no booking or value date", i+1)
			}
			entry := domain.StatementEntry{Date: date, Amount: amt, Label: clip(e.AddtlInf, domain.MaxBankLabelLen)}
			for _, tx := range e.Txs {
				for _, r := range []string{tx.EndToEndID, tx.CdtrRef, strings.Join(tx.Ustrd, " ")} {
					if r = strings.TrimSpace(r); entry.Reference == "" && r != "" && r != "NOTPROVIDED" {
						entry.Reference = r
					}
				}
			}
			for _, r := range []string{e.NtryRef, e.AcctSvcrRef} {
				if entry.Reference == "" {
					entry.Reference = strings.TrimSpace(r)
				}
			}
			entry.Reference = clip(entry.Reference, domain.MaxPaymentRefLen)
			out.Entries = append(out.Entries, entry)
		}
	}
	if len(out.Entries) == 0 {
		return nil, refuse("holds no booked entry")
	}
	if len(out.Entries) > domain.MaxStatementEntries {
		return nil, refuse("holds more than %d entries", domain.MaxStatementEntries)
	}
	return out, nil
}

func camtDate(candidates ...string) (time.Time, bool) {
	for _, s := range candidates {
		s = strings.TrimSpace(s)
		if len(s) >= 10 {
			if t, err := time.Parse(time.DateOnly, s[:10]); err == nil && t.Year() >= 1 {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// clip keeps at most n characters of s, whitespace folded.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
