import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { forkTs, rssKiB, sleep, stopChild, waitForMessage } from './lib/proc.js';
import { field, setUpUsersAndRooms, startOurs } from './lib/ours.js';
import { cpuSeconds, type BenchResult, type Row } from './lib/report.js';

// Uploads and downloads (issue #16): `clients` clients upload `megabytes` MB each at once over multipart POST
// /api/files, then download them all at once, against our service (embedded, disk store) and beside it a plain
// static file server (express.static, and busboy streaming the same multipart uploads to files: bench/servers/peer.ts).
// Both are child processes measured from outside: wall time of the whole batch, server CPU, and the server's peak
// resident memory sampled every 20 ms (what "never loaded whole into memory" promises).

export interface FilesOptions {
  quick: boolean;
  clients?: number | undefined;
  megabytes?: number | undefined;
}

const MIB = 2 ** 20;
const BOUNDARY = '----chat-bench-boundary';

interface Target {
  label: string;
  pid: number;
  baseUrl: string;
  tokens: string[];
  /** Where a stored file is read back from. */
  downloadPath: (fileId: string) => string;
  stop: () => Promise<void>;
}

/**
 * One multipart upload of `bytes` bytes of a PDF (ALLOWED_FILE_TYPES' default takes it, and its type is sniffed from
 * the first bytes): the body is written in 1 MiB pieces as the socket drains, so the client never holds it whole.
 */
function upload(target: Target, token: string, bytes: number, piece: Buffer): Promise<string> {
  const head = Buffer.from(
    `--${BOUNDARY}\r\ncontent-disposition: form-data; name="file"; filename="report.pdf"\r\ncontent-type: application/pdf\r\n\r\n%PDF-1.7\n`,
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const body = bytes - 9; // after the "%PDF-1.7\n" magic, which is in `head`
  return new Promise((resolve, reject) => {
    const req = request(`${target.baseUrl}/api/files`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'content-length': head.length + body + tail.length,
      },
    });
    req.on('error', reject);
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode !== 201) reject(new Error(`${target.label} upload: ${response.statusCode} ${text}`));
        else resolve(field(JSON.parse(text) as unknown, 'file', 'fileId'));
      });
    });
    req.write(head);
    let left = body;
    const writeMore = () => {
      while (left > 0) {
        const size = Math.min(left, piece.length);
        left -= size;
        if (!req.write(size === piece.length ? piece : piece.subarray(0, size))) return void req.once('drain', writeMore);
      }
      req.end(tail);
    };
    writeMore();
  });
}

function download(target: Target, token: string, fileId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${target.baseUrl}${target.downloadPath(fileId)}`, { headers: { authorization: `Bearer ${token}` } });
    req.on('error', reject);
    req.on('response', (response) => {
      let received = 0;
      response.on('data', (chunk: Buffer) => (received += chunk.length));
      response.on('end', () => (response.statusCode === 200 ? resolve(received) : reject(new Error(`${target.label} download: ${response.statusCode}`))));
    });
    req.end();
  });
}

/** Runs `work` while sampling the server's RSS; answers seconds, server CPU seconds and peak RSS in MiB. */
async function measured<T>(pid: number, work: () => Promise<T>): Promise<{ value: T; seconds: number; cpu: number; peakMiB: number }> {
  let peak = rssKiB(pid);
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, rssKiB(pid));
      await sleep(20);
    }
  })();
  const cpuBefore = cpuSeconds(pid);
  const started = process.hrtime.bigint();
  const value = await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = cpuSeconds(pid) - cpuBefore;
  sampling = false;
  await sampler;
  return { value, seconds, cpu, peakMiB: Math.round(peak / 1024) };
}

async function ours(clients: number, megabytes: number): Promise<Target> {
  const server = await startOurs({
    env: {
      MAX_FILE_BYTES: String((megabytes + 1) * MIB),
      UPLOAD_BYTES_PER_USER_PER_DAY: String(100 * (megabytes + 1) * MIB),
    },
  });
  const fixture = await setUpUsersAndRooms(server.baseUrl, clients, 0);
  return {
    label: 'ours (embedded, disk store)',
    pid: server.child.pid ?? 0,
    baseUrl: server.baseUrl,
    tokens: fixture.users.map((user) => user.token),
    downloadPath: (fileId) => `/api/files/${fileId}`,
    stop: () => server.stop(),
  };
}

async function peer(clients: number): Promise<Target> {
  const child = forkTs('bench/servers/peer.ts', ['files']);
  const { port } = await waitForMessage(child, (m) => ((m as { ready?: boolean }).ready ? (m as { port: number }) : undefined), 30_000, 'files peer');
  return {
    label: 'express.static + busboy',
    pid: child.pid ?? 0,
    baseUrl: `http://127.0.0.1:${port}`,
    tokens: Array.from({ length: clients }, () => 'none'),
    downloadPath: (fileId) => `/files/${fileId}`,
    stop: () => stopChild(child),
  };
}

