// Package deploy writes what it takes to run a liquefied service on
// Kubernetes, and the plan manifest that says which NATS subjects the
// service uses.
//
// Manifests turns a *runtime.Plan into files keyed by their path relative
// to the service directory (liquid/):
//
//	deploy/00-namespace.yaml  the Namespace, only when it is not "default"
//	deploy/10-nats.yaml       a three-node NATS cluster with JetStream
//	deploy/20-plan.yaml       a ConfigMap holding liquefy.yaml
//	deploy/30-worker.yaml     the workers: a StatefulSet behind a headless Service
//	deploy/40-gateway.yaml    the gateway: a Deployment, a Service, an autoscaler
//	liquefy.yaml              the plan manifest (see docs/plan-manifest.md)
//
// The numbers order the files for `kubectl apply -f liquid/deploy/`,
// which applies a directory in name order: the namespace first, then the
// messaging system the other pods connect to.
//
// # One binary, three parts
//
// The gateway pods run the service with LIQUEFY_ROLE=gateway, listen on
// the app's port on every interface (LIQUEFY_ADDR overrides the address
// the app passes, which is often loopback) and scale with CPU through a
// HorizontalPodAutoscaler: they hold no state. The workers run with
// LIQUEFY_ROLE=worker in a StatefulSet, so each pod has a stable name
// whose ordinal is its worker index (LIQUEFY_WORKER_INDEX=ordinal) and
// LIQUEFY_WORKERS is the replica count. Because the count is written into
// the pod template, change the number of workers by generating again
// with another Options.Workers and applying, not with `kubectl scale`.
// Every pod serves /livez and /readyz on LIQUEFY_HEALTH_ADDR, which the
// probes use, and has a PodDisruptionBudget that lets at most one pod of
// each part go at a time.
//
// # NATS: plain manifests rather than Helm values
//
// The NATS cluster is written out as plain objects (a ConfigMap with the
// server configuration, a headless Service, a StatefulSet of the official
// nats image with a volumeClaimTemplate for the JetStream file store, a
// PodDisruptionBudget) instead of values for the NATS Helm chart. One
// `kubectl apply` then deploys the whole service with no other tool; the
// configuration the server runs is in the repository, where a review sees
// it; and every object is built from the Kubernetes API types and checked
// by this package's tests, which values for a chart, whose schema moves
// with each chart release, could not be without Helm. A site that already
// runs NATS (with Helm or otherwise) deletes 10-nats.yaml and sets
// Options.NATSURLs.
//
// The three servers find each other through the headless Service's
// per-pod DNS names (publishNotReadyAddresses is on, so routes form
// before the pods are ready) and each names itself after its pod, which
// JetStream clustering needs.
//
// # Credentials
//
// Nothing secret is written. The gateway and the workers mount the
// Secret Options.SecretName (default "<service>-nats-creds"), key
// "nats.creds", and LIQUEFY_NATS_CREDS points at the mounted file. The
// NATS servers include an authorization block from the Secret
// "<service>-nats-auth", key "auth.conf". Both Secrets are created by the
// operator before applying, for example from files made with nsc:
//
//	kubectl create secret generic todo-nats-creds --from-file=nats.creds=./todo.creds
//	kubectl create secret generic todo-nats-auth --from-file=auth.conf=./auth.conf
//
// docs/deploy.md walks through it.
package deploy
