/**
 * Swiftlet: an async-first HTTP microframework on uWebSockets.js.
 * This is the one public entry point.
 */
export { App, createApp, DEFAULT_LIMITS } from './app.js'
export type { AppOptions, AppStats, Limits } from './app.js'
export { compose } from './compose.js'
export type { Middleware, MiddlewareHandler, Next } from './compose.js'
export { Context } from './context.js'
export type { Params, State } from './context.js'
export { ERR, HttpError, isHttpError, toHttpError } from './errors.js'
export type { ErrorCode, HttpErrorOptions } from './errors.js'
export { createLogger } from './logger.js'
export type { Logger, LoggerSetting } from './logger.js'
export { mediaType, SwiftletRequest } from './request.js'
export type { BodySource, RequestHeaders, RequestInit } from './request.js'
export { ResponseState } from './response.js'
export type { HeaderValue, OutgoingResponse, ResponseBody, ResponseSink } from './response.js'
export { normalizePath } from './router/path.js'
export { Router } from './router/router.js'
export type {
  ErrorHandler,
  Method,
  NotFoundHandler,
  RouteArgs,
  RouteHandler,
  RouteOptions,
  RouterOptions,
} from './router/router.js'
export { RouteError, SegmentTree } from './router/segment-tree.js'
export type { PathParams, RouteMatch, RouteMatcher } from './router/types.js'
export type { InjectOptions, InjectResponse } from './server/inject.js'
export type { ListenInfo, ListenOptions } from './server/lifecycle.js'
