package deploy_test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/liquefy/liquefy/deploy"
)

// testAuth stands in for the auth.conf the operator puts in the Secret
// todo-nats-auth: an account with JetStream and a system account.
const testAuth = `
accounts {
  APP: { jetstream: enabled, users: [ { user: app, password: app-pass } ] }
  SYS: { users: [ { user: sys, password: sys-pass } ] }
}
system_account: SYS
`

// natsConfigFile writes the generated nats.conf and a stand-in auth.conf
// laid out as the NATS pods mount them, and returns the config's path.
func natsConfigFile(t *testing.T) string {
	t.Helper()
	files, err := deploy.Manifests(samplePlan(), deploy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cm := decodeAll(t, files).configMap("todo-nats-config")
	if cm == nil {
		t.Fatal("no ConfigMap todo-nats-config")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "config", "nats.conf")
	for p, data := range map[string]string{conf: cm.Data["nats.conf"], filepath.Join(dir, "auth", deploy.AuthKey): testAuth} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return conf
}

// TestNATSConfig parses the generated server configuration with
// nats-server itself, as each of the three pods would.
func TestNATSConfig(t *testing.T) {
	conf := natsConfigFile(t)
	for i := range 3 {
		pod := fmt.Sprintf("todo-nats-%d", i)
		t.Setenv("SERVER_NAME", pod)
		opts, err := server.ProcessConfigFile(conf)
		if err != nil {
			t.Fatalf("nats-server rejects the configuration: %v", err)
		}
		if opts.ServerName != pod || !opts.JetStream || opts.StoreDir != "/data/jetstream" {
			t.Errorf("%s: server name %q, JetStream %v in %q", pod, opts.ServerName, opts.JetStream, opts.StoreDir)
		}
		if opts.Port != 4222 || opts.HTTPPort != 8222 || opts.Cluster.Port != 6222 || opts.Cluster.Name != "todo" {
			t.Errorf("%s: ports %d/%d/%d, cluster %q", pod, opts.Port, opts.HTTPPort, opts.Cluster.Port, opts.Cluster.Name)
		}
		var routes []string
		for _, r := range opts.Routes {
			routes = append(routes, r.Host)
		}
		want := "todo-nats-0.todo-nats.default.svc:6222 todo-nats-1.todo-nats.default.svc:6222 todo-nats-2.todo-nats.default.svc:6222"
		if strings.Join(routes, " ") != want {
			t.Errorf("%s: routes %v, want %s", pod, routes, want)
		}
		if opts.MaxPayload != 8<<20 || opts.SystemAccount != "SYS" {
			t.Errorf("%s: max payload %d, system account %q", pod, opts.MaxPayload, opts.SystemAccount)
		}
	}
}

// TestNATSCluster runs three servers from the generated configuration,
// moved to loopback and random ports, and checks that they form a
// JetStream cluster that keeps a replicated key-value bucket, as the
// runtime's context store needs.
func TestNATSCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three NATS servers")
	}
	conf := natsConfigFile(t)
	ports := freePorts(t, 3)
	var routes []*url.URL
	for _, p := range ports {
		routes = append(routes, &url.URL{Scheme: "nats", Host: fmt.Sprintf("127.0.0.1:%d", p)})
	}

	// Start the three servers.
	var urls []string
	for i := range 3 {
		t.Setenv("SERVER_NAME", fmt.Sprintf("todo-nats-%d", i))
		opts, err := server.ProcessConfigFile(conf)
		if err != nil {
			t.Fatal(err)
		}
		opts.Host, opts.Port, opts.HTTPPort = "127.0.0.1", -1, 0
		opts.Cluster.Host, opts.Cluster.Port, opts.Routes = "127.0.0.1", ports[i], routes
		opts.StoreDir, opts.PidFile = t.TempDir(), ""
		opts.NoLog, opts.NoSigs = true, true
		s, err := server.NewServer(opts)
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		t.Cleanup(s.Shutdown)
		if !s.ReadyForConnections(30 * time.Second) {
			t.Fatalf("server %d not ready", i)
		}
		urls = append(urls, s.ClientURL())
	}

	// A bucket with three replicas can be made once the cluster has a
	// JetStream leader; poll for it.
	nc, err := nats.Connect(strings.Join(urls, ","), nats.UserInfo("app", "app-pass"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	kv := createBucket(ctx, t, js)
	if _, err := kv.Put(ctx, "todos", []byte("state")); err != nil {
		t.Fatal(err)
	}
	e, err := kv.Get(ctx, "todos")
	if err != nil || string(e.Value()) != "state" {
		t.Fatalf("get: %v %v", e, err)
	}
}

// createBucket makes a three-replica bucket, retrying until ctx ends.
func createBucket(ctx context.Context, t *testing.T, js jetstream.JetStream) jetstream.KeyValue {
	t.Helper()
	for {
		attempt, cancel := context.WithTimeout(ctx, 2*time.Second)
		kv, err := js.CreateOrUpdateKeyValue(attempt, jetstream.KeyValueConfig{Bucket: "lq_todo_ctx", Replicas: 3})
		cancel()
		if err == nil {
			return kv
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no replicated bucket before the deadline: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// freePorts returns n distinct loopback ports that were free a moment
// ago: all are held open until the last is picked.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}
