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
  annotations:
    {{- toYaml .waiverMeta | nindent 4 }}
{{- end }}

{{- define "fleet.serviceaccount" }}
{{- $annotations := merge (dict) .meta }}
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
  annotations:
    {{- toYaml $annotations | nindent 4 }}
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
  annotations:
    {{- toYaml .meta | nindent 4 }}
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
      appProtocol: {{ include "fleet.portProtocol" (dict "port" . "d" $.d) }}
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
{{- else if eq (include "fleet.portProtocol" (dict "port" (first .ports) "d" .d)) "grpc" }}
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

{{- /* One Deployment of a process per version it runs: .deploymentName, .selectorExtra, .version and .replicas are that version's. */}}
{{- define "fleet.deployment" }}
{{- $p := .p }}
{{- $d := .d }}
{{- $selector := merge (dict "app.kubernetes.io/name" .svc.name "app.kubernetes.io/component" .name) .selectorExtra }}
{{- $version := .version }}
{{- $podLabels := merge (dict "app.kubernetes.io/component" .name "app.kubernetes.io/version" $version "app" .fullName "version" $version) .selectorExtra .labels }}
{{- if and .svc.identity (eq .cluster.provider.kind "aks") }}{{ $_ := set $podLabels "azure.workload.identity/use" "true" }}{{ end }}
{{- $env := dict }}
{{- range $k, $v := (merge (dict) ($p.env | default dict) (.svc.env | default dict)) }}{{ $_ := set $env $k (dict "name" $k "value" $v) }}{{ end }}
{{- range $k, $v := (.svc.secrets | default dict) }}{{ $_ := set $env $k (dict "name" $k "valueFrom" (dict "secretKeyRef" (dict "name" $v.secret "key" $v.key))) }}{{ end }}
{{- $preStop := $p.preStopSeconds | default $d.preStopSeconds }}
{{- $memory := $p.memory | default $d.memory }}
{{- $probes := $p.probes | default dict }}
{{- /* Both probes the same TCP connect: kube-score's pod-probes-identical is ignored by design. */}}
{{- $ready := $probes.ready | default dict }}{{ $live := $probes.live | default dict }}
{{- $deploymentMeta := .waiverMeta }}
{{- if and $p.ports (not $ready.command) (not $ready.path) (not $live.command) (not $live.path) (ne (include "fleet.portProtocol" (dict "port" (first $p.ports) "d" $d)) "grpc") }}
{{- $ignored := append (compact (splitList "," (get .waiverMeta "kube-score/ignore" | default ""))) "pod-probes-identical" }}
{{- $deploymentMeta = merge (dict "kube-score/ignore" (join "," $ignored)) .waiverMeta }}
{{- end }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .deploymentName }}
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml $podLabels | nindent 4 }}
  annotations:
    {{- toYaml $deploymentMeta | nindent 4 }}
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
          {{- $image := printf "%s:%s" .svc.image $version }}
          image: {{ $image }}
          {{- /* A digest names fixed bytes: a cached copy is the same image. A tag may have moved. */}}
          imagePullPolicy: {{ ternary "IfNotPresent" "Always" (regexMatch "sha256:[a-f0-9]{64}$" $image) }}
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
                seconds: {{ $preStop }}
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
  annotations:
    {{- toYaml .meta | nindent 4 }}
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
{{- /* callers.services only consent: a caller is let in on the ports it calls (calls), and the synthetic fleet has none. */}}
{{- $gateway := .hasRoutes }}
{{- if hasKey (.svc.callers | default dict) "gateway" }}{{ $gateway = .svc.callers.gateway }}{{ end }}
{{- $gatewayAccount := splitList "/" .cluster.ingress.serviceAccount }}
{{- $gatewayPrincipal := printf "%s/ns/%s/sa/%s" $trustDomain (index $gatewayAccount 0) (index $gatewayAccount 1) }}
{{- $routePorts := list }}
{{- range .routes }}{{ $routePorts = append $routePorts (printf "%05d" (int .port)) }}{{ end }}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: default
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml .labels | nindent 4 }}
  annotations:
    {{- toYaml .meta | nindent 4 }}
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
  annotations:
    {{- toYaml .meta | nindent 4 }}
