package helm_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/dolibarr-go/dolibarr/internal/app"
)

// fullname is the chart's resource prefix for release "dolibarr-go".
const fullname = "dolibarr-go"

// ownedVars are the plain variables the chart derives from other values
// instead of taking them from `config`.
var ownedVars = []string{"DOLIBARR_DB_DRIVER", "DOLIBARR_HTTP_ADDR", "DOLIBARR_RUNNER_HEALTH_ADDR", "DOLIBARR_MIGRATE_ON_START"}

// apiOnlySecrets never reach the runners: they sign tokens and create the
// first administrator, which only the API does.
var apiOnlySecrets = []string{"DOLIBARR_JWT_SECRET", "DOLIBARR_JWT_PREVIOUS_SECRET", "DOLIBARR_ADMIN_PASSWORD"}

// runnerOnlySecrets never reach the API: it enqueues mail, the runners send it.
var runnerOnlySecrets = []string{"DOLIBARR_SMTP_PASSWORD"}

// haSecrets are the Secrets the HA example expects the operator to create.
var haSecrets = map[string]map[string]string{
	"dolibarr-db":   {"dsn": "host=pg.internal port=5432 user=dolibarr password=s3cret dbname=dolibarr sslmode=verify-full"},
	"dolibarr-auth": {"jwt-secret": strings.Repeat("k", 48), "admin-password": "correct horse battery"},
	"dolibarr-smtp": {"smtp-password": "relay-password"},
}

type renderCase struct {
	name     string
	args     []string
	existing map[string]map[string]string // Secrets created before install
}

var renderCases = []renderCase{
	{name: "default"},
	{name: "ha", args: []string{"-f", haValues}, existing: haSecrets},
	{name: "ha-fixed-replicas", args: []string{"-f", haValues, "--set", "api.autoscaling.enabled=false,runner.autoscaling.enabled=false"}, existing: haSecrets},
	{name: "mysql-everything-optional", args: []string{
		"--set", "externalDatabase.driver=mysql,externalDatabase.port=3306,externalDatabase.password=pw",
		"--set", "auth.jwtPreviousSecret=" + strings.Repeat("p", 40) + ",auth.adminPassword=0123456789",
		"--set", "api.ingress.enabled=true,api.service.type=LoadBalancer,migrations.enabled=true",
		"--set", "serviceAccount.create=false,commonLabels.team=erp,commonAnnotations.owner=ops",
		"--set", "smtp.password=relay,config.DOLIBARR_SMTP_HOST=smtp.example.com,config.DOLIBARR_SMTP_USERNAME=erp,config.DOLIBARR_SMTP_FROM=erp@example.com",
		"--set", "metrics.podMonitor.enabled=true,metrics.prometheusRule.enabled=true,metrics.grafanaDashboard.enabled=true",
		"--set", "networkPolicy.enabled=true,api.autoscaling.enabled=true,runner.autoscaling.enabled=true",
		"--set-json", `networkPolicy.apiFrom=[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"ingress-nginx"}}}]`,
		"--set-json", `runner.autoscaling.behavior={"scaleDown":{"stabilizationWindowSeconds":600,"policies":[{"type":"Pods","value":1,"periodSeconds":60}]}}`,
	}},
}

func TestLint(t *testing.T) {
	t.Parallel()
	for _, extra := range [][]string{nil, {"-f", haValues}} {
		out, err := runHelm(t, append([]string{"lint", "--strict", chartDir}, extra...)...)
		require.NoError(t, err, "%s", out)
		require.Contains(t, string(out), "0 chart(s) failed")
	}
}

// TestRender renders each case and checks every object, the references
// between them, the hardening, and each workload's environment against the
// binaries' own configuration loader.
func TestRender(t *testing.T) {
	t.Parallel()
	for _, c := range renderCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			objs := renderObjects(t, c.args...)
			checkObjects(t, objs, c.existing)
			for _, w := range workloads(t, objs) {
				t.Run(w.name, func(t *testing.T) {
					env, files := resolveEnv(t, objs, w, c.existing)
					checkEnv(t, w, env, files)
					loadConfig(t, w, env, files)
				})
			}
		})
	}
}

// TestDefaultsMatchBinaries: with the default values the chart sets every
// plain variable to the binaries' own default, so installing the chart
// changes nothing by accident.
func TestDefaultsMatchBinaries(t *testing.T) {
	t.Parallel()
	objs := renderObjects(t)
	cm := find[*corev1.ConfigMap](t, objs, fullname)
	for _, ev := range app.EnvVars() {
		if ev.Secret || (ev.Default == "" && slices.Contains(ownedVars, ev.Key)) {
			continue // secrets have no default; the driver is the operator's choice
		}
		got, ok := cm.Data[ev.Key]
		require.True(t, ok, "%s missing from the ConfigMap: add it to config in values.yaml and values.schema.json", ev.Key)
		require.Equal(t, ev.Default, got, "%s: chart default differs from the binary's", ev.Key)
	}
	require.Equal(t, "false", cm.Data["DOLIBARR_MIGRATE_ON_START"])
}

