package domain

import (
	"strings"
	"time"
)

// BankAccountKind is what an account holds: a current or savings account
// at a bank, or cash (Dolibarr's courant 1, épargne 0, caisse 2).
type BankAccountKind string

// Bank account kinds.
const (
	BankCurrent BankAccountKind = "current"
	BankSavings BankAccountKind = "savings"
	BankCash    BankAccountKind = "cash"
)

// BankAccount is a bank or cash account. Its balance is, by construction,
// the sum of its lines: the opening balance is its first line (origin
// "opening"), and nothing stores a balance that could drift from them.
type BankAccount struct {
	ID             int64
	Label          string
	Kind           BankAccountKind
	Currency       string // ISO 4217
	IBAN           string // normalised: upper case, no spaces
	BIC            string
	OpeningBalance Decimal
	OpeningDate    time.Time
	Closed         bool
	// Balance is the sum of the account's lines, filled when read.
	Balance   Decimal
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate reports every broken invariant of the account.
func (a *BankAccount) Validate() error {
	v := &ValidationError{}
	checkText(v, "label", a.Label, MaxBankLabelLen, true)
	switch a.Kind {
	case BankCurrent, BankSavings, BankCash:
	default:
		v.Add("kind", "invalid", "must be current, savings or cash")
	}
	if !isCurrency(a.Currency) {
		v.Add("currency", "invalid", "must be an ISO 4217 code such as EUR")
	}
	a.IBAN = NormalizeIBAN(a.IBAN)
	a.BIC = strings.ToUpper(strings.TrimSpace(a.BIC))
	if a.IBAN != "" {
		CheckIBAN(v, "iban", a.IBAN)
	}
	if a.BIC != "" {
		CheckBIC(v, "bic", a.BIC)
	}
	if a.Kind == BankCash && (a.IBAN != "" || a.BIC != "") {
		v.Add("iban", "cash_account", "a cash account has no IBAN or BIC")
	}
	checkSignedAmount(v, "opening_balance", a.OpeningBalance)
	if a.OpeningDate.IsZero() {
		v.Add("opening_date", "required", "is required")
	}
	return v.Err()
}

// AcceptsLines returns nil when new lines may be written on the account.
func (a *BankAccount) AcceptsLines() error {
	if a.Closed {
		return E(ErrConflict, "bank_account_closed", "bank account %d (%s) is closed", a.ID, a.Label)
	}
	return nil
}

// Bank line origins: what wrote the line.
const (
	LineOpening         = "opening"
	LineCustomerPayment = "customer_payment"
	LineSupplierPayment = "supplier_payment"
	LineTransfer        = "transfer"
)

// BankLine is one movement of money on an account (Dolibarr's llx_bank):
// positive in, negative out. A reconciled line matches a line of the
// bank's statement and is locked: it can be neither changed nor deleted,
// nor can what wrote it (a payment) be.
type BankLine struct {
	ID        int64
	AccountID int64
	Date      time.Time // value date, midnight UTC
	Amount    Decimal
	Label     string
	Reference string
	// Origin and OriginID name what wrote the line (a payment's id, a
	// transfer's other line); OriginID is 0 for the opening line.
	Origin       string
	OriginID     int64
	Reconciled   bool
	ReconciledAt time.Time
	ReconciledBy int64
	CreatedBy    int64
	CreatedAt    time.Time
	// Balance is the account's balance after this line (all lines up to
	// it in date then id order), filled by listings.
	Balance Decimal
}

// Check reports every broken invariant of a new line.
func (l *BankLine) Check() error {
	v := &ValidationError{}
	if l.AccountID <= 0 {
		v.Add("account_id", "required", "is required (a positive id)")
	}
	if l.Date.IsZero() {
		v.Add("date", "required", "is required")
	}
	checkSignedAmount(v, "amount", l.Amount)
	checkText(v, "label", l.Label, MaxBankLabelLen, false)
	checkText(v, "reference", l.Reference, MaxPaymentRefLen, false)
	return v.Err()
}

// CheckUnlocked refuses a change to a reconciled line.
func (l *BankLine) CheckUnlocked() error {
	if l.Reconciled {
		return E(ErrConflict, "bank_line_reconciled", "bank line %d is reconciled: unreconcile it first", l.ID)
	}
	return nil
}

// BankLineFilter selects the lines of one account; zero fields do not
// filter.
type BankLineFilter struct {
	Limit, Offset int
	Desc          bool // newest first
	From, To      time.Time
	MinAmount     *Decimal
	MaxAmount     *Decimal
	Reconciled    *bool
}

// BankLinePage is a page of lines with the totals of every matching line.
type BankLinePage struct {
	Items   []BankLine
	Total   int64
	Credits Decimal // sum of the matching positive lines
	Debits  Decimal // sum of the matching negative lines (negative)
	// Balance is the account's balance (all its lines).
	Balance Decimal
}

// checkSignedAmount bounds an amount of either sign to the NUMERIC(24,8) columns at the scale of
// totals.
func checkSignedAmount(v *ValidationError, field string, d Decimal) {
	switch {
	case d.Scale() > ScaleTotal:
		v.Add(field, "too_precise", "must have at most %d digits after the point", ScaleTotal)
	case d.IntegerDigits() > 12:
		v.Add(field, "out_of_range", "is too large")
	}
}

func isCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// NormalizeIBAN removes spaces and upper-cases s (IBANs are printed in
// groups of four).
func NormalizeIBAN(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// ibanLengths is the length of the IBAN of each country of the ISO 13616
// registry (SWIFT's IBAN registry).
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
	"BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
	"EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
	"GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
	"IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
	"LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
	"NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
	"RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
	"SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// CheckIBAN records a problem unless iban (normalised) is a valid
// ISO 13616 IBAN: a known country, that country's length, alphanumeric,
// and the mod-97 check (ISO 7064) equal to 1.
func CheckIBAN(v *ValidationError, field, iban string) {
	if len(iban) < 4 {
		v.Add(field, "invalid_iban", "is too short to be an IBAN")
		return
	}
	n, ok := ibanLengths[iban[:2]]
	switch {
	case !ok:
		v.Add(field, "invalid_iban", "country %q does not use IBANs", iban[:2])
		return
	case len(iban) != n:
		v.Add(field, "invalid_iban", "an IBAN of %s has %d characters, not %d", iban[:2], n, len(iban))
		return
	}
	// Move the first four characters to the end, read letters as 10..35
	// and take the number mod 97 digit by digit.
	rem := 0
	for _, r := range iban[4:] + iban[:4] {
		switch {
		case r >= '0' && r <= '9':
			rem = (rem*10 + int(r-'0')) % 97
		case r >= 'A' && r <= 'Z':
			rem = (rem*100 + int(r-'A') + 10) % 97
		default:
			v.Add(field, "invalid_iban", "must hold only letters and digits")
			return
		}
	}
	if rem != 1 {
		v.Add(field, "invalid_iban", "the check digits do not match (ISO 13616 mod 97)")
	}
}

// CheckBIC records a problem unless bic is an ISO 9362 business
// identifier code: 4 letters (institution), 2 letters (country),
// 2 letters or digits (location), optionally 3 more (branch).
func CheckBIC(v *ValidationError, field, bic string) {
	ok := len(bic) == 8 || len(bic) == 11
	for i := 0; ok && i < len(bic); i++ {
		c := bic[i]
		letter := c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		if i < 6 {
			ok = letter
		} else {
			ok = letter || digit
		}
	}
	if !ok {
		v.Add(field, "invalid_bic", "must be an ISO 9362 BIC: 8 or 11 characters, such as DEUTDEFF or DEUTDEFF500")
	}
}

// MaxStatementEntries bounds the entries one imported statement holds.
const MaxStatementEntries = 5000

// Statement entry states after matching.
const (
	EntryPending   = "pending"   // not matched yet
	EntryMatched   = "matched"   // reconciled one line
	EntryAmbiguous = "ambiguous" // several lines fit: left for a person
	EntryUnmatched = "unmatched" // no line fits
)

// StatementEntry is one booked entry of an imported bank statement.
type StatementEntry struct {
	ID          int64
	StatementID int64
	Date        time.Time
	Amount      Decimal
	Reference   string
	Label       string
	Status      string
	LineID      int64 // the line it reconciled (matched)
	Candidates  int   // how many lines fitted
}

// BankStatement is an imported statement: the matching job's input and
// result.
type BankStatement struct {
	ID        int64
	AccountID int64
	Format    string // camt.053
	MessageID string
	Status    string // pending, done
	JobID     int64
	Entries   []StatementEntry
	CreatedBy int64
	CreatedAt time.Time
	DoneAt    time.Time
}