spec:
  action: ALLOW
  rules:
    - from:
        - source:
            principals:
              - {{ printf "%s/ns/%s/sa/%s" $trustDomain .svc.name .svc.name }}
    {{- if $gateway }}
    {{- range .routes }}
    - from:
        - source:
            principals:
              - {{ $gatewayPrincipal }}
      to:
        - operation:
            ports:
              - {{ .port | quote }}
            paths:
              {{- range .paths }}
              {{- if eq . "/" }}
              - /*
              {{- else }}
              - {{ regexReplaceAll "/+$" . "" }}
              - {{ printf "%s/*" (regexReplaceAll "/+$" . "") }}
              {{- end }}
              {{- end }}
    {{- else }}
    - from:
        - source:
            principals:
              - {{ $gatewayPrincipal }}
    {{- end }}
    {{- end }}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml .labels | nindent 4 }}
  annotations:
    {{- toYaml .meta | nindent 4 }}
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
  annotations:
    {{- toYaml .meta | nindent 4 }}
spec:
  podSelector: {}
  policyTypes:
    - Ingress
  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ .svc.name }}
    {{- if $gateway }}
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ index $gatewayAccount 0 }}
      {{- with $routePorts }}
      ports:
        {{- range uniq . | sortAlpha }}
        - protocol: TCP
          port: {{ atoi . }}
        {{- end }}
      {{- end }}
    {{- end }}
    {{- if .servesRequests }}
    {{- /* Prometheus reads the sidecars' Envoy stats. */}}
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ .cluster.monitoringNamespace }}
      ports:
        - protocol: TCP
          port: {{ .d.envoyStats.portNumber }}
    {{- end }}
{{- /* Egress is denied but for DNS, istiod, the service's own namespace and the destinations its values list. */}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: restrict-egress
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml .labels | nindent 4 }}
  annotations:
    {{- toYaml .meta | nindent 4 }}
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
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ .svc.name }}
    {{- with .svc.egress }}
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

{{- /* Istio HTTP routes: every rule × every path (exact /p and prefix /p/), header matches only, one destination. */}}
{{- define "fleet.http" }}
{{- $retries := .retries }}
{{- $uris := list }}
{{- range $path := $.paths }}
{{- $p := $path }}{{ if gt (len $path) 1 }}{{ $p = trimSuffix "/" $path }}{{ end }}
{{- if eq $p "/" }}{{ $uris = append $uris (dict "prefix" "/") }}{{ else }}{{ $uris = append $uris (dict "exact" $p) }}{{ $uris = append $uris (dict "prefix" (printf "%s/" $p)) }}{{ end }}
{{- end }}
{{- range $rule := .rules }}
- name: {{ $rule.name }}{{ $.suffix | default "" }}
  {{- if or $rule.match $uris $.matchPort }}
  match:
    {{- if $rule.match }}
    {{- $headers := list }}
    {{- if hasKey $rule.match "exact" }}{{ range $rule.match.exact }}{{ $headers = append $headers (dict "exact" .) }}{{ end }}{{ else }}{{ $headers = list (dict "regex" $rule.match.regex) }}{{ end }}
    {{- range $h := $headers }}
    {{- range $uri := $uris | default (list dict) }}
    - headers:
        {{ $rule.match.header }}:
          {{- toYaml $h | nindent 10 }}
      {{- with $.matchPort }}
      port: {{ . }}
      {{- end }}
      {{- with $uri }}
      uri:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
    {{- end }}
    {{- else if $uris }}
    {{- range $uris }}
    - uri:
        {{- toYaml . | nindent 8 }}
    {{- end }}
    {{- else }}
    - port: {{ $.matchPort }}
    {{- end }}
  {{- end }}
  route:
    - destination:
        host: {{ $.host }}
        subset: {{ $rule.subset | quote }}
        {{- with $.port }}
        port:
          number: {{ . }}
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

