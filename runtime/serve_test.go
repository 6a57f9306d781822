package runtime

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startEntry runs an entry point on its own goroutine and waits until
// its gateway answers on l.
func startEntry(t *testing.T, l net.Listener, scheme string, client *http.Client, serve func() error) <-chan error {
	t.Helper()
	t.Setenv("LIQUEFY_LOG", "error")
	t.Setenv("LIQUEFY_FASTPATH", "0")
	done := make(chan error, 1)
	go func() { done <- serve() }()
	url := scheme + "://" + l.Addr().String() + "/hello"
	waitFor(t, "the gateway to answer", func() bool {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusAccepted
	})
	return done
}

// TestAppShutsServerDown checks that the app's own srv.Shutdown and
// srv.Close drain the service, that Shutdown waits for a request in
// flight, and that the entry point then returns http.ErrServerClosed.
func TestAppShutsServerDown(t *testing.T) {
	for _, how := range []string{"Shutdown", "Close"} {
		t.Run(how, func(t *testing.T) {
			app := newTestApp("one")
			srv := &http.Server{Handler: app.mux, ReadHeaderTimeout: 5 * time.Second}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			done := startEntry(t, l, "http", http.DefaultClient, func() error { return ServeServerListener(testPlan(), srv, l) })

			// Shut the app's server down with a request in flight.
			got := make(chan result, 1)
			go func() { got <- do("GET", "http://"+l.Addr().String()+"/slow", "", nil) }()
			<-app.entered
			closed := make(chan error, 1)
			go func() {
				if how == "Shutdown" {
					closed <- srv.Shutdown(context.Background())
				} else {
					closed <- srv.Close()
				}
			}()
			select {
			case err := <-closed:
				t.Fatalf("%s returned %v before the request in flight finished", how, err)
			case err := <-done:
				t.Fatalf("entry point returned %v before the request in flight finished", err)
			case <-time.After(100 * time.Millisecond): // a negative check: nothing may happen
			}

			close(app.release)
			if r := <-got; r.status != http.StatusOK || r.body != "done waiting" {
				t.Errorf("in-flight request: %v %d %q", r.err, r.status, r.body)
			}
			if err := <-closed; err != nil {
				t.Errorf("%s: %v", how, err)
			}
			if err := <-done; !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("entry point returned %v, want http.ErrServerClosed", err)
			}
		})
	}
}

// TestServeTLS serves over TLS and checks that the worker's request
// carries TLS state.
func TestServeTLS(t *testing.T) {
	cert, key, pool := writeCert(t)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app := newTestApp("one")
	srv := &http.Server{Handler: app.mux}
	done := startEntry(t, l, "https", client, func() error { return ServeServerListenerTLS(testPlan(), srv, l, cert, key) })

	resp, err := client.Get("https://" + l.Addr().String() + "/headers")
	if err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 4096)
	n, _ := resp.Body.Read(body)
	resp.Body.Close()
	if !strings.Contains(string(body[:n]), "tls=true") || resp.ProtoMajor != 2 {
		t.Errorf("over TLS (%s): %s", resp.Proto, body[:n])
	}
	client.CloseIdleConnections() // else HTTP/2's graceful close waits a second
	srv.Shutdown(context.Background())
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("entry point: %v", err)
	}
}

// writeCert writes a self-signed certificate for 127.0.0.1.
func writeCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "liquefy test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)
	parsed, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(parsed)
	return certFile, keyFile, pool
}

// childEnv names the helper a re-executed test binary runs.
const childEnv = "LIQUEFY_TEST_CHILD"

// TestChild is not a test of its own: it is what the test binary runs
// when a test re-executes it as a separate process.
func TestChild(t *testing.T) {
	switch os.Getenv(childEnv) {
	case "":
		t.Skip("run only as a child process")
	case "signal":
		p := testPlan()
		p.AppHandlesSignals = false
		err := ListenAndServe(p, "127.0.0.1:0", newTestApp("child").mux)
		t.Fatalf("ListenAndServe returned %v", err)
	case "legacy":
		if !legacyMux() {
			t.Fatal("legacy mux not detected under GODEBUG=httpmuxgo121=1")
		}
		p := testPlan()
		p.Routes = []Route{{Pattern: "GET /debug/vars", Fluxion: "misc", Implicit: true}, {Pattern: "/hello", Fluxion: "hello"}}
		tb, err := newTable(p, 0, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		g := &gateway{table: tb}
		if g.mux, err = newGatewayMux(p, tb, g); err != nil {
			t.Fatal(err)
		}
		for path, want := range map[string]string{"/debug/vars": "misc", "/hello": "hello", "/other": "default"} {
			r, _ := http.NewRequest("GET", "http://x"+path, nil)
			if rt, _ := g.match(r); rt.fluxion != want {
				got := rt.fluxion
				t.Errorf("legacy mux: %s goes to %s, want %s", path, got, want)
			}
		}
	}
}

func child(t *testing.T, name string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestChild$", "-test.v")
	cmd.Env = append(os.Environ(), append(env, childEnv+"="+name)...)
	return cmd
}

func TestLegacyMux(t *testing.T) {
	if legacyMux() {
		t.Fatal("legacy mux detected without GODEBUG")
	}
	out, err := child(t, "legacy", "GODEBUG=httpmuxgo121=1").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestChild") {
		t.Errorf("legacy child: %v\n%s", err, out)
	}
}

