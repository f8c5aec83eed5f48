package api

// Paging is the paging part of every list response.
type Paging struct {
	Total  int64 `json:"total"`
	Limit  int   `json:"limit"`
	Offset int   `json:"offset"`
	// NextCursor, on a full page of an incremental sync (updated_since or
	// cursor), is the cursor of the next page.
	NextCursor *string `json:"next_cursor,omitempty"`
}

// List is the envelope every list endpoint answers with.
type List[T any] struct {
	Data   []T    `json:"data"`
	Paging Paging `json:"paging"`
}
