/**
 * Which process this is under `listen({ workers })`: the primary (the process you started, which forks the
 * workers and supervises them) or one of its workers. Read once, from what the primary sets at fork.
 */
import type { Cluster } from 'node:cluster'
import { lazyRequire } from '../lazy.js'
import type { ListenInfo } from './lifecycle.js'

/** node:cluster (with child_process, dgram, net: ~1.4 MB of RSS) is loaded only in a would-be worker. */
export const loadCluster = lazyRequire<Cluster>('node:cluster')

/** @internal Environment variables the primary passes to each worker it forks. */
export const WORKER_ENV = { id: 'SWIFTLET_WORKER', port: 'SWIFTLET_WORKER_PORT' } as const

/** @internal What a worker learns from its environment. */
export interface WorkerSetting {
  /** 1..n; a restarted worker takes the number of the one it replaces. */
  id: number
  /** The port the primary resolved (port 0 → one free port shared by every worker). */
  port: number
}

/** @internal IPC messages from a worker to the primary. Tagged, so other messages pass by. */
export type WorkerMessage =
  | { swiftlet: 'listening'; info: ListenInfo }
  | { swiftlet: 'failed'; message: string; code: string | undefined }

/** @internal IPC messages from the primary to a worker. */
export interface PrimaryMessage {
  swiftlet: 'close'
  /** The drain deadline, in ms. */
  timeoutMs: number
}

function readSetting(): WorkerSetting | undefined {
  if (process.env[WORKER_ENV.id] === undefined) return undefined
  // cluster.isWorker is false in a grandchild even when our variables leaked into its environment.
  if (!loadCluster().isWorker) return undefined
  const id = Number(process.env[WORKER_ENV.id])
  const port = Number(process.env[WORKER_ENV.port])
  if (!Number.isInteger(id) || id < 1 || !Number.isInteger(port) || port < 1 || port > 65_535)
    return undefined
  return { id, port }
}

const setting = readSetting()

/** @internal This worker's setting; undefined outside a Swiftlet worker. */
export function workerSetting(): WorkerSetting | undefined {
  return setting
}

/**
 * True in every process that is not a Swiftlet worker: the process you started, whether or not it runs
 * `listen({ workers })`. Your module runs again in each worker, so guard what must run once with it (a
 * database migration before `listen()`, for instance): workers are forked only when `listen()` is called.
 */
export function isPrimary(): boolean {
  return setting === undefined
}

/**
 * This worker's number, 1..n, under `listen({ workers: n })`; undefined in the primary or a single process.
 * A restarted worker takes the number of the one it replaces. Log lines of a worker carry it as `worker`.
 */
export function workerId(): number | undefined {
  return setting?.id
}

/** @internal Whether an IPC message is one of ours. */
export function isSwiftletMessage(message: unknown): message is { swiftlet: string } {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { swiftlet?: unknown }).swiftlet === 'string'
  )
}
