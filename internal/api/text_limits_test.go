package api_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/apptest"
	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// A request field of openapi.yaml holding text the server stores.
type docField struct {
	op, field string // "POST /api/v1/roles", "lines[].description"
	column    string // key of domain.TextColumns
	limit     int
	maxLength *uint64
}

// notStored are request strings no column receives as written: passwords
// (hashed), names of roles and permissions (looked up), and enumerations.
// Refresh tokens are hashed too.
var notStored = regexp.MustCompile(`(^|\.)(password|current_password|new_password|refresh_token|roles\[\]|permissions\[\])$`)

// columnOf names the column a request field of op is stored in.
func columnOf(op, field string) (column string, limit int) {
	path := strings.SplitN(op, " ", 2)[1]
	seg := strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/")
	table := seg[0]
	last := seg[len(seg)-1]
	switch {
	case table == "auth":
		table = "users"
	case table == "api-keys":
		table = "api_keys"
	case table == "stock":
		table = "stock_movements"
	case table == "bank-accounts" && last == "transfers":
		table = "bank_lines"
	case table == "bank-accounts" || table == "payment-methods":
		table = strings.ReplaceAll(table, "-", "_")
	case table == "webhooks":
		if field == "event_types[]" { // one known type per item
			return "webhook_subscriptions.event_types", domain.MaxEventTypeLen
		}
		table = "webhook_subscriptions"
	case last == "send": // SendInput: one address per item of to
		if field == "to[]" {
			return "document_sends.recipients", domain.MaxEmailLen
		}
		table = "document_sends"
	case last == "payments":
		table = "payments"
	case last == "lines" || last == "{lineId}":
		table = strings.TrimSuffix(table, "s") + "_lines"
	case last == "cancel" && table != "invoices" && table != "supplier-invoices":
		table = "document_events"
	case len(seg) > 2 && seg[2] == "supplier-prices":
		table = "supplier_prices"
	}
	if field == "ref_supplier" { // the buy side's name of the document's third-party reference
		field = "ref_customer"
	}
	if f, ok := strings.CutPrefix(field, "lines[]."); ok {
		table, field = strings.TrimSuffix(table, "s")+"_lines", f
	}
	if field == "note" && (last == "close" || last == "cancel") && table != "document_events" {
		field = "close_note"
	}
	column = strings.ReplaceAll(table, "-", "_") + "." + field
	return column, domain.TextColumns[column]
}

// storedFields lists every string field of every request body of the
// document that the server stores, with the column it goes to.
func storedFields(t *testing.T) []docField {
	doc, _ := apptest.Spec(t)
	var out []docField
	for _, p := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(p).Operations() {
			if op.RequestBody == nil {
				continue
			}
			name := method + " " + p
			mt := op.RequestBody.Value.Content.Get("application/json")
			if mt == nil && op.RequestBody.Value.Content.Get("application/xml") != nil {
				continue // a bank statement: its parser clips every text to its column
			}
			require.NotNil(t, mt, name)
			var walk func(prefix string, s *openapi3.Schema)
			walk = func(prefix string, s *openapi3.Schema) {
				for _, a := range s.AllOf {
					walk(prefix, a.Value)
				}
				for prop, ref := range s.Properties {
					v := ref.Value
					for _, a := range v.AllOf { // {allOf: [Decimal], description}
						if a.Value.Pattern != "" {
							v = a.Value
						}
					}
					switch {
					case v.Type.Is("object"):
						walk(prefix+prop+".", v)
					case v.Type.Is("array") && v.Items.Value.Type.Is("object"):
						walk(prefix+prop+"[].", v.Items.Value)
					case v.Type.Is("array") && v.Items.Value.Type.Is("string"):
						out = appendField(out, name, prefix+prop+"[]", v.Items.Value)
					case v.Type.Is("string"):
						out = appendField(out, name, prefix+prop, v)
					}
				}
			}
			walk("", mt.Schema.Value)
		}
	}
	return out
}

func appendField(out []docField, op, field string, s *openapi3.Schema) []docField {
	// Enumerations, dates and decimals have a grammar the server checks
	// and no free length; TestEveryEnumFitsItsColumn covers the first.
	if len(s.Enum) > 0 || s.Format == "date" || s.Format == "date-time" || s.Pattern != "" || notStored.MatchString(field) {
		return out
	}
	column, limit := columnOf(op, field)
	return append(out, docField{op: op, field: field, column: column, limit: limit, maxLength: s.MaxLength})
}

