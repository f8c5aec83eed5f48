package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/usecase/bank"
)

// BankAccountInput is the body of POST /bank-accounts and, with version,
// PATCH.
type BankAccountInput struct {
	Label          *string `json:"label"`
	Kind           *string `json:"kind"`
	Currency       *string `json:"currency"`
	IBAN           *string `json:"iban"`
	BIC            *string `json:"bic"`
	OpeningBalance *string `json:"opening_balance"`
	OpeningDate    *string `json:"opening_date"`
	Closed         *bool   `json:"closed"`
}

// BankAccountPatch is the body of PATCH /bank-accounts/{id}.
type BankAccountPatch struct {
	BankAccountInput
	Version *int64 `json:"version"`
}

// BankAccountResponse is an account as the API shows it.
type BankAccountResponse struct {
	ID             int64  `json:"id"`
	Label          string `json:"label"`
	Kind           string `json:"kind"`
	Currency       string `json:"currency"`
	IBAN           string `json:"iban"`
	BIC            string `json:"bic"`
	OpeningBalance string `json:"opening_balance"`
	OpeningDate    string `json:"opening_date"`
	Closed         bool   `json:"closed"`
	Balance        string `json:"balance"`
	Version        int64  `json:"version"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
}

func bankAccountResponse(a *domain.BankAccount) BankAccountResponse {
	return BankAccountResponse{ID: a.ID, Label: a.Label, Kind: string(a.Kind), Currency: a.Currency, IBAN: a.IBAN, BIC: a.BIC,
		OpeningBalance: amount(a.OpeningBalance), OpeningDate: dateString(a.OpeningDate), Closed: a.Closed,
		Balance: amount(a.Balance), Version: a.Version, CreatedAt: timestamp(a.CreatedAt), UpdatedAt: timestamp(a.UpdatedAt)}
}

// BankLineResponse is a bank line as the API shows it; balance is the
// account's balance after the line.
type BankLineResponse struct {
	ID           int64   `json:"id"`
	AccountID    int64   `json:"account_id"`
	Date         string  `json:"date"`
	Amount       string  `json:"amount"`
	Label        string  `json:"label"`
	Reference    string  `json:"reference"`
	Origin       string  `json:"origin"`
	OriginID     *int64  `json:"origin_id"`
	Reconciled   bool    `json:"reconciled"`
	ReconciledAt *string `json:"reconciled_at"`
	Balance      *string `json:"balance,omitempty"`
	CreatedBy    int64   `json:"created_by"`
	CreatedAt    string  `json:"created_at"`
}

func bankLineResponse(l *domain.BankLine, withBalance bool) BankLineResponse {
	out := BankLineResponse{ID: l.ID, AccountID: l.AccountID, Date: dateString(l.Date), Amount: amount(l.Amount), Label: l.Label,
		Reference: l.Reference, Origin: l.Origin, OriginID: optInt(l.OriginID), Reconciled: l.Reconciled,
		ReconciledAt: optStamp(l.ReconciledAt), CreatedBy: l.CreatedBy, CreatedAt: timestamp(l.CreatedAt)}
	if withBalance {
		b := amount(l.Balance)
		out.Balance = &b
	}
	return out
}

// BankLinesResponse is a page of lines with the totals of every matching
// line and the account's balance.
type BankLinesResponse struct {
	Data    []BankLineResponse `json:"data"`
	Paging  Paging             `json:"paging"`
	Totals  BankLineTotals     `json:"totals"`
	Balance string             `json:"balance"`
}

// BankLineTotals are the sums of the matching lines.
type BankLineTotals struct {
	Credits string `json:"credits"`
	Debits  string `json:"debits"`
	Net     string `json:"net"`
}

// BankTransferInput is the body of POST /bank-accounts/transfers.
type BankTransferInput struct {
	FromAccountID *int64  `json:"from_account_id"`
	ToAccountID   *int64  `json:"to_account_id"`
	Amount        *string `json:"amount"`
	Date          *string `json:"date"`
	Label         *string `json:"label"`
	Reference     *string `json:"reference"`
}

// BankTransferResponse is the two lines of a transfer.
type BankTransferResponse struct {
	From BankLineResponse `json:"from"`
	To   BankLineResponse `json:"to"`
}

// PaymentMethodInput is the body of POST /payment-methods and PATCH.
type PaymentMethodInput struct {
	Code           *string `json:"code"`
	Label          *string `json:"label"`
	NeedsReference *bool   `json:"needs_reference"`
	Active         *bool   `json:"active"`
}

// PaymentMethodResponse is a dictionary entry.
type PaymentMethodResponse struct {
	Code           string `json:"code"`
	Label          string `json:"label"`
	NeedsReference bool   `json:"needs_reference"`
	Active         bool   `json:"active"`
	Builtin        bool   `json:"builtin"`
}

func paymentMethodResponse(m *domain.PaymentMethodEntry) PaymentMethodResponse {
	return PaymentMethodResponse{Code: m.Code, Label: m.Label, NeedsReference: m.NeedsReference, Active: m.Active, Builtin: m.Builtin}
}

func toBankAccountFields(in BankAccountInput) bank.AccountFields {
	f := bank.AccountFields{Label: in.Label, Currency: in.Currency, IBAN: in.IBAN, BIC: in.BIC, Closed: in.Closed}
	if in.Kind != nil {
		k := domain.BankAccountKind(*in.Kind)
		f.Kind = &k
	}
	f.OpeningBalance = decimalField(&f.Problems, "opening_balance", in.OpeningBalance)
	f.OpeningDate = dateField(&f.Problems, "opening_date", in.OpeningDate)
	return f
}

type bankHandlers struct {
	accounts   *bank.Accounts
	methods    *bank.Methods
	statements *bank.Statements
}

// StatementEntryResponse is one booked entry of an imported statement.
type StatementEntryResponse struct {
	ID         int64  `json:"id"`
	Date       string `json:"date"`
	Amount     string `json:"amount"`
	Reference  string `json:"reference"`
	Label      string `json:"label"`
	Status     string `json:"status"`
	LineID     *int64 `json:"line_id"`
	Candidates int    `json:"candidates"`
}

// StatementResponse is an imported statement and its matching result.
type StatementResponse struct {
	ID        int64                    `json:"id"`
	AccountID int64                    `json:"account_id"`
	Format    string                   `json:"format"`
	MessageID string                   `json:"message_id"`
	Status    string                   `json:"status"`
	JobID     int64                    `json:"job_id"`
	Entries   []StatementEntryResponse `json:"entries"`
	CreatedAt string                   `json:"created_at"`
	DoneAt    *string                  `json:"done_at"`
}

func statementResponse(s *domain.BankStatement) StatementResponse {
	out := StatementResponse{ID: s.ID, AccountID: s.AccountID, Format: s.Format, MessageID: s.MessageID, Status: s.Status,
		JobID: s.JobID, CreatedAt: timestamp(s.CreatedAt), DoneAt: optStamp(s.DoneAt), Entries: make([]StatementEntryResponse, len(s.Entries))}
	for i, e := range s.Entries {
		out.Entries[i] = StatementEntryResponse{ID: e.ID, Date: dateString(e.Date), Amount: amount(e.Amount), Reference: e.Reference,
			Label: e.Label, Status: e.Status, LineID: optInt(e.LineID), Candidates: e.Candidates}
	}
	return out
}

const bankBase = "/api/v1/bank-accounts"

// RegisterBank adds the routes of bank accounts, their lines, transfers,
// reconciliation and the payment-method dictionary.
func RegisterBank(s *Server, accounts *bank.Accounts, methods *bank.Methods, statements *bank.Statements) {
	h := bankHandlers{accounts: accounts, methods: methods, statements: statements}
	s.Guarded(http.MethodPost, bankBase+"/:id/statements", domain.PermBankWrite, h.importStatement)
	s.Guarded(http.MethodGet, bankBase+"/:id/statements/:sid", domain.PermBankRead, h.getStatement)
	s.Guarded(http.MethodGet, bankBase, domain.PermBankRead, h.list)
	s.Guarded(http.MethodPost, bankBase, domain.PermBankWrite, h.create)
	s.Guarded(http.MethodPost, bankBase+"/transfers", domain.PermBankWrite, h.transfer)
	s.Guarded(http.MethodGet, bankBase+"/:id", domain.PermBankRead, h.get)
	s.Guarded(http.MethodPatch, bankBase+"/:id", domain.PermBankWrite, h.update)
	s.Guarded(http.MethodGet, bankBase+"/:id/lines", domain.PermBankRead, h.lines)
	s.Guarded(http.MethodPost, bankBase+"/:id/lines/:lid/reconcile", domain.PermBankWrite, h.reconcile(true))
	s.Guarded(http.MethodPost, bankBase+"/:id/lines/:lid/unreconcile", domain.PermBankWrite, h.reconcile(false))
	s.Guarded(http.MethodGet, "/api/v1/payment-methods", domain.PermInvoiceRead, h.listMethods)
	s.Guarded(http.MethodPost, "/api/v1/payment-methods", domain.PermBankWrite, h.createMethod)
	s.Guarded(http.MethodGet, "/api/v1/payment-methods/:code", domain.PermInvoiceRead, h.getMethod)
	s.Guarded(http.MethodPatch, "/api/v1/payment-methods/:code", domain.PermBankWrite, h.updateMethod)
}

func (h bankHandlers) list(c echo.Context) error {
	p, err := parseList(c, bank.AccountSorts)
	if err != nil {
		return err
	}
	f := bank.AccountFilter{ListParams: p}
	if f.Closed, err = boolQuery(c, "closed"); err != nil {
		return err
	}
	page, err := h.accounts.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(c, page, p, bankAccountResponse))
}

func (h bankHandlers) create(c echo.Context) error {
	var in BankAccountInput
	if err := Bind(c, &in); err != nil {
		return err
	}
	a, err := h.accounts.Create(c.Request().Context(), toBankAccountFields(in), actor(c))
	if err != nil {
		return err
	}
	return created(c, bankBase+"/", a.ID, a.Version, bankAccountResponse(a))
}

func (h bankHandlers) get(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	a, err := h.accounts.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return record(c, a.Version, bankAccountResponse(a))
}

func (h bankHandlers) update(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var in BankAccountPatch
	if err := Bind(c, &in); err != nil {
		return err
	}
	version, hdr, err := expectedVersion(c, in.Version)
	if err != nil {
		return err
	}
	a, err := h.accounts.Update(c.Request().Context(), id, version, toBankAccountFields(in.BankAccountInput))
	if err != nil {
		return editError(err, hdr)
	}
	return record(c, a.Version, bankAccountResponse(a))
}

func decimalQuery(c echo.Context, name string) (*domain.Decimal, error) {
	s := c.QueryParam(name)
	if s == "" {
		return nil, nil
	}
	d, err := domain.ParseDecimal(s)
	if err != nil {
		return nil, BadRequest("invalid_query", name+" must be a decimal number such as 12.50")
	}
	return &d, nil
}

func (h bankHandlers) lines(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	var f domain.BankLineFilter
	if f.Limit, f.Offset, err = parsePaging(c, listPaging); err != nil {
		return err
	}
	switch c.QueryParam("sort") {
	case "", "date":
	case "-date":
		f.Desc = true
	default:
		return BadRequest("invalid_sort", "sort must be date or -date")
	}
	if f.From, f.To, err = dateRange(c); err != nil {
		return err
	}
	if f.MinAmount, err = decimalQuery(c, "min_amount"); err != nil {
		return err
	}
	if f.MaxAmount, err = decimalQuery(c, "max_amount"); err != nil {
		return err
	}
	if f.Reconciled, err = boolQuery(c, "reconciled"); err != nil {
		return err
	}
	page, err := h.accounts.Lines(c.Request().Context(), id, f)
	if err != nil {
		return err
	}
	out := BankLinesResponse{Data: make([]BankLineResponse, len(page.Items)),
		Paging:  Paging{Total: page.Total, Limit: f.Limit, Offset: f.Offset},
		Totals:  BankLineTotals{Credits: amount(page.Credits), Debits: amount(page.Debits), Net: amount(page.Credits.Add(page.Debits))},
		Balance: amount(page.Balance)}
	for i := range page.Items {
		out.Data[i] = bankLineResponse(&page.Items[i], true)
	}
	return c.JSON(http.StatusOK, out)
}

func (h bankHandlers) transfer(c echo.Context) error {
	var body BankTransferInput
	if err := Bind(c, &body); err != nil {
		return err
	}
	v := &domain.ValidationError{}
	in := bank.TransferInput{FromID: val(body.FromAccountID), ToID: val(body.ToAccountID), Date: val(dateField(v, "date", body.Date)),
		Label: val(body.Label), Reference: val(body.Reference)}
	if body.Amount == nil {
		v.Add("amount", "required", "is required")
	} else if d := decimalField(v, "amount", body.Amount); d != nil {
		in.Amount = *d
	}
	if err := v.Err(); err != nil {
		return err
	}
	from, to, err := h.accounts.Transfer(c.Request().Context(), in, actor(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, BankTransferResponse{From: bankLineResponse(from, false), To: bankLineResponse(to, false)})
}

func (h bankHandlers) reconcile(on bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c)
		if err != nil {
			return err
		}
		lid, err := idParam(c, "lid", "the line id")
		if err != nil {
			return err
		}
		l, err := h.accounts.Reconcile(c.Request().Context(), id, lid, on, actor(c))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, bankLineResponse(l, false))
	}
}

func (h bankHandlers) listMethods(c echo.Context) error {
	active, err := boolQuery(c, "active")
	if err != nil {
		return err
	}
	ms, err := h.methods.List(c.Request().Context(), active != nil && *active)
	if err != nil {
		return err
	}
	out := make([]PaymentMethodResponse, 0, len(ms))
	for i := range ms {
		if active != nil && !*active && ms[i].Active {
			continue
		}
		out = append(out, paymentMethodResponse(&ms[i]))
	}
	return c.JSON(http.StatusOK, map[string]any{"data": out})
}

func methodCode(c echo.Context) string { return strings.ToUpper(c.Param("code")) }

func (h bankHandlers) getMethod(c echo.Context) error {
	m, err := h.methods.Get(c.Request().Context(), methodCode(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paymentMethodResponse(m))
}

func (h bankHandlers) createMethod(c echo.Context) error {
	var in PaymentMethodInput
	if err := Bind(c, &in); err != nil {
		return err
	}
	m, err := h.methods.Create(c.Request().Context(), bank.MethodFields(in))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/payment-methods/"+m.Code)
	return c.JSON(http.StatusCreated, paymentMethodResponse(m))
}

func (h bankHandlers) updateMethod(c echo.Context) error {
	var in PaymentMethodInput
	if err := Bind(c, &in); err != nil {
		return err
	}
	m, err := h.methods.Update(c.Request().Context(), methodCode(c), bank.MethodFields(in))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paymentMethodResponse(m))
}

// importStatement takes an ISO 20022 camt.053 document as the raw body
// (application/xml or text/xml).
func (h bankHandlers) importStatement(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	mt, _, _ := strings.Cut(c.Request().Header.Get(echo.HeaderContentType), ";")
	if mt = strings.ToLower(strings.TrimSpace(mt)); mt != "application/xml" && mt != "text/xml" {
		return &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Detail: "send the statement as application/xml"}
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return decodeReadError(err)
	}
	st, err := h.statements.Import(c.Request().Context(), id, body, actor(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("%s/%d/statements/%d", bankBase, id, st.ID))
	return c.JSON(http.StatusAccepted, statementResponse(st))
}

func (h bankHandlers) getStatement(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	sid, err := idParam(c, "sid", "the statement id")
	if err != nil {
		return err
	}
	st, err := h.statements.Get(c.Request().Context(), id, sid)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, statementResponse(st))
}

// decodeReadError maps a failed read of a raw body as decodeJSON does.
func decodeReadError(err error) error {
	var (
		mber *http.MaxBytesError
		he   *echo.HTTPError
	)
	if errors.As(err, &mber) || (errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge) {
		return errBodyTooLarge
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &Error{Status: http.StatusRequestTimeout, Code: "request_timeout", Detail: "the request body did not arrive within the request timeout"}
	}
	return BadRequest("unreadable_body", "the request body could not be read")
}