// TestHAExample checks the shape promised for the HA example: 3 API and 4
// runner replicas under HPAs, the migration hook Job, the probes, and grace
// periods above the 15 s drain.
func TestHAExample(t *testing.T) {
	t.Parallel()
	objs := renderObjects(t, "-f", haValues)
	api := find[*appsv1.Deployment](t, objs, fullname+"-api")
	runner := find[*appsv1.Deployment](t, objs, fullname+"-runner")

	// Under an HPA the Deployment leaves replicas alone, or every upgrade
	// would reset the scale; the HPA minimum carries the count instead.
	require.Nil(t, api.Spec.Replicas)
	require.Nil(t, runner.Spec.Replicas)
	apiHPA := find[*autoscalingv2.HorizontalPodAutoscaler](t, objs, fullname+"-api")
	runnerHPA := find[*autoscalingv2.HorizontalPodAutoscaler](t, objs, fullname+"-runner")
	require.Equal(t, int32(3), *apiHPA.Spec.MinReplicas)
	require.Equal(t, int32(8), apiHPA.Spec.MaxReplicas)
	require.Equal(t, int32(4), *runnerHPA.Spec.MinReplicas)
	require.Equal(t, int32(8), runnerHPA.Spec.MaxReplicas)

	fixed := renderObjects(t, "-f", haValues, "--set", "api.autoscaling.enabled=false,runner.autoscaling.enabled=false")
	require.Equal(t, int32(3), *find[*appsv1.Deployment](t, fixed, fullname+"-api").Spec.Replicas)
	require.Equal(t, int32(4), *find[*appsv1.Deployment](t, fixed, fullname+"-runner").Spec.Replicas)
	require.Empty(t, all[*autoscalingv2.HorizontalPodAutoscaler](fixed))

	// The migration hook Job runs `migrate up` with the API image before
	// install and upgrade.
	job := find[*batchv1.Job](t, objs, fullname+"-migrate")
	require.Equal(t, "pre-install,pre-upgrade", job.Annotations["helm.sh/hook"])
	require.Len(t, job.Spec.Template.Spec.Containers, 1)
	mc := job.Spec.Template.Spec.Containers[0]
	require.Equal(t, []string{"migrate", "up"}, mc.Args)
	require.Equal(t, api.Spec.Template.Spec.Containers[0].Image, mc.Image)
	require.Equal(t, "registry.example.com/dolibarr-go/dolibarr-api:0.1.0", mc.Image)
	require.Equal(t, corev1.RestartPolicyNever, job.Spec.Template.Spec.RestartPolicy)

	// Probes: /health for liveness, /ready for readiness, on each binary's port.
	ac := api.Spec.Template.Spec.Containers[0]
	rc := runner.Spec.Template.Spec.Containers[0]
	requireProbe(t, ac, ac.LivenessProbe, "/health", 8080)
	requireProbe(t, ac, ac.ReadinessProbe, "/ready", 8080)
	requireProbe(t, rc, rc.LivenessProbe, "/health", 8081)
	requireProbe(t, rc, rc.ReadinessProbe, "/ready", 8081)

	// Grace periods: above the 15 s drain; for the API above the preStop
	// pause plus its HTTP drain, since the countdown starts with preStop.
	w := workloads(t, objs)
	apiEnv, _ := resolveEnv(t, objs, w["api"], haSecrets)
	drain, err := time.ParseDuration(apiEnv["DOLIBARR_HTTP_SHUTDOWN_TIMEOUT"])
	require.NoError(t, err)
	require.NotNil(t, ac.Lifecycle)
	require.NotNil(t, ac.Lifecycle.PreStop)
	require.NotNil(t, ac.Lifecycle.PreStop.Sleep, "scratch images have no sleep binary: use the native sleep action")
	preStop := time.Duration(ac.Lifecycle.PreStop.Sleep.Seconds) * time.Second
	apiGrace := time.Duration(*api.Spec.Template.Spec.TerminationGracePeriodSeconds) * time.Second
	runnerGrace := time.Duration(*runner.Spec.Template.Spec.TerminationGracePeriodSeconds) * time.Second
	require.Greater(t, apiGrace, 15*time.Second)
	require.Greater(t, apiGrace, preStop+drain, "grace %s <= preStop %s + drain %s", apiGrace, preStop, drain)
	require.Greater(t, runnerGrace, 15*time.Second)
	runnerEnv, _ := resolveEnv(t, objs, w["runner"], haSecrets)
	var runnerStop time.Duration
	for _, k := range []string{"DOLIBARR_RUNNER_DRAIN_TIMEOUT", "DOLIBARR_RUNNER_CANCEL_TIMEOUT"} {
		d, err := time.ParseDuration(runnerEnv[k])
		require.NoError(t, err, k)
		runnerStop += d
	}
	require.Greater(t, runnerGrace, runnerStop, "runner grace %s <= drain + cancel %s", runnerGrace, runnerStop)
	require.Nil(t, rc.Lifecycle, "nothing routes to the runners, so no preStop pause")

	// Per-component pool sizes reach the pods (env wins over the ConfigMap).
	require.Equal(t, "12", apiEnv["DOLIBARR_DB_MAX_OPEN_CONNS"])
	require.Equal(t, "4", apiEnv["DOLIBARR_DB_MAX_IDLE_CONNS"])
	require.Equal(t, "14", runnerEnv["DOLIBARR_DB_MAX_OPEN_CONNS"])
	require.Equal(t, "20", find[*corev1.ConfigMap](t, objs, fullname).Data["DOLIBARR_DB_MAX_OPEN_CONNS"], "the shared default stays")
	require.Equal(t, "false", apiEnv["DOLIBARR_MIGRATE_ON_START"])
	require.Equal(t, "false", runnerEnv["DOLIBARR_MIGRATE_ON_START"])

	// The connection budget ha-values.yaml and docs/operations.md state: at
	// the HPA maxima, each pod's pool, plus the runners' LISTEN connection,
	// plus the migration Job.
	migrateEnv, _ := resolveEnv(t, objs, w["migrate"], haSecrets)
	pool := func(env map[string]string) int {
		n, err := strconv.Atoi(env["DOLIBARR_DB_MAX_OPEN_CONNS"])
		require.NoError(t, err)
		return n
	}
	listen := 0
	if runnerEnv["DOLIBARR_RUNNER_LISTEN"] == "true" && runnerEnv["DOLIBARR_DB_DRIVER"] == "postgres" {
		listen = 1
	}
	budget := int(apiHPA.Spec.MaxReplicas)*pool(apiEnv) + int(runnerHPA.Spec.MaxReplicas)*(pool(runnerEnv)+listen) + pool(migrateEnv)
	require.Equal(t, 228, budget, "update the budget in ha-values.yaml and docs/operations.md")

	// Budgets and placement.
	apiPDB := find[*policyv1.PodDisruptionBudget](t, objs, fullname+"-api")
	require.Equal(t, int32(2), apiPDB.Spec.MinAvailable.IntVal)
	require.Equal(t, map[string]string{"kubernetes.io/os": "linux"}, runner.Spec.Template.Spec.NodeSelector)
	require.Len(t, runner.Spec.Template.Spec.Tolerations, 1)
	ing := find[*networkingv1.Ingress](t, objs, fullname+"-api")
	require.Equal(t, "erp.example.com", ing.Spec.Rules[0].Host)
	require.Equal(t, "erp-example-com-tls", ing.Spec.TLS[0].SecretName)
	// The SMTP password reaches the runners only, from the operator's Secret.
	_, runnerFiles := resolveEnv(t, objs, w["runner"], haSecrets)
	_, apiFiles := resolveEnv(t, objs, w["api"], haSecrets)
	require.Equal(t, "relay-password", runnerFiles["DOLIBARR_SMTP_PASSWORD"])
	require.NotContains(t, slices.Collect(maps.Keys(apiFiles)), "DOLIBARR_SMTP_PASSWORD")
	require.Equal(t, "smtp.example.com", runnerEnv["DOLIBARR_SMTP_HOST"])

	// The operator's Secrets are used; the chart creates none of its own.
	require.Empty(t, all[*corev1.Secret](objs))
}

