// Package helm_test checks the dolibarr-go Helm chart offline, with no
// cluster: helm lint --strict, helm template for the default values and the
// HA example, every rendered object decoded strictly into the Kubernetes API
// types, references between the objects, the HA example's shape, values that
// must be refused, and the rendered environment against the variables the
// binaries read (app.EnvVars) and accept (app.LoadConfig).
package helm_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
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

// helmVersion is the helm the checks install when none is on PATH. The
// module proxy serves it, so `go install` needs no other download.
const helmVersion = "v3.22.0"

// helmLDFlags stamp the version and the Kubernetes version the way helm's
// own Makefile does; without them a go-installed helm believes it talks to
// Kubernetes 1.20 and refuses the chart's kubeVersion (>= 1.30).
const helmLDFlags = "-s -w -X helm.sh/helm/v3/internal/version.version=" + helmVersion +
	" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=37" +
	" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=37"

// kubeVersion is the cluster version helm template assumes: the newest the
// pinned k8s.io/api knows, so deprecation checks see the current API.
const kubeVersion = "1.37.0"

const (
	chartDir  = "dolibarr-go"
	haValues  = "examples/ha-values.yaml"
	release   = "dolibarr-go"
	namespace = "erp"
)

var (
	helmOnce sync.Once
	helmPath string
	helmErr  error
)

// helm returns the helm binary: the one on PATH if it is a helm v3, else the
// pinned version built once into the user cache directory.
func helm(t *testing.T) string {
	t.Helper()
	helmOnce.Do(func() { helmPath, helmErr = findHelm() })
	require.NoError(t, helmErr)
	return helmPath
}

func findHelm() (string, error) {
	if p, err := exec.LookPath("helm"); err == nil {
		out, err := exec.Command(p, "version", "--short").Output()
		if err == nil && strings.HasPrefix(string(out), "v3.") {
			return p, nil
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "dolibarr-go", "helm-"+helmVersion)
	bin := filepath.Join(dir, "helm")
	if fi, err := os.Stat(bin); err == nil && fi.Mode().IsRegular() {
		return bin, nil
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("helm is not on PATH and go is not either, so it cannot be installed: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// Build into a private directory and rename, so two test processes
	// installing at once never run a half-written binary.
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "install", "-trimpath", "-ldflags", helmLDFlags, "helm.sh/helm/v3/cmd/helm@"+helmVersion)
	cmd.Dir = tmp // outside this module: @version installs ignore go.mod anyway
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install helm %s: %w\n%s", helmVersion, err, out)
	}
	if err := os.Rename(filepath.Join(tmp, "helm"), bin); err != nil {
		return "", err
	}
	return bin, nil
}

// runHelm runs helm in this directory and returns stdout, or an error
// carrying stderr.
func runHelm(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(helm(t), args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// No cluster: keep helm from reading a kubeconfig or a user's repos.
	cmd.Env = append(os.Environ(), "KUBECONFIG="+filepath.Join(t.TempDir(), "none"), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("helm %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes(), nil
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
		autoscalingv2.AddToScheme, policyv1.AddToScheme, networkingv1.AddToScheme,
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
