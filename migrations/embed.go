// Package migrations embeds the SQL migrations, one folder per dialect with
// identical version numbers. Never edit a shipped migration; add a new one.
package migrations

import "embed"

// FS holds postgres/, mysql/ and sqlite/.
//
//go:embed postgres/*.sql mysql/*.sql sqlite/*.sql
var FS embed.FS
