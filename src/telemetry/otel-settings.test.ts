import { describe, expect, it } from 'vitest'
import { toOtelSettings } from './otel-settings.ts'
import { toOtelTraceId } from './trace-ids.ts'

describe('toOtelSettings', () => {
  it('exports nothing without an OTLP endpoint, or when the SDK is disabled', () => {
    expect(toOtelSettings({})).toBeNull()
    expect(toOtelSettings({ OTEL_SERVICE_NAME: 'shop' })).toBeNull()
    expect(toOtelSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318', OTEL_SDK_DISABLED: 'true' })).toBeNull()
  })

  it('exports both signals over http/protobuf by default, each with its own protocol and switch', () => {
    expect(toOtelSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318' })).toEqual({ traces: 'http/protobuf', metrics: 'http/protobuf' })
    expect(
      toOtelSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_METRICS_EXPORTER: 'none' }),
    ).toEqual({ traces: 'http/json', metrics: null })
    expect(toOtelSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://x:4318/v1/traces' })).toEqual({ traces: 'http/protobuf', metrics: null })
  })

  it('refuses a protocol it cannot export over, naming the variable and the fix', () => {
    expect(() => toOtelSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
      'OTEL_EXPORTER_OTLP_PROTOCOL is "grpc", which motia-like does not export over. Set it to http/protobuf or http/json.',
    )
  })
})

describe('toOtelTraceId', () => {
  it('is the traceId without dashes when it is a UUID, else null', () => {
    expect(toOtelTraceId('0AF76519-16CD-43DD-8448-EB211C80319C')).toBe('0af7651916cd43dd8448eb211c80319c')
    expect(toOtelTraceId('0af76519-16cd-43dd-8448-eb211c80319c')).toBe('0af7651916cd43dd8448eb211c80319c')
    expect(toOtelTraceId('0af76519-16cd-43dd-8448-eb211c80319g')).toBeNull()
    expect(toOtelTraceId('trace-1')).toBeNull()
    expect(toOtelTraceId('00000000-0000-0000-0000-000000000000')).toBeNull()
  })
})