func requireProbe(t *testing.T, c corev1.Container, p *corev1.Probe, path string, port int32) {
	t.Helper()
	require.NotNil(t, p, "%s: probe for %s missing", c.Name, path)
	require.NotNil(t, p.HTTPGet)
	require.Equal(t, path, p.HTTPGet.Path)
	require.Equal(t, port, containerPort(t, c, p.HTTPGet.Port.String()), "%s: %s probes the wrong port", c.Name, path)
}

// TestBrokenValuesFail proves the checks fail when the chart or its values
// are broken: each case must be refused, by helm (schema or a template
// `fail`) or by the strict decoding of the rendered objects.
func TestBrokenValuesFail(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
		want string // in the error
	}{
		{"sqlite driver", []string{"--set", "externalDatabase.driver=sqlite"}, "/externalDatabase/driver"},
		{"misspelled variable", []string{"--set", "config.DOLIBARR_DB_MAX_OPEN_CON=5"}, "DOLIBARR_DB_MAX_OPEN_CON"},
		{"chart-owned variable", []string{"--set", "api.config.DOLIBARR_MIGRATE_ON_START=true"}, "DOLIBARR_MIGRATE_ON_START"},
		{"negative replicas", []string{"--set", "api.replicaCount=-1"}, "replicaCount"},
		{"short JWT secret", []string{"--set", "auth.jwtSecret=short"}, "jwtSecret"},
		{"HPA min above max", []string{"--set", "runner.autoscaling.enabled=true,runner.autoscaling.minReplicas=20"}, "exceeds maxReplicas"},
		{"grace within preStop", []string{"--set", "api.terminationGracePeriodSeconds=5,api.preStopSleepSeconds=5"}, "terminationGracePeriodSeconds"},
		{"existing auth secret without JWT key", []string{"--set", "auth.existingSecret=mine,auth.existingSecretKeys.jwtSecret="}, "jwtSecret"},
		{"SMTP password without user", []string{"--set", "smtp.password=x"}, "DOLIBARR_SMTP_USERNAME"},
		{"PDB with both bounds", []string{"--set", "api.pdb.minAvailable=1,api.pdb.maxUnavailable=1"}, "not both"},
		// Helm accepts these; only the strict decoding against the API types catches them.
		{"misspelled Kubernetes field", []string{"--set-json", `api.updateStrategy={"type":"RollingUpdate","rollingUpdat":{"maxSurge":1}}`}, `unknown field "spec.strategy.rollingUpdat"`},
		{"wrong-case Kubernetes field", []string{"--set-json", `runner.updateStrategy={"Type":"Recreate"}`}, "spec.strategy.Type"},
		{"malformed quantity", []string{"--set-json", `runner.resources={"requests":{"cpu":"lots"}}`}, "quantities must match"},
		{"wrong type", []string{"--set-json", `api.nodeSelector={"disk":{"ssd":true}}`}, "nodeSelector"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out, err := template(t, c.args...)
			if err == nil {
				_, err = decodeAll(out)
			}
			require.Error(t, err, "broken values were accepted")
			require.Contains(t, err.Error(), c.want)
			t.Log(err)
		})
	}
}

