package api

// Paging is the paging part of every list response.
type Paging struct {
	Total  int64 `json:"total"`
	Limit  int   `json:"limit"`
	Offset int   `json:"offset"`
}

// List is the envelope every list endpoint answers with.
type List[T any] struct {
	Data   []T    `json:"data"`
	Paging Paging `json:"paging"`
}
