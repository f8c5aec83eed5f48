// Package helm_test checks the dolibarr-go Helm chart offline, with no
// cluster: helm lint --strict, helm template for the default values and the
// HA example, every rendered object decoded strictly into the Kubernetes API
// types, references between the objects, the HA example's shape, values that
// must be refused, and the rendered environment against the variables the
// binaries read (app.EnvVars) and accept (app.LoadConfig).
//
// Helm runs in the test process: its own packages load the chart, merge and
// schema-check the values, render the templates, sort the manifests and lint
// (decision 0017). Only those packages compile, which takes a fraction of
// building the helm binary from source as these checks used to.
package helm_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	"helm.sh/helm/v3/pkg/releaseutil"
	"helm.sh/helm/v3/pkg/strvals"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// kubeVersion is the cluster version helm template and lint assume: the
// newest the pinned k8s.io/api knows, so deprecation checks see the current
// API.
const kubeVersion = "1.37.0"

const (
	chartDir  = "dolibarr-go"
	haValues  = "examples/ha-values.yaml"
	release   = "dolibarr-go"
	namespace = "erp"
)

// runHelm runs the subset of the helm command line these tests use,
// `template` and `lint`, with Helm's packages in this process (the helm
// binary's own code path, pkg/action, pulls in the Kubernetes client and
// registry code a cluster-less check never uses). It returns what helm
// would print, or an error carrying what helm would report.
func runHelm(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	if len(args) == 0 {
		return nil, errors.New("helm: no command")
	}
	f, err := parseHelmArgs(args[1:])
	require.NoError(t, err, "this test uses a helm flag the in-process helm does not know")
	switch args[0] {
	case "template":
		require.Len(t, f.positional, 2, "helm template RELEASE CHART")
		return helmTemplate(f)
	case "lint":
		require.Len(t, f.positional, 1, "helm lint CHART")
		return helmLint(f)
	}
	return nil, fmt.Errorf("helm %s: not a command these tests use", args[0])
}

// helmFlags are the flags of helm template and lint the tests pass.
type helmFlags struct {
	positional                   []string
	valueFiles, sets, jsonSets   []string
	namespace, kubeVersion, only string
	strict                       bool
}

func parseHelmArgs(args []string) (helmFlags, error) {
	f := helmFlags{namespace: "default", kubeVersion: kubeVersion}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			f.positional = append(f.positional, a)
			continue
		}
		if a == "--strict" {
			f.strict = true
			continue
		}
		if i+1 >= len(args) {
			return f, fmt.Errorf("flag %s needs a value", a)
		}
		i++
		switch v := args[i]; a {
		case "-f", "--values":
			f.valueFiles = append(f.valueFiles, v)
		case "--set":
			f.sets = append(f.sets, v)
		case "--set-json":
			f.jsonSets = append(f.jsonSets, v)
		case "--namespace", "-n":
			f.namespace = v
		case "--kube-version":
			f.kubeVersion = v
		case "--show-only", "-s":
			f.only = v
		default:
			return f, fmt.Errorf("unknown flag %s", a)
		}
	}
	return f, nil
}

// values merges the user-supplied values as helm's cli/values.Options does:
// the files in order, then --set-json, then --set.
func (f helmFlags) values() (map[string]any, error) {
	base := map[string]any{}
	for _, file := range f.valueFiles {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		cur := map[string]any{}
		if err := yaml.Unmarshal(b, &cur); err != nil {
			return nil, fmt.Errorf("failed to parse %s: %w", file, err)
		}
		base = mergeMaps(base, cur)
	}
	for _, v := range f.jsonSets {
		if err := strvals.ParseJSON(v, base); err != nil {
			return nil, fmt.Errorf("failed parsing --set-json data %s", v)
		}
	}
	for _, v := range f.sets {
		if err := strvals.ParseInto(v, base); err != nil {
			return nil, fmt.Errorf("failed parsing --set data: %w", err)
		}
	}
	return base, nil
}

// mergeMaps is helm's cli/values mergeMaps: b's keys win, maps merge.
func mergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if v, ok := v.(map[string]any); ok {
			if bv, ok := out[k]; ok {
				if bv, ok := bv.(map[string]any); ok {
					out[k] = mergeMaps(bv, v)
					continue
				}
			}
		}
		out[k] = v
	}
	return out
}

