// Package deploy_test checks the Compose stack offline (there is no Docker
// engine to run it): docker-compose.yml decodes strictly into the subset of
// the Compose schema it uses, has the promised services, ordering and health
// checks, builds only Dockerfile targets that exist, and gives each binary an
// environment its own configuration loader accepts; .env.example documents
// every variable the binaries read. The Helm chart's checks live in
// deploy/helm.
package deploy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	"github.com/dolibarr-go/dolibarr/internal/app"
)

const (
	composePath    = "../docker-compose.yml"
	envExamplePath = "../.env.example"
	dockerfilePath = "../Dockerfile"
)

// compose is the part of the Compose specification the stack uses; decoding
// is strict, so a misspelled key fails instead of being ignored by a test
// that never sees it (Compose itself would reject it).
type compose struct {
	Name     string              `json:"name"`
	Services map[string]service  `json:"services"`
	Volumes  map[string]struct{} `json:"volumes"`
}

type service struct {
	Image       string               `json:"image"`
	Build       *build               `json:"build"`
	Command     []string             `json:"command"`
	EnvFile     []envFile            `json:"env_file"`
	Environment map[string]string    `json:"environment"`
	Ports       []string             `json:"ports"`
	Volumes     []string             `json:"volumes"`
	DependsOn   map[string]dependsOn `json:"depends_on"`
	Healthcheck *healthcheck         `json:"healthcheck"`
	Restart     string               `json:"restart"`
	Deploy      *struct {
		Replicas int `json:"replicas"`
	} `json:"deploy"`
	Profiles        []string `json:"profiles"`
	ReadOnly        bool     `json:"read_only"`
	Tmpfs           []string `json:"tmpfs"`
	CapDrop         []string `json:"cap_drop"`
	SecurityOpt     []string `json:"security_opt"`
	StopGracePeriod string   `json:"stop_grace_period"`
}

type build struct {
	Context string `json:"context"`
	Target  string `json:"target"`
}

type envFile struct {
	Path     string `json:"path"`
	Required *bool  `json:"required"`
}

type dependsOn struct {
	Condition string `json:"condition"`
}

type healthcheck struct {
	Test        []string `json:"test"`
	Interval    string   `json:"interval"`
	Timeout     string   `json:"timeout"`
	Retries     int      `json:"retries"`
	StartPeriod string   `json:"start_period"`
}

// loadCompose reads docker-compose.yml after interpolating ${...} from vars
// (what Compose reads from .env), as Compose does before parsing.
func loadCompose(t *testing.T, vars map[string]string) compose {
	t.Helper()
	raw, err := os.ReadFile(composePath)
	require.NoError(t, err)
	js, err := yaml.YAMLToJSONStrict([]byte(interpolate(t, string(raw), vars)))
	require.NoError(t, err)
	// x-* keys hold the YAML anchors; Compose ignores them and so do we.
	var top map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(js, &top))
	for k := range top {
		if strings.HasPrefix(k, "x-") {
			delete(top, k)
		}
	}
	js, err = json.Marshal(top)
	require.NoError(t, err)
	var c compose
	strict, err := sigsjson.UnmarshalStrict(js, &c, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields)
	require.NoError(t, err)
	require.Empty(t, strict, "docker-compose.yml uses keys this check does not know")
	return c
}

var interpolation = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// interpolate expands ${VAR}, ${VAR:-default}, ${VAR-default}, $VAR and $$
// like Compose. Every variable must be documented in .env.example.
func interpolate(t *testing.T, s string, vars map[string]string) string {
	t.Helper()
	documented := envExample(t).documented
	return interpolation.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		g := interpolation.FindStringSubmatch(m)
		name := g[1] + g[4]
		require.True(t, documented[name], "docker-compose.yml uses ${%s}, which .env.example does not document", name)
		v, set := vars[name]
		switch g[2] {
		case ":-":
			if v == "" {
				return g[3]
			}
		case "-":
			if !set {
				return g[3]
			}
		}
		return v
	})
}

// envExampleFile is .env.example parsed: the values of the uncommented
// lines, and every variable named on a line of its own, commented or not.
type envExampleFile struct {
	values     map[string]string
	documented map[string]bool
}

var envLine = regexp.MustCompile(`^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$`)

func envExample(t *testing.T) envExampleFile {
	t.Helper()
	raw, err := os.ReadFile(envExamplePath)
	require.NoError(t, err)
	f := envExampleFile{values: map[string]string{}, documented: map[string]bool{}}
	// A variable must sit in a block (lines without a blank one between)
	// that a comment opens; several variables may share one comment.
	explained := false
	for _, line := range strings.Split(string(raw), "\n") {
		line = strings.TrimSpace(line)
		m := envLine.FindStringSubmatch(line)
		switch {
		case line == "":
			explained = false
		case m == nil:
			explained = explained || strings.HasPrefix(line, "#")
		default:
			key := m[2]
			require.True(t, explained, ".env.example: %s has no comment explaining it", key)
			require.False(t, f.documented[key], ".env.example: %s appears twice", key)
			f.documented[key] = true
			if m[1] == "" {
				f.values[key] = m[3]
			}
		}
	}
	return f
}

