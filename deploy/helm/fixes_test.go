package helm_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/dolibarr-go/dolibarr/internal/infrastructure/metrics"
)

// TestPerImageDigests: the API and runner images are different builds, so
// each takes its own digest (the migration Job runs the API's), and the old
// shared image.digest is refused instead of pinning both to one.
func TestPerImageDigests(t *testing.T) {
	t.Parallel()
	a, r := "sha256:"+strings.Repeat("a", 64), "sha256:"+strings.Repeat("b", 64)
	objs := renderObjects(t, "--set", "api.image.digest="+a+",runner.image.digest="+r+",image.registry=reg.example.com")
	require.Equal(t, "reg.example.com/dolibarr-go/dolibarr-api@"+a, find[*appsv1.Deployment](t, objs, fullname+"-api").Spec.Template.Spec.Containers[0].Image)
	require.Equal(t, "reg.example.com/dolibarr-go/dolibarr-runner@"+r, find[*appsv1.Deployment](t, objs, fullname+"-runner").Spec.Template.Spec.Containers[0].Image)
	require.Equal(t, "reg.example.com/dolibarr-go/dolibarr-api@"+a, find[*batchv1.Job](t, objs, fullname+"-migrate").Spec.Template.Spec.Containers[0].Image)
	// Without digests, the tag.
	objs = renderObjects(t, "--set", "image.tag=1.2.3")
	require.Equal(t, "dolibarr-go/dolibarr-runner:1.2.3", find[*appsv1.Deployment](t, objs, fullname+"-runner").Spec.Template.Spec.Containers[0].Image)
	_, err := template(t, "--set", "image.digest="+a)
	require.ErrorContains(t, err, "set api.image.digest and runner.image.digest")
}

// TestGracePeriodsFitConfiguredTimeouts: the chart refuses to render when
// the configured drain timeouts, not only the shipped ones, do not fit the
// grace periods, and accepts them when they do.
func TestGracePeriodsFitConfiguredTimeouts(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string // empty: renders
	}{
		{nil, ""},
		{[]string{"--set", "config.DOLIBARR_HTTP_SHUTDOWN_TIMEOUT=1m"}, "api.terminationGracePeriodSeconds (30) must be at least"},
		{[]string{"--set", "api.config.DOLIBARR_HTTP_SHUTDOWN_TIMEOUT=24s"}, "= 31 s"},
		{[]string{"--set", "api.config.DOLIBARR_HTTP_SHUTDOWN_TIMEOUT=23s"}, ""},
		{[]string{"--set", "config.DOLIBARR_HTTP_SHUTDOWN_TIMEOUT=1m,api.terminationGracePeriodSeconds=70"}, ""},
		{[]string{"--set", "runner.config.DOLIBARR_RUNNER_DRAIN_TIMEOUT=1m30s"}, "runner.terminationGracePeriodSeconds (30) must be at least"},
		{[]string{"--set", "config.DOLIBARR_RUNNER_CANCEL_TIMEOUT=14s"}, "= 31 s"},
		{[]string{"--set", "config.DOLIBARR_RUNNER_DRAIN_TIMEOUT=24500ms,config.DOLIBARR_RUNNER_CANCEL_TIMEOUT=500ms"}, ""},
		{[]string{"--set", "config.DOLIBARR_RUNNER_DRAIN_TIMEOUT=27500ms,config.DOLIBARR_RUNNER_CANCEL_TIMEOUT=1s"}, "= 30.5 s"},
		{[]string{"--set", "config.DOLIBARR_RUNNER_DRAIN_TIMEOUT=soon"}, `"soon" is not a duration`},
	} {
		out, err := template(t, c.args...)
		if c.want == "" {
			require.NoError(t, err, "%v", c.args)
			_, err = decodeAll(out)
			require.NoError(t, err)
			continue
		}
		require.Error(t, err, "%v rendered", c.args)
		require.Contains(t, err.Error(), c.want, "%v", c.args)
	}
}

// TestMigrationJobServiceAccount: the migration Job runs as its own hook
// ServiceAccount (created before it, with the configured annotations), or
// as the operator's existing one, never silently as "default".
func TestMigrationJobServiceAccount(t *testing.T) {
	t.Parallel()
	objs := renderObjects(t, "--set", "serviceAccount.annotations.role=db-migrator")
	job := find[*batchv1.Job](t, objs, fullname+"-migrate")
	require.Equal(t, fullname+"-migrate", job.Spec.Template.Spec.ServiceAccountName)
	sa := find[*corev1.ServiceAccount](t, objs, fullname+"-migrate")
	require.Equal(t, "db-migrator", sa.Annotations["role"])
	require.Equal(t, "-10", sa.Annotations["helm.sh/hook-weight"])
	require.False(t, *sa.AutomountServiceAccountToken)

	objs = renderObjects(t, "--set", "serviceAccount.create=false,serviceAccount.name=erp-sa")
	require.Equal(t, "erp-sa", find[*batchv1.Job](t, objs, fullname+"-migrate").Spec.Template.Spec.ServiceAccountName)
}

