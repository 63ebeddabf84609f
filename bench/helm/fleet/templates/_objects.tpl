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

{{- /* One Deployment of a process per track: .track, .version and .replicas are the track's. */}}
{{- define "fleet.deployment" }}
{{- $p := .p }}
{{- $d := .d }}
{{- $selector := dict "app.kubernetes.io/name" .svc.name "app.kubernetes.io/component" .name "track" .track }}
{{- $version := .version }}
{{- /* `tag@sha256:…` (prod pins digests): the tag is the label. */}}
{{- $versionLabel := regexReplaceAll "@.*$" $version "" }}
{{- $podLabels := merge (dict "app.kubernetes.io/component" .name "track" .track "app.kubernetes.io/version" $versionLabel "app" .fullName "version" $versionLabel) .labels }}
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
  name: {{ if eq .track "stable" }}{{ .fullName }}{{ else }}{{ .fullName }}-{{ .track }}{{ end }}
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml $podLabels | nindent 4 }}
spec:
  replicas: {{ .replicas }}
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
              sleep:
                seconds: {{ int $preStop }}
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
{{- $trustDomain := .cluster.mesh.trustDomain | default "cluster.local" }}
{{- $callers := .svc.callers | default dict }}
{{- $callerServices := $callers.services | default list | uniq | sortAlpha }}
{{- $gateway := .hasRoutes }}
{{- if hasKey $callers "gateway" }}{{ $gateway = $callers.gateway }}{{ end }}
{{- $gatewayAccount := splitList "/" .cluster.ingress.serviceAccount }}
{{- $principals := list (printf "%s/ns/%s/sa/%s" $trustDomain .svc.name .svc.name) }}
{{- $namespaces := list .svc.name }}
{{- range $callerServices }}
{{- $principals = append $principals (printf "%s/ns/%s/sa/%s" $trustDomain . .) }}
{{- $namespaces = append $namespaces . }}
{{- end }}
{{- if $gateway }}
{{- $principals = append $principals (printf "%s/ns/%s/sa/%s" $trustDomain (index $gatewayAccount 0) (index $gatewayAccount 1)) }}
{{- $namespaces = append $namespaces (index $gatewayAccount 0) }}
{{- end }}
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
              {{- toYaml (sortAlpha $principals) | nindent 14 }}
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
        {{- range $namespaces | uniq | sortAlpha }}
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ . }}
        {{- end }}
{{- with .svc.egress }}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: restrict-egress
  namespace: {{ $.svc.name }}
  labels:
    {{- toYaml $.labels | nindent 4 }}
spec:
  podSelector: {}
  policyTypes:
    - Egress
  egress:
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
      ports:
        - protocol: UDP
          port: 53
        - protocol: TCP
          port: 53
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: istio-system
      ports:
        - protocol: TCP
          port: 15012
        - protocol: TCP
          port: 15017
    {{- with .namespaces }}
    - to:
        {{- range sortAlpha . }}
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ . }}
        {{- end }}
    {{- end }}
    {{- range .cidrs }}
    - to:
        - ipBlock:
            cidr: {{ .cidr }}
      ports:
        {{- range .ports }}
        - protocol: TCP
          port: {{ . }}
        {{- end }}
    {{- end }}
{{- end }}
{{- end }}