{{- /* The regex of organization buckets 0 … weight-1, as decimals with any leading zeros. */}}
{{- define "fleet.bucketRegex" }}
{{- $n := sub . 1 }}
{{- if ge (int .) 100 }}
{{- print "^0*[0-9]{1,2}$" }}
{{- else if lt $n 10 }}
{{- printf "^0*[0-%d]$" $n }}
{{- else }}
{{- $tens := div $n 10 }}
{{- $parts := list "[0-9]" }}
{{- if eq $tens 2 }}{{ $parts = append $parts "1[0-9]" }}{{ else if gt $tens 2 }}{{ $parts = append $parts (printf "[1-%d][0-9]" (sub $tens 1)) }}{{ end }}
{{- $parts = append $parts (printf "%d[0-%d]" $tens (mod $n 10)) }}
{{- printf "^0*(%s)$" (join "|" $parts) }}
{{- end }}
{{- end }}

{{- /* A version as a DNS label: the subset name and Deployment suffix. */}}
{{- define "fleet.versionId" }}
{{- if hasPrefix "sha256:" . }}{{ printf "sha256-%s" (substr 7 19 .) }}{{ else }}{{ regexReplaceAll "-+$" (trunc 40 (regexReplaceAll "^-+" (regexReplaceAll "[^a-z0-9]+" (lower .) "-") "")) "" }}{{ end }}
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
  annotations:
    {{- toYaml .meta | nindent 4 }}
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
    {{- range .versions }}
    - name: {{ include "fleet.versionId" . | quote }}
      labels:
        version: {{ . | quote }}
    {{- end }}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {{ .fullName }}
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml $labels | nindent 4 }}
  annotations:
    {{- toYaml .meta | nindent 4 }}
spec:
  hosts:
    - {{ $host }}
  gateways:
    - mesh
  http:
    {{- if lt (len .p.ports) 2 }}
    {{- include "fleet.http" (dict "rules" .rules "host" $host "timeout" .d.routeTimeout "retries" .d.retries) | indent 4 }}
    {{- else }}
    {{- /* A Service with several ports: each HTTP port's rules, matched by and sent to that port. */}}
    {{- range $port := .p.ports }}
    {{- if has (include "fleet.portProtocol" (dict "port" $port "d" $.d)) (list "http" "http2" "grpc") }}
    {{- include "fleet.http" (dict "rules" $.rules "host" $host "port" $port.port "matchPort" $port.port "suffix" (printf "-%s" $port.name) "timeout" $.d.routeTimeout "retries" $.d.retries) | indent 4 }}
    {{- end }}
    {{- end }}
    {{- end }}
{{- end }}
{{- end }}

{{- /* One VirtualService per external route, on the cluster's ingress gateway (.r: the route, its process and port). */}}
{{- define "fleet.route" }}
{{- $route := .r.route }}
{{- $given := $route.retries | default dict }}
{{- $retries := dict "attempts" (ternary $given.attempts .d.retries.attempts (hasKey $given "attempts")) "perTryTimeout" ($given.perTryTimeout | default .d.retries.perTryTimeout) "retryOn" ($given.retryOn | default .d.retries.retryOn) }}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: {{ printf "%s-ingress-%s" .svc.name .r.name }}
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml (merge (dict "app.kubernetes.io/component" .r.process) .labels) | nindent 4 }}
  annotations:
    {{- toYaml .meta | nindent 4 }}
spec:
  hosts:
    - {{ if contains "." $route.host }}{{ $route.host }}{{ else }}{{ printf "%s.%s" $route.host .cluster.baseDomain }}{{ end }}
  gateways:
    - {{ .cluster.ingress.gateway }}
  http:
    {{- include "fleet.http" (dict "rules" .rules "paths" .r.paths "host" (printf "%s-%s.%s.svc.cluster.local" .svc.name .r.process .svc.name) "port" .r.port "timeout" ($route.timeout | default .d.routeTimeout) "retries" $retries "cors" $route.cors) | indent 4 }}
{{- end }}