// TestEnvExample: .env.example names every variable the binaries read, with
// the binaries' own defaults, and nothing they would not read.
func TestEnvExample(t *testing.T) {
	f := envExample(t)
	vars := map[string]app.EnvVar{}
	for _, ev := range app.EnvVars() {
		vars[ev.Key] = ev
		require.True(t, f.documented[ev.Key], ".env.example does not document %s (internal/app/config.go)", ev.Key)
		v, set := f.values[ev.Key]
		if set && ev.Default != "" {
			require.Equal(t, ev.Default, v, ".env.example: %s differs from the binary's default", ev.Key)
		}
	}
	for key := range f.documented {
		if !strings.HasPrefix(key, "DOLIBARR_") || composeOnly[key] {
			continue
		}
		base, _ := strings.CutSuffix(key, "_FILE")
		_, known := vars[key]
		require.True(t, known || vars[base].Secret, ".env.example: %s is not a variable the binaries read", key)
	}
}

// composeOnly are the DOLIBARR_* variables only docker-compose.yml reads.
var composeOnly = map[string]bool{"DOLIBARR_IMAGE_TAG": true, "DOLIBARR_API_BIND": true, "DOLIBARR_API_PORT": true, "DOLIBARR_AIO_PORT": true}

// TestComposeStack checks the stack's shape: PostgreSQL and Mailpit with
// health checks, a one-shot migration the API and two runners wait for, the
// binaries' own health checks, Dockerfile targets that exist, and grace
// periods above the drains.
func TestComposeStack(t *testing.T) {
	c := loadCompose(t, nil)
	require.Equal(t, []string{"all-in-one", "api", "mailpit", "migrate", "postgres", "runner"}, sortedKeys(c.Services))

	for _, name := range []string{"postgres", "mailpit", "api", "runner", "all-in-one"} {
		hc := c.Services[name].Healthcheck
		require.NotNil(t, hc, "%s has no health check", name)
		require.NotEmpty(t, hc.Test, name)
		for _, d := range []string{hc.Interval, hc.Timeout} {
			_, err := time.ParseDuration(d)
			require.NoError(t, err, "%s health check", name)
		}
	}

	targets := dockerfileTargets(t)
	for name, s := range c.Services {
		if s.Build == nil {
			continue
		}
		entry, ok := targets[s.Build.Target]
		require.True(t, ok, "%s builds Dockerfile target %q, which does not exist", name, s.Build.Target)
		require.Equal(t, ".", s.Build.Context, name)
		// The image's entrypoint is the binary the health check runs.
		if hc := s.Healthcheck; hc != nil {
			require.Equal(t, []string{"CMD", entry, "health"}, hc.Test, "%s: health check must run the image's own binary", name)
		}
		require.True(t, s.ReadOnly, "%s: read_only root filesystem", name)
		require.Contains(t, s.CapDrop, "ALL", name)
		require.Contains(t, s.SecurityOpt, "no-new-privileges:true", name)
	}
	require.Equal(t, "api", c.Services["api"].Build.Target)
	require.Equal(t, "runner", c.Services["runner"].Build.Target)
	require.Equal(t, "all-in-one", c.Services["all-in-one"].Build.Target)
	require.Equal(t, []string{"all-in-one"}, c.Services["all-in-one"].Profiles, "the all-in-one must not start with the stack")

	migrate := c.Services["migrate"]
	require.Equal(t, "api", migrate.Build.Target, "the migration runs the API image")
	require.Equal(t, c.Services["api"].Image, migrate.Image)
	require.Equal(t, []string{"migrate", "up"}, migrate.Command)
	require.Equal(t, "no", migrate.Restart, "a one-shot service")
	require.Equal(t, "service_healthy", migrate.DependsOn["postgres"].Condition)
	for _, name := range []string{"api", "runner"} {
		s := c.Services[name]
		require.Equal(t, "service_completed_successfully", s.DependsOn["migrate"].Condition, "%s must wait for the migration", name)
		require.Equal(t, "service_healthy", s.DependsOn["postgres"].Condition, name)
		grace, err := time.ParseDuration(s.StopGracePeriod)
		require.NoError(t, err, name)
		require.Greater(t, grace, 15*time.Second+3*time.Second, "%s: stop_grace_period must exceed the drain", name)
	}
	// The all-in-one drains HTTP, then its runner: both drains and the cancel.
	aio, err := time.ParseDuration(c.Services["all-in-one"].StopGracePeriod)
	require.NoError(t, err)
	require.Greater(t, aio, 15*time.Second+15*time.Second+3*time.Second, "all-in-one: stop_grace_period must exceed both drains")
	require.NotNil(t, c.Services["runner"].Deploy)
	require.Equal(t, 2, c.Services["runner"].Deploy.Replicas)
	require.Empty(t, c.Services["runner"].Ports, "two replicas cannot publish the same host port")
	// Nothing is published beyond the host's loopback unless the operator
	// asks, and no administrator password comes from the repository.
	for name, s := range c.Services {
		for _, p := range s.Ports {
			require.True(t, strings.HasPrefix(p, "127.0.0.1:"), "%s publishes %s beyond loopback", name, p)
		}
		require.NotContains(t, s.Environment, "DOLIBARR_ADMIN_PASSWORD", "%s: a password from the repository", name)
	}
	require.NotContains(t, envExample(t).values, "DOLIBARR_ADMIN_PASSWORD", ".env.example sets a known administrator password")
}

