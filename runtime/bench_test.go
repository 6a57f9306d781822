package runtime

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkGateway measures a small request through the liquefied
// service, with the fast path on and off, against the same handler served
// directly. Each sub-benchmark times b.N requests both ways and reports
// the gateway's ns/op, the direct ns/op, and their ratio ("x-direct").
func BenchmarkGateway(b *testing.B) {
	app := newTestApp("bench")
	direct := httptest.NewServer(app.mux)
	b.Cleanup(direct.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	for _, mode := range []struct {
		name string
		fast bool
	}{{"fastpath", true}, {"nats", false}} {
		b.Run(mode.name, func(b *testing.B) {
			s := testSettings(b, nil)
			s.FastPath = mode.fast
			svc := startService(b, testPlan(), s, app.mux)
			liquid := baseURL(svc) + "/whoami"
			get(b, client, direct.URL+"/whoami") // warm both connections
			get(b, client, liquid)

			b.ResetTimer()
			start := time.Now()
			for range b.N {
				get(b, client, direct.URL+"/whoami")
			}
			directNs := float64(time.Since(start).Nanoseconds()) / float64(b.N)
			start = time.Now()
			for range b.N {
				get(b, client, liquid)
			}
			gatewayNs := float64(time.Since(start).Nanoseconds()) / float64(b.N)
			b.StopTimer()

			b.ReportMetric(directNs, "direct-ns/op")
			b.ReportMetric(gatewayNs, "gateway-ns/op")
			b.ReportMetric(gatewayNs/directNs, "x-direct")
		})
	}
}

func get(b *testing.B, c *http.Client, url string) {
	resp, err := c.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("%s: status %d", url, resp.StatusCode)
	}
}

// BenchmarkGatewayParallel measures throughput with concurrent clients:
// the handler served directly, and through the service with the fast
// path on and off. Compare the sub-benchmarks' ns/op.
func BenchmarkGatewayParallel(b *testing.B) {
	app := newTestApp("bench")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	for _, mode := range []string{"direct", "fastpath", "nats"} {
		b.Run(mode, func(b *testing.B) {
			url := ""
			if mode == "direct" {
				srv := httptest.NewServer(app.mux)
				b.Cleanup(srv.Close)
				url = srv.URL + "/whoami"
			} else {
				s := testSettings(b, nil)
				s.FastPath = mode == "fastpath"
				url = baseURL(startService(b, testPlan(), s, app.mux)) + "/whoami"
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					get(b, client, url)
				}
			})
		})
	}
}

// BenchmarkKeyedWrite measures a keyed write request (PUT of a small
// value, keys spread over the partitions) with write-through persistence
// to the embedded JetStream bucket, against the same request with no
// State in the plan. It reports both ns/op and their ratio
// ("x-no-persist"), with the fast path on and off.
func BenchmarkKeyedWrite(b *testing.B) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	for _, mode := range []struct {
		name string
		fast bool
	}{{"fastpath", true}, {"nats", false}} {
		b.Run(mode.name, func(b *testing.B) {
			urls := make(map[bool]string)
			for _, persist := range []bool{false, true} {
				a := newKVApp("bench")
				s := testSettings(b, nil)
				s.FastPath = mode.fast
				urls[persist] = baseURL(startService(b, kvPlan(a, persist), s, a.mux))
				put(b, client, urls[persist]+"/kv/warm")
			}

			b.ResetTimer()
			ns := make(map[bool]float64)
			for _, persist := range []bool{false, true} {
				start := time.Now()
				for i := range b.N {
					put(b, client, urls[persist]+"/kv/key-"+strconv.Itoa(i%1000))
				}
				ns[persist] = float64(time.Since(start).Nanoseconds()) / float64(b.N)
			}
			b.StopTimer()

			b.ReportMetric(ns[false], "plain-ns/op")
			b.ReportMetric(ns[true], "persist-ns/op")
			b.ReportMetric(ns[true]/ns[false], "x-no-persist")
		})
	}
}

func put(b *testing.B, c *http.Client, url string) {
	req, _ := http.NewRequest("PUT", url, strings.NewReader("value"))
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		b.Fatalf("%s: status %d", url, resp.StatusCode)
	}
}