// TestDatabaseDSN: the DSN the chart builds parses back, with the driver's
// own parser, to the same user and password however awkward the password.
func TestDatabaseDSN(t *testing.T) {
	t.Parallel()
	const password = `p@ss:w/o'rd "x" \y?z=1&a b`
	for _, driver := range []string{"postgres", "mysql"} {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			vals := map[string]any{"externalDatabase": map[string]any{
				"driver": driver, "host": "db.internal", "port": 6543, "user": "erp", "password": password, "database": "erp_prod",
				"params": map[string]any{"connect_timeout": 5},
			}}
			b, err := yaml.Marshal(vals)
			require.NoError(t, err)
			file := filepath.Join(t.TempDir(), "values.yaml")
			require.NoError(t, os.WriteFile(file, b, 0o600))
			objs := renderObjects(t, "-f", file)
			dsn := string(find[*corev1.Secret](t, objs, fullname).Data["db-dsn"])
			switch driver {
			case "postgres":
				cfg, err := pgx.ParseConfig(dsn)
				require.NoError(t, err)
				require.Equal(t, password, cfg.Password)
				require.Equal(t, "erp", cfg.User)
				require.Equal(t, "db.internal", cfg.Host)
				require.Equal(t, uint16(6543), cfg.Port)
				require.Equal(t, "erp_prod", cfg.Database)
				require.Equal(t, 5*time.Second, cfg.ConnectTimeout)
			case "mysql":
				cfg, err := mysql.ParseDSN(dsn)
				require.NoError(t, err)
				require.Equal(t, password, cfg.Passwd)
				require.Equal(t, "erp", cfg.User)
				require.Equal(t, "db.internal:6543", cfg.Addr)
				require.Equal(t, "erp_prod", cfg.DBName)
			}
		})
	}
}

