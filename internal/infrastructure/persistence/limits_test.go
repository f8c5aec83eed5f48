package persistence_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/testdb"
)

// schemaTextQueries list the text columns of the migrated schema with
// their type, their size in characters (VARCHAR/CHAR) and in bytes.
// LONGTEXT is left out on MariaDB: it is how MariaDB stores JSON (jobs'
// payload and errors), and any limit fits its 4 GB; PostgreSQL lists every
// text column.
var schemaTextQueries = map[string]string{
	"postgres": `SELECT table_name, column_name, data_type,
	COALESCE(character_maximum_length, -1), COALESCE(character_octet_length, -1)
FROM information_schema.columns
WHERE table_schema = current_schema() AND data_type IN ('character varying', 'character', 'text')`,
	"mysql": `SELECT table_name, column_name, data_type,
	COALESCE(character_maximum_length, -1), COALESCE(character_octet_length, -1)
FROM information_schema.columns
WHERE table_schema = DATABASE() AND data_type IN ('varchar', 'char', 'tinytext', 'text', 'mediumtext')`,
}

// TestTextLimitsMatchTheSchema compares domain.TextColumns, the one table
// of text limits validation reads, with the real columns of PostgreSQL and
// MariaDB: every text column has a limit; a VARCHAR(n) or CHAR(n) column's
// limit is n, counted in characters on both engines (MariaDB in utf8mb4);
// a TEXT column holds its limit written in 4-byte characters (MariaDB's
// TEXT is 65,535 bytes); and no limit names a column that does not exist.
// A role description over 255 characters reached the database and
// answered 500 (issue 21): a column added without a limit fails here.
func TestTextLimitsMatchTheSchema(t *testing.T) {
	for _, driver := range []string{"postgres", "mysql"} {
		t.Run(driver, func(t *testing.T) {
			db := testdb.New(t, driver)
			rows, err := db.Gorm(context.Background()).Raw(schemaTextQueries[driver]).Rows()
			require.NoError(t, err)
			defer func() { _ = rows.Close() }()
			seen := map[string]bool{}
			for rows.Next() {
				var (
					table, column, typ string
					chars, octets      int64
				)
				require.NoError(t, rows.Scan(&table, &column, &typ, &chars, &octets))
				name := table + "." + column
				seen[name] = true
				limit, ok := domain.TextColumns[name]
				if !assertf(t, ok, "column %s (%s) has no limit in domain.TextColumns", name, typ) {
					continue
				}
				switch typ {
				case "character varying", "character", "varchar", "char":
					assertf(t, int64(limit) == chars, "%s is %s(%d) but its limit is %d characters", name, typ, chars, limit)
				default: // text kinds
					assertf(t, octets < 0 || driver == "postgres" || int64(limit)*4 <= octets,
						"%s is %s (%d bytes): %d characters of 4 bytes do not fit", name, typ, octets, limit)
				}
			}
			require.NoError(t, rows.Err())
			for name := range domain.TextColumns {
				assertf(t, seen[name], "domain.TextColumns names %s, which is no text column of the %s schema", name, driver)
			}
		})
	}
}

// assertf reports a failure without stopping, so one run lists every
// mismatch, and returns ok.
func assertf(t *testing.T, ok bool, format string, args ...any) bool {
	t.Helper()
	if !ok {
		t.Errorf(format, args...)
	}
	return ok
}