// TestComposeEnvironment: each binary's environment, with and without a
// .env copied from .env.example, is accepted by the binary's own
// configuration loader; only the one-shot migration and the all-in-one
// migrate on start.
func TestComposeEnvironment(t *testing.T) {
	example := envExample(t)
	profiles := map[string]app.Profile{"migrate": app.APIOnly, "api": app.APIOnly, "runner": app.Runner, "all-in-one": app.AllInOne}
	vars := map[string]app.EnvVar{}
	for _, ev := range app.EnvVars() {
		vars[ev.Key] = ev
	}
	for _, withDotEnv := range []bool{false, true} {
		dotEnv := map[string]string{}
		if withDotEnv {
			dotEnv = example.values
		}
		c := loadCompose(t, dotEnv)
		for name, p := range profiles {
			t.Run(fmt.Sprintf("%s/dotenv=%t", name, withDotEnv), func(t *testing.T) {
				s := c.Services[name]
				env := map[string]string{}
				for _, ef := range s.EnvFile {
					require.Equal(t, ".env", ef.Path)
					require.NotNil(t, ef.Required)
					require.False(t, *ef.Required, "%s: a fresh clone has no .env", name)
					if withDotEnv {
						for k, v := range dotEnv {
							env[k] = v
						}
					}
				}
				for k, v := range s.Environment {
					env[k] = v // environment wins over env_file
				}
				var environ []string
				for k, v := range env {
					if strings.HasPrefix(k, "DOLIBARR_") && !composeOnly[k] {
						base, _ := strings.CutSuffix(k, "_FILE")
						_, known := vars[k]
						require.True(t, known || vars[base].Secret, "%s: %s is not a variable the binaries read", name, k)
					}
					environ = append(environ, k+"="+v)
				}
				slices.Sort(environ)
				cfg, err := app.LoadConfig(p, environ)
				require.NoError(t, err, "%s refuses its Compose environment", name)
				require.Equal(t, name == "all-in-one", cfg.MigrateOnStart, "%s: only the migrate service migrates", name)
				if name != "all-in-one" {
					require.Equal(t, "postgres", cfg.DB.Driver, name)
					require.Contains(t, cfg.DB.DSN, "@postgres:5432/", name)
					require.Equal(t, "mailpit", cfg.SMTP.Host, "%s: mail goes to Mailpit", name)
					require.Equal(t, 1025, cfg.SMTP.SMTPPort(), name)
				}
			})
		}
	}
}

// TestDockerfileBuildsWhatCT01Tests: the images hold the binaries the
// CT-01 acceptance test runs in a scratch image, built by the same script
// (scripts/build-static.sh: same packages, same flags), and each target's
// entrypoint is one of them.
func TestDockerfileBuildsWhatCT01Tests(t *testing.T) {
	raw, err := os.ReadFile(dockerfilePath)
	require.NoError(t, err)
	dockerfile := string(raw)
	require.Regexp(t, `(?m)^RUN scripts/build-static\.sh /out\b`, dockerfile)
	require.Regexp(t, `(?m)^FROM scratch AS base$`, dockerfile)
	ct01, err := os.ReadFile("../test/acceptance/helpers_test.go")
	require.NoError(t, err)
	require.Contains(t, string(ct01), "scripts/build-static.sh", "CT-01 must build with the script the Dockerfile uses")
	script, err := os.ReadFile("../scripts/build-static.sh")
	require.NoError(t, err)
	for target, binary := range map[string]string{"api": "/dolibarr-api", "runner": "/dolibarr-runner", "all-in-one": "/dolibarr"} {
		require.Equal(t, binary, dockerfileTargets(t)[target], "target %s", target)
		require.Contains(t, dockerfile, "/out"+binary+" "+binary, "target %s copies its binary from the build stage", target)
		require.Contains(t, string(script), `-o "$out`+binary+`"`, "build-static.sh builds %s", binary)
	}
}

// dockerfileTargets maps each named stage of the Dockerfile to its
// entrypoint binary ("" when it has none).
func dockerfileTargets(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(dockerfilePath)
	require.NoError(t, err)
	targets := map[string]string{}
	stage := ""
	from := regexp.MustCompile(`(?i)^FROM\s+\S+\s+AS\s+(\S+)`)
	entry := regexp.MustCompile(`^ENTRYPOINT\s+\["([^"]+)"`)
	for _, line := range strings.Split(string(raw), "\n") {
		if m := from.FindStringSubmatch(line); m != nil {
			stage = m[1]
			targets[stage] = ""
		}
		if m := entry.FindStringSubmatch(line); m != nil && stage != "" {
			targets[stage] = m[1]
		}
	}
	require.NotEmpty(t, targets, "no named stages in %s", filepath.Base(dockerfilePath))
	return targets
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
