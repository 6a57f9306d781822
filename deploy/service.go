package deploy

import (
	"path"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Container port names of the service's pods.
const (
	portHTTP   = "http"
	portHealth = "health"
)

// Volume names of the service's pods.
const (
	volumeCreds = "nats-creds"
	volumePlan  = "plan"
)

// planConfigMap holds the plan manifest; the service's pods mount it at
// planDir for people and tools to read.
func (s *site) planConfigMap(plan []byte) any {
	return s.configMap(s.name(partPlan), partPlan, PlanFile, plan)
}

// gatewayObjects are the gateway's Deployment, its Service, autoscaler and
// disruption budget.
func (s *site) gatewayObjects() []any {
	pod := s.servicePod(partGateway, env(
		"LIQUEFY_ROLE", "gateway",
		"LIQUEFY_ADDR", hostPort(s.port),
	))
	c := &pod.Spec.Containers[0]
	c.Ports = append([]corev1.ContainerPort{{Name: portHTTP, ContainerPort: int32(s.port), Protocol: corev1.ProtocolTCP}}, c.Ports...)
	c.Resources = requests("100m", "128Mi")

	deployment := &appsv1.Deployment{
		TypeMeta:   typeMeta("apps/v1", "Deployment"),
		ObjectMeta: s.meta(s.name(partGateway), partGateway),
		Spec: appsv1.DeploymentSpec{
			Replicas: new(int32(s.opts.GatewayReplicas)),
			Selector: s.labelSelector(partGateway),
			Strategy: appsv1.DeploymentStrategy{
				Type: appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{
					MaxUnavailable: new(intstr.FromInt32(0)),
					MaxSurge:       new(intstr.FromInt32(1)),
				},
			},
			Template: pod,
		},
	}
	return []any{deployment, s.gatewayService(), s.gatewayAutoscaler(), s.disruptionBudget(partGateway)}
}

// gatewayService is the Service clients reach the gateway through, on
// port 80.
func (s *site) gatewayService() *corev1.Service {
	return &corev1.Service{
		TypeMeta:   typeMeta("v1", "Service"),
		ObjectMeta: s.meta(s.name(partGateway), partGateway),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: s.selector(partGateway),
			Ports: []corev1.ServicePort{{
				Name: portHTTP, Port: 80, TargetPort: intstr.FromString(portHTTP), Protocol: corev1.ProtocolTCP,
			}},
		},
	}
}

// gatewayAutoscaler scales the gateway on CPU between the gateway
// replica count and its maximum.
func (s *site) gatewayAutoscaler() *autoscalingv2.HorizontalPodAutoscaler {
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   typeMeta("autoscaling/v2", "HorizontalPodAutoscaler"),
		ObjectMeta: s.meta(s.name(partGateway), partGateway),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{
				APIVersion: "apps/v1", Kind: "Deployment", Name: s.name(partGateway),
			},
			MinReplicas: new(int32(s.opts.GatewayReplicas)),
			MaxReplicas: int32(s.opts.MaxGatewayReplicas),
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{
					Name: corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{
						Type: autoscalingv2.UtilizationMetricType, AverageUtilization: new(int32(70)),
					},
				},
			}},
		},
	}
}

// workerObjects are the workers' headless Service, StatefulSet and
// disruption budget. The StatefulSet's pods are named
// "<base>-worker-<i>"; the runtime reads i from HOSTNAME.
func (s *site) workerObjects() []any {
	pod := s.servicePod(partWorker, env(
		"LIQUEFY_ROLE", "worker",
		"LIQUEFY_WORKERS", strconv.Itoa(s.opts.Workers),
		"LIQUEFY_WORKER_INDEX", "ordinal",
	))
	pod.Spec.Containers[0].Resources = requests("250m", "256Mi")
	pod.Spec.TopologySpreadConstraints = s.spread(partWorker)

	set := &appsv1.StatefulSet{
		TypeMeta:   typeMeta("apps/v1", "StatefulSet"),
		ObjectMeta: s.meta(s.name(partWorker), partWorker),
		Spec: appsv1.StatefulSetSpec{
			Replicas:            new(int32(s.opts.Workers)),
			ServiceName:         s.name(partWorker),
			Selector:            s.labelSelector(partWorker),
			PodManagementPolicy: appsv1.ParallelPodManagement,
			UpdateStrategy:      appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType},
			Template:            pod,
		},
	}
	return []any{s.headless(partWorker, false, healthPort(s.opts.HealthPort)), set, s.disruptionBudget(partWorker)}
}

