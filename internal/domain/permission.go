package domain

import "strings"

// Permission is a named right, "<resource>:<action>". Every permission the
// system knows is declared here and only here; routes name one when they are
// registered and roles grant sets of them.
type Permission string

// The permissions. Add new ones to this block and to AllPermissions.
const (
	PermThirdPartyRead  Permission = "thirdparty:read"
	PermThirdPartyWrite Permission = "thirdparty:write"
	PermContactRead     Permission = "contact:read"
	PermContactWrite    Permission = "contact:write"
	PermProductRead     Permission = "product:read"
	PermProductWrite    Permission = "product:write"
	PermWarehouseRead   Permission = "warehouse:read"
	PermWarehouseWrite  Permission = "warehouse:write"
	PermStockRead       Permission = "stock:read"
	PermStockMove       Permission = "stock:move"
	PermProposalRead    Permission = "proposal:read"
	PermProposalWrite   Permission = "proposal:write"
	// Every kind of document is validated (and reopened, canceled) under
	// its own <doc>:validate, as invoices are (decision 0037).
	PermProposalValidate Permission = "proposal:validate"
	PermOrderValidate    Permission = "order:validate"
	PermOrderRead        Permission = "order:read"
	PermOrderWrite       Permission = "order:write"
	PermInvoiceRead      Permission = "invoice:read"
	PermInvoiceWrite     Permission = "invoice:write"
	PermInvoiceValidate  Permission = "invoice:validate"
	PermInvoicePay       Permission = "invoice:pay"
	PermReportRead       Permission = "report:read"
	PermJobsRead         Permission = "jobs:read"
	PermJobsAdmin        Permission = "jobs:admin"
	PermUserAdmin        Permission = "user:admin"
	// Sending a document by e-mail is a right of its own, as in Dolibarr
	// (facture "send", id 15): it speaks to the customer.
	PermProposalSend Permission = "proposal:send"
	PermOrderSend    Permission = "order:send"
	PermInvoiceSend  Permission = "invoice:send"

	// The buy side. A purchase order above the approval amount needs a
	// second approval, purchase:approve, by another user than its creator.
	PermSupplierPriceRead       Permission = "supplier_price:read"
	PermSupplierPriceWrite      Permission = "supplier_price:write"
	PermPurchaseRead            Permission = "purchase:read"
	PermPurchaseWrite           Permission = "purchase:write"
	PermPurchaseValidate        Permission = "purchase:validate"
	PermPurchaseApprove         Permission = "purchase:approve"
	PermPurchaseSend            Permission = "purchase:send"
	PermReceptionRead           Permission = "reception:read"
	PermReceptionWrite          Permission = "reception:write"
	PermReceptionValidate       Permission = "reception:validate"
	PermSupplierInvoiceRead     Permission = "supplier_invoice:read"
	PermSupplierInvoiceWrite    Permission = "supplier_invoice:write"
	PermSupplierInvoiceValidate Permission = "supplier_invoice:validate"
	PermSupplierInvoicePay      Permission = "supplier_invoice:pay"

	// Bank and cash accounts, their lines, transfers, reconciliation and
	// the payment-method dictionary.
	PermBankRead  Permission = "bank:read"
	PermBankWrite Permission = "bank:write"
	// Webhooks send business data to outside URLs: managing them is a
	// right of its own, granted to administrators only.
	PermWebhookRead  Permission = "webhook:read"
	PermWebhookWrite Permission = "webhook:write"
)

// AllPermissions lists every permission, in a stable order.
var AllPermissions = []Permission{
	PermThirdPartyRead, PermThirdPartyWrite, PermContactRead, PermContactWrite,
	PermProductRead, PermProductWrite, PermWarehouseRead, PermWarehouseWrite,
	PermStockRead, PermStockMove,
	PermProposalRead, PermProposalWrite, PermOrderRead, PermOrderWrite,
	PermInvoiceRead, PermInvoiceWrite, PermInvoiceValidate, PermInvoicePay,
	PermReportRead, PermJobsRead, PermJobsAdmin, PermUserAdmin,
	PermProposalSend, PermOrderSend, PermInvoiceSend,
	PermSupplierPriceRead, PermSupplierPriceWrite,
	PermPurchaseRead, PermPurchaseWrite, PermPurchaseValidate, PermPurchaseApprove, PermPurchaseSend,
	PermReceptionRead, PermReceptionWrite, PermReceptionValidate,
	PermSupplierInvoiceRead, PermSupplierInvoiceWrite, PermSupplierInvoiceValidate, PermSupplierInvoicePay,
	PermBankRead, PermBankWrite,
	PermProposalValidate, PermOrderValidate,
	PermWebhookRead, PermWebhookWrite,
}

// BuiltinRoles are the roles every installation has, with their permissions.
// Migration 000002 seeds them and the API bootstrap keeps the database equal
// to this map on every start, so a permission added here reaches its roles
// without a new migration. admin holds every permission and read-only every
// ":read" one, so both follow AllPermissions automatically.
var BuiltinRoles = map[string][]Permission{
	RoleAdmin: AllPermissions,
	RoleSales: {
		PermThirdPartyRead, PermThirdPartyWrite, PermContactRead, PermContactWrite,
		PermProductRead, PermStockRead,
		PermProposalRead, PermProposalWrite, PermOrderRead, PermOrderWrite,
		PermInvoiceRead, PermInvoiceWrite, PermReportRead,
		PermProposalSend, PermOrderSend, PermInvoiceSend,
		PermProposalValidate, PermOrderValidate,
	},
	RoleWarehouse: {
		PermThirdPartyRead, PermProductRead, PermProductWrite,
		PermWarehouseRead, PermWarehouseWrite, PermStockRead, PermStockMove, PermOrderRead,
	},
	RoleAccountant: {
		PermThirdPartyRead, PermContactRead, PermProductRead,
		PermProposalRead, PermOrderRead,
		PermInvoiceRead, PermInvoiceWrite, PermInvoiceValidate, PermInvoicePay, PermReportRead,
		PermInvoiceSend, PermBankRead, PermBankWrite,
		PermSupplierInvoiceRead, PermSupplierInvoiceWrite, PermSupplierInvoiceValidate, PermSupplierInvoicePay,
		PermPurchaseRead, PermReceptionRead,
	},
	// buyer runs procurement: supplier prices, purchase orders up to
	// ordering them, receptions and supplier invoices; the second approval
	// of large orders and paying suppliers are others' rights.
	RoleBuyer: {
		PermThirdPartyRead, PermThirdPartyWrite, PermContactRead, PermContactWrite,
		PermProductRead, PermWarehouseRead, PermStockRead,
		PermSupplierPriceRead, PermSupplierPriceWrite,
		PermPurchaseRead, PermPurchaseWrite, PermPurchaseValidate, PermPurchaseSend,
		PermReceptionRead, PermReceptionWrite, PermReceptionValidate,
		PermSupplierInvoiceRead, PermSupplierInvoiceWrite, PermSupplierInvoiceValidate, PermReportRead,
	},
	RoleReadOnly: readPermissions(),
}

func readPermissions() []Permission {
	var out []Permission
	for _, p := range AllPermissions {
		if strings.HasSuffix(string(p), ":read") {
			out = append(out, p)
		}
	}
	return out
}
