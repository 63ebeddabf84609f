{{- define "fleet.namespace" }}
{{- $nsLabels := merge (dict "pod-security.kubernetes.io/enforce" "restricted" "pod-security.kubernetes.io/audit" "restricted" "pod-security.kubernetes.io/warn" "restricted") .labels }}
{{- if .cluster.mesh.revision }}{{ $_ := set $nsLabels "istio.io/rev" .cluster.mesh.revision }}{{ else }}{{ $_ := set $nsLabels "istio-injection" "enabled" }}{{ end }}
---
# Source: {{ .cluster.name }}/{{ .svc.name }}.k8s.yaml
apiVersion: v1
kind: Namespace
metadata:
  name: {{ .svc.name }}
  labels:
    {{- toYaml $nsLabels | nindent 4 }}
{{- end }}

{{- define "fleet.serviceaccount" }}
{{- $annotations := dict }}
{{- if .svc.identity }}
{{- $kind := .cluster.provider.kind }}
{{- if eq $kind "gke" }}{{ $_ := set $annotations "iam.gke.io/gcp-service-account" (printf "%s@%s.iam.gserviceaccount.com" .svc.name .cluster.provider.project) }}
{{- else if eq $kind "aks" }}{{ $_ := set $annotations "azure.workload.identity/client-id" .svc.identity.azureClientId }}{{ $_ := set $annotations "azure.workload.identity/tenant-id" .cluster.provider.tenantId }}
{{- end }}
{{- end }}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .svc.name }}
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml .labels | nindent 4 }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end }}

{{- define "fleet.service" }}
{{- if .p.ports }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .fullName }}
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml (merge (dict "app.kubernetes.io/component" .name) .labels) | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: {{ .svc.name }}
    app.kubernetes.io/component: {{ .name }}
  ports:
    {{- range .p.ports }}
    - name: {{ .name }}
      port: {{ .port }}
      targetPort: {{ .name }}
      protocol: TCP
      appProtocol: {{ .protocol | default "http" }}
    {{- end }}
{{- end }}
{{- end }}

{{- define "fleet.probe" }}
{{- $given := .given | default dict }}
{{- if $given.command }}
exec:
  command:
    {{- toYaml $given.command | nindent 4 }}
{{- else if $given.path }}
httpGet:
  path: {{ $given.path }}
  port: {{ (first .ports).name }}
{{- else if eq ((first .ports).protocol | default "http") "grpc" }}
grpc:
  port: {{ (first .ports).port }}
{{- else }}
tcpSocket:
  port: {{ (first .ports).name }}
{{- end }}
initialDelaySeconds: {{ $given.initialDelaySeconds | default .d.probe.initialDelaySeconds }}
periodSeconds: {{ $given.periodSeconds | default .d.probe.periodSeconds }}
timeoutSeconds: {{ $given.timeoutSeconds | default .d.probe.timeoutSeconds }}
failureThreshold: {{ $given.failureThreshold | default .failureThreshold }}
{{- end }}

