// Command dolibarr-api serves the REST API. Scale it horizontally; it never
// runs jobs (see dolibarr-runner).
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
	code := app.Main(ctx, app.APIOnly, app.ModeAPI, os.Args[1:], os.Environ(), os.Stderr)
	stop()
	os.Exit(code)
}