// TestOpenAPIMaxLengthIsTheColumnLimit: every string a request body of
// openapi.yaml stores is documented with maxLength equal to the limit of
// its column in domain.TextColumns (the table validation reads), so the
// document, the validation and the schema cannot drift apart.
func TestOpenAPIMaxLengthIsTheColumnLimit(t *testing.T) {
	fields := storedFields(t)
	require.Greater(t, len(fields), 80)
	var bad []string
	for _, f := range fields {
		switch {
		case f.limit == 0:
			bad = append(bad, fmt.Sprintf("%s %s: no column %s in domain.TextColumns (teach columnOf where it goes)", f.op, f.field, f.column))
		case f.maxLength == nil || int(*f.maxLength) != f.limit:
			got := "none"
			if f.maxLength != nil {
				got = strconv.FormatUint(*f.maxLength, 10)
			}
			bad = append(bad, fmt.Sprintf("%s %s: maxLength %s, but %s holds %d", f.op, f.field, got, f.column, f.limit))
		}
	}
	sort.Strings(bad)
	require.Empty(t, bad)
}

// lengthCase is one stored text field sent at its column's limit and one
// character over, through the operation that writes it.
type lengthCase struct {
	column string
	field  string // JSON path in body: "name", "lines[0].description", "to[0]"
	// prep returns the path and a valid body without the field; n makes
	// the body's unique values unique.
	prep func(t *testing.T, f *lenFix, n int) (string, obj)
	// text returns a valid value of exactly size characters; nil: fill.
	text func(n, size int) string
}

// lenFix holds what the cases refer to.
type lenFix struct {
	a                          *apptest.App
	admin                      string
	customer, product, storage int64
	supplier                   int64
}

func (f *lenFix) create(t *testing.T, path string, body obj) int64 {
	t.Helper()
	res := f.a.Do(t, http.MethodPost, path, body, f.admin)
	require.Equal(t, http.StatusCreated, res.Status, "%s: %s", path, res.Body)
	return idOf(t, decode(t, res))
}

