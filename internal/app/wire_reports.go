package app

import (
	"context"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/usecase/reports"
)

// wireReports builds the reports (raw SQL per dialect, streamed) and their
// routes. The repository loads and checks every report's SQL for the
// database's dialect here, so a missing query stops start-up.
func wireReports(_ context.Context, d deps, w *wiring) error {
	repo, err := persistence.NewReportRepo(d.db, reports.All())
	if err != nil {
		return err
	}
	svc := reports.New(repo, d.now)
	w.routes = append(w.routes, func(s *api.Server) { api.RegisterReports(s, svc) })
	return nil
}
