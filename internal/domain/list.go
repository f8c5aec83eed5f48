package domain

import "time"

// ListParams are the paging, sorting and search options every list takes.
// Sort is a field name the use case has whitelisted; persistence maps it to
// a column through its own whitelist.
type ListParams struct {
	Limit  int
	Offset int
	Sort   string
	Desc   bool
	Q      string // case-insensitive substring search on the resource's text fields

	// Keyset selects incremental sync instead of offset paging: the items
	// changed at or after UpdatedSince (zero: any), after the position
	// After (nil: from the start), in (updated_at, id) order. Sort and
	// Offset do not apply. Immutable records (payments, stock movements)
	// use their creation time as updated_at.
	Keyset       bool
	UpdatedSince time.Time
	After        *ListCursor
}

// ListCursor is a position in a keyset list: the (updated_at, id) of the
// last item read.
type ListCursor struct {
	UpdatedAt time.Time
	ID        int64
}

// Page is one page of a list and the total number of matching items.
type Page[T any] struct {
	Items []T
	Total int64
}
