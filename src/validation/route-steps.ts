/** The validation steps of every route with a schema, as the App hands them to route compilation. */
import type { RouteSteps } from '../router/compile.js'
import { checkResponses, defaultResponseMode, validationStep, type ValidationOptions } from './validate.js'

/**
 * Builds {@link RouteSteps} from the app's validation options: a route with request schemas gets the
 * validation middleware before its handler; one with response schemas gets its handler wrapped.
 */
export function validationSteps(options: ValidationOptions = {}): RouteSteps {
  const mode = options.responses ?? defaultResponseMode()
  return (route, handler) => {
    const schema = route.options.schema
    if (!schema) return undefined
    return {
      before: validationStep(schema, options.onError),
      handler: checkResponses(handler, schema.response, mode),
    }
  }
}
