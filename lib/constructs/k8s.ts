/**
 * The typed Kubernetes 1.27 API classes. cdk8s-plus-27 ships them; it is unmaintained upstream,
 * so every use of it goes through this file and a move to a newer cdk8s-plus is one edit here.
 *
 * fleetchart uses these L1 classes rather than cdk8s-plus L2 constructs: every L2 default
 * (hash-based selectors, required anti-affinity from `spread`, 1000m/2Gi resources, startup
 * probes on every port, `imagePullPolicy: Always`) would need overriding, and topology spread
 * constraints and PodDisruptionBudgets are not in the L2 API at all.
 */
export { k8s } from 'cdk8s-plus-27';
