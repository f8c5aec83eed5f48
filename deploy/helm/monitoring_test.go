package helm_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/metrics"
	"github.com/dolibarr-go/dolibarr/internal/testprom"
)

// monitoringArgs enables every monitoring object.
var monitoringArgs = []string{"--set", "metrics.podMonitor.enabled=true,metrics.prometheusRule.enabled=true,metrics.grafanaDashboard.enabled=true"}

// TestMonitoringObjects: the PodMonitor selects exactly the API and runner
// pods and names ports they have; the PrometheusRule holds the six alerts,
// each with a runbook section in docs/operations.md.
func TestMonitoringObjects(t *testing.T) {
	t.Parallel()
	objs := renderObjects(t, monitoringArgs...)
	pm := find[*PodMonitor](t, objs, fullname)
	sel, err := metav1.LabelSelectorAsSelector(&pm.Spec.Selector)
	require.NoError(t, err)
	var ports []string
	for _, d := range all[*appsv1.Deployment](objs) {
		require.True(t, sel.Matches(labels.Set(d.Spec.Template.Labels)), "PodMonitor misses Deployment %s", d.Name)
		for _, p := range d.Spec.Template.Spec.Containers[0].Ports {
			ports = append(ports, p.Name)
		}
	}
	for _, ep := range pm.Spec.PodMetricsEndpoints {
		require.Contains(t, ports, ep.Port)
		require.Equal(t, "/metrics", ep.Path)
	}
	rule := find[*PrometheusRule](t, objs, fullname)
	ops, err := os.ReadFile(filepath.Join("..", "..", "docs", "operations.md"))
	require.NoError(t, err)
	var alerts []string
	for _, g := range rule.Spec.Groups {
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			require.Contains(t, r.Annotations["runbook"], "docs/operations.md#"+strings.ToLower(r.Alert))
			require.Contains(t, string(ops), "### "+r.Alert, "docs/operations.md has no runbook for %s", r.Alert)
			require.NotEmpty(t, r.Labels["severity"])
		}
	}
	require.ElementsMatch(t, []string{"DolibarrJobQueueBacklog", "DolibarrJobFailureRatio", "DolibarrHTTP5xxRatio",
		"DolibarrHTTPLatencyP99", "DolibarrReadinessFlapping", "DolibarrDBPoolSaturated"}, alerts)
	for _, o := range objs {
		if o.kind == "ConfigMap" && o.name == fullname+"-dashboard" {
			require.Equal(t, "1", o.meta.GetLabels()["grafana_dashboard"])
		}
	}
	// Nothing of it by default.
	for _, o := range renderObjects(t) {
		require.NotContains(t, []string{"PodMonitor", "PrometheusRule"}, o.kind)
		require.NotEqual(t, fullname+"-dashboard", o.name)
	}
}

// TestPrometheusRulesPassPromtool: promtool check rules, from Debian's
// prometheus package (installed by the harness when missing), accepts the
// rendered rules, with the default thresholds and with others.
func TestPrometheusRulesPassPromtool(t *testing.T) {
	t.Parallel()
	promtool := testprom.Binary(t, "promtool")
	for i, extra := range [][]string{nil, {"--set-json", `metrics.prometheusRule={"jobFailureRatio":0.25,"httpP99Seconds":0.5}`}} {
		objs := renderObjects(t, append(slices.Clone(monitoringArgs), extra...)...)
		rule := find[*PrometheusRule](t, objs, fullname)
		b, err := yaml.Marshal(map[string]any{"groups": rule.Spec.Groups})
		require.NoError(t, err)
		f := filepath.Join(t.TempDir(), "rules.yaml")
		require.NoError(t, os.WriteFile(f, b, 0o600))
		out, err := exec.Command(promtool, "check", "rules", f).CombinedOutput()
		require.NoError(t, err, "case %d: promtool check rules:\n%s\n%s", i, out, b)
		require.Contains(t, string(out), "SUCCESS: 6 rules found")
	}
}

// metricName finds the metric names in a PromQL expression: identifiers
// followed by a selector or range, in the families the binaries export.
var metricName = regexp.MustCompile(`\b((?:dolibarr|go|process)_[a-z0-9_]+)\b`)

// TestGrafanaDashboard: the dashboard ConfigMap holds JSON that parses,
// and every metric its queries (and the rules') name is one the binaries
// export.
func TestGrafanaDashboard(t *testing.T) {
	t.Parallel()
	objs := renderObjects(t, monitoringArgs...)
	cm := find[*corev1.ConfigMap](t, objs, fullname+"-dashboard")
	var dash struct {
		UID    string `json:"uid"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Query any `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	dec := json.NewDecoder(strings.NewReader(cm.Data["dolibarr-go.json"]))
	require.NoError(t, dec.Decode(&dash))
	require.NotEmpty(t, dash.UID)
	require.GreaterOrEqual(t, len(dash.Panels), 10)

	known := map[string]bool{}
	for _, n := range metrics.Names() {
		known[n] = true
	}
	var exprs []string
	for _, p := range dash.Panels {
		require.NotEmpty(t, p.Targets, "panel %q has no query", p.Title)
		for _, tg := range p.Targets {
			require.NotEmpty(t, tg.Expr, "panel %q", p.Title)
			exprs = append(exprs, tg.Expr)
		}
	}
	for _, v := range dash.Templating.List {
		if q, ok := v.Query.(map[string]any); ok {
			exprs = append(exprs, q["query"].(string))
		}
	}
	for _, g := range find[*PrometheusRule](t, objs, fullname).Spec.Groups {
		for _, r := range g.Rules {
			exprs = append(exprs, r.Expr)
		}
	}
	names := 0
	for _, e := range exprs {
		for _, m := range metricName.FindAllStringSubmatch(e, -1) {
			names++
			require.True(t, known[m[1]], "%q names %s, which the binaries do not export", e, m[1])
		}
	}
	require.Greater(t, names, 20)
}
