package app

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSMTPConfigDefaultsAndDerivedValues(t *testing.T) {
	cfg, err := LoadConfig(AllInOne, nil)
	require.NoError(t, err)
	require.Equal(t, SMTPConfig{TLS: "starttls"}, cfg.SMTP, "no SMTP server by default: the all-in-one writes .eml files")
	require.Equal(t, 587, cfg.SMTP.SMTPPort())
	require.Equal(t, 25, SMTPConfig{TLS: "none"}.SMTPPort())
	require.Equal(t, 465, SMTPConfig{TLS: "tls"}.SMTPPort())
	require.Equal(t, 2525, SMTPConfig{TLS: "tls", Port: 2525}.SMTPPort())

	company := CompanyConfig{Name: "Acme, Inc.", Email: "billing@acme.test"}
	require.Equal(t, `"Acme, Inc." <billing@acme.test>`, SMTPConfig{}.SenderAddress(company))
	require.Equal(t, "erp@acme.test", SMTPConfig{From: "erp@acme.test"}.SenderAddress(company))
	require.Empty(t, SMTPConfig{}.SenderAddress(CompanyConfig{Name: "Acme"}))

	cfg, err = LoadConfig(APIOnly, []string{
		"DOLIBARR_DB_DRIVER=postgres", "DOLIBARR_DB_DSN=postgres://u@h/db", "DOLIBARR_JWT_SECRET=0123456789abcdef0123456789abcdef",
		"DOLIBARR_SMTP_HOST=smtp.acme.test", "DOLIBARR_SMTP_USERNAME=erp", "DOLIBARR_SMTP_PASSWORD=s3cret",
		"DOLIBARR_COMPANY_EMAIL=billing@acme.test",
	})
	require.NoError(t, err)
	require.Equal(t, "xxxxx", cfg.Redacted(ModeRunner)["DOLIBARR_SMTP_PASSWORD"], "the password is masked in logs")
}

func TestSMTPPasswordFromFile(t *testing.T) {
	path := t.TempDir() + "/smtp-password"
	require.NoError(t, os.WriteFile(path, []byte("from-a-file\n"), 0o600))
	cfg, err := LoadConfig(AllInOne, []string{
		"DOLIBARR_SMTP_HOST=smtp.acme.test", "DOLIBARR_SMTP_USERNAME=erp", "DOLIBARR_SMTP_PASSWORD_FILE=" + path,
		"DOLIBARR_SMTP_FROM=erp@acme.test",
	})
	require.NoError(t, err)
	require.Equal(t, "from-a-file", cfg.SMTP.Password)
}

func TestSMTPConfigNamesEveryProblem(t *testing.T) {
	_, err := LoadConfig(AllInOne, []string{"DOLIBARR_SMTP_TLS=ssl", "DOLIBARR_SMTP_PORT=70000", "DOLIBARR_SMTP_PASSWORD=x"})
	require.Error(t, err)
	for _, want := range []string{"DOLIBARR_SMTP_TLS", "DOLIBARR_SMTP_PORT", "DOLIBARR_SMTP_HOST", "DOLIBARR_SMTP_USERNAME"} {
		require.Contains(t, err.Error(), want+":")
	}
	_, err = LoadConfig(AllInOne, []string{"DOLIBARR_SMTP_HOST=smtp.acme.test"})
	require.ErrorContains(t, err, "DOLIBARR_SMTP_FROM: required", "a server needs a sender")
	_, err = LoadConfig(AllInOne, []string{"DOLIBARR_SMTP_HOST=smtp.acme.test", "DOLIBARR_SMTP_FROM=not an address"})
	require.ErrorContains(t, err, "DOLIBARR_SMTP_FROM:")
}