// TestValuesDocumented: every value in values.yaml has a `## @param` line
// (or sits under a documented object), every @param names a real value, and
// `config` lists exactly the plain variables the binaries read, in the
// values and in the schema alike.
func TestValuesDocumented(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(chartDir, "values.yaml"))
	require.NoError(t, err)
	var values map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &values))
	params := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s*## @param (\S+) \S`).FindAllSubmatch(raw, -1) {
		params[string(m[1])] = true
	}
	paths := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		paths[prefix] = true
		m, ok := v.(map[string]any)
		if !ok || len(m) == 0 || params[prefix] {
			if !documented(prefix, params) {
				t.Errorf("value %s has no ## @param line", prefix)
			}
			return
		}
		for k, child := range m {
			walk(strings.TrimPrefix(prefix+"."+k, "."), child)
		}
	}
	walk("", values)
	for p := range params {
		if !paths[p] {
			t.Errorf("## @param %s documents a value that does not exist", p)
		}
	}

	var plain []string
	for _, ev := range app.EnvVars() {
		if !ev.Secret && !slices.Contains(ownedVars, ev.Key) {
			plain = append(plain, ev.Key)
		}
	}
	slices.Sort(plain)
	cfg, _ := values["config"].(map[string]any)
	require.Equal(t, plain, slices.Sorted(maps.Keys(cfg)), "values.yaml config must list exactly the plain variables of internal/app/config.go (less the chart-owned %v)", ownedVars)

	var sch struct {
		Definitions struct {
			Config struct {
				Properties map[string]struct {
					Description string `json:"description"`
				} `json:"properties"`
			} `json:"config"`
		} `json:"definitions"`
	}
	rawSchema, err := os.ReadFile(filepath.Join(chartDir, "values.schema.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(rawSchema, &sch))
	require.Equal(t, plain, slices.Sorted(maps.Keys(sch.Definitions.Config.Properties)), "values.schema.json definitions.config must list the same variables")
	for k, p := range sch.Definitions.Config.Properties {
		require.NotEmpty(t, p.Description, "schema: %s has no description", k)
	}
}

func documented(path string, params map[string]bool) bool {
	for p := path; p != ""; {
		if params[p] {
			return true
		}
		i := strings.LastIndex(p, ".")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return false
}

// checkObjects validates names, labels and annotations the way the API
// server would, and every reference between the rendered objects.
func checkObjects(t *testing.T, objs []object, existing map[string]map[string]string) {
	t.Helper()
	seen := map[string]bool{}
	for _, o := range objs {
		id := o.kind + "/" + o.name
		require.False(t, seen[id], "%s rendered twice", id)
		seen[id] = true
		require.Equal(t, namespace, o.meta.GetNamespace(), "%s: namespace", id)
		for _, msg := range validation.IsDNS1123Subdomain(o.name) {
			t.Errorf("%s: name: %s", id, msg)
		}
		if o.kind == "Service" {
			for _, msg := range validation.IsDNS1035Label(o.name) {
				t.Errorf("%s: name: %s", id, msg)
			}
		}
		for _, e := range metav1validation.ValidateLabels(o.meta.GetLabels(), field.NewPath("metadata", "labels")) {
			t.Errorf("%s: %v", id, e)
		}
		for _, e := range apivalidation.ValidateAnnotations(o.meta.GetAnnotations(), field.NewPath("metadata", "annotations")) {
			t.Errorf("%s: %v", id, e)
		}
	}

	deployments := all[*appsv1.Deployment](objs)
	for _, d := range deployments {
		sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		require.NoError(t, err)
		require.True(t, sel.Matches(labels.Set(d.Spec.Template.Labels)), "Deployment %s: selector does not match its pods", d.Name)
		checkPod(t, objs, "Deployment/"+d.Name, "", d.Spec.Template, existing)
	}
	for _, j := range all[*batchv1.Job](objs) {
		checkPod(t, objs, "Job/"+j.Name, j.Annotations["helm.sh/hook"], j.Spec.Template, existing)
	}
	for _, p := range all[*corev1.Pod](objs) {
		checkPod(t, objs, "Pod/"+p.Name, p.Annotations["helm.sh/hook"], corev1.PodTemplateSpec{ObjectMeta: p.ObjectMeta, Spec: p.Spec}, existing)
	}
	// selected returns the Deployments whose pods a selector picks.
	selected := func(sel labels.Selector) []*appsv1.Deployment {
		var out []*appsv1.Deployment
		for _, d := range deployments {
			if sel.Matches(labels.Set(d.Spec.Template.Labels)) {
				out = append(out, d)
			}
		}
		return out
	}
	minReplicas := map[string]int32{}
	for _, d := range deployments {
		if d.Spec.Replicas != nil {
			minReplicas[d.Name] = *d.Spec.Replicas
		}
	}
	for _, h := range all[*autoscalingv2.HorizontalPodAutoscaler](objs) {
		ref := h.Spec.ScaleTargetRef
		require.Equal(t, "Deployment", ref.Kind, "HPA %s", h.Name)
		d := find[*appsv1.Deployment](t, objs, ref.Name)
		require.Nil(t, d.Spec.Replicas, "Deployment %s sets replicas while HPA %s scales it", d.Name, h.Name)
		require.NotNil(t, h.Spec.MinReplicas)
		require.LessOrEqual(t, *h.Spec.MinReplicas, h.Spec.MaxReplicas)
		require.NotEmpty(t, h.Spec.Metrics, "HPA %s has no metric", h.Name)
		for _, m := range h.Spec.Metrics {
			// Utilisation is a percentage of the request: without one the HPA cannot compute it.
			res := d.Spec.Template.Spec.Containers[0].Resources.Requests
			_, has := res[m.Resource.Name]
			require.True(t, has, "HPA %s scales on %s but the pods request none", h.Name, m.Resource.Name)
		}
		minReplicas[d.Name] = *h.Spec.MinReplicas
	}
	for _, p := range all[*policyv1.PodDisruptionBudget](objs) {
		sel, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
		require.NoError(t, err)
		ds := selected(sel)
		require.Len(t, ds, 1, "PDB %s must cover exactly one Deployment", p.Name)
		if ma := p.Spec.MinAvailable; ma != nil && ma.Type == 0 && ma.IntVal > 0 {
			// A budget that needs every replica blocks node drains for ever.
			require.Less(t, ma.IntVal, minReplicas[ds[0].Name], "PDB %s: minAvailable %d leaves no disruption with %d replicas", p.Name, ma.IntVal, minReplicas[ds[0].Name])
		}
	}
	for _, s := range all[*corev1.Service](objs) {
		ds := selected(labels.SelectorFromSet(s.Spec.Selector))
		require.Len(t, ds, 1, "Service %s must select exactly one Deployment", s.Name)
		for _, sp := range s.Spec.Ports {
			containerPort(t, ds[0].Spec.Template.Spec.Containers[0], sp.TargetPort.String())
		}
	}
	for _, ing := range all[*networkingv1.Ingress](objs) {
		for _, r := range ing.Spec.Rules {
			for _, p := range r.HTTP.Paths {
				svc := find[*corev1.Service](t, objs, p.Backend.Service.Name)
				require.True(t, slices.ContainsFunc(svc.Spec.Ports, func(sp corev1.ServicePort) bool {
					return sp.Name == p.Backend.Service.Port.Name || sp.Port == p.Backend.Service.Port.Number
				}), "Ingress %s: Service %s has no such port", ing.Name, svc.Name)
			}
		}
	}
}

// checkPod checks a pod template: hardening, ports, probes, volumes and the
// objects it references, which for a pre-install hook must be hooks that run
// before it or objects the operator created (the release's own do not exist
// yet).
func checkPod(t *testing.T, objs []object, id, hook string, tpl corev1.PodTemplateSpec, existing map[string]map[string]string) {
	t.Helper()
	spec := tpl.Spec
	preInstall := strings.Contains(hook, "pre-install")
	require.NotNil(t, spec.AutomountServiceAccountToken, "%s: automountServiceAccountToken", id)
	require.False(t, *spec.AutomountServiceAccountToken, "%s mounts a service-account token", id)
	require.NotNil(t, spec.SecurityContext, "%s: pod securityContext", id)
	require.True(t, ptrTrue(spec.SecurityContext.RunAsNonRoot), "%s: runAsNonRoot", id)
	require.NotNil(t, spec.SecurityContext.SeccompProfile, "%s: seccompProfile", id)
	require.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, spec.SecurityContext.SeccompProfile.Type, "%s", id)
	if sa := spec.ServiceAccountName; sa != "" && sa != "default" {
		acct := find[*corev1.ServiceAccount](t, objs, sa)
		if preInstall {
			// The release's own ServiceAccount does not exist yet: the
			// hook's must be a hook created before it.
			require.Contains(t, acct.Annotations["helm.sh/hook"], "pre-install", "%s: a pre-install hook cannot use the release's ServiceAccount %s", id, sa)
			w, _ := strconv.Atoi(acct.Annotations["helm.sh/hook-weight"])
			require.Less(t, w, 0, "%s: ServiceAccount %s must come before the Job (weight below 0)", id, sa)
		}
	}
	// Selectors the pod sets about itself must pick its own labels.
	for _, c := range spec.TopologySpreadConstraints {
		sel, err := metav1.LabelSelectorAsSelector(c.LabelSelector)
		require.NoError(t, err)
		require.True(t, sel.Matches(labels.Set(tpl.Labels)), "%s: topologySpreadConstraint selector misses its own pods", id)
	}
	if a := spec.Affinity; a != nil && a.PodAntiAffinity != nil {
		for _, w := range a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			sel, err := metav1.LabelSelectorAsSelector(w.PodAffinityTerm.LabelSelector)
			require.NoError(t, err)
			require.True(t, sel.Matches(labels.Set(tpl.Labels)), "%s: anti-affinity selector misses its own pods", id)
		}
	}

	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
		if v.Projected == nil {
			continue
		}
		for _, src := range v.Projected.Sources {
			if src.Secret == nil {
				continue
			}
			for _, it := range src.Secret.Items {
				_, err := secretValue(objs, src.Secret.Name, it.Key, preInstall, existing)
				require.NoError(t, err, "%s: volume %s", id, v.Name)
			}
		}
	}
	require.NotEmpty(t, spec.Containers, id)
	for _, c := range slices.Concat(spec.InitContainers, spec.Containers) {
		cid := id + "/" + c.Name
		require.NotEmpty(t, c.Image, cid)
		sc := c.SecurityContext
		require.NotNil(t, sc, "%s: securityContext", cid)
		require.False(t, ptrTrue(sc.Privileged), "%s: privileged", cid)
		require.True(t, sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation, "%s: allowPrivilegeEscalation", cid)
		require.True(t, ptrTrue(sc.ReadOnlyRootFilesystem), "%s: readOnlyRootFilesystem", cid)
		require.True(t, sc.Capabilities != nil && slices.Contains(sc.Capabilities.Drop, "ALL"), "%s: capabilities.drop ALL", cid)
		require.Empty(t, sc.Capabilities.Add, "%s: capabilities.add", cid)
		require.True(t, ptrTrue(sc.RunAsNonRoot) || ptrTrue(spec.SecurityContext.RunAsNonRoot), "%s: runAsNonRoot", cid)
		require.False(t, c.Resources.Requests.Cpu().IsZero(), "%s: no CPU request", cid)
		require.False(t, c.Resources.Requests.Memory().IsZero(), "%s: no memory request", cid)
		require.False(t, c.Resources.Limits.Memory().IsZero(), "%s: no memory limit", cid)
		for _, p := range c.Ports {
			for _, msg := range validation.IsValidPortName(p.Name) {
				t.Errorf("%s: port %q: %s", cid, p.Name, msg)
			}
		}
		for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
			if p != nil && p.HTTPGet != nil {
				containerPort(t, c, p.HTTPGet.Port.String())
			}
		}
		mounts := map[string]bool{}
		for _, m := range c.VolumeMounts {
			_, ok := volumes[m.Name]
			require.True(t, ok, "%s: mounts unknown volume %s", cid, m.Name)
			require.False(t, mounts[m.MountPath], "%s: %s mounted twice", cid, m.MountPath)
			mounts[m.MountPath] = true
		}
		for _, e := range c.Env {
			for _, msg := range validation.IsEnvVarName(e.Name) {
				t.Errorf("%s: env %q: %s", cid, e.Name, msg)
			}
		}
		for _, ef := range c.EnvFrom {
			require.Nil(t, ef.SecretRef, "%s: secrets come as files, not envFrom", cid)
			require.NotNil(t, ef.ConfigMapRef, cid)
			_, err := configMap(objs, ef.ConfigMapRef.Name, preInstall)
			require.NoError(t, err, cid)
		}
	}
}

