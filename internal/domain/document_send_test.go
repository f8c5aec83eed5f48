package domain

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckSendable(t *testing.T) {
	for _, c := range []struct {
		doc  CommercialDocument
		want bool
	}{
		{&Invoice{Status: InvoiceDraft}, false},
		{&Invoice{Status: InvoiceValidated}, true},
		{&Invoice{Status: InvoicePaid}, true},
		{&Invoice{Status: InvoiceAbandoned}, false},
		{&Order{Status: OrderDraft}, false},
		{&Order{Status: OrderValidated}, true},
		{&Order{Status: OrderShipping}, true},
		{&Order{Status: OrderClosed}, true},
		{&Order{Status: OrderCanceled}, false},
		{&Proposal{Status: ProposalDraft}, false},
		{&Proposal{Status: ProposalValidated}, true},
		{&Proposal{Status: ProposalSigned}, true},
		{&Proposal{Status: ProposalRefused}, true},
		{&Proposal{Status: ProposalBilled}, true},
		{&Proposal{Status: ProposalCanceled}, false},
	} {
		err := CheckSendable(c.doc)
		if c.want {
			require.NoError(t, err, "%s %s", c.doc.Kind(), c.doc.StatusName())
			continue
		}
		var it *IllegalTransition
		require.ErrorAs(t, err, &it, "%s %s", c.doc.Kind(), c.doc.StatusName())
		require.Equal(t, string(c.doc.Kind())+"_not_sendable", it.ErrorCode())
		require.ErrorIs(t, err, ErrConflict)
	}
}

func TestDocumentSendValidate(t *testing.T) {
	ok := DocumentSend{To: []string{"a@x.test"}, Subject: "Invoice", Body: "Hello\nthere", Language: "pt-BR"}
	require.NoError(t, ok.Validate())

	bad := DocumentSend{To: []string{"a@x.test", "A@X.test", "<b@x.test>", "c"}, Subject: strings.Repeat("s", MaxSendSubjectLen+1),
		Body: "nul\x00", Language: "en_US"}
	err := bad.Validate()
	var v *ValidationError
	require.True(t, errors.As(err, &v))
	got := map[string]string{}
	for _, f := range v.Fields {
		got[f.Field] = f.Code
	}
	require.Equal(t, map[string]string{"to[1]": "duplicate", "to[2]": "invalid", "to[3]": "invalid",
		"subject": "too_long", "body": "invalid", "language": "invalid"}, got)
	require.ErrorIs(t, (&DocumentSend{}).Validate(), ErrInvalid)
}