// TestJWTSecretUnderGitOps: a renderer without a cluster (helm template,
// Argo CD) cannot keep a generated secret, so with generation off the chart
// refuses to render without an existing Secret or a given secret.
func TestJWTSecretUnderGitOps(t *testing.T) {
	t.Parallel()
	_, err := template(t, "--set", "auth.generateJWTSecret=false")
	require.ErrorContains(t, err, "set auth.existingSecret")
	renderObjects(t, "--set", "auth.generateJWTSecret=false,auth.existingSecret=dolibarr-auth")
	renderObjects(t, "--set", "auth.generateJWTSecret=false,auth.jwtSecret="+strings.Repeat("s", 40))
}

// TestNetworkPolicyAndHPABehaviour: the NetworkPolicies select exactly one
// component's pods and open only a port those pods have; the HPA takes the
// configured behaviour.
func TestNetworkPolicyAndHPABehaviour(t *testing.T) {
	t.Parallel()
	objs := renderObjects(t, "--set", "networkPolicy.enabled=true,runner.autoscaling.enabled=true",
		"--set-json", `runner.autoscaling.behavior={"scaleDown":{"stabilizationWindowSeconds":600}}`,
		"--set-json", `networkPolicy.metricsFrom=[{"namespaceSelector":{"matchLabels":{"name":"monitoring"}}}]`)
	pols := all[*networkingv1.NetworkPolicy](objs)
	require.Len(t, pols, 2)
	for _, p := range pols {
		sel, err := metav1.LabelSelectorAsSelector(&p.Spec.PodSelector)
		require.NoError(t, err)
		var matched []*appsv1.Deployment
		for _, d := range all[*appsv1.Deployment](objs) {
			if sel.Matches(labels.Set(d.Spec.Template.Labels)) {
				matched = append(matched, d)
			}
		}
		require.Len(t, matched, 1, "NetworkPolicy %s", p.Name)
		port := p.Spec.Ingress[0].Ports[0].Port.String()
		require.True(t, slices.ContainsFunc(matched[0].Spec.Template.Spec.Containers[0].Ports, func(cp corev1.ContainerPort) bool { return cp.Name == port }),
			"NetworkPolicy %s opens %s, which %s does not have", p.Name, port, matched[0].Name)
	}
	require.Len(t, find[*networkingv1.NetworkPolicy](t, objs, fullname+"-runner").Spec.Ingress[0].From, 1)
	hpa := find[*autoscalingv2.HorizontalPodAutoscaler](t, objs, fullname+"-runner")
	require.NotNil(t, hpa.Spec.Behavior)
	require.Equal(t, int32(600), *hpa.Spec.Behavior.ScaleDown.StabilizationWindowSeconds)
}

// TestKEDAScalesRunnersOnQueueDepth: the ScaledObject targets the runner
// Deployment (which then leaves replicas to it), queries a metric the
// runners export, and refuses to render beside the runner HPA or without
// a Prometheus address.
func TestKEDAScalesRunnersOnQueueDepth(t *testing.T) {
	t.Parallel()
	objs := renderObjects(t, "--set", "runner.keda.enabled=true,runner.keda.prometheusAddress=http://prometheus.monitoring:9090,runner.keda.minReplicas=0")
	so := find[*ScaledObject](t, objs, fullname+"-runner")
	d := find[*appsv1.Deployment](t, objs, so.Spec.ScaleTargetRef.Name)
	require.Nil(t, d.Spec.Replicas, "KEDA scales the runners")
	require.Equal(t, int32(0), *so.Spec.MinReplicaCount)
	require.Len(t, so.Spec.Triggers, 1)
	q := so.Spec.Triggers[0].Metadata["query"]
	require.Contains(t, q, `dolibarr_jobs{namespace="erp"`)
	require.Equal(t, "20", so.Spec.Triggers[0].Metadata["threshold"])
	known := metrics.Names()
	for _, m := range metricName.FindAllStringSubmatch(q, -1) {
		require.Contains(t, known, m[1])
	}
	for _, c := range []struct{ set, want string }{
		{"runner.keda.enabled=true,runner.keda.prometheusAddress=http://p:9090,runner.autoscaling.enabled=true", "choose one"},
		{"runner.keda.enabled=true", "prometheusAddress is required"},
	} {
		_, err := template(t, "--set", c.set)
		require.ErrorContains(t, err, c.want)
	}
}

// TestPDBsLetUnhealthyPodsGo: a database outage makes every pod unready;
// the budgets must not then block node drains.
func TestPDBsLetUnhealthyPodsGo(t *testing.T) {
	t.Parallel()
	pdbs := all[*policyv1.PodDisruptionBudget](renderObjects(t))
	require.Len(t, pdbs, 2)
	for _, p := range pdbs {
		require.NotNil(t, p.Spec.UnhealthyPodEvictionPolicy, p.Name)
		require.Equal(t, policyv1.AlwaysAllow, *p.Spec.UnhealthyPodEvictionPolicy, p.Name)
	}
}
