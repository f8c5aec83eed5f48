package domain

// ListParams are the paging, sorting and search options every list takes.
// Sort is a field name the use case has whitelisted; persistence maps it to
// a column through its own whitelist.
type ListParams struct {
	Limit  int
	Offset int
	Sort   string
	Desc   bool
	Q      string // case-insensitive substring search on the resource's text fields
}

// Page is one page of a list and the total number of matching items.
type Page[T any] struct {
	Items []T
	Total int64
}
