package deploy

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The parts of a deployed service, as the component label spells them.
const (
	partGateway = "gateway"
	partWorker  = "worker"
	partNATS    = "nats"
	partPlan    = "plan"
)

// Label keys, from Kubernetes' recommended set.
const (
	labelName      = "app.kubernetes.io/name"
	labelComponent = "app.kubernetes.io/component"
	labelPartOf    = "app.kubernetes.io/part-of"
	labelManagedBy = "app.kubernetes.io/managed-by"
)

// planSumAnnotation carries the plan manifest's checksum on the pod
// templates, so that pods roll when the plan changes.
const planSumAnnotation = "liquefy/plan-sha256"

// Where the pods of the service mount what they read.
const (
	credsDir = "/etc/liquefy/nats"
	planDir  = "/etc/liquefy/plan"
)

// The numeric user the service's containers run as: distroless's
// "nonroot", as in the Dockerfile of docs/deploy.md.
const nonRootUser = 65532

// name is the object name of one part of the service: "<base>-<part>".
func (s *site) name(part string) string {
	return s.base + "-" + part
}

// selector is the label set that picks the pods of one part.
func (s *site) selector(part string) map[string]string {
	return map[string]string{labelName: s.base, labelComponent: part}
}

// labels is the full label set of the objects and pods of one part.
func (s *site) labels(part string) map[string]string {
	l := s.selector(part)
	l[labelPartOf] = s.base
	l[labelManagedBy] = "liquefy"
	return l
}

// labelSelector selects the pods of one part.
func (s *site) labelSelector(part string) *metav1.LabelSelector {
	return &metav1.LabelSelector{MatchLabels: s.selector(part)}
}

// meta is the metadata of an object of one part.
func (s *site) meta(name, part string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: s.namespace, Labels: s.labels(part)}
}

// typeMeta is the apiVersion and kind every written object carries.
func typeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

// namespaceObject is the Namespace, written when it is not the default.
func (s *site) namespaceObject() *corev1.Namespace {
	return &corev1.Namespace{
		TypeMeta:   typeMeta("v1", "Namespace"),
		ObjectMeta: metav1.ObjectMeta{Name: s.namespace, Labels: map[string]string{labelManagedBy: "liquefy"}},
	}
}

// configMap is a ConfigMap of one part holding one file.
func (s *site) configMap(name, part, key string, data []byte) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   typeMeta("v1", "ConfigMap"),
		ObjectMeta: s.meta(name, part),
		Data:       map[string]string{key: string(data)},
	}
}

// disruptionBudget lets at most one pod of a part be evicted at a time.
func (s *site) disruptionBudget(part string) *policyv1.PodDisruptionBudget {
	one := intstr.FromInt32(1)
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   typeMeta("policy/v1", "PodDisruptionBudget"),
		ObjectMeta: s.meta(s.name(part), part),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: &one,
			Selector:       s.labelSelector(part),
		},
	}
}

// spread asks the scheduler to put the pods of a part on different nodes
// where it can.
func (s *site) spread(part string) []corev1.TopologySpreadConstraint {
	return []corev1.TopologySpreadConstraint{{
		MaxSkew:           1,
		TopologyKey:       "kubernetes.io/hostname",
		WhenUnsatisfiable: corev1.ScheduleAnyway,
		LabelSelector:     s.labelSelector(part),
	}}
}

// httpProbe probes path on the named container port.
func httpProbe(path, port string, period, failures int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler: corev1.ProbeHandler{
			HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromString(port)},
		},
		PeriodSeconds:    period,
		FailureThreshold: failures,
		TimeoutSeconds:   2,
	}
}

// requests is a container's resource requests.
func requests(cpu, memory string) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{Requests: corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse(cpu),
		corev1.ResourceMemory: resource.MustParse(memory),
	}}
}

// env is a list of environment variables from name, value pairs.
func env(pairs ...string) []corev1.EnvVar {
	var vars []corev1.EnvVar
	for i := 0; i+1 < len(pairs); i += 2 {
		vars = append(vars, corev1.EnvVar{Name: pairs[i], Value: pairs[i+1]})
	}
	return vars
}

// hostPort is ":<port>", a listen address on every interface.
func hostPort(port int) string {
	return ":" + strconv.Itoa(port)
}

// parseQuantity parses a Kubernetes quantity such as "10Gi".
func parseQuantity(s string) (resource.Quantity, error) {
	return resource.ParseQuantity(s)
}

// checksum is the hex SHA-256 of b.
func checksum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
