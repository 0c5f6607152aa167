/**
 * A real nginx (Debian package) in front of Swiftlet instances, for the deployment test: a config written to a
 * temporary directory (pid, logs and temp files inside it, loopback only, as the current user), started in the
 * foreground, stopped with SIGTERM. Missing nginx is a failure, never a skip.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../helpers/ports.js'

export const NGINX = '/usr/sbin/nginx'

/** A running nginx. */
export interface Nginx {
  port: number
  /** `http://127.0.0.1:PORT` */
  url: string
  /** The access log so far: one line per request, `upstream=<addrs> status=<statuses>` included. */
  accessLog(): string
  /** Stops nginx (SIGTERM, SIGKILL after 5 s) and removes its directory. */
  stop(): Promise<void>
}

/**
 * The config the deployment guide recommends (docs/deploy.md), minus TLS: keep-alive to the upstreams,
 * HTTP/1.1 (uWS does not answer HTTP/1.0), WebSocket upgrades, and retries on the next instance for
 * connection errors and 502/503 (an instance that stops accepting while it drains).
 */
export function nginxConf(dir: string, port: number, upstreams: number[], keepalive = 32): string {
  // As root, nginx would switch its workers to `nobody`, which cannot write into our 0700 temp directory.
  const user = process.getuid?.() === 0 ? 'user root root;' : '# not root: workers keep the current user'
  const servers = upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`).join('\n')
  return `
${user}
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  log_format upstreams '$request_uri status=$status upstream=$upstream_addr upstream_status=$upstream_status';
  access_log ${dir}/access.log upstreams;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;

  map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      '';
  }
  upstream swiftlet {
${servers}
    keepalive ${keepalive};
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://swiftlet;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      proxy_connect_timeout 2s;
      proxy_read_timeout 30s;
    }
  }
}
`
}

/** Polls `url` until nginx answers (any status), at most `timeoutMs`. */
async function waitForHttp(
  url: string,
  child: ChildProcess,
  log: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${log()}`)
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) })
      return
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not answer within ${timeoutMs} ms: ${log()}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
}

/**
 * Writes the config for `upstreams` and starts nginx in the foreground.
 * @throws Error when nginx is not installed, the config is refused, or it does not answer within 10 s.
 */
export async function startNginx(upstreams: number[], keepalive?: number): Promise<Nginx> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: install the Debian package nginx`)
  const dir = mkdtempSync(join(tmpdir(), 'swiftlet-nginx-'))
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub))
  const port = await freePort()
  const conf = join(dir, 'nginx.conf')
  writeFileSync(conf, nginxConf(dir, port, upstreams, keepalive))
  // -e: the error log before the config is read (Debian's build says stderr; other builds a /var/log path).
  const child = spawn(NGINX, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.on('error', (err) => (output += `spawn failed: ${err.message}\n`))
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const read = (file: string): string =>
    existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : ''
  const log = (): string => `${output}\n${read('error.log')}`
  const url = `http://127.0.0.1:${port}`
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(timer)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitForHttp(`${url}/whoami`, child, log, 10_000)
  } catch (err) {
    await stop()
    throw err
  }
  return { port, url, accessLog: () => read('access.log'), stop }
}
