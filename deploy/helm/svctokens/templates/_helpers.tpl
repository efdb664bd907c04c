{{/*
Names and labels shared by every template. The namespace and the object names are fixed, as in
the kustomize base: the controller's username, the certificate's DNS names and the webhook
registration name them.
*/}}

{{/* The operator's namespace. */}}
{{- define "svctokens.namespace" -}}
svctokens-system
{{- end }}

{{/* The image, tag defaulting to the chart's appVersion. */}}
{{- define "svctokens.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/*
Labels of every object: the base's part-of, plus the labels Helm conventionally adds (the
equivalence test with the kustomize base ignores exactly these four).
*/}}
{{- define "svctokens.labels" -}}
app.kubernetes.io/part-of: svctokens
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}

{{/*
Selector labels of one component (controller or webhook): the same as the base's, so
Deployments, Services, PodDisruptionBudgets and NetworkPolicies select the same pods.
Call with (list $ "controller").
*/}}
{{- define "svctokens.selectorLabels" -}}
app.kubernetes.io/name: svctokens
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/* Labels of a component's objects: selector labels and the common labels. */}}
{{- define "svctokens.componentLabels" -}}
{{ include "svctokens.selectorLabels" . }}
{{ include "svctokens.labels" (index . 0) }}
{{- end }}

{{/* A pod's labels: as in the base (no release labels, so an upgrade alone restarts nothing). */}}
{{- define "svctokens.podLabels" -}}
{{ include "svctokens.selectorLabels" . }}
app.kubernetes.io/part-of: svctokens
{{- end }}

{{/*
Environment variables (a YAML list) for the settings that are set: a dict of variable name to
value; null values are left out, so the process's default (src/config.ts) applies.
*/}}
{{- define "svctokens.settingsEnv" -}}
{{- range $name, $value := . }}
{{- if not (kindIs "invalid" $value) }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* The pod and container security contexts of both Deployments (restricted Pod Security). */}}
{{- define "svctokens.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Spread replicas over nodes and zones when possible; never refuse to schedule. */}}
{{- define "svctokens.topologySpread" -}}
{{- range $key := list "kubernetes.io/hostname" "topology.kubernetes.io/zone" }}
- maxSkew: 1
  topologyKey: {{ $key }}
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "svctokens.selectorLabels" $ | nindent 6 }}
{{- end }}
{{- end }}

{{/* Liveness (the process serves) and readiness (caches synced) on the plain-HTTP port. */}}
{{- define "svctokens.probes" -}}
livenessProbe:
  httpGet:
    path: /healthz
    port: metrics
  initialDelaySeconds: 5
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: metrics
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 3
{{- end }}
