package deploy_test

import (
	"path/filepath"
	"testing"

	"github.com/liquefy/liquefy/analyzer"
	"github.com/liquefy/liquefy/deploy"
	"github.com/liquefy/liquefy/gen"
)

// TestEveryBundledApp plans every app in testdata/apps as liquefy does
// and runs the strict decoding and every cross-reference check on its
// manifests.
func TestEveryBundledApp(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("..", "testdata", "apps", "*", "go.mod"))
	if err != nil || len(dirs) < 6 {
		t.Fatalf("bundled apps: %v %v", dirs, err)
	}
	for _, mod := range dirs {
		dir := filepath.Dir(mod)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			prog, err := analyzer.Load(dir, analyzer.Config{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			m, err := analyzer.Analyze(prog)
			if err != nil {
				t.Fatal(err)
			}
			plan := gen.NewPlan(m, "liquefy test", 0)
			svc = plan.Service
			defer func() { svc = "todo" }()
			files, err := deploy.Manifests(plan, deploy.Options{})
			if err != nil {
				t.Fatal(err)
			}
			objs := decodeAll(t, files)
			checkNamespaces(t, objs, "default")
			checkWorkloads(t, objs)
			checkServices(t, objs)
			checkVolumes(t, objs, svc+"-nats-creds")
			checkGateway(t, objs)
			checkWorkers(t, objs, deploy.Options{})
			checkNATSURLs(t, objs, nil)
			checkPlan(t, objs, files[deploy.PlanFile])
		})
	}
}
