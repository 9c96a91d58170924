import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort, ROOT, stopChild, track, waitForHttp } from '../lib/proc.js';

// Centrifugo, the peer closest to what our service does for a room: a real-time server (Go) that keeps a per-channel
// history and lets a client that reconnects recover what it missed. Built from source with the Go toolchain, once
// per pinned version, into the git-ignored .services/ (as scripts/services does for Kafka and Redis; SERVICES_DIR
// moves it the same way), and started by the fan-out bench as a child process with a generated JSON config.
//
//   npx tsx bench/servers/centrifugo.ts build    build the pinned version if its binary is missing

export const CENTRIFUGO_VERSION = 'v6.9.1';
const MODULE = 'github.com/centrifugal/centrifugo/v6';
const GO = process.env.GO ?? '/usr/local/go/bin/go';

/** The HMAC secret connection tokens are signed with (HS256), here and in the load workers. */
export const CENTRIFUGO_TOKEN_SECRET = 'bench-centrifugo-secret-long-enough-for-hs256-0123456789';
/** The namespace of the bench's room channels: "room:<name>". */
export const CENTRIFUGO_NAMESPACE = 'room';

function servicesDir(): string {
  return path.join(process.env.SERVICES_DIR ?? path.join(ROOT, '.services'), 'centrifugo');
}

export function centrifugoBinary(version = CENTRIFUGO_VERSION): string {
  return path.join(servicesDir(), version, 'centrifugo');
}

/** Whether the pinned binary is there or can be built (a Go toolchain answers `go version`). */
export function centrifugoAvailable(version = CENTRIFUGO_VERSION): boolean {
  return existsSync(centrifugoBinary(version)) || spawnSync(GO, ['version'], { stdio: 'ignore' }).status === 0;
}

/**
 * `go install <module>@<version>` into .services/centrifugo/<version>/ unless that binary exists. GOPATH (module
 * cache) and GOCACHE (build cache) live next to it so a rebuild of another version reuses both, and nothing lands in
 * the home directory. CGO off: a static binary, no C toolchain needed.
 */
export async function ensureCentrifugo(log: (line: string) => void = console.log, version = CENTRIFUGO_VERSION): Promise<string> {
  const binary = centrifugoBinary(version);
  if (existsSync(binary)) return binary;
  const dir = servicesDir();
  mkdirSync(path.dirname(binary), { recursive: true });
  log(`centrifugo: building ${MODULE}@${version} into ${path.dirname(binary)} (minutes on 2 cores, once)`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    // The version stamp the release builds set (otherwise `centrifugo version` says 0.0.0); the usage-stats endpoint
    // they also set is left empty, so this binary reports nothing anywhere.
    const ldflags = `-X ${MODULE}/internal/build.Version=${version.replace(/^v/, '')}`;
    const child = spawn(GO, ['install', `-ldflags=${ldflags}`, `${MODULE}@${version}`], {
      env: {
        ...process.env,
        GOBIN: path.dirname(binary),
        GOPATH: path.join(dir, 'gopath'),
        GOCACHE: path.join(dir, 'gocache'),
        // Module cache files are read-only by default, which makes `rm -rf .services` fail.
        GOFLAGS: '-modcacherw',
        GOTOOLCHAIN: 'local',
        CGO_ENABLED: '0',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`go install ${MODULE}@${version} failed (${code ?? signal})`))));
  });
  if (!existsSync(binary)) throw new Error(`go install succeeded but ${binary} is missing`);
  log(`centrifugo: built ${version} in ${Math.round((Date.now() - started) / 1000)} s`);
  return binary;
}

/**
 * The configuration the bench runs Centrifugo with (v6 layout, keys as in internal/configtypes of the pinned
 * version): HMAC (HS256) connection tokens; the "room" namespace with a history of 1,000 messages kept 300 s, and
 * positioning and recovery forced on every subscription, so a subscriber that reconnects gets what it missed (as
 * ours replays a room from its log) and a gap in a stream is detected; client-side publishing allowed, so a sender
 * publishes over its own client connection as ours sends chat.send over its WebSocket. Senders publish without
 * subscribing (allow_publish_for_client), as ours's sender connections do not subscribe to the room they send to.
 * Memory engine (one node: nothing to share), no other limits set (Centrifugo's defaults set none on connections
 * or publications); the health endpoint tells the harness it is up.
 */
export function centrifugoConfig(port: number): Record<string, unknown> {
  return {
    log: { level: 'warn' },
    http_server: { address: '127.0.0.1', port },
    health: { enabled: true },
    usage_stats: { disabled: true },
    // No allowed_origins: the Node clients send no Origin header, which Centrifugo accepts.
    client: { token: { hmac_secret_key: CENTRIFUGO_TOKEN_SECRET } },
    channel: {
      namespaces: [
        {
          name: CENTRIFUGO_NAMESPACE,
          history_size: 1000,
          history_ttl: '300s',
          force_positioning: true,
          force_recovery: true,
          allow_positioning: true,
          allow_recovery: true,
          allow_subscribe_for_client: true,
          allow_publish_for_client: true,
          allow_publish_for_subscriber: true,
        },
      ],
    },
  };
}

export interface CentrifugoServer {
  child: ChildProcess;
  port: number;
  /** The bidirectional WebSocket endpoint the centrifuge client connects to. */
  wsUrl: string;
  stop(): Promise<void>;
}

/** The pinned Centrifugo (built first if missing) on a free loopback port, with centrifugoConfig() in a temp file. */
export async function startCentrifugo(log: (line: string) => void = console.log): Promise<CentrifugoServer> {
  const binary = await ensureCentrifugo(log);
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'chat-bench-centrifugo-'));
  const configPath = path.join(dir, 'config.json');
  writeFileSync(configPath, `${JSON.stringify(centrifugoConfig(port), null, 2)}\n`);
  const child = spawn(binary, ['--config', configPath], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  track(child);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`centrifugo exited with ${code} during start-up`))));
  exited.catch(() => undefined);
  await Promise.race([waitForHttp(`http://127.0.0.1:${port}/health`, 30_000), exited]);
  return {
    child,
    port,
    wsUrl: `ws://127.0.0.1:${port}/connection/websocket`,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] !== 'build') {
    console.error('usage: npx tsx bench/servers/centrifugo.ts build');
    process.exit(2);
  }
  ensureCentrifugo()
    .then((binary) => console.log(binary))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    });
}