{{- /* A port's protocol: as given, else by Istio's port-name convention (<protocol>[-<suffix>]), else the default. */}}
{{- define "fleet.portProtocol" }}
{{- .port.protocol | default (get .d.portProtocols (first (splitList "-" .port.name))) | default .d.portProtocol }}
{{- end }}

{{- /* waiver.fleetchart.io/<rule> per waived rule, and each linter's own ignore annotation for the checks it covers. */}}
{{- define "fleet.waiverAnnotations" }}
{{- $annotations := dict }}
{{- $kubeScore := list }}
{{- $checkov := 0 }}
{{- range $rule := keys (.waivers | default dict) | sortAlpha }}
{{- $reason := get $.waivers $rule }}
{{- $_ := set $annotations (printf "waiver.fleetchart.io/%s" $rule) $reason }}
{{- $checks := get $.d.linterChecks $rule | default dict }}
{{- $kubeScore = concat $kubeScore ($checks.kubeScore | default list) }}
{{- range $checks.checkov | default list }}{{ $checkov = add1 $checkov }}{{ $_ := set $annotations (printf "checkov.io/skip%d" $checkov) (printf "%s=%s: %s" . $rule $reason) }}{{ end }}
{{- range $checks.monokle | default list }}{{ $_ := set $annotations (printf "monokle.io/suppress.%s" .) (printf "%s: %s" $rule $reason) }}{{ end }}
{{- end }}
{{- with $kubeScore }}{{ $_ := set $annotations "kube-score/ignore" (join "," .) }}{{ end }}
{{- toYaml $annotations }}
{{- end }}

{{- /* The sidecars' Envoy stats of a process serving requests, scraped by the cluster's Prometheus. */}}
{{- define "fleet.podmonitor" }}
{{- $serves := false }}
{{- range .p.ports }}{{ if and (has (include "fleet.portProtocol" (dict "port" . "d" $.d)) (list "http" "http2" "grpc")) (ne .name $.d.metrics.port) }}{{ $serves = true }}{{ end }}{{ end }}
{{- if $serves }}
---
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata:
  name: {{ .fullName }}-mesh
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml (merge (dict "app.kubernetes.io/component" .name) .prometheusLabels .labels) | nindent 4 }}
  annotations:
    {{- toYaml .meta | nindent 4 }}
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ .svc.name }}
      app.kubernetes.io/component: {{ .name }}
  namespaceSelector:
    matchNames:
      - {{ .svc.name }}
  podMetricsEndpoints:
    - port: {{ .d.envoyStats.port }}
      path: {{ .d.envoyStats.path }}
      interval: {{ .d.metrics.interval }}
{{- end }}
{{- end }}

