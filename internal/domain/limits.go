package domain

// Text limits: the most characters each stored text may hold, counted in
// Unicode code points, as VARCHAR(n) counts them on PostgreSQL and on
// MariaDB in utf8mb4 (never in bytes: "é" is one character of two bytes).
// Validation reads these constants and nothing else; TextColumns ties each
// text column of the schema to one of them, and a test compares that table
// with the columns' real sizes on PostgreSQL and MariaDB (a VARCHAR column
// must be exactly its limit, a TEXT column must hold its limit in 4-byte
// characters), with the maxLength of openapi.yaml, and sends every client
// field at its limit (accepted) and one over (422 too_long). A text longer
// than its column used to reach the database and answer 500 (issue 21).
//
// Free texts of unbounded TEXT columns (notes, descriptions) are bounded
// too, so that a body of the size limit cannot fill a row, and so that
// MariaDB's TEXT (65,535 bytes) holds them in any script.
const (
	MaxLoginLen           = 64
	MaxUserNameLen        = 128
	MaxUserEmailLen       = 255
	MaxPasswordHashLen    = 255
	MaxRoleNameLen        = 64
	MaxRoleDescriptionLen = 255
	MaxPermissionLen      = 64

	MaxNameLen         = 255 // a third party's name and alias
	MaxAddressLen      = 255
	MaxZipLen          = 32
	MaxTownLen         = 128
	MaxCountryCodeLen  = 2
	MaxEmailLen        = 254 // RFC 5321's limit on a path, a third party's or contact's address
	MaxPhoneLen        = 32
	MaxVATNumberLen    = 20
	MaxPartyCodeLen    = 32 // generated customer and supplier codes
	MaxPaymentTermsLen = 16
	MaxLanguageLen     = 16
	MaxPersonNameLen   = 128 // a contact's first and last name and job title

	MaxProductRefLen         = 128
	MaxLabelLen              = 255 // a product's label, a stock movement's label
	MaxWarehouseLabelLen     = 128
	MaxLocationLen           = 255
	MaxPriceBaseLen          = 8
	MaxInventoryCodeLen      = 64
	MaxOriginTypeLen         = 32
	MaxDescriptionLen        = 10000 // product, warehouse and line descriptions
	MaxNoteLen               = 10000 // document notes, action notes, payment notes
	MaxDocumentRefLen        = 64    // generated from the numbering masks
	MaxRefCustomerLen        = 255
	MaxSupplierRefLen        = 128 // a supplier's reference of a product or of its invoice
	MaxCloseCodeLen          = 16
	MaxPaymentMethodLen      = 16
	MaxStatusLen             = 16 // document kinds and statuses, job states
	MaxSendStatusLen         = 32 // send statuses (written_to_outbox: migration 000011)
	MaxEventActionLen        = 32
	MaxSendLanguageLen       = 35 // a BCP 47 tag (RFC 5646 4.4.1)
	MaxMessageIDLen          = 255
	MaxRequestIDLen          = 128
	MaxLeaseOwnerLen         = 128
	MaxCounterScopeLen       = 64
	MaxCounterPeriodLen      = 16
	MaxSettingKeyLen         = 128
	MaxSettingValueLen       = 10000
	MaxSendRecipientsText    = MaxSendRecipients * (MaxEmailLen + 2) // the addresses, comma-separated
	MaxPaymentRefLen         = 128                                   // a payment's reference, issuer and issuer's bank; a bank line's reference
	MaxPaymentMethodLabelLen = 128
	MaxBankLabelLen          = 255 // a bank account's and a bank line's label
	MaxIBANLen               = 34
	MaxBICLen                = 11
	MaxCurrencyLen           = 3
	MaxBankOriginLen         = 32
	MaxStatementMessageIDLen = 64

	// An issued document's record (JSON) and its archived file's
	// description (decision 0036).
	MaxIssuedRecordLen = 1 << 20
	MaxArchiveNameLen  = 255
	MaxContentTypeLen  = 64

	MaxAPIKeyNameLen     = 128
	MaxAPIKeyPrefixLen   = 16
	MaxSHA256HexLen      = 64 // a hex SHA-256: API key secrets, refresh tokens, request bodies
	MaxTokenFamilyLen    = 32
	MaxIdempotencyKeyLen = 255
	MaxLockTokenLen      = 32
	MaxStoredHeadersLen  = 10000   // the replayed headers of an idempotent POST, as JSON
	MaxStoredResponseLen = 4000000 // the replayed body (MariaDB MEDIUMTEXT: 16 MiB in 4-byte characters)
)