{{- define "fleet.deployment" }}
{{- $p := .p }}
{{- $d := .d }}
{{- $selector := dict "app.kubernetes.io/name" .svc.name "app.kubernetes.io/component" .name "track" "stable" }}
{{- $version := .svc.release.stable }}
{{- $podLabels := merge (dict "app.kubernetes.io/component" .name "track" "stable" "app.kubernetes.io/version" $version "app" .fullName "version" $version) .labels }}
{{- if and .svc.identity (eq .cluster.provider.kind "aks") }}{{ $_ := set $podLabels "azure.workload.identity/use" "true" }}{{ end }}
{{- $env := dict }}
{{- range $k, $v := (merge (dict) ($p.env | default dict) (.svc.env | default dict)) }}{{ $_ := set $env $k (dict "name" $k "value" $v) }}{{ end }}
{{- range $k, $v := (.svc.secrets | default dict) }}{{ $_ := set $env $k (dict "name" $k "valueFrom" (dict "secretKeyRef" (dict "name" $v.secret "key" $v.key))) }}{{ end }}
{{- $preStop := $p.preStopSeconds | default $d.preStopSeconds }}
{{- $memory := $p.memory | default $d.memory }}
{{- $probes := $p.probes | default dict }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .fullName }}
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml $podLabels | nindent 4 }}
spec:
  replicas: {{ $p.replicas | default $d.replicas }}
  selector:
    matchLabels:
      {{- toYaml $selector | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: {{ $p.maxSurge | default $d.maxSurge | quote }}
  minReadySeconds: {{ $p.minReadySeconds | default $d.minReadySeconds }}
  progressDeadlineSeconds: {{ $p.progressDeadlineSeconds | default $d.progressDeadlineSeconds }}
  revisionHistoryLimit: {{ $d.revisionHistoryLimit }}
  template:
    metadata:
      labels:
        {{- toYaml $podLabels | nindent 8 }}
      annotations:
        kubectl.kubernetes.io/default-container: {{ .name }}
        proxy.istio.io/config: {{ printf "{\"holdApplicationUntilProxyStarts\":true,\"terminationDrainDuration\":\"%ds\"}" (add $preStop 5) | quote }}
    spec:
      serviceAccountName: {{ .svc.name }}
      automountServiceAccountToken: false
      priorityClassName: {{ .priorityClass }}
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ $p.terminationGracePeriodSeconds | default $d.terminationGracePeriodSeconds }}
      securityContext:
        runAsNonRoot: true
        runAsUser: {{ $p.runAsUser | default $d.runAsUser }}
        runAsGroup: {{ $p.runAsUser | default $d.runAsUser }}
        fsGroup: {{ $p.runAsUser | default $d.runAsUser }}
        seccompProfile:
          type: RuntimeDefault
      topologySpreadConstraints:
        {{- range $spread := list (list "topology.kubernetes.io/zone" "DoNotSchedule") (list "kubernetes.io/hostname" "ScheduleAnyway") }}
        - topologyKey: {{ index $spread 0 }}
          whenUnsatisfiable: {{ index $spread 1 }}
          maxSkew: 1
          labelSelector:
            matchLabels:
              {{- toYaml $selector | nindent 14 }}
          matchLabelKeys:
            - pod-template-hash
        {{- end }}
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    {{- toYaml $selector | nindent 20 }}
      containers:
        - name: {{ .name }}
          image: {{ printf "%s:%s" .svc.image $version }}
          imagePullPolicy: IfNotPresent
          {{- with $p.command }}
          command:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with $p.ports }}
          ports:
            {{- range . }}
            - name: {{ .name }}
              containerPort: {{ .port }}
              protocol: TCP
            {{- end }}
          {{- end }}
          {{- with $env }}
          env:
            {{- range $k := keys . | sortAlpha }}
            - {{- toYaml (get $env $k) | nindent 14 }}
            {{- end }}
          {{- end }}
          resources:
            requests:
              cpu: {{ $p.cpu | default $d.cpu | quote }}
              memory: {{ $memory | quote }}
            limits:
              memory: {{ $p.memoryLimit | default $memory | quote }}
          {{- if or $p.ports $probes.ready }}
          readinessProbe:
            {{- include "fleet.probe" (dict "given" $probes.ready "ports" $p.ports "d" $d "failureThreshold" $d.probe.failureThreshold) | indent 12 }}
          {{- end }}
          {{- if or $p.ports $probes.live }}
          livenessProbe:
            {{- include "fleet.probe" (dict "given" $probes.live "ports" $p.ports "d" $d "failureThreshold" $d.livenessFailureThreshold) | indent 12 }}
          {{- end }}
          {{- if gt (int $preStop) 0 }}
          lifecycle:
            preStop:
              exec:
                command: ["sleep", {{ $preStop | toString | quote }}]
          {{- end }}
          securityContext:
            allowPrivilegeEscalation: false
            privileged: false
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            capabilities:
              drop: ["ALL"]
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $p.tmpSize | default $d.tmpSize | quote }}
{{- end }}

{{- define "fleet.pdb" }}
{{- if ge (int (.p.replicas | default .d.replicas)) 2 }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .fullName }}
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml (merge (dict "app.kubernetes.io/component" .name) .labels) | nindent 4 }}
spec:
  maxUnavailable: {{ (.p.disruption | default dict).maxUnavailable | default .d.pdbMaxUnavailable }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .svc.name }}
      app.kubernetes.io/component: {{ .name }}
  unhealthyPodEvictionPolicy: AlwaysAllow
{{- end }}
{{- end }}

{{- define "fleet.security" }}
{{- $principal := printf "%s/ns/%s/sa/%s" (.cluster.mesh.trustDomain | default "cluster.local") .svc.name .svc.name }}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml .labels | nindent 4 }}
spec:
  mtls:
    mode: STRICT
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-callers
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml .labels | nindent 4 }}
spec:
  action: ALLOW
  rules:
    - from:
        - source:
            principals:
              - {{ $principal }}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml .labels | nindent 4 }}
spec:
  podSelector: {}
  policyTypes:
    - Ingress
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-callers
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml .labels | nindent 4 }}
spec:
  podSelector: {}
  policyTypes:
    - Ingress
  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ .svc.name }}
{{- end }}

{{- define "fleet.traffic" }}
{{- if .p.ports }}
{{- $host := printf "%s.%s.svc.cluster.local" .fullName .svc.name }}
{{- $labels := merge (dict "app.kubernetes.io/component" .name) .labels }}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: {{ .fullName }}
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml $labels | nindent 4 }}
spec:
  host: {{ $host }}
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 1024
        connectTimeout: 2s
      http:
        http2MaxRequests: 1024
        idleTimeout: 300s
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 10s
      baseEjectionTime: 30s
      maxEjectionPercent: 50
  subsets:
    {{- range list "stable" "canary" }}
    - name: {{ . }}
      labels:
        track: {{ . }}
    {{- end }}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {{ .fullName }}
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml $labels | nindent 4 }}
spec:
  hosts:
    - {{ $host }}
  gateways:
    - mesh
  http:
    - name: weighted
      route:
        - destination:
            host: {{ $host }}
            subset: stable
          weight: 100
      timeout: 15s
      retries:
        attempts: 2
        perTryTimeout: 5s
        retryOn: connect-failure,refused-stream,unavailable,cancelled
{{- end }}
{{- end }}