func ptrTrue(b *bool) bool { return b != nil && *b }

// containerPort resolves a port name or number to the container's port.
func containerPort(t *testing.T, c corev1.Container, port string) int32 {
	t.Helper()
	for _, p := range c.Ports {
		if p.Name == port || fmt.Sprint(p.ContainerPort) == port {
			return p.ContainerPort
		}
	}
	require.Failf(t, "unknown port", "container %s has no port %q", c.Name, port)
	return 0
}

// configMap finds a rendered ConfigMap a pod may use: for a pre-install hook
// only a hook ConfigMap exists in time.
func configMap(objs []object, name string, preInstall bool) (*corev1.ConfigMap, error) {
	for _, o := range objs {
		if cm, ok := o.obj.(*corev1.ConfigMap); ok && o.name == name {
			if preInstall && !strings.Contains(o.hook(), "pre-install") {
				return nil, fmt.Errorf("configMap %s is not a pre-install hook: it does not exist yet when the hook runs", name)
			}
			return cm, nil
		}
	}
	return nil, fmt.Errorf("configMap %s is not rendered", name)
}

// secretValue finds the value of a Secret key: in a rendered Secret (for a
// pre-install hook, a hook Secret) or in one the operator created.
func secretValue(objs []object, name, key string, preInstall bool, existing map[string]map[string]string) (string, error) {
	for _, o := range objs {
		s, ok := o.obj.(*corev1.Secret)
		if !ok || o.name != name {
			continue
		}
		if preInstall && !strings.Contains(o.hook(), "pre-install") {
			return "", fmt.Errorf("secret %s is not a pre-install hook: it does not exist yet when the hook runs", name)
		}
		if v, ok := s.Data[key]; ok {
			return string(v), nil
		}
		if v, ok := s.StringData[key]; ok {
			return v, nil
		}
		return "", fmt.Errorf("secret %s has no key %q", name, key)
	}
	if v, ok := existing[name][key]; ok {
		return v, nil
	}
	return "", fmt.Errorf("secret %s (key %q) is neither rendered nor one the operator creates", name, key)
}

