// Command dolibarr is the all-in-one binary: the API and the job runner in
// one process, on an embedded SQLite file unless told otherwise. It is the
// quick start: `go run ./cmd/main.go`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // scratch images have no zoneinfo

	"github.com/dolibarr-go/dolibarr/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Main(ctx, app.AllInOne, app.ModeAllInOne, os.Args[1:], os.Environ(), os.Stderr)
	stop()
	os.Exit(code)
}
