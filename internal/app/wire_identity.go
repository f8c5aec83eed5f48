package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/dolibarr-go/dolibarr/internal/api"
	"github.com/dolibarr-go/dolibarr/internal/domain"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/auth"
	"github.com/dolibarr-go/dolibarr/internal/infrastructure/persistence"
	"github.com/dolibarr-go/dolibarr/internal/usecase/identity"
)

// wireIdentity builds token verification (the Authorize middleware every
// guarded route goes through), the identity use cases and their routes, and
// creates the first administrator when no user exists.
func wireIdentity(ctx context.Context, d deps, w *wiring) error {
	tokens, err := newTokens(d)
	if err != nil {
		return err
	}
	slots := d.cfg.Auth.MaxConcurrentHashes
	if slots == 0 {
		slots = auth.HashSlots(auth.DefaultArgon2, memoryLimit(), runtime.GOMAXPROCS(0))
	}
	hasher, err := auth.NewHasherSlots(auth.DefaultArgon2, slots)
	if err != nil {
		return err
	}
	a := d.cfg.Auth
	keys := persistence.NewAPIKeyRepo(d.db)
	svc := identity.New(identity.Deps{
		Users: persistence.NewUserRepo(d.db), Roles: persistence.NewRoleRepo(d.db), Tx: d.db,
		Hasher: hasher, Tokens: tokens, Now: d.now,
		Keys: keys, Refresh: persistence.NewRefreshRepo(d.db), RefreshTTL: a.RefreshTTL,
		Throttle: auth.NewThrottle(auth.ThrottleConfig{
			PerLogin: a.LoginMaxFailuresPerLogin, PerClient: a.LoginMaxFailuresPerClient,
			Window: a.LoginFailureWindow, Now: d.now,
		}),
	})
	generated, created, err := svc.Bootstrap(ctx, a.AdminLogin, a.AdminPassword)
	if err != nil {
		return fmt.Errorf("identity bootstrap: %w", err)
	}
	switch {
	case created && generated != "":
		// The one time this password is shown (it is never stored in
		// clear): on a line of its own, in the message itself, so it stands
		// out on a terminal as well as in a collector.
		login := domain.NormalizeLogin(a.AdminLogin)
		d.log.Warn(fmt.Sprintf("first administrator %q created with the generated password %s (shown only this once: "+
			"log in and change it with PUT /api/v1/users/me/password)", login, generated), zap.String("login", login))
	case created:
		d.log.Info("created the first administrator from DOLIBARR_ADMIN_LOGIN/DOLIBARR_ADMIN_PASSWORD",
			zap.String("login", domain.NormalizeLogin(a.AdminLogin)))
	}
	// Revocations: loaded before the first request, then polled for the
	// process's life (ctx ends at shutdown).
	rev := auth.NewRevocations(persistence.NewAuthState(d.db), a.RevocationPoll, d.log.Named("revocations"))
	if err := rev.Load(ctx); err != nil {
		return fmt.Errorf("loading revocations: %w", err)
	}
	go rev.Run(ctx)
	authn := auth.NewAuthenticator(tokens, rev, keys, d.now, d.log)
	w.opts.Authorize = api.Authorizer(authn)
	w.routes = append(w.routes, func(s *api.Server) { api.RegisterIdentity(s, svc) })
	return nil
}

func newTokens(d deps) (*auth.Tokens, error) {
	secret, err := jwtSecret(d.cfg, d.log)
	if err != nil {
		return nil, err
	}
	return auth.NewTokens(auth.TokenConfig{
		Secret: secret, PreviousSecret: d.cfg.Auth.JWTPreviousSecret,
		Issuer: d.cfg.Auth.JWTIssuer, Audience: d.cfg.Auth.JWTAudience, TTL: d.cfg.Auth.JWTTTL,
		Leeway: jwtLeeway, Now: d.now,
	})
}

// jwtLeeway absorbs clock skew between replicas; short next to the TTL.
const jwtLeeway = 30 * time.Second

// jwtSecretFile is the name of the generated secret, kept in the data
// directory so the secret lives and dies with the data it protects.
const jwtSecretFile = "dolibarr-jwt.secret" //nolint:gosec // a file name, not a credential

// jwtSecret returns the configured secret or, for the all-in-one on SQLite
// (config validation refuses every other case), the one generated in the
// data directory, creating it (mode 0600) on first start.
func jwtSecret(cfg Config, log *zap.Logger) (string, error) {
	if cfg.Auth.JWTSecret != "" {
		return cfg.Auth.JWTSecret, nil
	}
	if cfg.DB.Driver != "sqlite" {
		return "", errors.New("DOLIBARR_JWT_SECRET is required with " + cfg.DB.Driver)
	}
	if cfg.DataDir == "" {
		log.Warn("in-memory database: using a JWT secret that lasts as long as the process")
		return newSecret()
	}
	path := filepath.Join(cfg.DataDir, jwtSecretFile)
	b, err := os.ReadFile(path) //nolint:gosec // path derived from the operator's DSN
	switch {
	case err == nil:
		s := strings.TrimSpace(string(b))
		if len(s) < auth.MinSecretLen {
			return "", fmt.Errorf("%s holds a secret shorter than %d bytes; delete it to generate a new one", path, auth.MinSecretLen)
		}
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			log.Warn("JWT secret file is readable by other users; chmod 600 it", zap.String("path", path))
		}
		return s, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("reading the JWT secret: %w", err)
	}
	s, err := newSecret()
	if err != nil {
		return "", err
	}
	// O_EXCL: if another process created it meanwhile, use theirs.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) //nolint:gosec // see above
	if errors.Is(err, fs.ErrExist) {
		return jwtSecret(cfg, log)
	}
	if err != nil {
		return "", fmt.Errorf("creating the JWT secret: %w", err)
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return "", fmt.Errorf("writing the JWT secret: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("writing the JWT secret: %w", err)
	}
	log.Info("generated a JWT secret in the data directory; set DOLIBARR_JWT_SECRET to choose your own", zap.String("path", path))
	return s, nil
}

func newSecret() (string, error) {
	var b [48]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// sqliteDir returns the directory of a SQLite DSN's file, or false for an
// in-memory database.
func sqliteDir(dsn string) (string, bool) {
	name, query, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if name == "" || name == ":memory:" || strings.Contains(query, "mode=memory") {
		return "", false
	}
	return filepath.Dir(name), true
}
