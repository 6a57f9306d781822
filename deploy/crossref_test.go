package deploy_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/liquefy/liquefy/deploy"
)

// svc is the service whose manifests the checks read: the sample plan's,
// unless a test of another app sets it.
var svc = "todo"

// crossCases are the options every cross-reference check runs with.
var crossCases = []struct {
	name string
	opts deploy.Options
}{
	{"defaults", deploy.Options{}},
	{"golden", goldenOptions()},
	{"own ports and secret", deploy.Options{Port: 8000, HealthPort: 8001, SecretName: "creds", Workers: 5, GatewayReplicas: 4}},
	{"external nats", deploy.Options{NATSURLs: []string{"nats://a.infra:4222", "nats://b.infra:4222"}}},
}

func TestCrossReferences(t *testing.T) {
	for _, c := range crossCases {
		t.Run(c.name, func(t *testing.T) {
			files, err := deploy.Manifests(samplePlan(), c.opts)
			if err != nil {
				t.Fatal(err)
			}
			objs := decodeAll(t, files)
			want := c.opts
			if want.Namespace == "" {
				want.Namespace = "default"
			}
			if want.SecretName == "" {
				want.SecretName = svc + "-nats-creds"
			}
			checkNamespaces(t, objs, want.Namespace)
			checkWorkloads(t, objs)
			checkServices(t, objs)
			checkVolumes(t, objs, want.SecretName)
			checkGateway(t, objs)
			checkWorkers(t, objs, c.opts)
			checkNATSURLs(t, objs, c.opts.NATSURLs)
			checkPlan(t, objs, files[deploy.PlanFile])
		})
	}
}

// checkNamespaces checks that every object lives in ns.
func checkNamespaces(t *testing.T, objs *objects, ns string) {
	for _, o := range objs.all {
		if _, isNS := o.(*corev1.Namespace); !isNS && o.GetNamespace() != ns {
			t.Errorf("%s is in namespace %q, want %q", o.GetName(), o.GetNamespace(), ns)
		}
	}
	if ns != "default" && (len(objs.namespaces) != 1 || objs.namespaces[0].Name != ns) {
		t.Errorf("namespaces %v, want one named %q", objs.namespaces, ns)
	}
}

// checkWorkloads checks each pod template against its owner's selector
// and each probe against the container's ports.
func checkWorkloads(t *testing.T, objs *objects) {
	if len(objs.workloads()) == 0 {
		t.Fatal("no workloads")
	}
	for _, w := range objs.workloads() {
		if w.selector == nil || !selects(w.selector.MatchLabels, w.template.Labels) {
			t.Errorf("%s %s: selector %v does not select its pod labels %v", w.kind, w.name, w.selector, w.template.Labels)
		}
		for _, c := range w.template.Spec.Containers {
			for kind, p := range map[string]*corev1.Probe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
				if p == nil || p.HTTPGet == nil {
					t.Errorf("%s %s: container %s has no HTTP %s probe", w.kind, w.name, c.Name, kind)
					continue
				}
				if _, ok := containerPort(c, p.HTTPGet.Port.String()); !ok {
					t.Errorf("%s %s: %s probe port %s is not a container port", w.kind, w.name, kind, p.HTTPGet.Port.String())
				}
			}
			if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() {
				t.Errorf("%s %s: container %s requests no CPU or memory", w.kind, w.name, c.Name)
			}
		}
	}

	// Every disruption budget selects some pods.
	if len(objs.budgets) != len(objs.workloads()) {
		t.Errorf("%d disruption budgets for %d workloads", len(objs.budgets), len(objs.workloads()))
	}
	for _, b := range objs.budgets {
		if b.Spec.Selector == nil || len(objs.matching(b.Spec.Selector.MatchLabels)) != 1 {
			t.Errorf("PodDisruptionBudget %s does not select exactly one workload's pods", b.Name)
		}
	}
}

// checkServices checks that each Service selects pods that have its
// target ports, and that each StatefulSet's serviceName is a headless
// Service selecting it.
func checkServices(t *testing.T, objs *objects) {
	for _, s := range objs.services {
		ws := objs.matching(s.Spec.Selector)
		if len(ws) == 0 {
			t.Errorf("Service %s selects no pods (selector %v)", s.Name, s.Spec.Selector)
		}
		for _, w := range ws {
			for _, p := range s.Spec.Ports {
				if _, ok := containerPort(w.template.Spec.Containers[0], p.TargetPort.String()); !ok {
					t.Errorf("Service %s port %s: target port %s is not a port of %s %s", s.Name, p.Name, p.TargetPort.String(), w.kind, w.name)
				}
			}
		}
	}
	for _, set := range objs.statefulSets {
		svc := objs.service(set.Spec.ServiceName)
		switch {
		case svc == nil:
			t.Errorf("StatefulSet %s: serviceName %q names no Service", set.Name, set.Spec.ServiceName)
		case svc.Spec.ClusterIP != corev1.ClusterIPNone:
			t.Errorf("StatefulSet %s: Service %s is not headless", set.Name, svc.Name)
		case !selects(svc.Spec.Selector, set.Spec.Template.Labels):
			t.Errorf("StatefulSet %s: Service %s does not select its pods", set.Name, svc.Name)
		}
	}
}

