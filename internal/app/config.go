// Package app is the composition root shared by the three binaries: it reads
// the configuration, opens the database, builds repositories, use cases and
// handlers by hand, and runs the API and the runner with an orderly shutdown.
package app

import (
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"go.uber.org/zap/zapcore"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// Config is the whole effective configuration, read from the environment only.
//
// The used tag says which part of a binary reads a setting (api, runner,
// runner-binary: the runner without the API, so its own probe port; none:
// every part), so each binary logs only the settings it uses. A field's tag
// overrides its struct's.
type Config struct {
	DB             DBConfig       `envPrefix:"DOLIBARR_DB_"`
	HTTP           HTTPConfig     `envPrefix:"DOLIBARR_HTTP_" used:"api"`
	Log            LogConfig      `envPrefix:"DOLIBARR_LOG_"`
	Runner         RunnerConfig   `envPrefix:"DOLIBARR_RUNNER_" used:"runner"`
	Auth           AuthConfig     `envPrefix:"DOLIBARR_" used:"api"`
	Stock          StockConfig    `envPrefix:"DOLIBARR_STOCK_" used:"api"`
	Sales          SalesConfig    `envPrefix:"DOLIBARR_" used:"api"`
	Purchase       PurchaseConfig `envPrefix:"DOLIBARR_" used:"api"`
	Company        CompanyConfig  `envPrefix:"DOLIBARR_COMPANY_"`
	PDF            PDFConfig      `envPrefix:"DOLIBARR_PDF_"`
	SMTP           SMTPConfig     `envPrefix:"DOLIBARR_SMTP_" used:"runner"`
	MigrateOnStart bool           `env:"DOLIBARR_MIGRATE_ON_START"`
	Bank           BankConfig     `envPrefix:"DOLIBARR_BANK_" used:"api"`
	Webhooks       WebhooksConfig `envPrefix:"DOLIBARR_WEBHOOKS_"`
	// DataDir holds the files a SQLite installation keeps beside its
	// database: the generated JWT secret and the mail outbox, and by default
	// the database itself (Profile.DefaultDataDir). Empty with a SQLite DSN:
	// the DSN file's folder. Unused on PostgreSQL and MySQL.
	DataDir string `env:"DOLIBARR_DATA_DIR"`

	// legacyDataDir is set when the all-in-one found a database left in the
	// working directory by a release before DOLIBARR_DATA_DIR, and keeps
	// using it there (Main says how to move it).
	legacyDataDir bool
}

// DBConfig selects and tunes the database.
type DBConfig struct {
	Driver          string        `env:"DRIVER"`
	DSN             string        `env:"DSN" secret:"true"`
	MaxOpenConns    int           `env:"MAX_OPEN_CONNS" envDefault:"20"`
	MaxIdleConns    int           `env:"MAX_IDLE_CONNS" envDefault:"10"`
	ConnMaxLifetime time.Duration `env:"CONN_MAX_LIFETIME" envDefault:"30m"`
}

// HTTPConfig tunes the API server.
type HTTPConfig struct {
	Addr            string        `env:"ADDR" envDefault:":8080"`
	BodyLimit       string        `env:"BODY_LIMIT" envDefault:"2M"`
	RequestTimeout  time.Duration `env:"REQUEST_TIMEOUT" envDefault:"30s"`
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"15s"`
	// TrustedProxies lists the reverse proxies (addresses or CIDRs, comma
	// separated) whose X-Forwarded-For names the client; empty: the peer is
	// the client, and X-Forwarded-For is ignored (api.ClientIP).
	TrustedProxies []string `env:"TRUSTED_PROXIES"`
}

// Proxies parses TrustedProxies: a bare address is a one-address prefix.
// The problems name each entry that is neither.
func (c HTTPConfig) Proxies() ([]netip.Prefix, []string) {
	var out []netip.Prefix
	var problems []string
	for _, s := range c.TrustedProxies {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		if a, err := netip.ParseAddr(s); err == nil {
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		problems = append(problems, fmt.Sprintf("DOLIBARR_HTTP_TRUSTED_PROXIES: %q is not an address or a CIDR such as 10.0.0.0/8", s))
	}
	return out, problems
}

// LogConfig selects the log level and encoding.
type LogConfig struct {
	Level string `env:"LEVEL" envDefault:"info"`
	// Format is json, console, or auto: console on a terminal, json
	// otherwise (containers, systemd, pipes).
	Format string `env:"FORMAT" envDefault:"auto"`
}

// StockConfig holds the stock policy.
type StockConfig struct {
	// AllowNegative lets a debit take a stock below zero; by default such a
	// debit is refused with 409 insufficient_stock (Dolibarr's
	// STOCK_DISALLOW_NEGATIVE_TRANSFER behaviour).
	AllowNegative bool `env:"ALLOW_NEGATIVE" envDefault:"false"`
	// DefaultWarehouseID is the warehouse a validation moving stock uses
	// when the request names none; 0: the only open warehouse, if there
	// is exactly one (decision 0039).
	DefaultWarehouseID int64 `env:"DEFAULT_WAREHOUSE_ID" envDefault:"0"`
}

// BankConfig holds the bank books' policy.
type BankConfig struct {
	// DefaultAccountID is the bank account a payment naming none posts
	// to; 0: the only open account, when there is exactly one (decision
	// 0040).
	DefaultAccountID int64 `env:"DEFAULT_ACCOUNT_ID" envDefault:"0"`
}

func (c BankConfig) validate() []string {
	if c.DefaultAccountID < 0 {
		return []string{"DOLIBARR_BANK_DEFAULT_ACCOUNT_ID: must be a positive account id, or 0 for none"}
	}
	return nil
}

// SalesConfig holds the sales documents' policy: which validation moves
// stock, the reference masks (Dolibarr's mask syntax, see domain.Mask) and
// how document totals are rounded.
type SalesConfig struct {
	// StockDecreaseOn is invoice_validation (a credit note puts stock
	// back), order_validation or none.
	StockDecreaseOn string `env:"STOCK_DECREASE_ON" envDefault:"invoice_validation"`
	ProposalMask    string `env:"SALES_PROPOSAL_MASK" envDefault:"PR{yy}{mm}-{0000}"`
	OrderMask       string `env:"SALES_ORDER_MASK" envDefault:"CO{yy}{mm}-{0000}"`
	InvoiceMask     string `env:"SALES_INVOICE_MASK" envDefault:"FA{yy}{mm}-{0000}"`
	CreditNoteMask  string `env:"SALES_CREDIT_NOTE_MASK" envDefault:"AV{yy}{mm}-{0000}"`
	// RoundingMode is sum_of_rounded_lines (Dolibarr's default) or
	// round_of_sum (MAIN_ROUNDOFTOTAL_NOT_TOTALOFROUND).
	RoundingMode string `env:"SALES_ROUNDING_MODE" envDefault:"sum_of_rounded_lines"`
	// NumberingBackdated is what validating a document dated before the
	// last validated one of its series does: refuse (409
	// date_before_last_validated) or set_today (dates it on the validation
	// day) or allow (no check, for imports of past documents). Decision
	// 0035.
	NumberingBackdated string `env:"NUMBERING_BACKDATED" envDefault:"refuse"`
}

func (c SalesConfig) validate() []string {
	var p []string
	switch c.StockDecreaseOn {
	case "invoice_validation", "order_validation", "none":
	default:
		p = append(p, fmt.Sprintf("DOLIBARR_STOCK_DECREASE_ON: %q is not one of invoice_validation, order_validation, none", c.StockDecreaseOn))
	}
	for _, m := range []struct{ key, val string }{
		{"DOLIBARR_SALES_PROPOSAL_MASK", c.ProposalMask}, {"DOLIBARR_SALES_ORDER_MASK", c.OrderMask},
		{"DOLIBARR_SALES_INVOICE_MASK", c.InvoiceMask}, {"DOLIBARR_SALES_CREDIT_NOTE_MASK", c.CreditNoteMask},
	} {
		if _, err := domain.ParseMask(m.val); err != nil {
			p = append(p, m.key+": "+err.Error())
		}
	}
	if c.InvoiceMask == c.CreditNoteMask {
		p = append(p, "DOLIBARR_SALES_CREDIT_NOTE_MASK: must differ from DOLIBARR_SALES_INVOICE_MASK (their counters are separate)")
	}
	if _, ok := domain.ParseBackdatedPolicy(c.NumberingBackdated); !ok {
		p = append(p, fmt.Sprintf("DOLIBARR_NUMBERING_BACKDATED: %q is not refuse, set_today or allow", c.NumberingBackdated))
	}
	if _, ok := domain.ParseRoundingMode(c.RoundingMode); !ok {
		p = append(p, fmt.Sprintf("DOLIBARR_SALES_ROUNDING_MODE: %q is not sum_of_rounded_lines or round_of_sum", c.RoundingMode))
	}
	return p
}

// PurchaseConfig holds the buy side's policy: which step puts goods into
// stock, the second approval of large purchase orders, over-reception and
// the reference masks.
type PurchaseConfig struct {
	// StockIncreaseOn is reception (Dolibarr's default with receptions)
	// or supplier_invoice: the step whose validation puts goods in stock
	// and updates their weighted average cost; the other moves nothing.
	StockIncreaseOn string `env:"STOCK_INCREASE_ON" envDefault:"reception"`
	// ApprovalAbove is the total excl. tax above which a validated
	// purchase order waits for a second approval (purchase:approve, not its
	// creator); empty: no second approval.
	ApprovalAbove string `env:"PURCHASE_APPROVAL_ABOVE"`
	// AllowOverReception accepts receiving more than was ordered.
	AllowOverReception bool   `env:"PURCHASE_ALLOW_OVER_RECEPTION" envDefault:"false"`
	OrderMask          string `env:"PURCHASE_ORDER_MASK" envDefault:"CF{yy}{mm}-{0000}"`
	ReceptionMask      string `env:"PURCHASE_RECEPTION_MASK" envDefault:"RCP{yy}{mm}-{0000}"`
	InvoiceMask        string `env:"PURCHASE_INVOICE_MASK" envDefault:"SI{yy}{mm}-{0000}"`
	CreditNoteMask     string `env:"PURCHASE_CREDIT_NOTE_MASK" envDefault:"SA{yy}{mm}-{0000}"`
}

func (c PurchaseConfig) validate() []string {
	var p []string
	switch c.StockIncreaseOn {
	case "reception", "supplier_invoice":
	default:
		p = append(p, fmt.Sprintf("DOLIBARR_STOCK_INCREASE_ON: %q is not one of reception, supplier_invoice", c.StockIncreaseOn))
	}
	if c.ApprovalAbove != "" {
		if d, err := domain.ParseDecimal(c.ApprovalAbove); err != nil || d.IsNegative() {
			p = append(p, fmt.Sprintf("DOLIBARR_PURCHASE_APPROVAL_ABOVE: %q is not an amount of zero or more", c.ApprovalAbove))
		}
	}
	for _, m := range []struct{ key, val string }{
		{"DOLIBARR_PURCHASE_ORDER_MASK", c.OrderMask}, {"DOLIBARR_PURCHASE_RECEPTION_MASK", c.ReceptionMask},
		{"DOLIBARR_PURCHASE_INVOICE_MASK", c.InvoiceMask}, {"DOLIBARR_PURCHASE_CREDIT_NOTE_MASK", c.CreditNoteMask},
	} {
		if _, err := domain.ParseMask(m.val); err != nil {
			p = append(p, m.key+": "+err.Error())
		}
	}
	if c.InvoiceMask == c.CreditNoteMask {
		p = append(p, "DOLIBARR_PURCHASE_CREDIT_NOTE_MASK: must differ from DOLIBARR_PURCHASE_INVOICE_MASK (their counters are separate)")
	}
	return p
}

// CompanyConfig is the issuing company printed on every document: the
// header, the footer's legal line and the bank account of invoices.
type CompanyConfig struct {
	Name        string `env:"NAME" envDefault:"My Company"`
	Address     string `env:"ADDRESS"`
	Zip         string `env:"ZIP"`
	Town        string `env:"TOWN"`
	CountryCode string `env:"COUNTRY_CODE"`
	VATID       string `env:"VAT_ID"`
	// LegalID is a free line of legal identifiers ("SIRET 123 456 789
	// 00012 · RCS Lyon").
	LegalID     string `env:"LEGAL_ID"`
	Email       string `env:"EMAIL"`
	Phone       string `env:"PHONE"`
	Website     string `env:"WEBSITE"`
	BankAccount string `env:"BANK_ACCOUNT"`
	// IDProf1..6 are the company's professional ids (France: SIREN,
	// SIRET, NAF-APE, RCS/RM), printed in the footer; French SIREN and
	// SIRET are checked.
	IDProf1 string `env:"IDPROF1"`
	IDProf2 string `env:"IDPROF2"`
	IDProf3 string `env:"IDPROF3"`
	IDProf4 string `env:"IDPROF4"`
	IDProf5 string `env:"IDPROF5"`
	IDProf6 string `env:"IDPROF6"`
	// LatePenaltyRate is the yearly late-payment penalty rate (a
	// percentage) French B2B invoices print; empty prints "three times
	// the legal interest rate".
	LatePenaltyRate string `env:"LATE_PENALTY_RATE"`
	// RecoveryFee is the fixed recovery fee French B2B invoices print.
	RecoveryFee string `env:"RECOVERY_FEE" envDefault:"40"`
	// VATExemptionReason is printed when a line has 0 % VAT ("art. 293 B
	// du CGI", "Autoliquidation"); empty prints a generic wording.
	VATExemptionReason string `env:"VAT_EXEMPTION_REASON"`
	// Currency is the ISO 4217 code of document amounts.
	Currency string `env:"CURRENCY" envDefault:"EUR"`
}

// PDFConfig tunes document rendering.
type PDFConfig struct {
	// Language is used when neither the request (?lang=) nor the document
	// names one; unsupported languages fall back to English.
	Language string `env:"LANGUAGE" envDefault:"en"`
	// MaxConcurrent bounds the renders running at once per process,
	// including renders whose client went away while maroto finished
	// writing the file (that last step cannot be interrupted).
	MaxConcurrent int `env:"MAX_CONCURRENT" envDefault:"4"`
	// Timeout bounds one rendering, loading included.
	Timeout time.Duration `env:"TIMEOUT" envDefault:"30s"`
}

var (
	languageTag  = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)
)

func (c CompanyConfig) validate() []string {
	var p []string
	if strings.TrimSpace(c.Name) == "" {
		p = append(p, "DOLIBARR_COMPANY_NAME: must not be empty (it heads every document)")
	}
	if !currencyCode.MatchString(c.Currency) {
		p = append(p, fmt.Sprintf("DOLIBARR_COMPANY_CURRENCY: %q is not an ISO 4217 code such as EUR", c.Currency))
	}
	var v *domain.ValidationError
	if err := domain.CheckProfIDs(c.CountryCode, c.ProfIDs(), c.VATID); errors.As(err, &v) {
		for _, f := range v.Fields {
			key := "DOLIBARR_COMPANY_" + strings.ToUpper(f.Field)
			if f.Field == "vat_number" {
				key = "DOLIBARR_COMPANY_VAT_ID"
			}
			p = append(p, key+": "+f.Message)
		}
	}
	if c.LatePenaltyRate != "" {
		if d, err := domain.ParseDecimal(c.LatePenaltyRate); err != nil || d.IsNegative() {
			p = append(p, fmt.Sprintf("DOLIBARR_COMPANY_LATE_PENALTY_RATE: %q is not a percentage such as 12.5", c.LatePenaltyRate))
		}
	}
	if d, err := domain.ParseDecimal(c.RecoveryFee); err != nil || d.IsNegative() {
		p = append(p, fmt.Sprintf("DOLIBARR_COMPANY_RECOVERY_FEE: %q is not an amount such as 40", c.RecoveryFee))
	}
	return p
}

// ProfIDs are the company's professional ids in order.
func (c CompanyConfig) ProfIDs() domain.ProfIDs {
	return domain.ProfIDs{c.IDProf1, c.IDProf2, c.IDProf3, c.IDProf4, c.IDProf5, c.IDProf6}
}

func (c PDFConfig) validate() []string {
	var p []string
	if !languageTag.MatchString(c.Language) {
		p = append(p, fmt.Sprintf("DOLIBARR_PDF_LANGUAGE: %q is not a language tag such as en, fr or pt-BR", c.Language))
	}
	if c.MaxConcurrent < 1 {
		p = append(p, fmt.Sprintf("DOLIBARR_PDF_MAX_CONCURRENT: must be at least 1, got %d", c.MaxConcurrent))
	}
	if c.Timeout <= 0 {
		p = append(p, "DOLIBARR_PDF_TIMEOUT: must be positive")
	}
	return p
}

// SMTPConfig is the mail server documents are sent through. Without a
// host, on SQLite (the all-in-one), messages are written as .eml files to
// the mail-outbox folder next to the database file; elsewhere sends fail
// with the reason "mail is not configured".
type SMTPConfig struct {
	Host string `env:"HOST"`
	// Port defaults to the TLS mode's usual port: 25 (none), 587
	// (starttls), 465 (tls).
	Port     int    `env:"PORT"`
	Username string `env:"USERNAME"`
	Password string `env:"PASSWORD" secret:"true"`
	// From is the sender, "Name <address>" or a bare address; empty:
	// DOLIBARR_COMPANY_NAME <DOLIBARR_COMPANY_EMAIL>.
	From string `env:"FROM"`
	// TLS is none, starttls (STARTTLS required) or tls (implicit TLS).
	TLS string `env:"TLS" envDefault:"starttls"`
}

func (c SMTPConfig) validate(company CompanyConfig) []string {
	var p []string
	switch c.TLS {
	case "none", "starttls", "tls":
	default:
		p = append(p, fmt.Sprintf("DOLIBARR_SMTP_TLS: %q is not none, starttls or tls", c.TLS))
	}
	if c.Port < 0 || c.Port > 65535 {
		p = append(p, fmt.Sprintf("DOLIBARR_SMTP_PORT: %d is not a port", c.Port))
	}
	if c.Host == "" && (c.Username != "" || c.Password != "" || c.Port != 0) {
		p = append(p, "DOLIBARR_SMTP_HOST: required with DOLIBARR_SMTP_PORT, _USERNAME or _PASSWORD")
	}
	if c.Password != "" && c.Username == "" {
		p = append(p, "DOLIBARR_SMTP_USERNAME: required with DOLIBARR_SMTP_PASSWORD")
	}
	from := c.SenderAddress(company)
	if c.Host != "" && from == "" {
		p = append(p, "DOLIBARR_SMTP_FROM: required with DOLIBARR_SMTP_HOST (or set DOLIBARR_COMPANY_EMAIL)")
	}
	if from != "" {
		if _, err := netmail.ParseAddress(from); err != nil {
			p = append(p, fmt.Sprintf("DOLIBARR_SMTP_FROM: %q is not an address such as \"Acme <billing@example.com>\"", from))
		}
	}
	return p
}

// SenderAddress is the From of sent messages: DOLIBARR_SMTP_FROM, else
// the company's name and e-mail address, else "".
func (c SMTPConfig) SenderAddress(company CompanyConfig) string {
	switch {
	case c.From != "":
		return c.From
	case company.Email == "":
		return ""
	case company.Name == "":
		return company.Email
	}
	return (&netmail.Address{Name: company.Name, Address: company.Email}).String()
}

// SMTPPort is the configured port or the TLS mode's usual one.
func (c SMTPConfig) SMTPPort() int {
	switch {
	case c.Port != 0:
		return c.Port
	case c.TLS == "none":
		return 25
	case c.TLS == "tls":
		return 465
	}
	return 587
}

// RunnerConfig tunes the job runner (the runner binary, and the all-in-one
// binary's in-process runner).
type RunnerConfig struct {
	// HealthAddr is where the runner binary serves /health and /ready.
	HealthAddr string `env:"HEALTH_ADDR" envDefault:":8081" used:"runner-binary"`
	// Workers is the number of jobs run at once; Buffer how many claimed
	// jobs may wait for a free worker.
	Workers int `env:"WORKERS" envDefault:"10"`
	Buffer  int `env:"BUFFER" envDefault:"10"`
	// PollInterval is how often an idle runner looks for due jobs; on
	// PostgreSQL with Listen a notification wakes it at once.
	PollInterval  time.Duration `env:"POLL_INTERVAL" envDefault:"1s"`
	FetchCooldown time.Duration `env:"FETCH_COOLDOWN" envDefault:"5ms"`
	// Lease is how long a claimed job belongs to its runner; a killed
	// runner's jobs run again once it expires. It must exceed JobTimeout.
	Lease      time.Duration `env:"LEASE" envDefault:"2m"`
	JobTimeout time.Duration `env:"JOB_TIMEOUT" envDefault:"30s"`
	// DrainTimeout is how long shutdown lets running and buffered jobs
	// finish before cancelling them; CancelTimeout how long it then waits
	// for cancelled handlers.
	DrainTimeout        time.Duration `env:"DRAIN_TIMEOUT" envDefault:"15s"`
	CancelTimeout       time.Duration `env:"CANCEL_TIMEOUT" envDefault:"3s"`
	MaintenanceInterval time.Duration `env:"MAINTENANCE_INTERVAL" envDefault:"1s"`
	RetainCompleted     time.Duration `env:"RETAIN_COMPLETED" envDefault:"24h"`
	RetainFailed        time.Duration `env:"RETAIN_FAILED" envDefault:"168h"`
	// Listen uses PostgreSQL LISTEN/NOTIFY to start jobs without waiting
	// for the next poll (the API notifies, the runner listens). Turn it off
	// behind PgBouncer in transaction mode.
	Listen bool `env:"LISTEN" envDefault:"true" used:"all"`
}

// WebhooksConfig tunes webhook delivery.
type WebhooksConfig struct {
	// AllowPrivate lets webhook URLs reach private, loopback and link-local
	// addresses; by default they are refused when a webhook is saved and
	// again when each connection is made.
	AllowPrivate bool `env:"ALLOW_PRIVATE" envDefault:"false"`
	// Timeout bounds one delivery request; the job's own bound is
	// DOLIBARR_RUNNER_JOB_TIMEOUT, which should exceed it.
	Timeout time.Duration `env:"TIMEOUT" envDefault:"10s" used:"runner"`
	// RetrySchedule is the wait before each retry of a failed delivery
	// (comma-separated durations); a delivery is tried once more than it
	// has entries, then marked failed.
	RetrySchedule []time.Duration `env:"RETRY_SCHEDULE" envDefault:"5s,5m,30m,2h,5h,10h,10h" used:"runner"`
	// DisableAfter deactivates a webhook whose deliveries have failed,
	// without a success, for this long.
	DisableAfter time.Duration `env:"DISABLE_AFTER" envDefault:"120h" used:"runner"`
	// HoldWait is how often a delivery held back behind an earlier one of
	// the same object looks again.
	HoldWait time.Duration `env:"HOLD_WAIT" envDefault:"1s" used:"runner"`
}

func (w WebhooksConfig) validate() []string {
	var p []string
	if w.Timeout <= 0 {
		p = append(p, "DOLIBARR_WEBHOOKS_TIMEOUT must be positive")
	}
	for _, d := range w.RetrySchedule {
		if d <= 0 {
			p = append(p, "DOLIBARR_WEBHOOKS_RETRY_SCHEDULE: every wait must be positive")
			break
		}
	}
	if w.DisableAfter < 0 || w.HoldWait <= 0 {
		p = append(p, "DOLIBARR_WEBHOOKS_DISABLE_AFTER must not be negative and DOLIBARR_WEBHOOKS_HOLD_WAIT must be positive")
	}
	return p
}

func (r RunnerConfig) validate() []string {
	var p []string
	if r.Workers < 1 || r.Workers > 1000 {
		p = append(p, fmt.Sprintf("DOLIBARR_RUNNER_WORKERS: must be between 1 and 1000, got %d", r.Workers))
	}
	if r.Buffer < 0 || r.Buffer > 10000 {
		p = append(p, fmt.Sprintf("DOLIBARR_RUNNER_BUFFER: must be between 0 and 10000, got %d", r.Buffer))
	}
	for key, d := range map[string]time.Duration{
		"POLL_INTERVAL": r.PollInterval, "LEASE": r.Lease, "JOB_TIMEOUT": r.JobTimeout, "DRAIN_TIMEOUT": r.DrainTimeout,
		"CANCEL_TIMEOUT": r.CancelTimeout, "MAINTENANCE_INTERVAL": r.MaintenanceInterval,
		"RETAIN_COMPLETED": r.RetainCompleted, "RETAIN_FAILED": r.RetainFailed,
	} {
		if d <= 0 {
			p = append(p, "DOLIBARR_RUNNER_"+key+": must be positive")
		}
	}
	if r.FetchCooldown < 0 {
		p = append(p, "DOLIBARR_RUNNER_FETCH_COOLDOWN: must not be negative")
	}
	if r.JobTimeout > 0 && r.Lease <= r.JobTimeout {
		p = append(p, fmt.Sprintf("DOLIBARR_RUNNER_LEASE: %s must exceed DOLIBARR_RUNNER_JOB_TIMEOUT %s, or running jobs are rescued and run twice", r.Lease, r.JobTimeout))
	}
	return p
}

// AuthConfig configures login, tokens and the first administrator.
type AuthConfig struct {
	// JWTSecret signs access tokens (at least 32 bytes). JWTPreviousSecret,
	// during a rotation, still verifies tokens the old secret signed until
	// they expire.
	JWTSecret         string        `env:"JWT_SECRET" secret:"true"`
	JWTPreviousSecret string        `env:"JWT_PREVIOUS_SECRET" secret:"true"`
	JWTIssuer         string        `env:"JWT_ISSUER" envDefault:"dolibarr-go"`
	JWTAudience       string        `env:"JWT_AUDIENCE" envDefault:"dolibarr-go-api"`
	JWTTTL            time.Duration `env:"JWT_TTL" envDefault:"15m"`
	// RefreshTTL is how long a refresh token (rotated at each use) stays
	// valid; RevocationPoll how often each replica polls for revocations
	// (deactivations, role and password changes, revoked API keys), which
	// bounds how long a revoked credential keeps working (decision 0026).
	RefreshTTL     time.Duration `env:"REFRESH_TOKEN_TTL" envDefault:"720h"`
	RevocationPoll time.Duration `env:"REVOCATION_POLL_INTERVAL" envDefault:"500ms"`
	// AdminLogin and AdminPassword create the first user when none exists;
	// without a password a random one is generated and logged once.
	AdminLogin    string `env:"ADMIN_LOGIN" envDefault:"admin"`
	AdminPassword string `env:"ADMIN_PASSWORD" secret:"true"`
	// Failed logins allowed per login and per client address within
	// LoginFailureWindow before further attempts get 429.
	LoginMaxFailuresPerLogin  int           `env:"AUTH_MAX_FAILURES_PER_LOGIN" envDefault:"5"`
	LoginMaxFailuresPerClient int           `env:"AUTH_MAX_FAILURES_PER_CLIENT" envDefault:"30"`
	LoginFailureWindow        time.Duration `env:"AUTH_FAILURE_WINDOW" envDefault:"15m"`
	// MaxConcurrentHashes bounds the argon2id hashes (19 MiB each) run at
	// once by logins and password changes; 0 sizes it from the memory limit
	// (auth.HashSlots).
	MaxConcurrentHashes int `env:"AUTH_MAX_CONCURRENT_HASHES" envDefault:"0"`
}

// jwtSecretMinLen mirrors auth.MinSecretLen (HS256 wants 256 bits).
const jwtSecretMinLen = 32

func (a *AuthConfig) validate(p Profile, driver string) []string {
	var out []string
	switch {
	case a.JWTSecret == "" && p.RequireJWTSecret:
		out = append(out, "DOLIBARR_JWT_SECRET: required (at least 32 bytes, e.g. `openssl rand -base64 48`); every API replica must share it")
	case a.JWTSecret == "" && p.GenerateJWTSecret && driver != "sqlite":
		out = append(out, "DOLIBARR_JWT_SECRET: required with "+driver+" (a secret is generated only next to a SQLite file)")
	case a.JWTSecret != "" && len(a.JWTSecret) < jwtSecretMinLen:
		out = append(out, fmt.Sprintf("DOLIBARR_JWT_SECRET: must be at least %d bytes, got %d", jwtSecretMinLen, len(a.JWTSecret)))
	}
	if a.JWTPreviousSecret != "" && len(a.JWTPreviousSecret) < jwtSecretMinLen {
		out = append(out, fmt.Sprintf("DOLIBARR_JWT_PREVIOUS_SECRET: must be at least %d bytes", jwtSecretMinLen))
	}
	if a.JWTPreviousSecret != "" && a.JWTSecret == "" {
		out = append(out, "DOLIBARR_JWT_PREVIOUS_SECRET: set only during a rotation, together with DOLIBARR_JWT_SECRET")
	}
	if a.JWTIssuer == "" {
		out = append(out, "DOLIBARR_JWT_ISSUER: must not be empty")
	}
	if a.JWTAudience == "" {
		out = append(out, "DOLIBARR_JWT_AUDIENCE: must not be empty")
	}
	if a.JWTTTL < time.Minute || a.JWTTTL > 24*time.Hour {
		out = append(out, fmt.Sprintf("DOLIBARR_JWT_TTL: must be between 1m and 24h, got %s", a.JWTTTL))
	}
	if a.RefreshTTL < a.JWTTTL || a.RefreshTTL > 365*24*time.Hour {
		out = append(out, fmt.Sprintf("DOLIBARR_REFRESH_TOKEN_TTL: must be between DOLIBARR_JWT_TTL and 8760h, got %s", a.RefreshTTL))
	}
	if a.RevocationPoll < 50*time.Millisecond || a.RevocationPoll > 10*time.Second {
		out = append(out, fmt.Sprintf("DOLIBARR_REVOCATION_POLL_INTERVAL: must be between 50ms and 10s, got %s", a.RevocationPoll))
	}
	if a.AdminLogin == "" {
		out = append(out, "DOLIBARR_ADMIN_LOGIN: must not be empty")
	}
	if a.AdminPassword != "" && len(a.AdminPassword) < 10 {
		out = append(out, "DOLIBARR_ADMIN_PASSWORD: must be at least 10 characters")
	}
	if a.LoginMaxFailuresPerLogin < 0 || a.LoginMaxFailuresPerClient < 0 {
		out = append(out, "DOLIBARR_AUTH_MAX_FAILURES_PER_LOGIN/_PER_CLIENT: must not be negative (0 disables)")
	}
	if a.LoginFailureWindow <= 0 {
		out = append(out, "DOLIBARR_AUTH_FAILURE_WINDOW: must be positive")
	}
	return out
}

// Profile holds what differs between the three binaries.
type Profile struct {
	Name          string
	DefaultDriver string // empty: DOLIBARR_DB_DRIVER is required
	// DefaultDataDir, for a SQLite profile, is the data directory used when
	// neither DOLIBARR_DATA_DIR nor DOLIBARR_DB_DSN is set; the database is
	// DefaultDBFile in it.
	DefaultDataDir string
	MigrateOnStart bool
	// RequireJWTSecret makes DOLIBARR_JWT_SECRET mandatory (replicas must
	// share it); GenerateJWTSecret lets the binary create and keep one next
	// to its SQLite file instead.
	RequireJWTSecret  bool
	GenerateJWTSecret bool
}

// Profiles of the three binaries.
var (
	AllInOne = Profile{Name: "dolibarr", DefaultDriver: "sqlite", DefaultDataDir: "dolibarr-data", MigrateOnStart: true, GenerateJWTSecret: true}
	APIOnly  = Profile{Name: "dolibarr-api", RequireJWTSecret: true}
	Runner   = Profile{Name: "dolibarr-runner"}
)

// DefaultDBFile is the SQLite database's name in the data directory.
const DefaultDBFile = "dolibarr.db"

// Drivers are the supported values of DOLIBARR_DB_DRIVER.
var Drivers = []string{"postgres", "mysql", "sqlite"}

// ConfigError lists every configuration problem found at once.
type ConfigError struct{ Problems []string }

func (e *ConfigError) Error() string {
	return "invalid configuration:\n  - " + strings.Join(e.Problems, "\n  - ")
}

// LoadConfig reads the configuration from environ (os.Environ() form) for a
// binary profile. A secret variable X may instead be given as X_FILE, the
// path of a file holding the value (Kubernetes and Docker secrets).
func LoadConfig(p Profile, environ []string) (Config, error) {
	vars := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	var problems []string
	for _, ev := range EnvVars() {
		if !ev.Secret {
			continue
		}
		path, ok := vars[ev.Key+"_FILE"]
		if !ok || path == "" {
			continue
		}
		if _, set := vars[ev.Key]; set {
			problems = append(problems, fmt.Sprintf("%s and %s_FILE are both set; keep one", ev.Key, ev.Key))
			continue
		}
		b, err := os.ReadFile(path) //nolint:gosec // the operator names the secret file on purpose
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s_FILE: cannot read %q: %v", ev.Key, path, err))
			continue
		}
		vars[ev.Key] = strings.TrimRight(string(b), "\r\n")
	}

	var cfg Config
	err := env.ParseWithOptions(&cfg, env.Options{Environment: vars})
	// Profile defaults: what differs between the binaries.
	if _, set := vars["DOLIBARR_MIGRATE_ON_START"]; !set {
		cfg.MigrateOnStart = p.MigrateOnStart
	}
	if cfg.DB.Driver == "" {
		cfg.DB.Driver = p.DefaultDriver
	}
	if cfg.DB.Driver == "sqlite" {
		cfg.sqliteFiles(p)
	}
	if err != nil {
		byField := map[string]string{}
		for _, ev := range EnvVars() {
			byField[ev.Field] = ev.Key
		}
		var agg env.AggregateError
		if errors.As(err, &agg) {
			for _, e := range agg.Errors {
				var pe env.ParseError
				if errors.As(e, &pe) {
					problems = append(problems, fmt.Sprintf("%s: cannot parse %q as %s", byField[pe.Name], vars[byField[pe.Name]], pe.Type))
					continue
				}
				problems = append(problems, e.Error())
			}
		} else {
			problems = append(problems, err.Error())
		}
	}
	problems = append(problems, cfg.validate()...)
	problems = append(problems, cfg.Auth.validate(p, cfg.DB.Driver)...)
	if len(problems) > 0 {
		sort.Strings(problems)
		return cfg, &ConfigError{Problems: problems}
	}
	return cfg, nil
}

// sqliteFiles settles where a SQLite installation keeps its files: the
// database in the data directory unless the DSN names it, the data directory
// in the DSN file's folder unless DOLIBARR_DATA_DIR names it. A database in
// the working directory from before DOLIBARR_DATA_DIR (dolibarr.db, its
// secret and outbox beside it) keeps being used there rather than starting
// an empty one; Main says how to move it.
func (c *Config) sqliteFiles(p Profile) {
	if c.DB.DSN == "" && p.DefaultDataDir != "" {
		if c.DataDir == "" {
			c.DataDir = p.DefaultDataDir
			if fileExists(DefaultDBFile) && !fileExists(filepath.Join(p.DefaultDataDir, DefaultDBFile)) {
				c.DataDir, c.legacyDataDir = ".", true
			}
		}
		c.DB.DSN = "file:" + filepath.ToSlash(filepath.Join(c.DataDir, DefaultDBFile))
	}
	if c.DataDir == "" {
		c.DataDir, _ = sqliteDir(c.DB.DSN) // in memory: none
	}
}

func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

func (c *Config) validate() []string {
	var p []string
	switch c.DB.Driver {
	case "postgres", "mysql", "sqlite":
		if msg := checkDSN(c.DB.Driver, c.DB.DSN); msg != "" {
			p = append(p, "DOLIBARR_DB_DSN: "+msg)
		}
	case "":
		p = append(p, "DOLIBARR_DB_DRIVER: required (one of "+strings.Join(Drivers, ", ")+")")
	default:
		p = append(p, fmt.Sprintf("DOLIBARR_DB_DRIVER: unknown driver %q (one of %s)", c.DB.Driver, strings.Join(Drivers, ", ")))
	}
	if c.DB.MaxOpenConns < 1 {
		p = append(p, fmt.Sprintf("DOLIBARR_DB_MAX_OPEN_CONNS: must be at least 1, got %d", c.DB.MaxOpenConns))
	}
	if c.DB.MaxIdleConns < 0 {
		p = append(p, fmt.Sprintf("DOLIBARR_DB_MAX_IDLE_CONNS: must not be negative, got %d", c.DB.MaxIdleConns))
	} else if c.DB.MaxOpenConns >= 1 && c.DB.MaxIdleConns > c.DB.MaxOpenConns {
		p = append(p, fmt.Sprintf("DOLIBARR_DB_MAX_IDLE_CONNS: %d exceeds DOLIBARR_DB_MAX_OPEN_CONNS %d", c.DB.MaxIdleConns, c.DB.MaxOpenConns))
	}
	if c.DB.ConnMaxLifetime < 0 {
		p = append(p, "DOLIBARR_DB_CONN_MAX_LIFETIME: must not be negative")
	}
	for key, addr := range map[string]string{"DOLIBARR_HTTP_ADDR": c.HTTP.Addr, "DOLIBARR_RUNNER_HEALTH_ADDR": c.Runner.HealthAddr} {
		if _, port, err := net.SplitHostPort(addr); err != nil || port == "" {
			p = append(p, fmt.Sprintf("%s: %q is not host:port", key, addr))
		}
	}
	p = append(p, c.Runner.validate()...)
	p = append(p, c.Webhooks.validate()...)
	p = append(p, c.Sales.validate()...)
	p = append(p, c.Purchase.validate()...)
	p = append(p, c.Bank.validate()...)
	if c.Stock.DefaultWarehouseID < 0 {
		p = append(p, "DOLIBARR_STOCK_DEFAULT_WAREHOUSE_ID: must be a warehouse id, or 0 for the only open warehouse")
	}
	p = append(p, c.Company.validate()...)
	p = append(p, c.PDF.validate()...)
	p = append(p, c.SMTP.validate(c.Company)...)
	if c.HTTP.RequestTimeout <= 0 {
		p = append(p, "DOLIBARR_HTTP_REQUEST_TIMEOUT: must be positive")
	}
	_, proxyProblems := c.HTTP.Proxies()
	p = append(p, proxyProblems...)
	if c.HTTP.ShutdownTimeout <= 0 {
		p = append(p, "DOLIBARR_HTTP_SHUTDOWN_TIMEOUT: must be positive")
	}
	if _, err := zapcore.ParseLevel(c.Log.Level); err != nil {
		p = append(p, fmt.Sprintf("DOLIBARR_LOG_LEVEL: unknown level %q (debug, info, warn, error)", c.Log.Level))
	}
	switch c.Log.Format {
	case "auto", "json", "console":
	default:
		p = append(p, fmt.Sprintf("DOLIBARR_LOG_FORMAT: unknown format %q (auto, json, console)", c.Log.Format))
	}
	return p
}

// checkDSN parses a DSN the way its driver will and returns a problem or "".
func checkDSN(driver, dsn string) string {
	if dsn == "" {
		return "required"
	}
	switch driver {
	case "postgres":
		if _, err := pgx.ParseConfig(dsn); err != nil {
			return "malformed PostgreSQL DSN: " + redactErr(err, dsn)
		}
	case "mysql":
		if _, err := mysql.ParseDSN(dsn); err != nil {
			return "malformed MySQL DSN: " + redactErr(err, dsn)
		}
	case "sqlite":
		name, query, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
		if name == "" {
			return "SQLite DSN names no file (use file:path.db or file::memory:)"
		}
		if _, err := url.ParseQuery(query); err != nil {
			return "malformed SQLite DSN query: " + err.Error()
		}
	}
	return ""
}

// redactErr keeps a driver's parse error from echoing the DSN's password.
func redactErr(err error, dsn string) string {
	msg := err.Error()
	if dsn != "" {
		msg = strings.ReplaceAll(msg, dsn, RedactDSN(dsn))
	}
	return msg
}

// RedactDSN masks the password in a URL or key=value or MySQL DSN.
func RedactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
		return dsn
	}
	// MySQL form user:pass@tcp(host)/db
	if at := strings.Index(dsn, "@"); at > 0 && !strings.Contains(dsn[:at], " ") {
		if user, _, ok := strings.Cut(dsn[:at], ":"); ok {
			return user + ":xxxxx" + dsn[at:]
		}
		return dsn
	}
	// key=value form
	fields := strings.Fields(dsn)
	for i, f := range fields {
		if k, _, ok := strings.Cut(f, "="); ok && strings.EqualFold(k, "password") {
			fields[i] = k + "=xxxxx"
		}
	}
	return strings.Join(fields, " ")
}

// EnvVar describes one configuration variable.
type EnvVar struct {
	Key     string
	Field   string // Go field name
	Default string
	Secret  bool
}

// EnvVars lists every variable the configuration reads, derived from the
// struct tags so documentation, Helm and tests cannot drift from the code.
func EnvVars() []EnvVar {
	var out []EnvVar
	walkEnv(reflect.ValueOf(Config{}), "", func(ev EnvVar, _ reflect.Value) { out = append(out, ev) })
	return out
}

// walkEnv calls fn for every env-tagged field under v, with its full key,
// value and the part that uses it: the one reflection walk EnvVars and
// Redacted share.
func walkEnv(v reflect.Value, prefix string, fn func(ev EnvVar, val reflect.Value)) {
	walkUsed(v, prefix, "", func(ev EnvVar, val reflect.Value, _ string) { fn(ev, val) })
}

func walkUsed(v reflect.Value, prefix, used string, fn func(ev EnvVar, val reflect.Value, used string)) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		u := used
		if tag := f.Tag.Get("used"); tag != "" {
			u = tag
		}
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[time.Duration]() {
			walkUsed(v.Field(i), prefix+f.Tag.Get("envPrefix"), u, fn)
			continue
		}
		key, _, _ := strings.Cut(f.Tag.Get("env"), ",")
		if key == "" {
			continue
		}
		fn(EnvVar{Key: prefix + key, Field: f.Name, Default: f.Tag.Get("envDefault"), Secret: f.Tag.Get("secret") == "true"}, v.Field(i), u)
	}
}

// uses reports whether mode m runs the part a used tag names.
func (m Mode) uses(used string) bool {
	switch used {
	case "api":
		return m.API
	case "runner":
		return m.Runner
	case "runner-binary":
		return m.Runner && !m.API
	}
	return true
}

// Redacted returns the effective configuration as key/value pairs with
// secrets masked, for the start-up log line: the settings mode m uses.
func (c Config) Redacted(m Mode) map[string]string {
	out := map[string]string{}
	walkUsed(reflect.ValueOf(c), "", "", func(ev EnvVar, v reflect.Value, used string) {
		if !m.uses(used) {
			return
		}
		val := fmt.Sprint(v.Interface())
		if list, ok := v.Interface().([]string); ok {
			val = strings.Join(list, ",")
		}
		if ev.Secret && val != "" {
			if strings.HasSuffix(ev.Key, "DSN") {
				val = RedactDSN(val)
			} else {
				val = "xxxxx"
			}
		}
		out[ev.Key] = val
	})
	return out
}