// signalChild runs cmd, a liquefied child process, until it logs that
// it started, calls started with its gateway address, sends it sigs in
// order, and returns its log once it exits.
func signalChild(t *testing.T, cmd *exec.Cmd, started func(addr string), sigs ...os.Signal) string {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	lines := bufio.NewScanner(stderr)
	addr := regexp.MustCompile(`msg="service started".* addr=(\S+)`)
	var log strings.Builder
	for lines.Scan() {
		log.WriteString(lines.Text() + "\n")
		if m := addr.FindStringSubmatch(lines.Text()); m != nil {
			started(m[1])
			break
		}
	}
	for _, sig := range sigs {
		cmd.Process.Signal(sig)
	}
	for lines.Scan() {
		log.WriteString(lines.Text() + "\n")
	}
	cmd.Wait()
	return log.String()
}

// killedBy reports whether cmd's process died of sig.
func killedBy(cmd *exec.Cmd, sig syscall.Signal) bool {
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == sig
}

// TestSignalExit sends SIGTERM to a liquefied process and checks that it
// drains and dies of the signal, as the monolith would.
func TestSignalExit(t *testing.T) {
	cmd := child(t, "signal", "LIQUEFY_LOG=info")
	log := signalChild(t, cmd, func(addr string) {
		if r := do("GET", "http://"+addr+"/hello", "", nil); r.status != http.StatusAccepted {
			t.Errorf("child gateway: %v %d", r.err, r.status)
		}
	}, syscall.SIGTERM)
	if !killedBy(cmd, syscall.SIGTERM) {
		t.Errorf("child exit: %v, want killed by SIGTERM", cmd.ProcessState)
	}
	if !strings.Contains(log, "service stopped") {
		t.Errorf("child did not drain:\n%s", log)
	}
}

// TestIgnoredSignalStaysIgnored starts a liquefied process with SIGINT
// ignored, as a shell starts a background job: like the monolith, it
// must not stop on SIGINT, and SIGTERM must still end it.
func TestIgnoredSignalStaysIgnored(t *testing.T) {
	cmd := child(t, "signal", "LIQUEFY_LOG=info")
	cmd.Args = append([]string{"sh", "-c", `trap "" INT; exec "$0" "$@"`}, cmd.Args...)
	cmd.Path = "/bin/sh"
	log := signalChild(t, cmd, func(string) {}, syscall.SIGINT, syscall.SIGTERM)
	if !killedBy(cmd, syscall.SIGTERM) {
		t.Errorf("child exit: %v, want killed by SIGTERM", cmd.ProcessState)
	}
	if strings.Contains(log, "signal=interrupt") || !strings.Contains(log, "signal=terminated") {
		t.Errorf("child handled an ignored SIGINT, or not SIGTERM:\n%s", log)
	}
}

type ctxKey struct{}

// TestBaseContext checks that a handler's context derives from the app's
// BaseContext and names the app's server, as in the monolith.
func TestBaseContext(t *testing.T) {
	app := newTestApp("one")
	var srv *http.Server
	app.mux.HandleFunc("/ctx", func(w http.ResponseWriter, r *http.Request) {
		v, _ := r.Context().Value(ctxKey{}).(string)
		same := r.Context().Value(http.ServerContextKey) == srv
		w.Write([]byte(v + " " + strconv.FormatBool(same)))
	})
	srv = &http.Server{Handler: app.mux, BaseContext: func(net.Listener) context.Context {
		return context.WithValue(context.Background(), ctxKey{}, "from-base")
	}}
	p := testPlan()
	p.Routes = append(p.Routes, Route{Pattern: "/ctx", Fluxion: "misc"})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := startEntry(t, l, "http", http.DefaultClient, func() error { return ServeServerListener(p, srv, l) })
	if r := do("GET", "http://"+l.Addr().String()+"/ctx", "", nil); r.body != "from-base true" {
		t.Errorf("handler context: %q, want the base context's value and the app's server", r.body)
	}
	srv.Shutdown(context.Background())
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("entry point: %v", err)
	}
}
