package runtime

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestSettingsDefaults(t *testing.T) {
	s, err := SettingsFromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if s.Role != RoleAll || s.Timeout != 30*time.Second || s.MaxBody != 8<<20 || s.Workers != 1 ||
		s.WorkerIndex != 0 || !s.FastPath || s.LogLevel != slog.LevelInfo || s.NATS != "" || s.NATSListen != "" {
		t.Errorf("defaults: %+v", s)
	}
}

func TestSettingsFromEnv(t *testing.T) {
	s, err := SettingsFromEnv(env(map[string]string{
		"LIQUEFY_ROLE": "worker", "LIQUEFY_NATS": "nats://127.0.0.1:4222,nats://127.0.0.1:4223",
		"LIQUEFY_TIMEOUT": "1500ms", "LIQUEFY_MAX_BODY": "2MiB", "LIQUEFY_WORKERS": "3",
		"LIQUEFY_WORKER_INDEX": "ordinal", "HOSTNAME": "todo-worker-2", "LIQUEFY_FASTPATH": "0",
		"LIQUEFY_HEALTH_ADDR": "127.0.0.1:8081", "LIQUEFY_LOG": "debug", "LIQUEFY_ADDR": ":9090",
		"LIQUEFY_DRAIN_TIMEOUT": "5s", "LIQUEFY_CONCURRENCY": "8", "LIQUEFY_STORE": "/var/lib/js",
		"LIQUEFY_NATS_CREDS": "/etc/nats/nats.creds", "LIQUEFY_PARTITIONS": "64", "LIQUEFY_KV_REPLICAS": "3",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{
		Role: RoleWorker, Addr: ":9090", NATS: "nats://127.0.0.1:4222,nats://127.0.0.1:4223", NATSCreds: "/etc/nats/nats.creds",
		Store: "/var/lib/js", Timeout: 1500 * time.Millisecond, DrainTimeout: 5 * time.Second,
		MaxBody: 2 << 20, Workers: 3, WorkerIndex: 2, FastPath: false, Concurrency: 8,
		Partitions: 64, KVReplicas: 3, HealthAddr: "127.0.0.1:8081", LogLevel: slog.LevelDebug,
	}
	if s != want {
		t.Errorf("settings\n got %+v\nwant %+v", s, want)
	}
}

// TestSettingsErrors checks that each bad value is reported with the
// variable, the value and what is expected.
func TestSettingsErrors(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"LIQUEFY_ROLE": "boss"}, []string{"LIQUEFY_ROLE", `"boss"`, "all, gateway or worker"}},
		{map[string]string{"LIQUEFY_TIMEOUT": "soon"}, []string{"LIQUEFY_TIMEOUT", `"soon"`, "positive duration"}},
		{map[string]string{"LIQUEFY_TIMEOUT": "-1s"}, []string{"LIQUEFY_TIMEOUT", "positive duration"}},
		{map[string]string{"LIQUEFY_MAX_BODY": "lots"}, []string{"LIQUEFY_MAX_BODY", `"lots"`, "byte count"}},
		{map[string]string{"LIQUEFY_MAX_BODY": "4GiB"}, []string{"LIQUEFY_MAX_BODY", "byte count"}},
		{map[string]string{"LIQUEFY_WORKERS": "0"}, []string{"LIQUEFY_WORKERS", `"0"`, "positive integer"}},
		{map[string]string{"LIQUEFY_WORKER_INDEX": "-1"}, []string{"LIQUEFY_WORKER_INDEX", "non-negative integer or ordinal"}},
		{map[string]string{"LIQUEFY_WORKER_INDEX": "ordinal", "HOSTNAME": "web"}, []string{"LIQUEFY_WORKER_INDEX", `HOSTNAME="web"`}},
		{map[string]string{"LIQUEFY_WORKER_INDEX": "2", "LIQUEFY_WORKERS": "2"}, []string{"LIQUEFY_WORKER_INDEX=2", "below LIQUEFY_WORKERS=2"}},
		{map[string]string{"LIQUEFY_FASTPATH": "yes"}, []string{"LIQUEFY_FASTPATH", `"yes"`, "1 or 0"}},
		{map[string]string{"LIQUEFY_LOG": "loud"}, []string{"LIQUEFY_LOG", `"loud"`, "debug, info, warn or error"}},
		{map[string]string{"LIQUEFY_HEALTH_ADDR": "8081"}, []string{"LIQUEFY_HEALTH_ADDR", "host:port"}},
		{map[string]string{"LIQUEFY_ROLE": "gateway"}, []string{"LIQUEFY_ROLE=gateway", "needs LIQUEFY_NATS"}},
		{map[string]string{"LIQUEFY_NATS_LISTEN": "127.0.0.1:4222", "LIQUEFY_NATS": "nats://x:4222"}, []string{"LIQUEFY_NATS_LISTEN", "no LIQUEFY_NATS"}},
		{map[string]string{"LIQUEFY_NATS_CREDS": "x.creds"}, []string{"LIQUEFY_NATS_CREDS", "needs LIQUEFY_NATS"}},
		{map[string]string{"LIQUEFY_PARTITIONS": "0"}, []string{"LIQUEFY_PARTITIONS", `"0"`, "positive integer"}},
		{map[string]string{"LIQUEFY_PARTITIONS": "100000"}, []string{"LIQUEFY_PARTITIONS=100000", "between 1 and"}},
		{map[string]string{"LIQUEFY_KV_REPLICAS": "7"}, []string{"LIQUEFY_KV_REPLICAS=7", "between 1 and 5"}},
		{map[string]string{"LIQUEFY_LOG": "loud", "LIQUEFY_FASTPATH": "yes"}, []string{"LIQUEFY_LOG", "LIQUEFY_FASTPATH"}},
	} {
		_, err := SettingsFromEnv(env(c.env))
		if err == nil {
			t.Errorf("%v: no error", c.env)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q lacks %q", c.env, err, w)
			}
		}
	}
}