// TextColumns maps every text column of the schema ("table.column") to its
// limit. A column added without an entry here fails the test that reads the
// schema of each engine.
var TextColumns = map[string]int{
	"users.login":                 MaxLoginLen,
	"users.name":                  MaxUserNameLen,
	"users.email":                 MaxUserEmailLen,
	"users.password_hash":         MaxPasswordHashLen,
	"roles.name":                  MaxRoleNameLen,
	"roles.description":           MaxRoleDescriptionLen,
	"role_permissions.permission": MaxPermissionLen,

	"thirdparties.name":          MaxNameLen,
	"thirdparties.alias":         MaxNameLen,
	"thirdparties.address":       MaxAddressLen,
	"thirdparties.zip":           MaxZipLen,
	"thirdparties.town":          MaxTownLen,
	"thirdparties.country_code":  MaxCountryCodeLen,
	"thirdparties.email":         MaxEmailLen,
	"thirdparties.phone":         MaxPhoneLen,
	"thirdparties.vat_number":    MaxVATNumberLen,
	"thirdparties.idprof1":       MaxProfIDLen,
	"thirdparties.idprof2":       MaxProfIDLen,
	"thirdparties.idprof3":       MaxProfIDLen,
	"thirdparties.idprof4":       MaxProfIDLen,
	"thirdparties.idprof5":       MaxProfIDLen,
	"thirdparties.idprof6":       MaxProfIDLen,
	"thirdparties.customer_code": MaxPartyCodeLen,
	"thirdparties.supplier_code": MaxPartyCodeLen,
	"thirdparties.payment_terms": MaxPaymentTermsLen,
	"thirdparties.language":      MaxLanguageLen,
	"contacts.firstname":         MaxPersonNameLen,
	"contacts.lastname":          MaxPersonNameLen,
	"contacts.email":             MaxEmailLen,
	"contacts.phone":             MaxPhoneLen,
	"contacts.mobile":            MaxPhoneLen,
	"contacts.role":              MaxPersonNameLen,

	"products.ref":                   MaxProductRefLen,
	"products.label":                 MaxLabelLen,
	"products.description":           MaxDescriptionLen,
	"products.price_base":            MaxPriceBaseLen,
	"warehouses.label":               MaxWarehouseLabelLen,
	"warehouses.description":         MaxDescriptionLen,
	"warehouses.location":            MaxLocationLen,
	"warehouses.address":             MaxAddressLen,
	"warehouses.zip":                 MaxZipLen,
	"warehouses.town":                MaxTownLen,
	"warehouses.country_code":        MaxCountryCodeLen,
	"stock_movements.label":          MaxLabelLen,
	"stock_movements.inventory_code": MaxInventoryCodeLen,
	"stock_movements.origin_type":    MaxOriginTypeLen,

	"proposals.ref":                 MaxDocumentRefLen,
	"proposals.ref_customer":        MaxRefCustomerLen,
	"proposals.note_public":         MaxNoteLen,
	"proposals.note_private":        MaxNoteLen,
	"proposals.close_note":          MaxNoteLen,
	"proposal_lines.description":    MaxDescriptionLen,
	"orders.ref":                    MaxDocumentRefLen,
	"orders.ref_customer":           MaxRefCustomerLen,
	"orders.note_public":            MaxNoteLen,
	"orders.note_private":           MaxNoteLen,
	"order_lines.description":       MaxDescriptionLen,
	"invoices.ref":                  MaxDocumentRefLen,
	"invoices.ref_customer":         MaxRefCustomerLen,
	"invoices.note_public":          MaxNoteLen,
	"invoices.note_private":         MaxNoteLen,
	"invoices.close_code":           MaxCloseCodeLen,
	"invoices.close_note":           MaxNoteLen,
	"invoice_lines.description":     MaxDescriptionLen,
	"payments.method":               MaxPaymentMethodLen,
	"payments.reference":            MaxPaymentRefLen,
	"payments.note":                 MaxNoteLen,
	"payments.issuer":               MaxPaymentRefLen,
	"payments.issuer_bank":          MaxPaymentRefLen,
	"supplier_payments.issuer":      MaxPaymentRefLen,
	"supplier_payments.issuer_bank": MaxPaymentRefLen,

	"bank_accounts.label":    MaxBankLabelLen,
	"bank_accounts.kind":     MaxStatusLen,
	"bank_accounts.currency": MaxCurrencyLen,
	"bank_accounts.iban":     MaxIBANLen,
	"bank_accounts.bic":      MaxBICLen,
	"bank_lines.label":       MaxBankLabelLen,
	"bank_lines.reference":   MaxPaymentRefLen,
	"bank_lines.origin":      MaxBankOriginLen,
	"payment_methods.code":   MaxPaymentMethodLen,

	"bank_statements.format":           MaxStatusLen,
	"bank_statements.message_id":       MaxStatementMessageIDLen,
	"bank_statements.status":           MaxStatusLen,
	"bank_statement_entries.reference": MaxPaymentRefLen,
	"bank_statement_entries.label":     MaxBankLabelLen,
	"bank_statement_entries.status":    MaxStatusLen,
	"payment_methods.label":            MaxPaymentMethodLabelLen,
	"document_events.doc_kind":         MaxStatusLen,
	"document_events.action":           MaxEventActionLen,
	"document_events.from_status":      MaxStatusLen,
	"document_events.to_status":        MaxStatusLen,
	"document_events.note":             MaxNoteLen,
	"document_sends.doc_kind":          MaxStatusLen,
	"document_sends.recipients":        MaxSendRecipientsText,
	"document_sends.subject":           MaxSendSubjectLen,
	"document_sends.body":              MaxSendBodyLen,
	"document_sends.language":          MaxSendLanguageLen,
	"document_sends.status":            MaxSendStatusLen,
	"document_sends.message_id":        MaxMessageIDLen,
	"document_sends.last_error":        MaxJobErrorLen + 1, // TruncateJobError appends "…"

	"supplier_prices.supplier_ref":       MaxSupplierRefLen,
	"purchase_orders.ref":                MaxDocumentRefLen,
	"purchase_orders.ref_customer":       MaxRefCustomerLen,
	"purchase_orders.note_public":        MaxNoteLen,
	"purchase_orders.note_private":       MaxNoteLen,
	"purchase_order_lines.description":   MaxDescriptionLen,
	"receptions.ref":                     MaxDocumentRefLen,
	"receptions.ref_customer":            MaxRefCustomerLen,
	"receptions.note_public":             MaxNoteLen,
	"receptions.note_private":            MaxNoteLen,
	"supplier_invoices.ref":              MaxDocumentRefLen,
	"supplier_invoices.ref_customer":     MaxRefCustomerLen,
	"supplier_invoices.note_public":      MaxNoteLen,
	"supplier_invoices.note_private":     MaxNoteLen,
	"supplier_invoices.close_code":       MaxCloseCodeLen,
	"supplier_invoices.close_note":       MaxNoteLen,
	"supplier_invoices.supplier_ref":     MaxSupplierRefLen,
	"supplier_invoice_lines.description": MaxDescriptionLen,
	"supplier_payments.method":           MaxPaymentMethodLen,
	"supplier_payments.reference":        MaxPaymentRefLen,
	"supplier_payments.note":             MaxNoteLen,

	"jobs.kind":                      MaxJobKindLen,
	"jobs.state":                     MaxStatusLen,
	"jobs.unique_key":                MaxJobUniqueKeyLen,
	"jobs.request_id":                MaxRequestIDLen,
	"jobs.lease_owner":               MaxLeaseOwnerLen,
	"jobs.last_error":                MaxJobErrorLen + 1,
	"numbering_counters.scope":       MaxCounterScopeLen,
	"numbering_counters.period_key":  MaxCounterPeriodLen,
	"numbering_series.scope":         MaxCounterScopeLen,
	"issued_documents.doc_kind":      MaxStatusLen,
	"issued_documents.record":        MaxIssuedRecordLen,
	"document_archives.doc_kind":     MaxStatusLen,
	"document_archives.language":     MaxSendLanguageLen,
	"document_archives.file_name":    MaxArchiveNameLen,
	"document_archives.content_type": MaxContentTypeLen,
	"document_archives.sha256":       MaxSHA256HexLen,
	"settings.key":                   MaxSettingKeyLen,
	"settings.value":                 MaxSettingValueLen,

	"api_keys.name":                     MaxAPIKeyNameLen,
	"api_keys.prefix":                   MaxAPIKeyPrefixLen,
	"api_keys.secret_hash":              MaxSHA256HexLen,
	"api_key_permissions.permission":    MaxPermissionLen,
	"refresh_tokens.family":             MaxTokenFamilyLen,
	"refresh_tokens.token_hash":         MaxSHA256HexLen,
	"idempotency_keys.idem_key":         MaxIdempotencyKeyLen,
	"idempotency_keys.request_hash":     MaxSHA256HexLen,
	"idempotency_keys.state":            MaxStatusLen,
	"idempotency_keys.lock_token":       MaxLockTokenLen,
	"idempotency_keys.response_headers": MaxStoredHeadersLen,
	"idempotency_keys.response_body":    MaxStoredResponseLen,

	"webhook_subscriptions.url":             MaxWebhookURLLen,
	"webhook_subscriptions.description":     MaxWebhookDescriptionLen,
	"webhook_subscriptions.event_types":     MaxWebhookEventTypes * (MaxEventTypeLen + 1), // comma-separated
	"webhook_subscriptions.secret":          MaxWebhookSecretLen,
	"webhook_subscriptions.disabled_reason": MaxWebhookReasonLen,
	"webhook_events.uid":                    MaxEventUIDLen,
	"webhook_events.type":                   MaxEventTypeLen,
	"webhook_events.object_type":            MaxEventObjectTypeLen,
	"webhook_events.payload":                MaxWebhookPayloadLen,
	"webhook_deliveries.object_key":         MaxDeliveryObjectKeyLen,
	"webhook_deliveries.status":             MaxStatusLen,
	"webhook_deliveries.last_error":         MaxJobErrorLen + 1,
}
