package domain

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCheckIBAN: ISO 13616 examples of several countries pass; a changed
// digit, a wrong length, an unknown country or a stray character fail.
func TestCheckIBAN(t *testing.T) {
	for _, iban := range []string{
		"DE89370400440532013000", "FR1420041010050500013M02606", "GB82WEST12345698765432",
		"BE68539007547034", "NL91ABNA0417164300", "NO9386011117947", "BR1800360305000010009795493C1",
		NormalizeIBAN("fr76 3000 6000 0112 3456 7890 189"),
	} {
		v := &ValidationError{}
		CheckIBAN(v, "iban", iban)
		require.NoError(t, v.Err(), iban)
	}
	for _, iban := range []string{
		"DE89370400440532013001", "DE8937040044053201300", "XX89370400440532013000", "DE89-70400440532013000",
		"GB82WEST1234569876543Z", "", "DE",
	} {
		v := &ValidationError{}
		CheckIBAN(v, "iban", iban)
		require.Error(t, v.Err(), iban)
		require.Equal(t, "invalid_iban", v.Fields[0].Code, iban)
	}
}

// TestCheckBIC: ISO 9362 codes of 8 and 11 characters pass; other
// lengths, digits in the institution or country code, lower case fail.
func TestCheckBIC(t *testing.T) {
	for _, bic := range []string{"DEUTDEFF", "DEUTDEFF500", "BNPAFRPPXXX", "NEDSZAJJ"} {
		v := &ValidationError{}
		CheckBIC(v, "bic", bic)
		require.NoError(t, v.Err(), bic)
	}
	for _, bic := range []string{"DEUTDEF", "DEUTDEFF5", "DEU1DEFF", "DEUTD1FF", "deutdeff", "DEUTDEFF50!"} {
		v := &ValidationError{}
		CheckBIC(v, "bic", bic)
		require.Error(t, v.Err(), bic)
	}
}

// TestRevertPayment: deleting a payment gives a paid invoice back its
// remainder and its validated status, keeps an overpaid one paid, and is
// refused on an abandoned invoice.
func TestRevertPayment(t *testing.T) {
	inv := &Invoice{Status: InvoiceValidated}
	inv.TotalInclTax = MustDecimal("60")
	require.NoError(t, inv.ApplyPayment(MustDecimal("60"), false))
	require.Equal(t, InvoicePaid, inv.Status)
	require.NoError(t, inv.RevertPayment(MustDecimal("20")))
	require.Equal(t, InvoiceValidated, inv.Status)
	require.Equal(t, "partially_paid", inv.PaymentState())

	over := &Invoice{Status: InvoiceValidated}
	over.TotalInclTax = MustDecimal("60")
	require.NoError(t, over.ApplyPayment(MustDecimal("70"), true))
	require.NoError(t, over.RevertPayment(MustDecimal("5")))
	require.Equal(t, InvoicePaid, over.Status, "still overpaid: 65 of 60")

	gone := &Invoice{Status: InvoiceAbandoned}
	require.Error(t, gone.RevertPayment(MustDecimal("5")))
}
