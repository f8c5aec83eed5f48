{{/*
Expand the name of the chart.
*/}}
{{- define "dolibarr-go.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name. Truncated at 63 chars (DNS label);
component suffixes (-api, -runner, -migrate) are added by callers, so the base
is cut shorter to leave room for them.
*/}}
{{- define "dolibarr-go.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 48 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 48 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 48 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version as used by the chart label.
*/}}
{{- define "dolibarr-go.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "dolibarr-go.labels" -}}
helm.sh/chart: {{ include "dolibarr-go.chart" . }}
{{ include "dolibarr-go.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: dolibarr-go
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Selector labels.
*/}}
{{- define "dolibarr-go.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dolibarr-go.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of one component: (dict "root" $ "component" "api").
*/}}
{{- define "dolibarr-go.componentLabels" -}}
{{ include "dolibarr-go.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Selector labels of one component: (dict "root" $ "component" "api").
*/}}
{{- define "dolibarr-go.componentSelectorLabels" -}}
{{ include "dolibarr-go.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/*
Name of the ServiceAccount to use.
*/}}
{{- define "dolibarr-go.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "dolibarr-go.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference: (dict "root" $ "image" .Values.api.image). The API and runner
images are different builds, so each has its own digest; a digest wins over
the tag, and the tag defaults to the chart's appVersion. image.digest, which
once applied one digest to both, is refused rather than silently misapplied.
*/}}
{{- define "dolibarr-go.image" -}}
{{- $img := .root.Values.image -}}
{{- if $img.digest -}}
{{- fail "image.digest would pin the API and runner images, which are different builds, to one digest: set api.image.digest and runner.image.digest instead" -}}
{{- end -}}
{{- $repo := .image.repository -}}
{{- if $img.registry }}{{ $repo = printf "%s/%s" $img.registry $repo }}{{ end -}}
{{- if .image.digest -}}
{{ printf "%s@%s" $repo .image.digest }}
{{- else -}}
{{ printf "%s:%s" $repo (toString ($img.tag | default .root.Chart.AppVersion)) }}
{{- end -}}
{{- end }}

{{/*
Name of the chart-managed Secret, and of its hook copy that exists before the
release's own objects (pre-install hooks run first).
*/}}
{{- define "dolibarr-go.secretName" -}}
{{- include "dolibarr-go.fullname" . }}
{{- end }}
{{- define "dolibarr-go.hookSecretName" -}}
{{- printf "%s-migrate" (include "dolibarr-go.fullname" .) }}
{{- end }}

{{/*
Directory where the secret files are mounted; each file is named after the
variable it holds, and <NAME>_FILE points at it.
*/}}
{{- define "dolibarr-go.secretDir" -}}
/etc/dolibarr/secrets
{{- end }}

{{/*
DOLIBARR_DB_DSN built from externalDatabase.*. PostgreSQL gets the key=value
form, where single quotes and backslashes are escaped, so any password works
without URL-encoding; MySQL gets go-sql-driver's user:password@tcp(host)/db,
which splits on the last "@" and so needs no escaping either.
*/}}
{{- define "dolibarr-go.databaseDSN" -}}
{{- $db := .Values.externalDatabase -}}
{{- if eq $db.driver "postgres" -}}
{{- $parts := list -}}
{{- $kv := dict "host" $db.host "port" (toString $db.port) "user" $db.user "password" $db.password "dbname" $db.database -}}
{{- range $k, $v := $db.params }}{{ $_ := set $kv $k (toString $v) }}{{ end -}}
{{- range $k := keys $kv | sortAlpha -}}
{{- $v := get $kv $k | replace "\\" "\\\\" | replace "'" "\\'" -}}
{{- $parts = append $parts (printf "%s='%s'" $k $v) -}}
{{- end -}}
{{- join " " $parts -}}
{{- else if eq $db.driver "mysql" -}}
{{- $q := list -}}
{{- range $k := keys $db.params | sortAlpha }}{{ $q = append $q (printf "%s=%s" $k (get $db.params $k | toString | urlquery)) }}{{ end -}}
{{- printf "%s:%s@tcp(%s:%s)/%s" $db.user $db.password $db.host (toString $db.port) $db.database -}}
{{- if $q }}?{{ join "&" $q }}{{ end -}}
{{- else -}}
{{- fail (printf "externalDatabase.driver %q is not supported: use postgres or mysql (SQLite is single-process: run the all-in-one binary instead)" $db.driver) -}}
{{- end -}}
{{- end }}

{{/*
JWT secret of the chart-managed Secret: the value given, else the one the
installed release already holds (so upgrades never log everyone out), else a
new random one. helm template (and Argo CD, Flux) has no cluster, so it
generates a new one at every render: GitOps users set auth.generateJWTSecret
false and use auth.existingSecret, which the chart then requires.
*/}}
{{- define "dolibarr-go.jwtSecret" -}}
{{- if .Values.auth.jwtSecret -}}
{{- .Values.auth.jwtSecret -}}
{{- else -}}
{{- $old := lookup "v1" "Secret" .Release.Namespace (include "dolibarr-go.secretName" .) -}}
{{- $prev := dig "data" "jwt-secret" "" ($old | default dict) -}}
{{- if $prev }}{{ b64dec $prev }}{{ else }}{{ randAlphaNum 48 }}{{ end -}}
{{- end -}}
{{- end }}

{{/*
Data of the chart-managed Secret (YAML map key -> plain value); empty when
every secret comes from an existing Secret.
*/}}
{{- define "dolibarr-go.secretData" -}}
{{- if not .Values.externalDatabase.existingSecret }}
db-dsn: {{ include "dolibarr-go.databaseDSN" . | quote }}
{{- end }}
{{- if not .Values.auth.existingSecret }}
jwt-secret: {{ include "dolibarr-go.jwtSecret" . | quote }}
{{- with .Values.auth.jwtPreviousSecret }}
jwt-previous-secret: {{ . | quote }}
{{- end }}
{{- with .Values.auth.adminPassword }}
admin-password: {{ . | quote }}
{{- end }}
{{- end }}
{{- if and .Values.smtp.password (not .Values.smtp.existingSecret) }}
smtp-password: {{ .Values.smtp.password | quote }}
{{- end }}
{{- end }}

{{/*
Secret files of one component: (dict "root" $ "component" "api" "secret" NAME),
where NAME is the chart-managed Secret to read from (the hook Job reads its
own copy). Renders a YAML list of {env, secret, key}: env is the variable the
file stands for. Each component gets only what it uses: the JWT and admin
secrets go to the API (and the migration, which runs the API binary), the
SMTP password to the runners, which alone send mail.
*/}}
{{- define "dolibarr-go.secretFiles" -}}
{{- $v := .root.Values -}}
{{- $files := list -}}
{{- if $v.externalDatabase.existingSecret -}}
{{- $files = append $files (dict "env" "DOLIBARR_DB_DSN" "secret" $v.externalDatabase.existingSecret "key" $v.externalDatabase.existingSecretDSNKey) -}}
{{- else -}}
{{- $files = append $files (dict "env" "DOLIBARR_DB_DSN" "secret" .secret "key" "db-dsn") -}}
{{- end -}}
{{- if ne .component "runner" -}}
{{- if $v.auth.existingSecret -}}
{{- $keys := $v.auth.existingSecretKeys -}}
{{- $files = append $files (dict "env" "DOLIBARR_JWT_SECRET" "secret" $v.auth.existingSecret "key" $keys.jwtSecret) -}}
{{- with $keys.jwtPreviousSecret }}{{ $files = append $files (dict "env" "DOLIBARR_JWT_PREVIOUS_SECRET" "secret" $v.auth.existingSecret "key" .) }}{{ end -}}
{{- with $keys.adminPassword }}{{ $files = append $files (dict "env" "DOLIBARR_ADMIN_PASSWORD" "secret" $v.auth.existingSecret "key" .) }}{{ end -}}
{{- else -}}
{{- $files = append $files (dict "env" "DOLIBARR_JWT_SECRET" "secret" .secret "key" "jwt-secret") -}}
{{- if $v.auth.jwtPreviousSecret }}{{ $files = append $files (dict "env" "DOLIBARR_JWT_PREVIOUS_SECRET" "secret" .secret "key" "jwt-previous-secret") }}{{ end -}}
{{- if $v.auth.adminPassword }}{{ $files = append $files (dict "env" "DOLIBARR_ADMIN_PASSWORD" "secret" .secret "key" "admin-password") }}{{ end -}}
{{- end -}}
{{- end -}}
{{- if eq .component "runner" -}}
{{- if $v.smtp.existingSecret -}}
{{- $files = append $files (dict "env" "DOLIBARR_SMTP_PASSWORD" "secret" $v.smtp.existingSecret "key" $v.smtp.existingSecretPasswordKey) -}}
{{- else if $v.smtp.password -}}
{{- $files = append $files (dict "env" "DOLIBARR_SMTP_PASSWORD" "secret" .secret "key" "smtp-password") -}}
{{- end -}}
{{- end -}}
{{- toYaml $files -}}
{{- end }}

{{/*
Plain variables the chart owns, derived from other values.
*/}}
{{- define "dolibarr-go.ownedConfig" -}}
DOLIBARR_DB_DRIVER: {{ .Values.externalDatabase.driver | quote }}
DOLIBARR_HTTP_ADDR: {{ printf ":%d" (int .Values.api.containerPorts.http) | quote }}
DOLIBARR_RUNNER_HEALTH_ADDR: {{ printf ":%d" (int .Values.runner.containerPorts.health) | quote }}
DOLIBARR_MIGRATE_ON_START: "false"
{{- end }}

{{/*
ConfigMap data: the owned variables plus `config`, values as strings.
*/}}
{{- define "dolibarr-go.configData" -}}
{{ include "dolibarr-go.ownedConfig" . }}
{{- range $k, $v := .Values.config }}
{{ $k }}: {{ toString $v | quote }}
{{- end }}
{{- end }}

{{/*
Environment of one container: (dict "root" $ "component" "api" "values"
.Values.api "secret" NAME). The ConfigMap arrives through envFrom; here come
the <NAME>_FILE variables, the component's overrides (env wins over envFrom)
and extraEnvVars.
*/}}
{{- define "dolibarr-go.env" -}}
{{- $dir := include "dolibarr-go.secretDir" .root -}}
{{- range (include "dolibarr-go.secretFiles" . | fromYamlArray) }}
- name: {{ .env }}_FILE
  value: {{ printf "%s/%s" $dir .env | quote }}
{{- end }}
{{- range $k, $v := .values.config }}
- name: {{ $k }}
  value: {{ toString $v | quote }}
{{- end }}
{{- with .values.extraEnvVars }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Volumes of one pod: (dict "root" $ "component" "api" "values" .Values.api
"secret" NAME). The secret files come through one projected volume, each
item named after its variable; /tmp is a small emptyDir because the root
filesystem is read-only.
*/}}
{{- define "dolibarr-go.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
- name: secrets
  projected:
    defaultMode: 0440
    sources:
      {{- $bySecret := dict }}
      {{- range (include "dolibarr-go.secretFiles" . | fromYamlArray) }}
      {{- $_ := set $bySecret .secret (append (get $bySecret .secret | default list) (dict "key" .key "path" .env)) }}
      {{- end }}
      {{- range $name := keys $bySecret | sortAlpha }}
      - secret:
          name: {{ $name }}
          items:
            {{- toYaml (get $bySecret $name) | nindent 12 }}
      {{- end }}
{{- with .values.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Volume mounts matching dolibarr-go.volumes.
*/}}
{{- define "dolibarr-go.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: secrets
  mountPath: {{ include "dolibarr-go.secretDir" .root }}
  readOnly: true
{{- with .values.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Soft pod anti-affinity by node, used when a component sets no affinity, so
replicas spread across nodes when they can.
*/}}
{{- define "dolibarr-go.affinity" -}}
{{- if .values.affinity -}}
{{ toYaml .values.affinity }}
{{- else -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "dolibarr-go.componentSelectorLabels" (dict "root" .root "component" .component) | nindent 12 }}
{{- end -}}
{{- end }}

{{/*
Pod checksum annotations, so a changed ConfigMap or Secret rolls the pods.
*/}}
{{- define "dolibarr-go.checksums" -}}
checksum/config: {{ include "dolibarr-go.configData" . | sha256sum }}
checksum/secret: {{ include "dolibarr-go.secretData" . | sha256sum }}
{{- end }}

{{/*
Cross-value checks that the schema cannot express; included by the workloads.
*/}}
{{- define "dolibarr-go.validate" -}}
{{- $_ := include "dolibarr-go.databaseDSN" . -}}
{{- if and .Values.auth.jwtSecret (lt (len .Values.auth.jwtSecret) 32) -}}
{{- fail "auth.jwtSecret must be at least 32 bytes (e.g. openssl rand -base64 48)" -}}
{{- end -}}
{{- if and .Values.auth.adminPassword (lt (len .Values.auth.adminPassword) 10) -}}
{{- fail "auth.adminPassword must be at least 10 characters" -}}
{{- end -}}
{{- if and (or .Values.smtp.password .Values.smtp.existingSecret) (not .Values.config.DOLIBARR_SMTP_USERNAME) -}}
{{- fail "an SMTP password needs config.DOLIBARR_SMTP_USERNAME (and DOLIBARR_SMTP_HOST)" -}}
{{- end -}}
{{- if not (or .Values.auth.jwtSecret .Values.auth.existingSecret .Values.auth.generateJWTSecret) -}}
{{- fail "auth.generateJWTSecret is false: set auth.existingSecret (a Secret you create once, stable under helm template, Argo CD and Flux) or auth.jwtSecret" -}}
{{- end -}}
{{- if and .Values.auth.existingSecret (not .Values.auth.existingSecretKeys.jwtSecret) -}}
{{- fail "auth.existingSecretKeys.jwtSecret is required with auth.existingSecret: the API cannot start without a JWT secret" -}}
{{- end -}}
{{- if eq (int .Values.api.containerPorts.http) (int .Values.runner.containerPorts.health) -}}
{{- fail "api.containerPorts.http and runner.containerPorts.health must differ" -}}
{{- end -}}
{{- if le (int .Values.api.terminationGracePeriodSeconds) (int .Values.api.preStopSleepSeconds) -}}
{{- fail "api.terminationGracePeriodSeconds must exceed api.preStopSleepSeconds: the grace period starts with preStop" -}}
{{- end -}}
{{- /* The configured timeouts, not only the shipped ones, must fit the grace
period, or the kubelet kills the process mid-drain: the API needs preStop +
DOLIBARR_HTTP_SHUTDOWN_TIMEOUT, the runner DOLIBARR_RUNNER_DRAIN_TIMEOUT +
DOLIBARR_RUNNER_CANCEL_TIMEOUT, each plus 2 s to hand jobs back and close. */ -}}
{{- $apiCfg := merge (dict) .Values.api.config .Values.config -}}
{{- $shutdown := include "dolibarr-go.seconds" (dict "key" "DOLIBARR_HTTP_SHUTDOWN_TIMEOUT" "value" (get $apiCfg "DOLIBARR_HTTP_SHUTDOWN_TIMEOUT")) | float64 -}}
{{- $apiNeed := addf $shutdown .Values.api.preStopSleepSeconds 2 -}}
{{- if lt (float64 .Values.api.terminationGracePeriodSeconds) $apiNeed -}}
{{- fail (printf "api.terminationGracePeriodSeconds (%d) must be at least api.preStopSleepSeconds + DOLIBARR_HTTP_SHUTDOWN_TIMEOUT + 2 s = %g s, or pods are killed mid-drain" (int .Values.api.terminationGracePeriodSeconds) $apiNeed) -}}
{{- end -}}
{{- $runCfg := merge (dict) .Values.runner.config .Values.config -}}
{{- $drain := include "dolibarr-go.seconds" (dict "key" "DOLIBARR_RUNNER_DRAIN_TIMEOUT" "value" (get $runCfg "DOLIBARR_RUNNER_DRAIN_TIMEOUT")) | float64 -}}
{{- $cancel := include "dolibarr-go.seconds" (dict "key" "DOLIBARR_RUNNER_CANCEL_TIMEOUT" "value" (get $runCfg "DOLIBARR_RUNNER_CANCEL_TIMEOUT")) | float64 -}}
{{- $runNeed := addf $drain $cancel 2 -}}
{{- if lt (float64 .Values.runner.terminationGracePeriodSeconds) $runNeed -}}
{{- fail (printf "runner.terminationGracePeriodSeconds (%d) must be at least DOLIBARR_RUNNER_DRAIN_TIMEOUT + DOLIBARR_RUNNER_CANCEL_TIMEOUT + 2 s = %g s, or jobs are killed instead of handed back" (int .Values.runner.terminationGracePeriodSeconds) $runNeed) -}}
{{- end -}}
{{- end }}

{{/*
A Go duration ("15s", "1m30s", "500ms") in seconds: (dict "key" NAME "value" V).
*/}}
{{- define "dolibarr-go.seconds" -}}
{{- $v := toString .value -}}
{{- if not (regexMatch "^([0-9]+(\\.[0-9]+)?(h|ms|m|s))+$" $v) -}}
{{- fail (printf "%s: %q is not a duration like 15s, 1m30s or 500ms" .key $v) -}}
{{- end -}}
{{- $total := 0.0 -}}
{{- range regexFindAll "[0-9.]+(h|ms|m|s)" $v -1 -}}
{{- $n := regexFind "^[0-9.]+" . | float64 -}}
{{- $u := trimPrefix (regexFind "^[0-9.]+" .) . -}}
{{- $total = addf $total (mulf $n (get (dict "h" 3600.0 "m" 60.0 "s" 1.0 "ms" 0.001) $u)) -}}
{{- end -}}
{{- $total -}}
{{- end }}
