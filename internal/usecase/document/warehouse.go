package document

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// OpenWarehouses lists open warehouses.
type OpenWarehouses interface {
	// OpenWarehouseIDs returns the ids of up to limit open warehouses.
	OpenWarehouseIDs(ctx context.Context, limit int) ([]int64, error)
}

// Warehouse is the warehouse a validation moves a document's goods in or
// out of (decision 0039): the one asked for; else the configured default
// (Deps.DefaultWarehouse); else the only open warehouse. Otherwise the
// clerk must choose, and the error says so in business terms.
func (e *Engine) Warehouse(ctx context.Context, asked int64) (int64, error) {
	switch {
	case asked > 0:
		return asked, nil
	case e.defaultWarehouse > 0:
		return e.defaultWarehouse, nil
	}
	if e.warehouses != nil {
		ids, err := e.warehouses.OpenWarehouseIDs(ctx, 2)
		if err != nil {
			return 0, err
		}
		if len(ids) == 1 {
			return ids[0], nil
		}
	}
	v := &domain.ValidationError{}
	v.Add("warehouse_id", "required", "choose the warehouse the goods leave from or come back to: there are several and none is the default")
	return 0, v
}
