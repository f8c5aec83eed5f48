package persistence

import (
	"errors"

	"gorm.io/gorm"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/dolibarr-go/dolibarr/internal/domain"
)

// translate turns driver errors into domain kinds so no driver type crosses
// into a use case. what names the thing for the client-facing message.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return domain.E(domain.ErrNotFound, "not_found", "%s not found", what)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return domain.E(domain.ErrConflict, "duplicate", "%s already exists", what)
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return domain.E(domain.ErrConflict, "reference_violation", "%s refers to or is referred to by a missing or existing record", what)
	}
	// gorm.io/driver/sqlite only translates mattn's errors; ours are modernc's.
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return domain.E(domain.ErrConflict, "duplicate", "%s already exists", what)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return domain.E(domain.ErrConflict, "reference_violation", "%s refers to or is referred to by a missing or existing record", what)
		}
	}
	return err
}