{{- /*
The service's alerts as a PrometheusRule: SLO burn rates (availability, latency; the SRE workbook's
fast and slow burn) and version versus default version. Requests as the callers' sidecars see them.
*/}}
{{- define "fleet.alerts" }}
{{- if .servesRequests }}
{{- $slo := mergeOverwrite (deepCopy .d.slo) (.svc.slo | default dict) }}
{{- $name := .svc.name }}
{{- $cluster := .cluster.name }}
{{- $runbook := .d.runbook }}
{{- $prefix := "" }}{{ range splitList "-" $name }}{{ $prefix = print $prefix (title .) }}{{ end }}
{{- $sel := printf "reporter=\"source\",destination_service_namespace=\"%s\"" $name }}
{{- $labels := dict "team" .svc.team "service" $name "cluster" $cluster }}
{{- $budget := round (divf (subf 100 $slo.availability) 100) 10 }}
{{- $le := toString $slo.latencyP99Ms }}
{{- $sloRules := list }}
{{- range $burn := .d.burnRates }}
{{- $threshold := round (mulf $burn.factor $budget) 10 }}
{{- $slowThreshold := round (mulf $burn.factor 0.01) 10 }}
{{- $errorRatio := dict }}
{{- $slowRatio := dict }}
{{- range $w := list $burn.long $burn.short }}
{{- $_ := set $errorRatio $w (printf "(sum (rate(istio_requests_total{%s,response_code=~\"5..\"}[%s])) / sum (rate(istio_requests_total{%s}[%s])))" $sel $w $sel $w) }}
{{- $_ := set $slowRatio $w (printf "(1 - (sum (rate(istio_request_duration_milliseconds_bucket{%s,le=\"%s\"}[%s])) / sum (rate(istio_request_duration_milliseconds_count{%s}[%s]))))" $sel $le $w $sel $w) }}
{{- end }}
{{- $days := divf 30 $burn.factor }}
{{- $gone := ternary (printf "%v days" (round $days 1)) (printf "%v hours" (round (mulf $days 24) 1)) (ge $days 1.0) }}
{{- $sloRules = append $sloRules (dict
  "alert" (printf "%sErrorBudget%sBurn" $prefix $burn.name)
  "expr" (printf "%s > %v\nand\n%s > %v" (get $errorRatio $burn.long) $threshold (get $errorRatio $burn.short) $threshold)
  "labels" (merge (dict "severity" $burn.severity) $labels)
  "annotations" (dict
    "summary" (printf "%s on %s burns its %v%% availability budget %vx too fast" $name $cluster $slo.availability $burn.factor)
    "description" (printf "More than %v%% of requests failed with a 5xx over the last %s and %s (including 5xx returned by the mesh itself). At this rate the 30-day error budget is gone in %s." (round (mulf $threshold 100) 8) $burn.long $burn.short $gone)
    "runbook_url" (printf "%s#error-budget-burn" $runbook))) }}
{{- $sloRules = append $sloRules (dict
  "alert" (printf "%sLatencyBudget%sBurn" $prefix $burn.name)
  "expr" (printf "%s > %v\nand\n%s > %v" (get $slowRatio $burn.long) $slowThreshold (get $slowRatio $burn.short) $slowThreshold)
  "labels" (merge (dict "severity" $burn.severity) $labels)
  "annotations" (dict
    "summary" (printf "%s on %s answers too slowly: p99 target %vms" $name $cluster $slo.latencyP99Ms)
    "description" (printf "More than %v%% of requests took longer than %vms over the last %s and %s (the target allows 1%%)." (round (mulf $slowThreshold 100) 8) $slo.latencyP99Ms $burn.long $burn.short)
    "runbook_url" (printf "%s#latency-budget-burn" $runbook))) }}
{{- end }}
{{- /* A version other than the default that takes enough traffic and is clearly worse than the default version. */}}
{{- $def := regexReplaceAll "[-_.]+$" (regexReplaceAll "^[-_.]+" (trunc 63 .svc.release.default) "") "" }}
{{- $w := $slo.compareWindow }}
{{- $others := printf "%s,destination_version!~\"%s|unknown\"" $sel (regexReplaceAll `[.*+?^${}()|\[\]\\]` $def `\\${0}`) }}
{{- $onDefault := printf "%s,destination_version=\"%s\"" $sel $def }}
{{- $enough := printf "sum by (destination_version) (increase(istio_requests_total{%s}[%s])) >= %v" $others $w $slo.minRequests }}
{{- $errorIncrease := round (divf $slo.maxErrorRatioIncrease 100) 10 }}
{{- $quantileOthers := printf "histogram_quantile(0.99, sum by (destination_version, le) (rate(istio_request_duration_milliseconds_bucket{%s}[%s])))" $others $w }}
{{- $quantileDefault := printf "histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{%s}[%s])))" $onDefault $w }}
{{- $verdict := printf "Run 'fleetchart verdict %s --cluster %s --prometheus <url>' and roll back." $name $cluster }}
{{- $versionLabels := merge (dict "severity" "warning") $labels }}
{{- $versionRules := list
  (dict
    "alert" (printf "%sVersionErrorRatio" $prefix)
    "expr" (printf "(\n  (sum by (destination_version) (rate(istio_requests_total{%s,response_code=~\"5..\"}[%s])) / on (destination_version) sum by (destination_version) (rate(istio_requests_total{%s}[%s])))\n  - on () group_left ()\n  ((sum (rate(istio_requests_total{%s,response_code=~\"5..\"}[%s])) or vector(0)) / sum (rate(istio_requests_total{%s}[%s])))\n) > %v\nand on (destination_version)\n%s" $others $w $others $w $onDefault $w $onDefault $w $errorIncrease $enough)
    "for" "5m"
    "labels" $versionLabels
    "annotations" (dict
      "summary" (printf "%s version {{ $labels.destination_version }} on %s fails more often than the default version %s" $name $cluster $def)
      "description" (printf "Its 5xx ratio over the last %s exceeds the default version's by more than %v%% (at least %v requests). %s" $w (round (mulf $errorIncrease 100) 8) $slo.minRequests $verdict)
      "runbook_url" (printf "%s#version-worse-than-default" $runbook)))
  (dict
    "alert" (printf "%sVersionLatency" $prefix)
    "expr" (printf "(\n  %s\n  > on () group_left ()\n  (%s * %v)\n)\nand on (destination_version)\n(\n  %s\n  - on () group_left ()\n  %s\n) > %v\nand on (destination_version)\n%s" $quantileOthers $quantileDefault $slo.maxLatencyFactor $quantileOthers $quantileDefault $slo.maxLatencyIncreaseMs $enough)
    "for" "5m"
    "labels" $versionLabels
    "annotations" (dict
      "summary" (printf "%s version {{ $labels.destination_version }} on %s is slower than the default version %s" $name $cluster $def)
      "description" (printf "Its p99 over the last %s is more than %vx and %vms above the default version's (at least %v requests). %s" $w $slo.maxLatencyFactor $slo.maxLatencyIncreaseMs $slo.minRequests $verdict)
      "runbook_url" (printf "%s#version-worse-than-default" $runbook))) }}
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: {{ $name }}-alerts
  namespace: {{ $name }}
  labels:
    {{- toYaml (merge (dict) .prometheusLabels .labels) | nindent 4 }}
  annotations:
    {{- toYaml .meta | nindent 4 }}