// workload is a container running one of the binaries.
type workload struct {
	name       string // api, runner, migrate
	profile    app.Profile
	container  corev1.Container
	pod        corev1.PodSpec
	preInstall bool
}

func workloads(t *testing.T, objs []object) map[string]workload {
	t.Helper()
	out := map[string]workload{}
	for _, d := range all[*appsv1.Deployment](objs) {
		switch d.Name {
		case fullname + "-api":
			out["api"] = workload{name: "api", profile: app.APIOnly, container: d.Spec.Template.Spec.Containers[0], pod: d.Spec.Template.Spec}
		case fullname + "-runner":
			out["runner"] = workload{name: "runner", profile: app.Runner, container: d.Spec.Template.Spec.Containers[0], pod: d.Spec.Template.Spec}
		default:
			t.Fatalf("unexpected Deployment %s", d.Name)
		}
	}
	for _, j := range all[*batchv1.Job](objs) {
		require.Equal(t, fullname+"-migrate", j.Name)
		// The Job runs the API image, hence the API binary's configuration.
		out["migrate"] = workload{name: "migrate", profile: app.APIOnly, container: j.Spec.Template.Spec.Containers[0], pod: j.Spec.Template.Spec, preInstall: true}
	}
	require.Contains(t, out, "api")
	require.Contains(t, out, "runner")
	require.Contains(t, out, "migrate")
	return out
}

// resolveEnv computes a container's environment as the kubelet does
// (envFrom first, then env, a later entry winning) and, for each <NAME>_FILE
// variable, the content of the secret file it points at.
func resolveEnv(t *testing.T, objs []object, w workload, existing map[string]map[string]string) (env, files map[string]string) {
	t.Helper()
	env, files = map[string]string{}, map[string]string{}
	for _, ef := range w.container.EnvFrom {
		cm, err := configMap(objs, ef.ConfigMapRef.Name, w.preInstall)
		require.NoError(t, err)
		maps.Copy(env, cm.Data)
	}
	for _, e := range w.container.Env {
		require.Nil(t, e.ValueFrom, "%s: %s: secrets come as files, plain values as values", w.name, e.Name)
		env[e.Name] = e.Value
	}
	for k, path := range env {
		name, ok := strings.CutSuffix(k, "_FILE")
		if !ok {
			continue
		}
		files[name] = secretFile(t, objs, w, path, existing)
	}
	return env, files
}

// secretFile follows a file path through the container's mounts to the
// projected Secret item and returns the value the file will hold.
func secretFile(t *testing.T, objs []object, w workload, path string, existing map[string]map[string]string) string {
	t.Helper()
	for _, m := range w.container.VolumeMounts {
		rel, ok := strings.CutPrefix(path, m.MountPath+"/")
		if !ok {
			continue
		}
		for _, v := range w.pod.Volumes {
			if v.Name != m.Name || v.Projected == nil {
				continue
			}
			for _, src := range v.Projected.Sources {
				if src.Secret == nil {
					continue
				}
				for _, it := range src.Secret.Items {
					if it.Path == rel {
						val, err := secretValue(objs, src.Secret.Name, it.Key, w.preInstall, existing)
						require.NoError(t, err)
						return val
					}
				}
			}
		}
	}
	require.Failf(t, "dangling file variable", "%s: %s is not provided by any mounted Secret", w.name, path)
	return ""
}

