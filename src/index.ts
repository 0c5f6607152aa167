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
export type { HeaderValue, OutgoingResponse, ResponseBody, ResponseSink, StaticBody } from './response.js'
export { normalizePath } from './router/path.js'
export { EventStream, sse } from './sse.js'
export { DEFAULT_WS_MAX_PAYLOAD } from './websocket.js'
export type {
  InvalidMessage,
  InvalidMessagePolicy,
  MessageOf,
  MessageSchema,
  UpgradeRequest,
  WebSocketConnection,
  WebSocketMessage,
  WebSocketOptions,
  WebSocketRoute,
} from './websocket.js'
export type { SseEvent, SseOptions } from './sse.js'
// pub/sub: channels and brokers
export { Channels } from './pubsub/channels.js'
export type { AnyConnection, BroadcastOptions, GroupInfo } from './pubsub/channels.js'
export { topicMatches } from './pubsub/broker.js'
export type { Broker, BrokerListener } from './pubsub/broker.js'
export { MemoryBroker, MemoryBus } from './pubsub/memory-broker.js'
export { RedisBroker } from './pubsub/redis-broker.js'
export type { RedisBrokerOptions } from './pubsub/redis-broker.js'
export { isStreamSource, StreamBody } from './streaming.js'
export type { StreamChunk, StreamOptions } from './streaming.js'
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
export type { ListenTlsOptions } from './server/node-tls.js'
export { isPrimary, workerId } from './server/cluster-role.js'

// built-in middleware (1)
export { enableCompletionLoggers, setCompletionLogger } from './completion-log.js'
export type { CompletionLogger } from './completion-log.js'
export { bodyLimit, parseBytes } from './middleware/body-limit/index.js'
export { compression, isCompressible } from './middleware/compression/index.js'
export type { CompressionOptions, Encoding } from './middleware/compression/index.js'
export { cors } from './middleware/cors/index.js'
export type { CorsOptions, CorsOrigin, OriginMatcher } from './middleware/cors/index.js'
export { appendVary } from './middleware/cors/vary.js'
export { computeEtag, etag, ifNoneMatchHolds } from './middleware/etag/index.js'
export type { EtagOptions } from './middleware/etag/index.js'
export { DEFAULT_REDACTED_HEADERS, requestLogger } from './middleware/logger/index.js'
export type { RequestLoggerOptions } from './middleware/logger/index.js'
export { MemoryStore, rateLimit, takeTokens } from './middleware/rate-limit/index.js'
export { RedisRateLimitStore } from './middleware/rate-limit/index.js'
export type { RedisRateLimitStoreOptions } from './middleware/rate-limit/index.js'
export type {
  BucketPolicy,
  BucketState,
  ConsumeResult,
  MemoryStoreOptions,
  RateLimitOptions,
  RateLimitStore,
} from './middleware/rate-limit/index.js'
export { isValidRequestId, requestId } from './middleware/request-id/index.js'
export type { RequestIdOptions } from './middleware/request-id/index.js'
export { DEFAULT_CSP, securityHeaders, securityHeaderValues } from './middleware/security-headers/index.js'
export type { HstsOptions, SecurityHeadersOptions } from './middleware/security-headers/index.js'
export { recordTiming, serverTiming, startTiming } from './middleware/server-timing/index.js'
export type { ServerTimingOptions } from './middleware/server-timing/index.js'
export { timeout } from './middleware/timeout/index.js'
export type { TimeoutOptions } from './middleware/timeout/index.js'

// validation, OpenAPI, dependency injection
export type { InjectRequest } from './app.js'
export type { NoSchema, ValidOf } from './router/router.js'
export type { BodySchemas, NoValid, RouteSchema, Valid } from './validation/schema.js'
export { defaultValidationError } from './validation/issues.js'
export type { ValidationErrorHook, ValidationIssue } from './validation/issues.js'
export type { ResponseValidation, ValidationOptions } from './validation/validate.js'
export { buildOpenApiDocument } from './openapi/document.js'
export type { OpenApiDocument, OpenApiOptions, SecurityScheme } from './openapi/document.js'
export { override, provide, Provider } from './di/provider.js'
export type { Override, ProviderFactory } from './di/provider.js'
export { stateMiddleware } from './state/state-middleware.js'
export type { StateMiddleware } from './state/state-middleware.js'
// built-in middleware (2)
export { cookies, CookieJar, COOKIE_DEFAULTS } from './middleware/cookies/index.js'
export type { CookieOptions, CookiesOptions, CookieState, SigningKey } from './middleware/cookies/index.js'
export { session, Session, MemorySessionStore } from './middleware/session/index.js'
export { RedisSessionStore } from './middleware/session/index.js'
export type { RedisSessionStoreOptions } from './middleware/session/index.js'
export type {
  MemorySessionStoreOptions,
  SessionData,
  SessionOptions,
  SessionState,
  SessionStore,
} from './middleware/session/index.js'
export {
  apiKey,
  authSchemeOf,
  basicAuth,
  bearerJwt,
  requireScopes,
  safeEqual,
} from './middleware/auth/index.js'
export type {
  ApiKeyOptions,
  AuthScheme,
  AuthState,
  AuthUser,
  BasicAuthOptions,
  BearerJwtOptions,
  JwtKey,
  JwtUser,
} from './middleware/auth/index.js'
export { csrf } from './middleware/csrf/index.js'
export type { CsrfOptions, CsrfState } from './middleware/csrf/index.js'
export { serveStatic } from './middleware/static/index.js'
export type { DotfilesPolicy, StaticOptions } from './middleware/static/index.js'

// files: uploads, forms, downloads
export { download, dispositionHeader } from './files/download.js'
export type { DownloadOptions, DownloadSource } from './files/download.js'
export { sanitizeFilename } from './files/filename.js'
export { parseForm } from './files/form.js'
export type { FormOptions } from './files/form.js'
export { DEFAULT_FORM_LIMITS } from './files/limits.js'
export type { FormFields, FormLimits } from './files/limits.js'
export { multipart } from './files/multipart.js'
export type { FieldPart, FilePart, MultipartIteratorOptions, MultipartPart } from './files/multipart.js'
export { parseMultipart } from './files/upload.js'
export type { FileInfo, FileSink, MultipartOptions, MultipartResult, UploadedFile } from './files/upload.js'

// redirects
export { redirectBack, redirectTo, safeRedirect } from './redirect.js'
export type { RedirectToOptions, SafeRedirectOptions } from './redirect.js'

// operations
export { createOffloadPool, isAbortError, OffloadPool } from './offload/index.js'
export type { OffloadPoolOptions, OffloadPoolStats, OffloadRunOptions } from './offload/index.js'
export { loopMonitor } from './loop-monitor/index.js'
export type { BlockedReport, LoopDelayStats, LoopMonitor, LoopMonitorOptions } from './loop-monitor/index.js'
export { metrics, UNMATCHED_ROUTE } from './metrics/index.js'
export type { AppMetrics, MetricsOptions } from './metrics/index.js'
export { health } from './health/index.js'
export type { HealthBody, HealthOptions } from './health/index.js'
