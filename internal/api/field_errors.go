package api

import (
	"errors"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// renameField returns err with the field problems a use case reported
// under from reported under to instead: the use case speaks of its own
// input (the single allocation a one-invoice payment becomes), the client
// must read the name of the body field it sent.
func renameField(err error, from, to string) error {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for i := range ve.Fields {
			if ve.Fields[i].Field == from {
				ve.Fields[i].Field = to
			}
		}
	}
	return err
}