// checkVolumes checks that every ConfigMap a pod mounts exists with the
// keys it asks for, and that every Secret it mounts is one of the two
// that docs/deploy.md tells the operator to create.
func checkVolumes(t *testing.T, objs *objects, credsSecret string) {
	secrets := map[string]string{credsSecret: deploy.CredsKey, svc + "-nats-auth": deploy.AuthKey}
	for _, w := range objs.workloads() {
		for _, v := range w.template.Spec.Volumes {
			switch {
			case v.ConfigMap != nil:
				cm := objs.configMap(v.ConfigMap.Name)
				if cm == nil {
					t.Errorf("%s %s: volume %s mounts missing ConfigMap %q", w.kind, w.name, v.Name, v.ConfigMap.Name)
					continue
				}
				for _, item := range v.ConfigMap.Items {
					if _, ok := cm.Data[item.Key]; !ok {
						t.Errorf("%s %s: ConfigMap %s has no key %q", w.kind, w.name, cm.Name, item.Key)
					}
				}
			case v.Secret != nil:
				key, ok := secrets[v.Secret.SecretName]
				if !ok || len(v.Secret.Items) != 1 || v.Secret.Items[0].Key != key {
					t.Errorf("%s %s: volume %s mounts Secret %q items %v, want one of %v", w.kind, w.name, v.Name, v.Secret.SecretName, v.Secret.Items, secrets)
				}
			}
		}
		for _, c := range w.template.Spec.Containers {
			for _, m := range c.VolumeMounts {
				if !hasVolume(w.template.Spec, m.Name) && !hasClaim(objs, w, m.Name) {
					t.Errorf("%s %s: container %s mounts unknown volume %q", w.kind, w.name, c.Name, m.Name)
				}
			}
		}
	}
}

// checkGateway checks the gateway's role, ports and autoscaler.
func checkGateway(t *testing.T, objs *objects) {
	d := objs.deployment(svc + "-gateway")
	if d == nil {
		t.Fatal("no Deployment todo-gateway")
	}
	c := d.Spec.Template.Spec.Containers[0]
	if got := envOf(c, "LIQUEFY_ROLE"); got != "gateway" {
		t.Errorf("gateway LIQUEFY_ROLE %q", got)
	}
	checkAddrPort(t, c, "LIQUEFY_ADDR", "http")
	checkAddrPort(t, c, "LIQUEFY_HEALTH_ADDR", "health")
	if objs.service(svc+"-gateway") == nil {
		t.Error("no Service todo-gateway")
	}
	if len(objs.autoscalers) != 1 {
		t.Fatalf("%d autoscalers, want 1", len(objs.autoscalers))
	}
	ref := objs.autoscalers[0].Spec.ScaleTargetRef
	if ref.APIVersion != "apps/v1" || ref.Kind != "Deployment" || objs.deployment(ref.Name) != d {
		t.Errorf("autoscaler targets %+v, want the gateway Deployment", ref)
	}
	if minR := objs.autoscalers[0].Spec.MinReplicas; minR == nil || *minR != *d.Spec.Replicas {
		t.Errorf("autoscaler minimum %v, Deployment replicas %d", minR, *d.Spec.Replicas)
	}
}

// checkWorkers checks the workers' role, count and index.
func checkWorkers(t *testing.T, objs *objects, opts deploy.Options) {
	set := objs.statefulSet(svc + "-worker")
	if set == nil {
		t.Fatal("no StatefulSet todo-worker")
	}
	want := int32(max(opts.Workers, 0))
	if want == 0 {
		want = deploy.DefaultWorkers
	}
	c := set.Spec.Template.Spec.Containers[0]
	if *set.Spec.Replicas != want || envOf(c, "LIQUEFY_WORKERS") != itoa(want) {
		t.Errorf("workers: %d replicas, LIQUEFY_WORKERS %q, want %d", *set.Spec.Replicas, envOf(c, "LIQUEFY_WORKERS"), want)
	}
	if envOf(c, "LIQUEFY_ROLE") != "worker" || envOf(c, "LIQUEFY_WORKER_INDEX") != "ordinal" {
		t.Errorf("workers: LIQUEFY_ROLE %q, LIQUEFY_WORKER_INDEX %q", envOf(c, "LIQUEFY_ROLE"), envOf(c, "LIQUEFY_WORKER_INDEX"))
	}
	checkAddrPort(t, c, "LIQUEFY_HEALTH_ADDR", "health")

	// Gateway and workers read the credentials from the Secret volume.
	for _, w := range objs.workloads() {
		c := w.template.Spec.Containers[0]
		creds := envOf(c, "LIQUEFY_NATS_CREDS")
		if w.name == svc+"-nats" {
			continue
		}
		m, ok := mountOf(c, creds)
		if !ok || path.Base(creds) != deploy.CredsKey || !isSecretVolume(w.template.Spec, m.Name) {
			t.Errorf("%s %s: LIQUEFY_NATS_CREDS %q is not a file of a mounted Secret", w.kind, w.name, creds)
		}
	}
}

