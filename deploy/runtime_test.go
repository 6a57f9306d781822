package deploy_test

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/liquefy/liquefy/deploy"
	"github.com/liquefy/liquefy/runtime"
)

// TestManifestMatchesRuntime starts a real worker of the runtime on the
// sample plan, as the only worker, against an embedded NATS server, and
// checks that the subjects and queue group it subscribes to are exactly
// those the plan manifest lists: the manifest spells subjects itself, so
// this is where the two are held together.
func TestManifestMatchesRuntime(t *testing.T) {
	p := samplePlan()
	p.Service = "to do" // a name that must be made into a subject token
	b, err := deploy.PlanManifest(p)
	if err != nil {
		t.Fatal(err)
	}
	m := decodeManifest(t, b)

	// An embedded server on a random loopback port.
	ns, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	defer ns.Shutdown()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}

	// One worker owns every context and partition.
	s := runtime.DefaultSettings()
	s.Role, s.NATS, s.Workers, s.WorkerIndex = runtime.RoleWorker, ns.ClientURL(), 1, 0
	s.Logger = slog.New(slog.DiscardHandler)
	svc, err := runtime.New(p, s, http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := svc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer svc.Shutdown(context.Background())

	got := runtimeSubscriptions(t, ns, m.QueueGroup)
	want := manifestSubjects(m)
	if !slices.Equal(got, want) {
		t.Errorf("the runtime subscribes to\n%s\nthe manifest lists\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// runtimeSubscriptions lists, sorted, the subjects the server's clients
// subscribe to in queue group queue, failing on any other subscription
// outside the "_INBOX." and "$" namespaces and the workers' claims on
// their indices.
func runtimeSubscriptions(t *testing.T, ns *server.Server, queue string) []string {
	t.Helper()
	connz, err := ns.Connz(&server.ConnzOptions{SubscriptionsDetail: true})
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, c := range connz.Conns {
		for _, sub := range c.SubsDetail {
			if strings.HasPrefix(sub.Subject, "_INBOX.") || strings.HasPrefix(sub.Subject, "$") {
				continue
			}
			if strings.HasPrefix(sub.Subject, queue+".w.") {
				continue // a worker's claim on its index, not a fluxion's subject
			}
			if sub.Queue != queue {
				t.Errorf("subject %s: queue group %q, manifest says %q", sub.Subject, sub.Queue, queue)
			}
			subjects = append(subjects, sub.Subject)
		}
	}
	slices.Sort(subjects)
	return slices.Compact(subjects)
}

// manifestSubjects expands the manifest's subjects, a keyed context's
// wildcard into one subject per partition, sorted.
func manifestSubjects(m *deploy.Manifest) []string {
	var subjects []string
	for _, f := range m.Fluxions {
		base, keyed := strings.CutSuffix(f.Subject, ".*")
		if !keyed {
			subjects = append(subjects, f.Subject)
			continue
		}
		for p := range m.Partitions {
			subjects = append(subjects, base+"."+strconv.Itoa(p))
		}
	}
	slices.Sort(subjects)
	return slices.Compact(subjects)
}