// helmTemplate is `helm template`: action.Install's client-only dry run
// (dependencies, capabilities at --kube-version, the chart's kubeVersion
// constraint, values coalesced and checked against values.schema.json,
// templates rendered, NOTES.txt dropped, manifests sorted in install order)
// printed as cmd/helm/template.go prints it, manifests then hooks.
func helmTemplate(f helmFlags) ([]byte, error) {
	name, dir := f.positional[0], f.positional[1]
	chrt, err := loader.Load(dir)
	if err != nil {
		return nil, err
	}
	vals, err := f.values()
	if err != nil {
		return nil, err
	}
	if err := chartutil.ProcessDependenciesWithMerge(chrt, vals); err != nil {
		return nil, err
	}
	kv, err := chartutil.ParseKubeVersion(f.kubeVersion)
	if err != nil {
		return nil, err
	}
	caps := chartutil.DefaultCapabilities.Copy()
	caps.KubeVersion = *kv
	if c := chrt.Metadata.KubeVersion; c != "" && !chartutil.IsCompatibleRange(c, caps.KubeVersion.String()) {
		return nil, fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", c, caps.KubeVersion.String())
	}
	rv, err := chartutil.ToRenderValues(chrt, vals, chartutil.ReleaseOptions{Name: name, Namespace: f.namespace, Revision: 1, IsInstall: true}, caps)
	if err != nil {
		return nil, err
	}
	files, err := engine.Render(chrt, rv)
	if err != nil {
		return nil, err
	}
	for k := range files {
		if strings.HasSuffix(k, "NOTES.txt") {
			delete(files, k)
		}
	}
	hooks, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	emit := func(source, content string) {
		// --show-only names the template without the chart's directory.
		if _, rel, _ := strings.Cut(source, "/"); f.only != "" && path.Clean(rel) != path.Clean(f.only) {
			return
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", source, content)
	}
	for _, m := range manifests {
		emit(m.Name, m.Content)
	}
	for _, h := range hooks {
		emit(h.Path, h.Manifest)
	}
	if f.only != "" && out.Len() == 0 {
		return nil, fmt.Errorf("could not find template %s in chart", f.only)
	}
	return out.Bytes(), nil
}

// helmLint is `helm lint [--strict]` of one chart directory: Helm's lint
// rules (Chart.yaml, values and their schema, every template rendered and
// parsed, deprecated APIs at --kube-version); --strict fails on warnings.
func helmLint(f helmFlags) ([]byte, error) {
	vals, err := f.values()
	if err != nil {
		return nil, err
	}
	kv, err := chartutil.ParseKubeVersion(f.kubeVersion)
	if err != nil {
		return nil, err
	}
	dir := f.positional[0]
	l := lint.AllWithKubeVersion(dir, vals, f.namespace, kv)
	lowest := support.ErrorSev
	if f.strict {
		lowest = support.WarningSev
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "==> Linting %s\n", dir)
	var errs []error
	for _, m := range l.Messages {
		fmt.Fprintln(&out, m)
		if m.Severity >= lowest {
			errs = append(errs, m)
		}
	}
	failed := 0
	if len(errs) > 0 {
		failed = 1
	}
	fmt.Fprintf(&out, "\n1 chart(s) linted, %d chart(s) failed\n", failed)
	if failed > 0 {
		return out.Bytes(), fmt.Errorf("helm lint: %w\n%s", errors.Join(errs...), out.String())
	}
	return out.Bytes(), nil
}

// template renders the chart with extra helm arguments (-f, --set ...).
func template(t *testing.T, extra ...string) ([]byte, error) {
	t.Helper()
	args := append([]string{"template", release, chartDir, "--namespace", namespace, "--kube-version", kubeVersion}, extra...)
	return runHelm(t, args...)
}

// object is one rendered Kubernetes object, decoded into its typed struct.
type object struct {
	source string // the template it came from
	kind   string
	name   string
	meta   metav1.Object
	obj    runtime.Object
}

// hook reports whether the object is a Helm hook, and which.
func (o object) hook() string { return o.meta.GetAnnotations()["helm.sh/hook"] }

var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme,
		autoscalingv2.AddToScheme, policyv1.AddToScheme, networkingv1.AddToScheme, addCRDs,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}()

// decodeAll splits helm's output into documents and decodes each strictly:
// an unknown kind, an unknown or misspelled field (also in the wrong case), a
// duplicate key or a value of the wrong type is an error, as it would be for
// an API server with fieldValidation=Strict.
func decodeAll(rendered []byte) ([]object, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(rendered)))
	var objs []object
	var errs []error
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		source := ""
		if _, after, ok := bytes.Cut(doc, []byte("# Source: ")); ok {
			line, _, _ := bytes.Cut(after, []byte("\n"))
			source = string(line)
		}
		js, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", source, err))
			continue
		}
		if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
			continue // a template that rendered nothing
		}
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal(js, &tm); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", source, err))
			continue
		}
		gvk := schema.FromAPIVersionAndKind(tm.APIVersion, tm.Kind)
		obj, err := scheme.New(gvk)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %s is not a known Kubernetes type: %w", source, gvk, err))
			continue
		}
		strict, err := sigsjson.UnmarshalStrict(js, obj, sigsjson.DisallowDuplicateFields, sigsjson.DisallowUnknownFields)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s (%s): %w", source, gvk.Kind, err))
			continue
		}
		if len(strict) > 0 {
			errs = append(errs, fmt.Errorf("%s (%s): %w", source, gvk.Kind, errors.Join(strict...)))
			continue
		}
		meta, err := metaOf(obj)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", source, err))
			continue
		}
		objs = append(objs, object{source: source, kind: gvk.Kind, name: meta.GetName(), meta: meta, obj: obj})
	}
	return objs, errors.Join(errs...)
}

func metaOf(obj runtime.Object) (metav1.Object, error) {
	m, ok := obj.(metav1.Object)
	if !ok {
		return nil, fmt.Errorf("%T has no object metadata", obj)
	}
	return m, nil
}

// renderObjects renders and decodes, failing the test on any error.
func renderObjects(t *testing.T, extra ...string) []object {
	t.Helper()
	out, err := template(t, extra...)
	require.NoError(t, err)
	objs, err := decodeAll(out)
	require.NoError(t, err)
	require.NotEmpty(t, objs)
	return objs
}

// find returns the single object of a kind and name.
func find[T runtime.Object](t *testing.T, objs []object, name string) T {
	t.Helper()
	var zero T
	for _, o := range objs {
		if v, ok := o.obj.(T); ok && o.name == name {
			return v
		}
	}
	require.Failf(t, "object not rendered", "%T %q", zero, name)
	return zero
}

// all returns every object of a type.
func all[T runtime.Object](objs []object) []T {
	var out []T
	for _, o := range objs {
		if v, ok := o.obj.(T); ok {
			out = append(out, v)
		}
	}
	return out
}