// servicePod is the pod template shared by the gateway and the workers:
// the service's image with the app's arguments, the NATS settings and
// credentials, the health endpoints and their probes, and roleEnv.
func (s *site) servicePod(part string, roleEnv []corev1.EnvVar) corev1.PodTemplateSpec {
	container := corev1.Container{
		Name:            part,
		Image:           s.opts.Image,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Args:            s.opts.AppArgs,
		Env: append(roleEnv, env(
			"LIQUEFY_NATS", strings.Join(s.natsURLs(), ","),
			"LIQUEFY_NATS_CREDS", path.Join(credsDir, CredsKey),
			"LIQUEFY_HEALTH_ADDR", hostPort(s.opts.HealthPort),
		)...),
		Ports:          []corev1.ContainerPort{healthPort(s.opts.HealthPort)},
		ReadinessProbe: httpProbe("/readyz", portHealth, 5, 3),
		LivenessProbe:  httpProbe("/livez", portHealth, 10, 3),
		VolumeMounts: []corev1.VolumeMount{
			{Name: volumeCreds, MountPath: credsDir, ReadOnly: true},
			{Name: volumePlan, MountPath: planDir, ReadOnly: true},
		},
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: new(false),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		},
	}
	return corev1.PodTemplateSpec{
		ObjectMeta: s.podMeta(part),
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{container},
			Volumes:    s.serviceVolumes(),
			// The runtime drains within LIQUEFY_DRAIN_TIMEOUT (30s).
			TerminationGracePeriodSeconds: new(int64(45)),
			SecurityContext: &corev1.PodSecurityContext{
				RunAsNonRoot: new(true),
				RunAsUser:    new(int64(nonRootUser)),
				RunAsGroup:   new(int64(nonRootUser)),
				FSGroup:      new(int64(nonRootUser)),
			},
		},
	}
}

// serviceVolumes are the credentials Secret and the plan ConfigMap. The
// credentials are readable by the pod's group only.
func (s *site) serviceVolumes() []corev1.Volume {
	return []corev1.Volume{
		{Name: volumeCreds, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
			SecretName:  s.opts.SecretName,
			Items:       []corev1.KeyToPath{{Key: CredsKey, Path: CredsKey}},
			DefaultMode: new(int32(0o440)),
		}}},
		{Name: volumePlan, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: s.name(partPlan)},
		}}},
	}
}

// podMeta is the metadata of a part's pod template: its labels and the
// plan checksum.
func (s *site) podMeta(part string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Labels: s.labels(part), Annotations: map[string]string{planSumAnnotation: s.planSum}}
}

// healthPort is the container port of LIQUEFY_HEALTH_ADDR.
func healthPort(port int) corev1.ContainerPort {
	return corev1.ContainerPort{Name: portHealth, ContainerPort: int32(port), Protocol: corev1.ProtocolTCP}
}

// headless is the headless Service that gives each pod of a StatefulSet
// its DNS name. notReady publishes pods before they are ready, which
// peers that must find each other to become ready need.
func (s *site) headless(part string, notReady bool, ports ...corev1.ContainerPort) *corev1.Service {
	svc := &corev1.Service{
		TypeMeta:   typeMeta("v1", "Service"),
		ObjectMeta: s.meta(s.name(part), part),
		Spec: corev1.ServiceSpec{
			ClusterIP:                corev1.ClusterIPNone,
			Selector:                 s.selector(part),
			PublishNotReadyAddresses: notReady,
		},
	}
	for _, p := range ports {
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{
			Name: p.Name, Port: p.ContainerPort, TargetPort: intstr.FromString(p.Name), Protocol: corev1.ProtocolTCP,
		})
	}
	return svc
}
