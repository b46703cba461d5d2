{{- define "tidewater.fullname" -}}
{{- if contains "tidewater" .Release.Name -}}{{ .Release.Name | trunc 50 | trimSuffix "-" }}{{- else -}}{{ printf "%s-tidewater" .Release.Name | trunc 50 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "tidewater.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tidewater
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "gateway") */}}
{{- define "tidewater.selector" -}}
app.kubernetes.io/name: {{ include "tidewater.fullname" .root }}-{{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "tidewater.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "tidewater.redisUrl" -}}
{{- if .Values.redis.enabled -}}redis://{{ include "tidewater.fullname" . }}-redis.{{ .Release.Namespace }}.svc:6379{{- else -}}{{ .Values.externalRedis.url }}{{- end -}}
{{- end -}}

{{- define "tidewater.redisSecret" -}}
{{- if .Values.redis.enabled -}}{{ .Values.redis.auth.existingSecret }}{{- else -}}{{ .Values.externalRedis.auth.existingSecret }}{{- end -}}
{{- end -}}
{{- define "tidewater.redisSecretKey" -}}
{{- if .Values.redis.enabled -}}{{ .Values.redis.auth.key }}{{- else -}}{{ .Values.externalRedis.auth.key }}{{- end -}}
{{- end -}}

{{/* Values that cannot work together fail `helm template` / `helm install`, naming the values. */}}
{{- define "tidewater.validate" -}}
{{- if and (not .Values.redis.enabled) (not .Values.externalRedis.url) -}}
{{- fail "redis.enabled=false needs externalRedis.url (redis:// or rediss://)" -}}
{{- end -}}
{{- if and (not .Values.redis.enabled) (not (regexMatch "^rediss?://[^@]*$" .Values.externalRedis.url)) -}}
{{- fail "externalRedis.url must be redis:// or rediss:// without a password in it (put the password in the Secret externalRedis.auth.existingSecret)" -}}
{{- end -}}
{{- if and .Values.redis.enabled (not .Values.redis.auth.existingSecret) -}}
{{- fail "redis.enabled=true needs redis.auth.existingSecret (the Secret holding Redis's password)" -}}
{{- end -}}
{{- if and .Values.redis.enabled (not .Values.redis.maxmemory) -}}
{{- fail "redis.maxmemory must be set: Redis runs with maxmemory-policy noeviction, and without a limit it is OOM-killed instead of refusing writes" -}}
{{- end -}}
{{- if and (not .Values.redis.enabled) .Values.externalRedis.tls.caSecret (not (hasPrefix "rediss://" .Values.externalRedis.url)) -}}
{{- fail "externalRedis.tls.caSecret is set but externalRedis.url is not rediss://" -}}
{{- end -}}
{{- if not .Values.secrets.bundleKey.existingSecret -}}
{{- fail "secrets.bundleKey.existingSecret must name the Secret with the bundle signing key (renderer and syncer refuse to start without it)" -}}
{{- end -}}
{{- if not .Values.rbac.clusterWide -}}
{{- range .Values.rbac.destinationNamespaces -}}
{{- if ne . $.Release.Namespace -}}
{{- fail (printf "rbac.destinationNamespaces lists %q, outside the release namespace %q, but rbac.clusterWide=false: set rbac.clusterWide=true or deploy only into %q" . $.Release.Namespace $.Release.Namespace) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.port) -}}
{{- fail "metrics.serviceMonitor.enabled=true needs metrics.port" -}}
{{- end -}}
{{- end -}}

{{/* Redis connection settings for every Tidewater container; the password arrives as a file. */}}
{{- define "tidewater.redisEnv" -}}
- {name: REDIS_URL, value: {{ include "tidewater.redisUrl" . | quote }}}
{{- if include "tidewater.redisSecret" . }}
- {name: REDIS_PASSWORD_FILE, value: /var/run/secrets/tidewater-redis/password}
{{- end }}
{{- if and (not .Values.redis.enabled) .Values.externalRedis.username }}
- {name: REDIS_USERNAME, value: {{ .Values.externalRedis.username | quote }}}
{{- end }}
{{- if and (not .Values.redis.enabled) .Values.externalRedis.tls.caSecret }}
- {name: REDIS_TLS_CA_FILE, value: /var/run/secrets/tidewater-redis-ca/ca.crt}
{{- end }}
- {name: TIDEWATER_LOG_LEVEL, value: {{ .Values.logLevel | quote }}}
{{- end -}}

{{- define "tidewater.redisMounts" -}}
{{- if include "tidewater.redisSecret" . }}
- {name: redis-password, mountPath: /var/run/secrets/tidewater-redis, readOnly: true}
{{- end }}
{{- if and (not .Values.redis.enabled) .Values.externalRedis.tls.caSecret }}
- {name: redis-ca, mountPath: /var/run/secrets/tidewater-redis-ca, readOnly: true}
{{- end }}
{{- end -}}

{{- define "tidewater.redisVolumes" -}}
{{- if include "tidewater.redisSecret" . }}
- {name: redis-password, secret: {secretName: {{ include "tidewater.redisSecret" . }}, items: [{key: {{ include "tidewater.redisSecretKey" . }}, path: password}]}}
{{- end }}
{{- if and (not .Values.redis.enabled) .Values.externalRedis.tls.caSecret }}
- {name: redis-ca, secret: {secretName: {{ .Values.externalRedis.tls.caSecret }}, items: [{key: {{ .Values.externalRedis.tls.caKey }}, path: ca.crt}]}}
{{- end }}
{{- end -}}

{{- define "tidewater.configVolume" -}}
- {name: config, configMap: {name: {{ .Values.config.existingConfigMap | default (printf "%s-config" (include "tidewater.fullname" .)) }}}}
{{- end -}}

{{- define "tidewater.extraEnv" -}}
{{- range $name, $value := . }}
- {name: {{ $name }}, value: {{ $value | toString | quote }}}
{{- end }}
{{- end -}}

{{- define "tidewater.bundleKeyVolume" -}}
# The key renderer and syncer share for bundle signatures; only these two pods mount it.
- {name: bundle-key, secret: {secretName: {{ .Values.secrets.bundleKey.existingSecret }}, items: [{key: {{ .Values.secrets.bundleKey.key }}, path: key}]}}
{{- end -}}
