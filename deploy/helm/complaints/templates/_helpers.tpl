{{/* Names and labels shared by every template. */}}
{{- define "complaints.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "complaints.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "complaints.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "complaints.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- include "complaints.fullname" . -}}
{{- end -}}
{{- end -}}

{{- define "complaints.image" -}}
{{- printf "%s-%s:%s" .root.Values.image.repository .role (default .root.Chart.AppVersion .root.Values.image.tag) -}}
{{- end -}}

{{/* Environment of every process: secrets, settings, data dir. */}}
{{- define "complaints.env" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef: {name: {{ include "complaints.secretName" . }}, key: DATABASE_URL}
- name: REDIS_URL
  valueFrom:
    secretKeyRef: {name: {{ include "complaints.secretName" . }}, key: REDIS_URL, optional: true}
- name: COMPLAINTS_DATA_DIR
  value: /var/lib/complaints
- name: COMPLAINTS_LOG_FORMAT
  value: json
- name: COMPLAINTS_LOG_LEVEL
  value: {{ .Values.env.logLevel | quote }}
- name: WORKER_CONCURRENCY
  value: {{ .Values.env.workerConcurrency | quote }}
- name: JOB_TIMEOUT
  value: {{ .Values.env.jobTimeoutSeconds | quote }}
- name: COMPLAINTS_PUBLIC_READS
  value: {{ .Values.env.publicReads | quote }}
{{- if .Values.env.corsOrigins }}
- name: COMPLAINTS_CORS_ORIGINS
  value: {{ .Values.env.corsOrigins | quote }}
{{- end }}
{{- if .Values.env.proxy }}
- name: COMPLAINTS_PROXY
  value: {{ .Values.env.proxy | quote }}
{{- end }}
{{- range $name, $value := .Values.env.extra }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* Volumes of every pod: the config file and the data directory. */}}
{{- define "complaints.volumes" -}}
- name: config
  configMap:
    name: {{ include "complaints.fullname" . }}
- name: data
{{- if or .Values.persistence.enabled .Values.persistence.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ default (include "complaints.fullname" .) .Values.persistence.existingClaim }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- end -}}

{{- define "complaints.volumeMounts" -}}
- name: config
  mountPath: /etc/complaints/complaints.toml
  subPath: complaints.toml
  readOnly: true
- name: data
  mountPath: /var/lib/complaints
{{- end -}}