// checkEnv compares a workload's environment with the variables the
// binaries read: nothing unknown or misspelled, every plain variable set,
// secrets only as files, the API-only secrets kept from the runners.
func checkEnv(t *testing.T, w workload, env, files map[string]string) {
	t.Helper()
	vars := map[string]app.EnvVar{}
	for _, ev := range app.EnvVars() {
		vars[ev.Key] = ev
	}
	for k := range env {
		if name, ok := strings.CutSuffix(k, "_FILE"); ok && vars[name].Secret {
			continue
		}
		ev, ok := vars[k]
		require.True(t, ok, "%s: %s is not a variable the binaries read (internal/app/config.go)", w.name, k)
		require.False(t, ev.Secret, "%s: secret %s must come as %s_FILE", w.name, k, k)
	}
	for _, ev := range vars {
		if ev.Secret {
			continue
		}
		_, ok := env[ev.Key]
		require.True(t, ok, "%s: %s is not set: add it to config in values.yaml (and values.schema.json)", w.name, ev.Key)
	}
	require.Equal(t, "false", env["DOLIBARR_MIGRATE_ON_START"], "%s: only the hook Job migrates", w.name)
	require.Contains(t, slices.Collect(maps.Keys(files)), "DOLIBARR_DB_DSN", w.name)
	got := slices.Collect(maps.Keys(files))
	if w.name == "runner" {
		for _, s := range apiOnlySecrets {
			require.NotContains(t, got, s, "the runner must not receive %s", s)
		}
		return
	}
	for _, s := range runnerOnlySecrets {
		require.NotContains(t, got, s, "%s must not receive %s", w.name, s)
	}
	for _, ev := range vars {
		if ev.Secret && !slices.Contains(optionalSecrets, ev.Key) && !slices.Contains(runnerOnlySecrets, ev.Key) {
			require.Contains(t, got, ev.Key, "%s: secret %s is not provided", w.name, ev.Key)
		}
	}
}

// optionalSecrets are secrets the chart passes only when the operator gives
// them; every other secret variable must reach the API.
var optionalSecrets = []string{"DOLIBARR_JWT_PREVIOUS_SECRET", "DOLIBARR_ADMIN_PASSWORD"}

// loadConfig runs the binaries' own configuration loader on the rendered
// environment, with the secret files written out, so a variable the binary
// requires, a value it refuses or a broken _FILE path fails here and not in
// a crash-looping pod.
func loadConfig(t *testing.T, w workload, env, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	var environ []string
	for k, v := range env {
		if name, ok := strings.CutSuffix(k, "_FILE"); ok {
			if content, ok := files[name]; ok {
				p := filepath.Join(dir, name)
				require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
				v = p
			}
		}
		environ = append(environ, k+"="+v)
	}
	cfg, err := app.LoadConfig(w.profile, environ)
	require.NoError(t, err, "%s: the binary refuses the rendered configuration", w.name)
	require.False(t, cfg.MigrateOnStart, w.name)
	port := map[string]int32{}
	for _, p := range w.container.Ports {
		port[p.Name] = p.ContainerPort
	}
	switch w.name {
	case "api":
		require.Equal(t, fmt.Sprintf(":%d", port["http"]), cfg.HTTP.Addr)
	case "runner":
		require.Equal(t, fmt.Sprintf(":%d", port["health"]), cfg.Runner.HealthAddr)
	}
}

// TestNotes renders NOTES.txt (helm template skips it, so a copy of the chart
// turns it into a ConfigMap) and checks it tells how to reach the API and log
// in, for each way the administrator's password can be set.
func TestNotes(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), chartDir)
	require.NoError(t, os.CopyFS(dir, os.DirFS(chartDir)))
	notes, err := os.ReadFile(filepath.Join(dir, "templates", "NOTES.txt"))
	require.NoError(t, err)
	require.NoError(t, os.Remove(filepath.Join(dir, "templates", "NOTES.txt")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "templates", "_notes_under_test.tpl"),
		[]byte(`{{- define "notes-under-test" -}}`+string(notes)+`{{- end }}`), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "templates", "notes-under-test.yaml"), []byte(
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\n  namespace: {{ .Release.Namespace }}\n"+
			"data:\n  notes: {{ include \"notes-under-test\" . | quote }}\n"), 0o600))
	render := func(t *testing.T, extra ...string) string {
		t.Helper()
		args := append([]string{"template", release, dir, "--namespace", namespace, "--kube-version", kubeVersion,
			"--show-only", "templates/notes-under-test.yaml"}, extra...)
		out, err := runHelm(t, args...)
		require.NoError(t, err)
		objs, err := decodeAll(out)
		require.NoError(t, err)
		return find[*corev1.ConfigMap](t, objs, "notes").Data["notes"]
	}
	login := `-d "{\"login\":\"admin\",\"password\":\"$DOLIBARR_PASSWORD\"}"`

	n := render(t)
	require.Contains(t, n, "kubectl port-forward --namespace erp svc/dolibarr-go-api 8080:80")
	require.Contains(t, n, "curl -fsS -X POST $DOLIBARR_URL/api/v1/auth/login")
	require.Contains(t, n, login)
	require.Contains(t, n, "generated one and printed it once in its log")
	require.Contains(t, n, "app.kubernetes.io/component=api")

	n = render(t, "-f", haValues)
	require.Contains(t, n, "export DOLIBARR_URL=https://erp.example.com")
	require.Contains(t, n, "kubectl get secret --namespace erp dolibarr-auth -o jsonpath='{.data.admin-password}' | base64 -d")
	require.Contains(t, n, "autoscaled 3-8 replica(s)")
	require.Contains(t, n, login)

	n = render(t, "--set", "auth.adminPassword=0123456789,config.DOLIBARR_ADMIN_LOGIN=boss")
	require.Contains(t, n, "kubectl get secret --namespace erp dolibarr-go -o jsonpath='{.data.admin-password}' | base64 -d")
	require.Contains(t, n, `"login\":\"boss\"`)
	require.NotContains(t, n, "printed it once")
}
