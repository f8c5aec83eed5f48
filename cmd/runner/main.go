// Command dolibarr-runner works the job queue (PDF, e-mail). Run any number
// of replicas; it serves /health and /ready on DOLIBARR_RUNNER_HEALTH_ADDR.
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
	code := app.Main(ctx, app.Runner, app.ModeRunner, os.Args[1:], os.Environ(), os.Stderr)
	stop()
	os.Exit(code)
}
