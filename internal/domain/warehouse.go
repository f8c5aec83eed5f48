package domain

import "time"

// WarehouseStatus is open or closed; the values are Dolibarr's.
type WarehouseStatus int

// Warehouse statuses.
const (
	WarehouseClosed WarehouseStatus = 0
	WarehouseOpen   WarehouseStatus = 1
)

// ParseWarehouseStatus reads the API name of a status.
func ParseWarehouseStatus(s string) (WarehouseStatus, bool) {
	switch s {
	case "open":
		return WarehouseOpen, true
	case "closed":
		return WarehouseClosed, true
	}
	return 0, false
}

func (s WarehouseStatus) String() string {
	if s == WarehouseOpen {
		return "open"
	}
	return "closed"
}

// Warehouse is a place that holds stock.
type Warehouse struct {
	ID          int64
	Label       string
	Description string
	Location    string
	Address     string
	Zip         string
	Town        string
	CountryCode string
	Status      WarehouseStatus
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Validate checks the warehouse's invariants and reports every broken one.
func (w *Warehouse) Validate() error {
	v := &ValidationError{}
	checkText(v, "label", w.Label, MaxWarehouseLabelLen, true)
	checkText(v, "description", w.Description, MaxDescriptionLen, false)
	checkText(v, "location", w.Location, MaxLocationLen, false)
	checkText(v, "address", w.Address, MaxAddressLen, false)
	checkText(v, "zip", w.Zip, MaxZipLen, false)
	checkText(v, "town", w.Town, MaxTownLen, false)
	checkCountry(v, "country_code", w.CountryCode)
	if w.Status != WarehouseOpen && w.Status != WarehouseClosed {
		v.Add("status", "invalid", "must be open or closed")
	}
	return v.Err()
}

// AcceptsMovements returns nil when stock may move in or out of w.
func (w *Warehouse) AcceptsMovements() error {
	if w.Status != WarehouseOpen {
		return E(ErrConflict, "warehouse_closed", "warehouse %d is closed", w.ID)
	}
	return nil
}

// checkCountry accepts "" or an ISO 3166-1 alpha-2 code in upper case.
func checkCountry(v *ValidationError, field, s string) {
	if s == "" {
		return
	}
	if len(s) != MaxCountryCodeLen || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		v.Add(field, "invalid", "must be an ISO 3166-1 alpha-2 code such as FR")
	}
}
