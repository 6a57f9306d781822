package deploy

import (
	"fmt"
	"path"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// natsReplicas is the size of the NATS cluster: three servers keep a
// JetStream quorum while one is down.
const natsReplicas = 3

// NATS ports, by container port name.
const (
	natsClientPort  = 4222
	natsClusterPort = 6222
	natsMonitorPort = 8222
)

// Where the NATS containers mount what they read and write. The server
// configuration includes the authorization file by a path relative to its
// own directory, as nats-server resolves includes.
const (
	natsConfigDir = "/etc/nats/config"
	natsAuthDir   = "/etc/nats/auth"
	natsDataDir   = "/data"
	natsPidDir    = "/var/run/nats"
	natsConfFile  = "nats.conf"
)

// natsObjects are the NATS cluster's configuration, headless Service,
// StatefulSet and disruption budget.
func (s *site) natsObjects() []any {
	ports := []corev1.ContainerPort{
		{Name: "client", ContainerPort: natsClientPort, Protocol: corev1.ProtocolTCP},
		{Name: "cluster", ContainerPort: natsClusterPort, Protocol: corev1.ProtocolTCP},
		{Name: "monitor", ContainerPort: natsMonitorPort, Protocol: corev1.ProtocolTCP},
	}
	return []any{
		s.configMap(s.natsConfigName(), partNATS, natsConfFile, []byte(s.natsConfig())),
		s.headless(partNATS, true, ports...),
		s.natsStatefulSet(ports),
		s.disruptionBudget(partNATS),
	}
}

// natsConfigName names the ConfigMap holding nats.conf.
func (s *site) natsConfigName() string {
	return s.name(partNATS) + "-config"
}

// natsAuthSecret names the Secret holding the servers' authorization
// block (AuthKey); it is not generated.
func (s *site) natsAuthSecret() string {
	return s.name(partNATS) + "-auth"
}

// natsPodHost is the DNS name of NATS server i through the headless
// Service; the cluster domain is left to the pod's search path.
func (s *site) natsPodHost(i int) string {
	return fmt.Sprintf("%s-%d.%s.%s.svc", s.name(partNATS), i, s.name(partNATS), s.namespace)
}

// natsURLs are the client URLs the service connects to: Options.NATSURLs,
// or every server of the generated cluster.
func (s *site) natsURLs() []string {
	if len(s.opts.NATSURLs) > 0 {
		return s.opts.NATSURLs
	}
	var urls []string
	for i := range natsReplicas {
		urls = append(urls, fmt.Sprintf("nats://%s:%d", s.natsPodHost(i), natsClientPort))
	}
	return urls
}

// natsConfig is the server configuration every NATS pod runs. The server
// name comes from the pod name (SERVER_NAME), so each is unique as
// JetStream clustering requires. It reads like:
//
//	server_name: $SERVER_NAME
//	listen: 0.0.0.0:4222
//	jetstream { store_dir: "/data/jetstream" ... }
//	cluster { name: todo, listen: 0.0.0.0:6222, routes: [ nats://todo-nats-0.todo-nats.default.svc:6222 ... ] }
//	include "../auth/auth.conf"
func (s *site) natsConfig() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# NATS server configuration of %s, written by liquefy.\n", s.base)
	fmt.Fprintf(&b, "server_name: $SERVER_NAME\n")
	fmt.Fprintf(&b, "listen: 0.0.0.0:%d\n", natsClientPort)
	fmt.Fprintf(&b, "http: 0.0.0.0:%d\n", natsMonitorPort)
	fmt.Fprintf(&b, "pid_file: %q\n", path.Join(natsPidDir, "nats.pid"))
	fmt.Fprintf(&b, "lame_duck_duration: 30s\nlame_duck_grace_period: 10s\n")
	fmt.Fprintf(&b, "# Requests and responses travel as single messages; match LIQUEFY_MAX_BODY's 8MiB.\n")
	fmt.Fprintf(&b, "max_payload: 8MB\n\n")

	fmt.Fprintf(&b, "jetstream {\n  store_dir: %q\n  max_memory_store: 256MB\n  max_file_store: %s\n}\n\n",
		path.Join(natsDataDir, "jetstream"), s.natsFileStore())

	fmt.Fprintf(&b, "cluster {\n  name: %s\n  listen: 0.0.0.0:%d\n  connect_retries: 120\n  routes: [\n", s.base, natsClusterPort)
	for i := range natsReplicas {
		fmt.Fprintf(&b, "    nats://%s:%d\n", s.natsPodHost(i), natsClusterPort)
	}
	fmt.Fprintf(&b, "  ]\n}\n\n")

	rel := path.Join("..", path.Base(natsAuthDir), AuthKey)
	fmt.Fprintf(&b, "# Operator, accounts and resolver, from the Secret %s (see docs/deploy.md).\n", s.natsAuthSecret())
	fmt.Fprintf(&b, "include %q\n", rel)
	return b.String()
}

