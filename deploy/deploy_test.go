package deploy_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/liquefy/liquefy/deploy"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// goldenOptions are the options of the golden files: a namespace of its
// own, so that every file is written.
func goldenOptions() deploy.Options {
	return deploy.Options{
		Image:     "registry.example/todo:v1",
		Namespace: "todo-prod",
		AppArgs:   []string{"-addr", "127.0.0.1:8080"},
	}
}

func TestGolden(t *testing.T) {
	files, err := deploy.Manifests(samplePlan(), goldenOptions())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("testdata", "golden")
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		for name, b := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Every file matches its golden copy, and no golden file is left over.
	var golden []string
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			golden = append(golden, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatalf("%v (run go test -update to write the golden files)", err)
	}
	if got := keys(files); !slices.Equal(got, golden) {
		t.Fatalf("files %v, golden files %v; run go test -update", got, golden)
	}
	for name, b := range files {
		want, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if !bytes.Equal(b, want) {
			t.Errorf("%s differs from its golden file; run go test -update and review the diff", name)
		}
	}
}

func TestDeterministic(t *testing.T) {
	a, err := deploy.Manifests(samplePlan(), goldenOptions())
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, err := deploy.Manifests(samplePlan(), goldenOptions())
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(keys(a), keys(b)) {
			t.Fatalf("files %v, then %v", keys(a), keys(b))
		}
		for name := range a {
			if !bytes.Equal(a[name], b[name]) {
				t.Fatalf("%s differs between two calls", name)
			}
		}
	}
}

func TestFileSet(t *testing.T) {
	cases := []struct {
		name string
		opts deploy.Options
		want []string
	}{
		{"default namespace", deploy.Options{}, []string{
			"deploy/10-nats.yaml", "deploy/20-plan.yaml", "deploy/30-worker.yaml", "deploy/40-gateway.yaml", "liquefy.yaml",
		}},
		{"own namespace", deploy.Options{Namespace: "shop"}, []string{
			"deploy/00-namespace.yaml", "deploy/10-nats.yaml", "deploy/20-plan.yaml", "deploy/30-worker.yaml", "deploy/40-gateway.yaml", "liquefy.yaml",
		}},
		{"external nats", deploy.Options{NATSURLs: []string{"nats://nats.infra:4222"}}, []string{
			"deploy/20-plan.yaml", "deploy/30-worker.yaml", "deploy/40-gateway.yaml", "liquefy.yaml",
		}},
	}
	for _, c := range cases {
		files, err := deploy.Manifests(samplePlan(), c.opts)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := keys(files); !slices.Equal(got, c.want) {
			t.Errorf("%s: files %v, want %v", c.name, got, c.want)
		}
	}
}

func TestBadOptions(t *testing.T) {
	cases := []struct {
		opts deploy.Options
		want string
	}{
		{deploy.Options{Namespace: "Not_A_Name"}, `namespace "Not_A_Name"`},
		{deploy.Options{SecretName: "bad/name"}, `secret name "bad/name"`},
		{deploy.Options{Workers: -1}, "replicas must be positive"},
		{deploy.Options{GatewayReplicas: 12, MaxGatewayReplicas: 3}, "max gateway replicas 3 is below the minimum 12"},
		{deploy.Options{Port: 70000}, "port 70000"},
		{deploy.Options{Port: 9090}, "both 9090"},
		{deploy.Options{StorageSize: "lots"}, `storage size "lots"`},
	}
	for _, c := range cases {
		_, err := deploy.Manifests(samplePlan(), c.opts)
		if err == nil || !errors.Is(err, deploy.ErrOptions) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("options %+v: error %v, want ErrOptions containing %q", c.opts, err, c.want)
		}
	}

	// All problems come at once.
	_, err := deploy.Manifests(samplePlan(), deploy.Options{Namespace: "X", Port: 9090})
	if err == nil || !strings.Contains(err.Error(), "namespace") || !strings.Contains(err.Error(), "both 9090") {
		t.Errorf("two bad options: error %v, want both named", err)
	}
}

func TestServiceNames(t *testing.T) {
	cases := []struct{ service, gateway string }{
		{"todo", "todo-gateway"},
		{"My_Shop.v2", "my-shop-v2-gateway"},
		{"9lives", "lq-9lives-gateway"},
		{strings.Repeat("x", 80), strings.Repeat("x", 40) + "-gateway"},
	}
	for _, c := range cases {
		p := samplePlan()
		p.Service = c.service
		files, err := deploy.Manifests(p, deploy.Options{})
		if err != nil {
			t.Fatalf("service %q: %v", c.service, err)
		}
		objs := decodeAll(t, files)
		if objs.deployment(c.gateway) == nil {
			t.Errorf("service %q: no Deployment %q", c.service, c.gateway)
		}
	}
	p := samplePlan()
	p.Service = "--"
	if _, err := deploy.Manifests(p, deploy.Options{}); !errors.Is(err, deploy.ErrOptions) {
		t.Errorf("service %q: error %v, want ErrOptions", p.Service, err)
	}
}

func TestPortFromArgs(t *testing.T) {
	cases := []struct {
		args []string
		want int32
	}{
		{nil, 8080},
		{[]string{"-addr", ":9000"}, 9000},
		{[]string{"-v", "-listen=127.0.0.1:7070"}, 7070},
		{[]string{"-db", "postgres://h/db", "-addr", "[::1]:6060"}, 6060},
	}
	for _, c := range cases {
		files, err := deploy.Manifests(samplePlan(), deploy.Options{AppArgs: c.args})
		if err != nil {
			t.Fatal(err)
		}
		d := decodeAll(t, files).deployment("todo-gateway")
		port := d.Spec.Template.Spec.Containers[0].Ports[0]
		if port.Name != "http" || port.ContainerPort != c.want {
			t.Errorf("args %q: port %s %d, want http %d", c.args, port.Name, port.ContainerPort, c.want)
		}
		if got := envOf(d.Spec.Template.Spec.Containers[0], "LIQUEFY_ADDR"); got != ":"+itoa(c.want) {
			t.Errorf("args %q: LIQUEFY_ADDR %q, want :%d", c.args, got, c.want)
		}
	}
}

// keys returns the sorted names of files.
func keys(files map[string][]byte) []string {
	var names []string
	for k := range files {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