export async function runFiles(options: FilesOptions, log: (line: string) => void): Promise<BenchResult> {
  const clients = options.clients ?? (options.quick ? 5 : 20);
  const megabytes = options.megabytes ?? (options.quick ? 10 : 50);
  const bytes = megabytes * MIB;
  const rows: Row[] = [];
  const rates: Record<string, { up: number; down: number }> = {};
  for (const start of [ours, peer]) {
    const target = await start(clients, megabytes);
    try {
      const baseline = Math.round(rssKiB(target.pid) / 1024);
      // Each client's bytes differ (a file per uploader and content hash), repeated in 1 MiB pieces.
      const pieces = target.tokens.map(() => randomBytes(MIB));
      const up = await measured(target.pid, () => Promise.all(target.tokens.map((token, i) => upload(target, token, bytes, pieces[i] ?? pieces[0]!))));
      const down = await measured(target.pid, () =>
        Promise.all(up.value.map((fileId, i) => download(target, target.tokens[i] ?? 'none', fileId))),
      );
      const received = down.value.reduce((a, b) => a + b, 0);
      if (received !== bytes * clients) throw new Error(`${target.label}: downloaded ${received} bytes of ${bytes * clients}`);
      const total = (bytes * clients) / MIB;
      rates[target.label] = { up: total / up.seconds, down: total / down.seconds };
      for (const [pass, m] of [['upload', up], ['download', down]] as const) {
        rows.push({
          server: target.label,
          pass: `${clients} × ${megabytes} MB ${pass}`,
          'MB/s': Math.round(total / m.seconds),
          seconds: Math.round(m.seconds * 10) / 10,
          'server CPU ms/MB': Math.round((m.cpu * 1000 * 10) / total) / 10,
          'RSS before MiB': baseline,
          'peak RSS MiB': m.peakMiB,
        });
      }
      log(`files ${target.label}: up ${Math.round(total / up.seconds)} MB/s (peak ${up.peakMiB} MiB), down ${Math.round(total / down.seconds)} MB/s (peak ${down.peakMiB} MiB)`);
    } finally {
      await target.stop();
    }
  }
  const ourRate = rates['ours (embedded, disk store)'];
  const peerRate = rates['express.static + busboy'];
  return {
    settings: { clients, megabytesEach: megabytes, fileType: 'application/pdf (sniffed)', store: 'disk (DATA_DIR/files)' },
    rows,
    ratios:
      ourRate && peerRate
        ? { 'upload MB/s, ours / static server': ourRate.up / peerRate.up, 'download MB/s, ours / static server': ourRate.down / peerRate.down }
        : {},
    notes: [
      `${clients} clients each upload ${megabytes} MB (multipart, one part "file", a PDF by its magic bytes) at the same moment, then download their files at the same moment; client and server share the machine's cores.`,
      'Ours checks the bearer token and the daily upload budget, streams the part to a staging file while hashing and sniffing it, moves it to its content address and appends FileUploaded; the download checks who may read it. The peer does none of that.',
      'Peak RSS is sampled every 20 ms from /proc; a server that held uploads in memory would peak near clients × size.',
    ],
  };
}