// checkNATSURLs checks that the service's NATS URLs are the external ones,
// or name the pods of the NATS StatefulSet through its headless Service.
func checkNATSURLs(t *testing.T, objs *objects, external []string) {
	for _, w := range objs.workloads() {
		if w.name == svc+"-nats" {
			continue
		}
		urls := strings.Split(envOf(w.template.Spec.Containers[0], "LIQUEFY_NATS"), ",")
		if len(external) > 0 {
			if strings.Join(urls, ",") != strings.Join(external, ",") {
				t.Errorf("%s: LIQUEFY_NATS %q, want %q", w.name, urls, external)
			}
			continue
		}
		for _, u := range urls {
			if err := natsPodURL(objs, u); err != nil {
				t.Errorf("%s: LIQUEFY_NATS %s: %v", w.name, u, err)
			}
		}
	}
	if len(external) > 0 && objs.statefulSet(svc+"-nats") != nil {
		t.Error("external NATS, yet a NATS StatefulSet is written")
	}
}

// natsPodURL checks that u is nats://<set>-<i>.<service>.<ns>.svc:<client
// port> for a pod of the NATS StatefulSet.
func natsPodURL(objs *objects, u string) error {
	p, err := url.Parse(u)
	if err != nil {
		return err
	}
	set := objs.statefulSet(svc + "-nats")
	if set == nil {
		return fmt.Errorf("no NATS StatefulSet")
	}
	parts := strings.Split(p.Hostname(), ".")
	if len(parts) != 4 || parts[1] != set.Spec.ServiceName || parts[2] != set.Namespace || parts[3] != "svc" {
		return fmt.Errorf("host %q is not a pod of %s through Service %s", p.Hostname(), set.Name, set.Spec.ServiceName)
	}
	ordinal, err := strconv.Atoi(strings.TrimPrefix(parts[0], set.Name+"-"))
	if err != nil || ordinal >= int(*set.Spec.Replicas) {
		return fmt.Errorf("pod %q is not one of %s's %d", parts[0], set.Name, *set.Spec.Replicas)
	}
	client, ok := containerPort(set.Spec.Template.Spec.Containers[0], "client")
	if !ok || p.Port() != itoa(client.ContainerPort) {
		return fmt.Errorf("port %s is not the NATS client port", p.Port())
	}
	return nil
}

// checkPlan checks that the plan ConfigMap holds the plan manifest and the
// service's pod templates carry its checksum.
func checkPlan(t *testing.T, objs *objects, plan []byte) {
	cm := objs.configMap(svc + "-plan")
	if cm == nil || cm.Data[deploy.PlanFile] != string(plan) {
		t.Fatalf("ConfigMap todo-plan does not hold %s", deploy.PlanFile)
	}
	sum := sha256.Sum256(plan)
	for _, name := range []string{svc + "-gateway", svc + "-worker"} {
		var ann map[string]string
		if d := objs.deployment(name); d != nil {
			ann = d.Spec.Template.Annotations
		} else if s := objs.statefulSet(name); s != nil {
			ann = s.Spec.Template.Annotations
		}
		if ann["liquefy/plan-sha256"] != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: plan checksum %q, want the manifest's", name, ann["liquefy/plan-sha256"])
		}
	}
}

// checkAddrPort checks that the listen address in variable name uses the
// port of the container port named port.
func checkAddrPort(t *testing.T, c corev1.Container, name, port string) {
	t.Helper()
	_, p, err := net.SplitHostPort(envOf(c, name))
	cp, ok := containerPort(c, port)
	if err != nil || !ok || p != itoa(cp.ContainerPort) {
		t.Errorf("container %s: %s=%q, container port %s %d", c.Name, name, envOf(c, name), port, cp.ContainerPort)
	}
}

func hasVolume(spec corev1.PodSpec, name string) bool {
	for _, v := range spec.Volumes {
		if v.Name == name {
			return true
		}
	}
	return false
}

func isSecretVolume(spec corev1.PodSpec, name string) bool {
	for _, v := range spec.Volumes {
		if v.Name == name {
			return v.Secret != nil
		}
	}
	return false
}

func hasClaim(objs *objects, w workload, name string) bool {
	set := objs.statefulSet(w.name)
	if set == nil || w.kind != "StatefulSet" {
		return false
	}
	for _, c := range set.Spec.VolumeClaimTemplates {
		if c.Name == name {
			return true
		}
	}
	return false
}

// TestDocumentedSecrets checks that docs/deploy.md creates the two
// Secrets the manifests reference and does not generate.
func TestDocumentedSecrets(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "deploy.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"kubectl create secret generic todo-nats-creds --from-file=" + deploy.CredsKey + "=",
		"kubectl create secret generic todo-nats-auth --from-file=" + deploy.AuthKey + "=",
	} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("docs/deploy.md lacks %q", want)
		}
	}
}
