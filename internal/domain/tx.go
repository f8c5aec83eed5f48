package domain

import "context"

// Transactor runs fn in a database transaction carried by ctx. A call made
// while ctx already carries a transaction joins it, so use cases compose.
// fn's error rolls the transaction back; nil commits it.
type Transactor interface {
	Do(ctx context.Context, fn func(ctx context.Context) error) error
}
