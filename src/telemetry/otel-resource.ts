import { defaultResource, detectResources, envDetector, resourceFromAttributes, type Resource } from '@opentelemetry/resources'

/** The instrumentation scope of every span and metric, and the default service name. */
export const INSTRUMENTATION = 'motia-like'

/** The resource: `service.name` motia-like unless `OTEL_SERVICE_NAME` or `OTEL_RESOURCE_ATTRIBUTES` say otherwise. */
export function toResource(): Resource {
  return defaultResource()
    .merge(resourceFromAttributes({ 'service.name': INSTRUMENTATION }))
    .merge(detectResources({ detectors: [envDetector] }))
}
