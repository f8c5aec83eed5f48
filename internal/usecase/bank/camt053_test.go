package bank

import (
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// TestParseCAMT053: the sample month reads as its seven booked entries,
// signed, with their most specific reference; the pending one is left out.
func TestParseCAMT053(t *testing.T) {
	b, err := os.ReadFile("../../app/testdata/camt053-2026-11.xml")
	require.NoError(t, err)
	st, err := ParseCAMT053(b)
	require.NoError(t, err)
	require.Equal(t, "STMT-2026-11-0001", st.MessageID)
	require.Equal(t, "DE89370400440532013000", st.IBAN)
	require.Equal(t, "EUR", st.Currency)
	require.Len(t, st.Entries, 7)
	var amounts, refs []string
	for _, e := range st.Entries {
		amounts = append(amounts, e.Amount.String())
		refs = append(refs, e.Reference)
	}
	require.Equal(t, []string{"60", "25.5", "30", "30", "40", "-12.34", "60"}, amounts)
	require.Equal(t, []string{"E2E-001", "Invoice of October, thank you", "E2E-003", "E2E-004", "5", "6", "E2E-007"}, refs)
	require.Equal(t, "2026-11-20", st.Entries[5].Date.Format("2006-01-02"))
	require.Equal(t, "Account maintenance fee", st.Entries[5].Label)

	for _, bad := range []string{
		"not xml at all",
		`<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>`,
		`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>X</MsgId></GrpHdr></BkToCstmrStmt></Document>`,
		`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Ntry><Amt Ccy="EUR">1</Amt><CdtDbtInd>X</CdtDbtInd><BookgDt><Dt>2026-01-01</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>`,
	} {
		_, err := ParseCAMT053([]byte(bad))
		var v *domain.ValidationError
		require.True(t, errors.As(err, &v), bad)
		require.Equal(t, "not_camt053", v.Fields[0].Code, bad)
	}
}
