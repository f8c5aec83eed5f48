{{/*
HorizontalPodAutoscaler of one component: (dict "root" $ "component" "api"
"values" .Values.api). The minimum defaults to the component's replicaCount.
*/}}
{{- define "dolibarr-go.hpa" -}}
{{- $a := .values.autoscaling -}}
{{- if $a.enabled }}
{{- if not (or $a.targetCPU $a.targetMemory) }}
{{- fail (printf "%s.autoscaling: set targetCPU or targetMemory (or disable autoscaling)" .component) }}
{{- end }}
{{- $min := $a.minReplicas | default .values.replicaCount | int }}
{{- if gt $min (int $a.maxReplicas) }}
{{- fail (printf "%s.autoscaling.minReplicas (%d) exceeds maxReplicas (%d)" .component $min (int $a.maxReplicas)) }}
{{- end }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "dolibarr-go.fullname" .root }}-{{ .component }}
  namespace: {{ .root.Release.Namespace | quote }}
  labels:
    {{- include "dolibarr-go.componentLabels" . | nindent 4 }}
  {{- with .root.Values.commonAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "dolibarr-go.fullname" .root }}-{{ .component }}
  minReplicas: {{ $min }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    {{- with $a.targetCPU }}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
    {{- with $a.targetMemory }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
  {{- with $a.behavior }}
  behavior:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- end }}

{{/*
PodDisruptionBudget of one component: (dict "root" $ "component" "api"
"values" .Values.api). With neither bound set it allows one pod down.
*/}}
{{- define "dolibarr-go.pdb" -}}
{{- $p := .values.pdb -}}
{{- if $p.create }}
{{- if and (ne (toString $p.minAvailable) "") (ne (toString $p.maxUnavailable) "") }}
{{- fail (printf "%s.pdb: set minAvailable or maxUnavailable, not both" .component) }}
{{- end }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "dolibarr-go.fullname" .root }}-{{ .component }}
  namespace: {{ .root.Release.Namespace | quote }}
  labels:
    {{- include "dolibarr-go.componentLabels" . | nindent 4 }}
  {{- with .root.Values.commonAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- if ne (toString $p.minAvailable) "" }}
  minAvailable: {{ $p.minAvailable }}
  {{- else }}
  maxUnavailable: {{ $p.maxUnavailable | default 1 }}
  {{- end }}
  # Pods that are not ready (say, during a database outage) may be evicted
  # whatever the budget: otherwise they would block node drains until the
  # database is back, protecting nothing.
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "dolibarr-go.componentSelectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}
