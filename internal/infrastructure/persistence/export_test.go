package persistence

import "time"

// SetWriterWait shortens SQLite's writer-slot wait for tests.
func SetWriterWait(d *DB, w time.Duration) { d.writerWait = w }
