import type { Runtime } from '../runtime/create-runtime.ts'
import type { AppMetrics } from './create-app-metrics.ts'
import { toOtelSettings } from './otel-settings.ts'

/** OpenTelemetry export of one runtime; a no-op when the `OTEL_*` variables ask for none. */
export interface Telemetry {
  /** Stops listening, flushes what is buffered and shuts the exporters down. Idempotent. */
  close(): Promise<void>
}

const off: Telemetry = { close: () => Promise.resolve() }

/**
 * Starts exporting traces and metrics when an OTLP endpoint is set (`OTEL_EXPORTER_OTLP_ENDPOINT` and
 * the other standard variables); otherwise loads none of the OpenTelemetry packages and listens to nothing.
 */
export async function startTelemetry(
  runtime: Runtime,
  metrics: AppMetrics,
  env: Record<string, string | undefined> = process.env,
): Promise<Telemetry> {
  const settings = toOtelSettings(env)
  if (!settings) return off
  const { startOtel } = await import('./start-otel.ts')
  return startOtel(runtime, metrics, settings, env)
}
