import { ClusterView, Located, containersOf, describeObject, podTemplate, quoted } from '../context';

/**
 * Pod Security Standards, level `restricted` (FC-PSS-001…006), as the admission controller
 * checks them, plus a read-only root filesystem (FC-PSS-007). Checked on every pod template.
 */

const PSS_LABELS = ['pod-security.kubernetes.io/enforce', 'pod-security.kubernetes.io/audit', 'pod-security.kubernetes.io/warn'];

/** Volume types the restricted level allows. */
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

export function checkPodSecurity(view: ClusterView): void {
  for (const at of view.byKind('Namespace')) checkNamespace(view, at);
  for (const at of view.all) {
    const pod = podTemplate(at.doc);
    if (pod) checkPod(view, at, pod.spec, pod.metadata.annotations ?? {});
  }
}

function checkNamespace(view: ClusterView, at: Located): void {
  const labels: Record<string, string> = at.doc.metadata.labels ?? {};
  const wrong = PSS_LABELS.filter((key) => labels[key] !== 'restricted');
  if (wrong.length) {
    view.report(at, 'FC-PSS-001', '', `expected ${wrong.map((k) => `${k}: restricted`).join(', ')} on Namespace ${at.doc.metadata.name}, got ${wrong.map((k) => (labels[k] === undefined ? 'none' : `'${labels[k]}'`)).join(', ')}; every service namespace enforces Pod Security restricted`);
  }
}

function checkPod(view: ClusterView, at: Located, spec: Record<string, any>, annotations: Record<string, string>): void {
  const path = view.processPath(at);
  const where = describeObject(at);
  const pod = spec.securityContext ?? {};
  const containers = containersOf(spec);

  // FC-PSS-002: non-root.
  const podNonRoot = pod.runAsNonRoot === true;
  for (const c of containers) {
    const own = c.securityContext?.runAsNonRoot;
    if (own === false || (!podNonRoot && own !== true)) {
      view.report(at, 'FC-PSS-002', path, `expected runAsNonRoot: true for container '${c.name}' in ${where}, got ${own === false ? 'false' : 'none'}; set securityContext.runAsNonRoot: true on the pod`);
    }
    if (c.securityContext?.runAsUser === 0) view.report(at, 'FC-PSS-002', path, `expected a non-zero runAsUser for container '${c.name}' in ${where}, got 0; run as an unprivileged user id`);
  }
  if (pod.runAsUser === 0) view.report(at, 'FC-PSS-002', path, `expected a non-zero runAsUser in ${where}, got 0; run as an unprivileged user id`);

  for (const c of containers) {
    const sc = c.securityContext ?? {};
    // FC-PSS-003: privilege.
    if (sc.privileged === true) view.report(at, 'FC-PSS-003', path, `expected container '${c.name}' in ${where} not to be privileged, got privileged: true; remove it`);
    if (sc.allowPrivilegeEscalation !== false) {
      view.report(at, 'FC-PSS-003', path, `expected allowPrivilegeEscalation: false for container '${c.name}' in ${where}, got ${sc.allowPrivilegeEscalation ?? 'none'}; set it on the container's securityContext`);
    }
    // FC-PSS-004: capabilities.
    const drop: unknown[] = sc.capabilities?.drop ?? [];
    if (!drop.includes('ALL')) view.report(at, 'FC-PSS-004', path, `expected capabilities.drop: ['ALL'] for container '${c.name}' in ${where}, got ${drop.length ? `[${quoted(drop)}]` : 'none'}; drop ALL`);
    const added = ((sc.capabilities?.add ?? []) as unknown[]).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (added.length) view.report(at, 'FC-PSS-004', path, `expected no added capabilities but NET_BIND_SERVICE for container '${c.name}' in ${where}, got [${quoted(added)}]; remove them`);
    // FC-PSS-006: container-level host access.
    for (const port of c.ports ?? []) {
      if (port?.hostPort) view.report(at, 'FC-PSS-006', path, `expected no hostPort for container '${c.name}' in ${where}, got ${port.hostPort}; expose the port through a Service`);
    }
    checkSeLinux(view, at, path, sc.seLinuxOptions, `container '${c.name}' in ${where}`);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') view.report(at, 'FC-PSS-006', path, `expected the default procMount for container '${c.name}' in ${where}, got '${sc.procMount}'; remove it`);
    if (sc.windowsOptions?.hostProcess === true) view.report(at, 'FC-PSS-006', path, `expected no Windows host process for container '${c.name}' in ${where}; remove windowsOptions.hostProcess`);
    // FC-PSS-007: read-only root filesystem.
    if (sc.readOnlyRootFilesystem !== true) {
      view.report(at, 'FC-PSS-007', path, `expected readOnlyRootFilesystem: true for container '${c.name}' in ${where}, got ${sc.readOnlyRootFilesystem ?? 'none'}; write only to emptyDir mounts like /tmp`);
    }
  }

  // FC-PSS-005: seccomp.
  const podSeccomp = pod.seccompProfile?.type;
  const allowed = (type: unknown) => type === 'RuntimeDefault' || type === 'Localhost';
  if (podSeccomp !== undefined && !allowed(podSeccomp)) {
    view.report(at, 'FC-PSS-005', path, `expected seccompProfile RuntimeDefault or Localhost in ${where}, got '${podSeccomp}'; set securityContext.seccompProfile.type: RuntimeDefault`);
  }
  for (const c of containers) {
    const own = c.securityContext?.seccompProfile?.type;
    if (own !== undefined ? !allowed(own) : !allowed(podSeccomp)) {
      view.report(at, 'FC-PSS-005', path, `expected seccompProfile RuntimeDefault or Localhost for container '${c.name}' in ${where}, got ${own ?? podSeccomp ? `'${own ?? podSeccomp}'` : 'none'}; set securityContext.seccompProfile.type: RuntimeDefault on the pod`);
    }
  }

  // FC-PSS-006: pod-level host access.
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[key] === true) view.report(at, 'FC-PSS-006', path, `expected no ${key} in ${where}, got true; remove it`);
  }
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume ?? {}).find((k) => k !== 'name');
    if (type !== undefined && !RESTRICTED_VOLUMES.has(type)) {
      view.report(at, 'FC-PSS-006', path, `expected volume '${volume.name}' in ${where} to be one of ${[...RESTRICTED_VOLUMES].join(', ')}, got ${type}; restricted pods cannot mount it`);
    }
  }
  if (Array.isArray(pod.sysctls) && pod.sysctls.length) view.report(at, 'FC-PSS-006', path, `expected no sysctls in ${where}, got ${pod.sysctls.length}; remove them`);
  checkSeLinux(view, at, path, pod.seLinuxOptions, where);
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith(APPARMOR_PREFIX) && value !== 'runtime/default' && !value.startsWith('localhost/')) {
      view.report(at, 'FC-PSS-006', path, `expected AppArmor profile runtime/default or localhost/* in ${where}, got '${value}'; remove the annotation ${key}`);
    }
  }
}

function checkSeLinux(view: ClusterView, at: Located, path: string, options: Record<string, unknown> | undefined, where: string): void {
  if (!options) return;
  if (options.user || options.role || !SELINUX_TYPES.has(String(options.type ?? ''))) {
    view.report(at, 'FC-PSS-006', path, `expected no SELinux user or role and a container type for ${where}, got ${JSON.stringify(options)}; remove seLinuxOptions`);
  }
}
