import { z } from 'zod';

// The OpenTelemetry SDK's standard variables that decide whether and where spans go. The
// exporter reads the rest itself (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION).
const PROTOCOLS = ['http/protobuf', 'http/json'] as const;
const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

const endpoint = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional();
const protocol = z
  .enum(PROTOCOLS, { error: `must be one of ${PROTOCOLS.join(', ')} (gRPC is not built in)` })
  .optional();

export const tracingConfigShape = {
  OTEL_SDK_DISABLED: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none'], { error: 'must be otlp or none' }).default('otlp'),
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint,
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
  OTEL_TRACES_SAMPLER: z
    .enum(SAMPLERS, { error: `must be one of ${SAMPLERS.join(', ')}` })
    .default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce
    .number({ error: 'must be a number between 0 and 1' })
    .min(0, 'must be a number between 0 and 1')
    .max(1, 'must be a number between 0 and 1')
    .default(1),
};

type TracingSettings = z.infer<z.ZodObject<typeof tracingConfigShape>>;

export interface SpanExport {
  url: string;
  protocol: (typeof PROTOCOLS)[number];
  sampler: (typeof SAMPLERS)[number];
  samplerRatio: number;
}

/**
 * Where spans go, or undefined when nothing asks for them: no OTLP endpoint set, the SDK
 * disabled, or the traces exporter set to `none`. Endpoint rules are the specification's: the
 * signal-specific URL is used as is, the generic one gets `/v1/traces` appended.
 */
export function spanExportFrom(settings: TracingSettings): SpanExport | undefined {
  if (settings.OTEL_SDK_DISABLED === 'true' || settings.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const base = settings.OTEL_EXPORTER_OTLP_ENDPOINT;
  const url =
    settings.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (!url) return undefined;
  return {
    url,
    protocol:
      settings.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? settings.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    sampler: settings.OTEL_TRACES_SAMPLER,
    samplerRatio: settings.OTEL_TRACES_SAMPLER_ARG,
  };
}