spec:
  groups:
    - name: {{ $name }}.slo
      rules:
        {{- toYaml $sloRules | nindent 8 }}
    - name: {{ $name }}.versions
      rules:
        {{- toYaml $versionRules | nindent 8 }}
{{- end }}
{{- end }}

{{- /* The service's Grafana dashboard (given ready-made: .generated.dashboardJson) for Grafana's dashboard sidecar. */}}
{{- define "fleet.dashboard" }}
{{- $grafana := .cluster.grafana | default dict }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .svc.name }}-dashboard
  namespace: {{ .svc.name }}
  labels:
    {{- toYaml (merge (dict ($grafana.dashboardLabel | default .d.grafana.dashboardLabel) "1") .labels) | nindent 4 }}
  annotations:
    {{- toYaml (merge (dict ($grafana.folderAnnotation | default .d.grafana.folderAnnotation) ($grafana.folder | default .d.grafana.folder)) .meta) | nindent 4 }}
data:
  {{ .svc.name }}.json: |
    {{- .generated.dashboardJson | nindent 4 }}
{{- end }}

{{- /* The Argo CD Application that syncs the service's file, on clusters with argocd. */}}
{{- define "fleet.application" }}
{{- with .cluster.argocd }}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {{ printf "%s.%s" $.cluster.name $.svc.name }}
  namespace: {{ .namespace | default $.d.argocd.namespace }}
  labels:
    app.kubernetes.io/managed-by: fleetchart
    fleetchart.io/cluster: {{ $.cluster.name }}
    fleetchart.io/service: {{ $.svc.name }}
spec:
  project: {{ .project | default $.d.argocd.project }}
  source:
    repoURL: {{ .repoURL }}
    targetRevision: {{ .targetRevision | default $.d.argocd.targetRevision }}
    path: charts-out/{{ $.cluster.name }}
    directory:
      include: {{ $.svc.name }}.k8s.yaml
  destination:
    name: {{ .destination | default $.cluster.name }}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
      - ServerSideApply=true
      - PruneLast=true
      - FailOnSharedResource=true
    retry:
      limit: 5
      backoff:
        duration: 30s
        factor: 2
        maxDuration: 5m
{{- end }}
{{- end }}