func (f *lenFix) doc(t *testing.T, kind string, validate bool) int64 {
	t.Helper()
	id := f.create(t, "/api/v1/"+kind, obj{"customer_id": f.customer, "lines": []obj{{"description": "Work", "quantity": "1", "unit_price": "10"}}})
	if validate {
		res := f.a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/%s/%d/validate", kind, id), nil, f.admin)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	}
	return id
}

// fill is n, then "é" (one character, two bytes) up to size characters:
// a byte count would refuse it at half the limit.
func fill(n, size int) string {
	p := strconv.Itoa(n)
	if len(p) >= size {
		return strings.Repeat("é", size)
	}
	return p + strings.Repeat("é", size-len(p))
}

// email is an address of exactly size characters.
func email(n, size int) string {
	local := "u" + strconv.Itoa(n) + "@"
	dom := ".example"
	rest := size - len(local) - len(dom)
	var labels []string
	for rest > 0 {
		l := min(rest, 60)
		if rest-l == 1 { // no empty label
			l--
		}
		labels = append(labels, strings.Repeat("d", l))
		rest -= l + 1
	}
	s := local + strings.Join(labels, ".") + dom
	return s[:size-len(dom)] + dom
}

func digits(_, size int) string { return strings.Repeat("7", size) }

func upper(n, size int) string { return "FR" + fmt.Sprintf("%0*d", size-2, n) }

func country(_, size int) string { return strings.Repeat("FRA", size)[:size] }

// tag is a language tag of exactly size characters: en-xxxx-xxx...
func tag(_, size int) string {
	s := "en"
	for len(s) < size {
		l := min(8, size-len(s)-1)
		if l < 2 { // no subtag under 2: lengthen the previous one
			return s[:len(s)-1] + strings.Repeat("b", 1+size-len(s))
		}
		s += "-" + strings.Repeat("a", l)
	}
	return s
}

// hookURL is a public http URL of size characters.
func hookURL(_ int, size int) string {
	base := "https://93.184.215.14/"
	return base + strings.Repeat("a", size-len(base))
}

// post is a prep for path and body whose unique fields get n.
func post(path string, body obj, unique ...string) func(*testing.T, *lenFix, int) (string, obj) {
	return func(_ *testing.T, _ *lenFix, n int) (string, obj) {
		b := clone(body)
		for _, u := range unique {
			b[u] = "u" + strconv.Itoa(n)
		}
		return path, b
	}
}

func lengthCases() []lengthCase {
	pw := "a-long-enough-password"
	user := post("/api/v1/users", obj{"name": "X", "password": pw}, "login")
	role := post("/api/v1/roles", obj{}, "name")
	party := post("/api/v1/thirdparties", obj{"name": "X"})
	contact := post("/api/v1/contacts", obj{"lastname": "X"})
	product := post("/api/v1/products", obj{"label": "X"}, "ref")
	warehouse := post("/api/v1/warehouses", obj{}, "label")
	movement := func(_ *testing.T, f *lenFix, _ int) (string, obj) {
		return "/api/v1/stock/movements", obj{"product_id": f.product, "warehouse_id": f.storage, "quantity": "1"}
	}
	header := func(kind string) func(*testing.T, *lenFix, int) (string, obj) {
		return func(_ *testing.T, f *lenFix, _ int) (string, obj) {
			return "/api/v1/" + kind, obj{"customer_id": f.customer, "lines": []obj{{"description": "Work", "quantity": "1", "unit_price": "10"}}}
		}
	}
	action := func(kind, act string, validate bool, body obj) func(*testing.T, *lenFix, int) (string, obj) {
		return func(t *testing.T, f *lenFix, _ int) (string, obj) {
			return fmt.Sprintf("/api/v1/%s/%d/%s", kind, f.doc(t, kind, validate), act), body
		}
	}
	pay := func(t *testing.T, f *lenFix, _ int) (string, obj) {
		return "/api/v1/payments", obj{"method": "transfer", "allocations": []obj{{"invoice_id": f.doc(t, "invoices", true), "amount": "1"}}}
	}
	send := action("invoices", "send", true, obj{"to": []string{"billing@example.com"}})
	account := post("/api/v1/bank-accounts", obj{})
	transfer := func(t *testing.T, f *lenFix, n int) (string, obj) {
		from := f.create(t, "/api/v1/bank-accounts", obj{"label": fmt.Sprintf("from-%d", n)})
		to := f.create(t, "/api/v1/bank-accounts", obj{"label": fmt.Sprintf("to-%d", n)})
		return "/api/v1/bank-accounts/transfers", obj{"from_account_id": from, "to_account_id": to, "amount": "1"}
	}
	method := func(_ *testing.T, _ *lenFix, n int) (string, obj) {
		return "/api/v1/payment-methods", obj{"code": fmt.Sprintf("M%d", n)}
	}
	hook := post("/api/v1/webhooks", obj{"url": "https://93.184.215.14/hook"})
	cases := []lengthCase{
		{column: "users.login", field: "login", prep: user},
		{column: "users.name", field: "name", prep: user},
		{column: "users.email", field: "email", prep: user, text: email},
		{column: "roles.name", field: "name", prep: role},
		{column: "api_keys.name", field: "name", prep: post("/api/v1/api-keys", obj{"permissions": []string{"product:read"}})},
		{column: "roles.description", field: "description", prep: role},
		{column: "thirdparties.name", field: "name", prep: party},
		{column: "thirdparties.alias", field: "alias", prep: party},
		{column: "thirdparties.address", field: "address", prep: party},
		{column: "thirdparties.zip", field: "zip", prep: party},
		{column: "thirdparties.town", field: "town", prep: party},
		{column: "thirdparties.country_code", field: "country_code", prep: party, text: country},
		{column: "thirdparties.email", field: "email", prep: party, text: email},
		{column: "thirdparties.phone", field: "phone", prep: party, text: digits},
		{column: "thirdparties.vat_number", field: "vat_number", prep: party, text: upper},
		{column: "thirdparties.idprof1", field: "idprof1", prep: party},
		{column: "thirdparties.idprof2", field: "idprof2", prep: party},
		{column: "thirdparties.idprof3", field: "idprof3", prep: party},
		{column: "thirdparties.idprof4", field: "idprof4", prep: party},
		{column: "thirdparties.idprof5", field: "idprof5", prep: party},
		{column: "thirdparties.idprof6", field: "idprof6", prep: party},
		{column: "contacts.firstname", field: "firstname", prep: contact},
		{column: "contacts.lastname", field: "lastname", prep: contact},
		{column: "contacts.email", field: "email", prep: contact, text: email},
		{column: "contacts.phone", field: "phone", prep: contact, text: digits},
		{column: "contacts.mobile", field: "mobile", prep: contact, text: digits},
		{column: "contacts.role", field: "role", prep: contact},
		{column: "products.ref", field: "ref", prep: product},
		{column: "products.label", field: "label", prep: product},
		{column: "products.description", field: "description", prep: product},
		{column: "warehouses.label", field: "label", prep: warehouse},
		{column: "warehouses.description", field: "description", prep: warehouse},
		{column: "warehouses.location", field: "location", prep: warehouse},
		{column: "warehouses.address", field: "address", prep: warehouse},
		{column: "warehouses.zip", field: "zip", prep: warehouse},
		{column: "warehouses.town", field: "town", prep: warehouse},
		{column: "warehouses.country_code", field: "country_code", prep: warehouse, text: country},
		{column: "stock_movements.label", field: "label", prep: movement},
		{column: "stock_movements.inventory_code", field: "inventory_code", prep: movement},
		{column: "stock_movements.origin_type", field: "origin_type", prep: movement},
		{column: "payments.reference", field: "reference", prep: pay},
		{column: "webhook_subscriptions.url", field: "url", prep: hook, text: hookURL},
		{column: "webhook_subscriptions.description", field: "description", prep: hook},
		{column: "payments.note", field: "note", prep: pay},
		{column: "payments.issuer", field: "issuer", prep: pay},
		{column: "payments.issuer_bank", field: "issuer_bank", prep: pay},
		{column: "bank_accounts.label", field: "label", prep: account},
		{column: "bank_lines.label", field: "label", prep: transfer},
		{column: "bank_lines.reference", field: "reference", prep: transfer},
		{column: "payment_methods.label", field: "label", prep: method},
		{column: "document_sends.recipients", field: "to[0]", prep: send, text: email},
		{column: "document_sends.subject", field: "subject", prep: send},
		{column: "document_sends.body", field: "body", prep: send},
		{column: "document_sends.language", field: "language", prep: send, text: tag},
		{column: "invoices.close_note", field: "note", prep: action("invoices", "cancel", true, obj{"reason": "abandon"})},
		{column: "proposals.close_note", field: "note", prep: action("proposals", "close", true, obj{"status": "signed"})},
		{column: "document_events.note", field: "note", prep: action("orders", "cancel", false, obj{})},
	}
	cases = append(cases, buySideLengthCases()...)
	for _, kind := range []string{"proposals", "orders", "invoices"} {
		cases = append(cases,
			lengthCase{column: kind + ".ref_customer", field: "ref_customer", prep: header(kind)},
			lengthCase{column: kind + ".note_public", field: "note_public", prep: header(kind)},
			lengthCase{column: kind + ".note_private", field: "note_private", prep: header(kind)},
			lengthCase{column: strings.TrimSuffix(kind, "s") + "_lines.description", field: "lines[0].description", prep: header(kind)},
		)
	}
	return cases
}

// setField sets the value at a path such as "a", "lines[0].b" or "to[0]".
func setField(body obj, path string, v string) {
	head, rest, _ := strings.Cut(path, ".")
	name, idx, indexed := strings.Cut(strings.TrimSuffix(head, "]"), "[")
	if !indexed {
		body[name] = v
		return
	}
	i, _ := strconv.Atoi(idx)
	switch list := body[name].(type) {
	case []obj:
		setField(list[i], rest, v)
	case []string:
		list[i] = v
	}
}

// clone copies a body deeply enough for setField.
func clone(b obj) obj {
	out := obj{}
	for k, v := range b {
		switch x := v.(type) {
		case []obj:
			c := make([]obj, len(x))
			for i := range x {
				c[i] = clone(x[i])
			}
			out[k] = c
		case []string:
			out[k] = slices.Clone(x)
		default:
			out[k] = v
		}
	}
	return out
}

// testTextFieldsAtAndOverTheirLimit sends every stored text field at its
// column's limit (accepted) and one character over (422 naming the
// field), on every engine, with characters of two bytes where the field
// allows them: the limit counts characters as the columns do. A role
// description over 255 characters answered 500 (issue 21); notes were
// checked against 65,535 characters, which MariaDB's TEXT cannot hold.
func testTextFieldsAtAndOverTheirLimit(t *testing.T, a *apptest.App) {
	cases := lengthCases()
	f := &lenFix{a: a, admin: a.AdminToken(t)}
	f.customer = f.create(t, "/api/v1/thirdparties", obj{"name": "ACME", "customer": true, "email": "billing@example.com"})
	f.product = f.create(t, "/api/v1/products", obj{"ref": "LEN", "label": "Len"})
	f.storage = f.create(t, "/api/v1/warehouses", obj{"label": "Len"})
	f.supplier = f.create(t, "/api/v1/thirdparties", obj{"name": "Supplier", "supplier": true})
	for i, c := range cases {
		limit := domain.TextColumns[c.column]
		if c.column == "document_sends.recipients" {
			limit = domain.MaxEmailLen
		}
		text := c.text
		if text == nil {
			text = fill
		}
		for _, size := range []int{limit, limit + 1} {
			n := 2*i + size - limit + 1
			path, base := c.prep(t, f, n)
			body := clone(base)
			setField(body, c.field, text(n, size))
			res := a.Do(t, http.MethodPost, path, body, f.admin)
			if size == limit {
				require.Containsf(t, []int{http.StatusOK, http.StatusCreated, http.StatusAccepted}, res.Status,
					"%s (%s) at its limit of %d characters: %s", c.field, c.column, limit, res.Body)
				continue
			}
			require.Equalf(t, http.StatusUnprocessableEntity, res.Status, "%s (%s) over its limit: %s", c.field, c.column, res.Body)
			require.Containsf(t, problemFields(t, res), c.field, "%s (%s) over its limit", c.field, c.column)
		}
	}
}

// TestEveryStoredFieldHasALengthCase: a stored request field of
// openapi.yaml without a case in lengthCases fails here.
func TestEveryStoredFieldHasALengthCase(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range lengthCases() {
		covered[c.column] = true
	}
	var missing []string
	for _, f := range storedFields(t) {
		// The language and the webhook event types are closed sets, checked
		// as such: no free text reaches them.
		if !covered[f.column] && !slices.Contains(missing, f.column) && f.column != "thirdparties.language" &&
			f.column != "webhook_subscriptions.event_types" {
			missing = append(missing, f.column)
		}
	}
	sort.Strings(missing)
	require.Empty(t, missing, "stored request fields without a length case")
}

// TestEveryEnumFitsItsColumn: the text columns that hold one of a closed
// set of values are as wide as the longest value.
func TestEveryEnumFitsItsColumn(t *testing.T) {
	fits := func(column string, values ...string) {
		t.Helper()
		require.NotEmpty(t, values, column)
		for _, v := range values {
			require.LessOrEqualf(t, len([]rune(v)), domain.TextColumns[column], "%q does not fit %s", v, column)
		}
	}
	var methods, perms []string
	for _, m := range domain.PaymentMethods {
		methods = append(methods, string(m))
	}
	for _, p := range domain.AllPermissions {
		perms = append(perms, string(p))
	}
	fits("payments.method", methods...)
	fits("role_permissions.permission", perms...)
	fits("thirdparties.payment_terms", domain.PaymentTermCodes()...)
	fits("thirdparties.language", domain.DocumentLanguages...)
	fits("products.price_base", string(domain.PriceExclTax), string(domain.PriceInclTax))
	fits("jobs.state", string(domain.JobAvailable), string(domain.JobRunning), string(domain.JobRetryable),
		string(domain.JobCompleted), string(domain.JobFailed), string(domain.JobCanceled))
	fits("document_sends.status", string(domain.SendQueued), string(domain.SendSent), string(domain.SendFailed))
	fits("document_events.action", domain.EventSentByMail, domain.EventSendFailed)
	fits("invoices.close_code", string(domain.CloseDiscountVAT), string(domain.CloseBadCustomer), string(domain.CloseAbandon),
		string(domain.CloseCreditAvailable))
	fits("document_events.doc_kind", string(domain.KindProposal), string(domain.KindOrder), string(domain.KindInvoice))
	var statuses []string
	for i := range 10 {
		statuses = append(statuses, domain.InvoiceStatus(i).String(), domain.OrderStatus(i).String(), domain.ProposalStatus(i).String())
	}
	fits("document_events.to_status", statuses...)
	fits("document_events.action", "payment_deleted")
	fits("bank_accounts.kind", string(domain.BankCurrent), string(domain.BankSavings), string(domain.BankCash))
	fits("bank_lines.origin", domain.LineOpening, domain.LineCustomerPayment, domain.LineSupplierPayment, domain.LineTransfer)
	fits("bank_statement_entries.status", domain.EntryPending, domain.EntryMatched, domain.EntryAmbiguous, domain.EntryUnmatched)
	fits("bank_statements.status", "pending", "done")
	fits("bank_statements.format", "camt.053")
	fits("payments.method", "direct_debit")
}

// buySideLengthCases are the buy side's stored text fields.
func buySideLengthCases() []lengthCase {
	line := []obj{{"description": "Work", "quantity": "1", "unit_price": "10"}}
	po := func(_ *testing.T, f *lenFix, _ int) (string, obj) {
		return "/api/v1/purchase-orders", obj{"supplier_id": f.supplier, "lines": line}
	}
	si := func(_ *testing.T, f *lenFix, n int) (string, obj) {
		return "/api/v1/supplier-invoices", obj{"supplier_id": f.supplier, "supplier_ref": "SR" + strconv.Itoa(n), "lines": line}
	}
	price := func(_ *testing.T, f *lenFix, n int) (string, obj) {
		return fmt.Sprintf("/api/v1/products/%d/supplier-prices", f.product), obj{"supplier_id": f.supplier, "unit_price": "1", "min_quantity": strconv.Itoa(n)}
	}
	validated := func(t *testing.T, f *lenFix, n int) int64 {
		_, body := si(t, f, n)
		body["supplier_ref"] = "V" + strconv.Itoa(n)
		id := f.create(t, "/api/v1/supplier-invoices", body)
		res := f.a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/supplier-invoices/%d/validate", id), nil, f.admin)
		require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		return id
	}
	pay := func(t *testing.T, f *lenFix, n int) (string, obj) {
		// Other cases leave several open bank accounts: name one.
		account := f.create(t, "/api/v1/bank-accounts", obj{"label": "Supplier payments " + strconv.Itoa(n)})
		return "/api/v1/supplier-payments", obj{"method": "transfer", "bank_account_id": account,
			"allocations": []obj{{"invoice_id": validated(t, f, n), "amount": "1"}}}
	}
	abandon := func(t *testing.T, f *lenFix, n int) (string, obj) {
		return fmt.Sprintf("/api/v1/supplier-invoices/%d/cancel", validated(t, f, n)), obj{"reason": "abandon"}
	}
	reception := func(t *testing.T, f *lenFix, _ int) (string, obj) {
		res := f.a.Do(t, http.MethodPost, "/api/v1/purchase-orders", obj{"supplier_id": f.supplier,
			"lines": []obj{{"product_id": f.product, "quantity": "1", "unit_price": "1"}}}, f.admin)
		require.Equal(t, http.StatusCreated, res.Status, string(res.Body))
		o := decode(t, res)
		id := idOf(t, o)
		for _, act := range []string{"validate", "order"} {
			res := f.a.Do(t, http.MethodPost, fmt.Sprintf("/api/v1/purchase-orders/%d/%s", id, act), nil, f.admin)
			require.Equal(t, http.StatusOK, res.Status, string(res.Body))
		}
		lineID := o["lines"].([]any)[0].(map[string]any)["id"]
		return "/api/v1/receptions", obj{"order_id": id, "lines": []obj{{"order_line_id": lineID, "warehouse_id": f.storage, "quantity": "1"}}}
	}
	return []lengthCase{
		{column: "supplier_prices.supplier_ref", field: "supplier_ref", prep: price},
		{column: "purchase_orders.ref_customer", field: "ref_supplier", prep: po},
		{column: "purchase_orders.note_public", field: "note_public", prep: po},
		{column: "purchase_orders.note_private", field: "note_private", prep: po},
		{column: "purchase_order_lines.description", field: "lines[0].description", prep: po},
		{column: "supplier_invoices.ref_customer", field: "ref_supplier", prep: si},
		{column: "supplier_invoices.note_public", field: "note_public", prep: si},
		{column: "supplier_invoices.note_private", field: "note_private", prep: si},
		{column: "supplier_invoices.supplier_ref", field: "supplier_ref", prep: si},
		{column: "supplier_invoice_lines.description", field: "lines[0].description", prep: si},
		{column: "supplier_invoices.close_note", field: "note", prep: abandon},
		{column: "supplier_payments.reference", field: "reference", prep: pay},
		{column: "supplier_payments.note", field: "note", prep: pay},
		{column: "supplier_payments.issuer", field: "issuer", prep: pay},
		{column: "supplier_payments.issuer_bank", field: "issuer_bank", prep: pay},
		{column: "receptions.note_public", field: "note_public", prep: reception},
		{column: "receptions.note_private", field: "note_private", prep: reception},
	}
}