// natsFileStore is the JetStream file store limit: nine tenths of the
// volume, in bytes, leaving room for the file system.
func (s *site) natsFileStore() string {
	q, _ := parseQuantity(s.opts.StorageSize) // checked by newSite
	return fmt.Sprint(q.Value() / 10 * 9)
}

// natsStatefulSet runs the NATS servers, each with its own JetStream
// volume. Parallel pod management starts all three at once: they only
// become ready together, once a JetStream quorum is there.
func (s *site) natsStatefulSet(ports []corev1.ContainerPort) *appsv1.StatefulSet {
	container := corev1.Container{
		Name:    "nats",
		Image:   s.opts.NATSImage,
		Command: []string{"nats-server", "--config", path.Join(natsConfigDir, natsConfFile)},
		Env: []corev1.EnvVar{{Name: "SERVER_NAME", ValueFrom: &corev1.EnvVarSource{
			FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"},
		}}},
		Ports:          ports,
		StartupProbe:   httpProbe("/healthz", "monitor", 10, 90),
		ReadinessProbe: httpProbe("/healthz?js-server-only=true", "monitor", 10, 3),
		LivenessProbe:  httpProbe("/healthz?js-enabled-only=true", "monitor", 30, 3),
		Resources:      requests("250m", "512Mi"),
		Lifecycle: &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Exec: &corev1.ExecAction{
			Command: []string{"nats-server", "--signal", "ldm=" + path.Join(natsPidDir, "nats.pid")},
		}}},
		VolumeMounts: []corev1.VolumeMount{
			{Name: "config", MountPath: natsConfigDir, ReadOnly: true},
			{Name: "auth", MountPath: natsAuthDir, ReadOnly: true},
			{Name: "data", MountPath: natsDataDir},
			{Name: "pid", MountPath: natsPidDir},
		},
	}
	return &appsv1.StatefulSet{
		TypeMeta:   typeMeta("apps/v1", "StatefulSet"),
		ObjectMeta: s.meta(s.name(partNATS), partNATS),
		Spec: appsv1.StatefulSetSpec{
			Replicas:             new(int32(natsReplicas)),
			ServiceName:          s.name(partNATS),
			Selector:             s.labelSelector(partNATS),
			PodManagementPolicy:  appsv1.ParallelPodManagement,
			UpdateStrategy:       appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType},
			Template:             s.natsPod(container),
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{s.natsVolumeClaim()},
		},
	}
}

// natsPod is the NATS pod template around container.
func (s *site) natsPod(container corev1.Container) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: s.labels(partNATS)},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{container},
			Volumes: []corev1.Volume{
				{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
					LocalObjectReference: corev1.LocalObjectReference{Name: s.natsConfigName()},
				}}},
				{Name: "auth", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
					SecretName: s.natsAuthSecret(),
					Items:      []corev1.KeyToPath{{Key: AuthKey, Path: AuthKey}},
				}}},
				{Name: "pid", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
			},
			// Lame duck mode takes lame_duck_duration (30s) to move clients.
			TerminationGracePeriodSeconds: new(int64(60)),
			TopologySpreadConstraints:     s.spread(partNATS),
		},
	}
}

// natsVolumeClaim is the template of each server's JetStream volume.
func (s *site) natsVolumeClaim() corev1.PersistentVolumeClaim {
	claim := corev1.PersistentVolumeClaim{
		TypeMeta:   typeMeta("v1", "PersistentVolumeClaim"),
		ObjectMeta: metav1.ObjectMeta{Name: "data", Labels: s.labels(partNATS)},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceStorage: resource.MustParse(s.opts.StorageSize),
			}},
		},
	}
	if s.opts.StorageClass != "" {
		claim.Spec.StorageClassName = new(s.opts.StorageClass)
	}
	return claim
}
