import type { ResolvedProcess, ResolvedService } from '../values/model';
import { probesIdenticalByDesign } from '../values/resolve';

/**
 * The third-party linters' checks that a fleetchart rule covers, so a waiver written in a
 * service's values also reaches each linter as that linter's own per-object ignore annotation
 * (and CI's linters agree with `fleetchart validate`):
 * - kube-score: `kube-score/ignore: <check>,<check>` (zegl/kube-score README "Ignoring a test",
 *   https://github.com/zegl/kube-score/issues/85, since v0.6.0);
 * - checkov: `checkov.io/skip<N>: <CKV id>=<reason>` (checkov docs, "Suppressing/Skipping" for
 *   Kubernetes: https://www.checkov.io/2.Basics/Suppressing%20and%20Skipping%20Policies.html).
 * - monokle: `monokle.io/suppress.<rule id>: <justification>` (@monokle/validation
 *   lib/sarif/suppressions/plugins/AnnotationSuppressor.js, on in its default validator).
 * trivy has no per-object annotation for Kubernetes manifests (aquasecurity/trivy#6758): its
 * ignores are per file (.trivyignore.yaml `paths`).
 */
export const LINTER_CHECKS: Readonly<Record<string, { readonly kubeScore?: readonly string[]; readonly checkov?: readonly string[]; readonly monokle?: readonly string[] }>> = {
  // A serving process with fewer than 2 replicas in prod.
  'FC-AVAIL-001': { kubeScore: ['deployment-replicas'] },
  // An image by tag in prod: CKV_K8S_43 "Image should use digest".
  'FC-IMG-002': { checkov: ['CKV_K8S_43'] },
  // A secret-looking variable with a literal value: monokle's KBP111 flags any env name with SECRET.
  'FC-SEC-001': { monokle: ['KBP111'] },
  // Readiness and liveness on the same HTTP path or command.
  'FC-PROBE-002': { kubeScore: ['pod-probes-identical'] },
  // A worker without a liveness probe.
  'FC-PROBE-003': { checkov: ['CKV_K8S_8'] },
};

/**
 * `waiver.fleetchart.io/<rule>: <reason>`, so a waived rule is visible on the cluster, plus each
 * linter's ignore annotation for the checks the waived rules cover, and `kubeScoreByDesign`: kube-score
 * checks an object's own design answers (workloadAnnotations).
 */
export function waiverAnnotations(service: ResolvedService, kubeScoreByDesign: readonly string[] = []): Record<string, string> | undefined {
  const entries = Object.entries(service.waivers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const kubeScore = [...new Set([...entries.flatMap(([rule]) => LINTER_CHECKS[rule]?.kubeScore ?? []), ...kubeScoreByDesign])];
  if (entries.length === 0 && kubeScore.length === 0) return undefined;
  const annotations: Record<string, string> = Object.fromEntries(entries.map(([rule, reason]) => [`waiver.fleetchart.io/${rule}`, reason as string]));
  if (kubeScore.length) annotations['kube-score/ignore'] = kubeScore.join(',');
  let n = 0;
  for (const [rule, reason] of entries) {
    for (const check of LINTER_CHECKS[rule]?.checkov ?? []) annotations[`checkov.io/skip${++n}`] = `${check}=${rule}: ${reason}`;
    for (const check of LINTER_CHECKS[rule]?.monokle ?? []) annotations[`monokle.io/suppress.${check}`] = `${rule}: ${reason}`;
  }
  return annotations;
}

/**
 * A Deployment's annotations: the service's waivers, plus kube-score's pod-probes-identical when
 * readiness and liveness are both the TCP connect a serving process gets by default, which cannot
 * fail because of a dependency (probesIdenticalByDesign; FC-PROBE-002 covers HTTP paths and commands).
 */
export function workloadAnnotations(service: ResolvedService, process: ResolvedProcess): Record<string, string> | undefined {
  return waiverAnnotations(service, probesIdenticalByDesign(process.container) ? ['pod-probes-identical'] : []);
}