{{- /* Istio HTTP routes: every routing stage × every path prefix, with the route's policies. */}}
{{- define "fleet.http" }}
{{- $retries := .retries }}
{{- range $stage := .stages }}
- name: {{ $stage.name }}
  {{- if or $stage.match $.paths }}
  match:
    {{- range $prefix := $.paths | default (list "") }}
    {{- if $stage.match }}
    - headers:
        {{ $stage.match.header }}:
          regex: {{ $stage.match.regex | quote }}
      {{- with $prefix }}
      uri:
        prefix: {{ . }}
      {{- end }}
    {{- with $stage.match.cookie }}
    - headers:
        cookie:
          regex: {{ . | quote }}
      {{- with $prefix }}
      uri:
        prefix: {{ . }}
      {{- end }}
      withoutHeaders:
        {{ $stage.match.header }}:
          regex: ".*"
    {{- end }}
    {{- else }}
    - uri:
        prefix: {{ $prefix }}
    {{- end }}
    {{- end }}
  {{- end }}
  route:
    {{- range $stage.destinations }}
    - destination:
        host: {{ $.host }}
        subset: {{ .track }}
        {{- with $.port }}
        port:
          number: {{ . }}
        {{- end }}
      weight: {{ .weight }}
    {{- end }}
  timeout: {{ $.timeout }}
  retries:
    attempts: {{ $retries.attempts }}
    {{- if gt (int $retries.attempts) 0 }}
    perTryTimeout: {{ $retries.perTryTimeout }}
    retryOn: {{ $retries.retryOn }}
    {{- end }}
  {{- with $.cors }}
  corsPolicy:
    allowOrigins:
      {{- range .allowOrigins }}
      - exact: {{ . }}
      {{- end }}
    allowMethods:
      {{- toYaml (.allowMethods | default (list "GET" "POST")) | nindent 6 }}
    {{- with .allowHeaders }}
    allowHeaders:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- if hasKey . "allowCredentials" }}
    allowCredentials: {{ .allowCredentials }}
    {{- end }}
    {{- with .maxAge }}
    maxAge: {{ . }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end }}

{{- /* The regex of organization buckets 0 … weight-1 (buckets are 0–99). */}}
{{- define "fleet.bucketRegex" }}
{{- $n := sub . 1 }}
{{- if lt $n 10 }}
{{- printf "^[0-%d]$" $n }}
{{- else }}
{{- $tens := div $n 10 }}
{{- $parts := list "[0-9]" }}
{{- if eq $tens 2 }}{{ $parts = append $parts "1[0-9]" }}{{ else if gt $tens 2 }}{{ $parts = append $parts (printf "[1-%d][0-9]" (sub $tens 1)) }}{{ end }}
{{- $parts = append $parts (printf "%d[0-%d]" $tens (mod $n 10)) }}
{{- printf "^(%s)$" (join "|" $parts) }}
{{- end }}
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
    {{- include "fleet.http" (dict "stages" .stages "host" $host "timeout" .d.routeTimeout "retries" .d.retries) | indent 4 }}
{{- end }}
{{- end }}

{{- /* One VirtualService per external route, on the cluster's ingress gateway. */}}
{{- define "fleet.route" }}
{{- $route := .route }}
{{- $process := $route.process }}
{{- if not $process }}
{{- range $name, $p := .svc.processes }}{{ if $p.ports }}{{ $process = $name }}{{ end }}{{ end }}
{{- end }}
{{- $ports := (get .svc.processes $process).ports }}
{{- $port := first $ports }}
{{- with $route.port }}{{ range $ports }}{{ if eq .name $route.port }}{{ $port = . }}{{ end }}{{ end }}{{ end }}
{{- $given := $route.retries | default dict }}
{{- $retries := dict "attempts" (ternary $given.attempts .d.retries.attempts (hasKey $given "attempts")) "perTryTimeout" ($given.perTryTimeout | default .d.retries.perTryTimeout) "retryOn" ($given.retryOn | default .d.retries.retryOn) }}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {{ printf "%s-ingress-%s" .svc.name .routeName }}
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml (merge (dict "app.kubernetes.io/component" $process) .labels) | nindent 4 }}
spec:
  hosts:
    - {{ if contains "." $route.host }}{{ $route.host }}{{ else }}{{ printf "%s.%s" $route.host .cluster.baseDomain }}{{ end }}
  gateways:
    - {{ .cluster.ingress.gateway }}
  http:
    {{- include "fleet.http" (dict "stages" .stages "paths" ($route.paths | default .d.routePaths) "host" (printf "%s-%s.%s.svc.cluster.local" .svc.name $process .svc.name) "port" $port.port "timeout" ($route.timeout | default .d.routeTimeout) "retries" $retries "cors" $route.cors) | indent 4 }}
{{- end }}
