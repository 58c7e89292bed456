/**
 * npm run bench:api — single-row scoring through the REST API on loopback: a 200-tree gradient
 * boosting model of bank-full behind `POST /api/models/:id/predict`, clients each sending one row
 * at a time over keep-alive connections, at 1, 10 and 100 clients. Prints latency p50 / p99 and
 * throughput per level; the goal is p99 <= 10 ms at 100 clients. Beside it, in the same run, the
 * floor: the same Fastify stack answering a fixed prediction with no model, auth or database, and
 * the ratio of the two p99s. The same rows are also scored in-process (no HTTP).
 *
 * Options: --requests N per level (default 5000), --trees N (default 200).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import Fastify from 'fastify';
import { train } from '../src/automl/train.js';
import { frameFromRows, stringifyBundle } from '../src/export/bundle.js';
import { score } from '../src/automl/score.js';
import { readTable } from '../src/node/read-table.js';
import { runDir } from '../src/platform/artifacts.js';
import { buildApp } from '../src/server/app.js';
import { datasetPath } from '../test/datasets.js';
import '../src/techniques/index.js';

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const REQUESTS = arg('requests', 5000);
const TREES = arg('trees', 200);

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main(): Promise<void> {
  const read = await readTable(datasetPath('bank-full.csv'));
  const result = train(read.frame, {
    target: 'y',
    model: 'gbdt',
    params: { numRounds: TREES, earlyStopping: 'off' },
    holdout: 0,
    seed: 1,
    inferences: read.columns,
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'glassbox-bench-api-'));
  const { app, store } = await buildApp({ dataDir, auth: 'local' });
  const user = store.userByEmail('local@localhost');
  if (!user) throw new Error('no local user');
  const project = store.createProject(user.id, 'bench');
  store.createDataset({
    id: 'bench',
    projectId: project.id,
    name: 'bank-full.csv',
    format: 'csv',
    bytes: 0,
    rows: read.frame.nRows,
    columns: read.frame.nCols,
    profile: { columns: [] },
  });
  const run = store.createRun({ projectId: project.id, datasetId: 'bench', kind: 'train', settings: { target: 'y' } });
  mkdirSync(runDir(dataDir, run.id), { recursive: true });
  writeFileSync(join(runDir(dataDir, run.id), 'bundle.json'), stringifyBundle(result.bundle));
  store.setRunState(run.id, 'done');
  const model = store.createModel({
    projectId: project.id,
    runId: run.id,
    name: 'gbdt',
    task: 'binary',
    target: 'y',
    metrics: {},
    fingerprint: result.bundle.fingerprint,
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const url = new URL(`/api/models/${model.id}/predict`, address);

  // Rows to send: real rows of the file as JSON objects.
  const names = result.bundle.schema.columns.map((c) => c.name);
  const rows = Array.from({ length: 500 }, (_, t) => {
    const i = (t * 89) % read.frame.nRows;
    const row: Record<string, unknown> = {};
    for (const n of names) {
      const c = read.frame.get(n);
      row[n] =
        c.kind === 'categorical'
          ? c.codes[i] < 0
            ? null
            : c.categories[c.codes[i]]
          : c.kind === 'text'
            ? c.values[i]
            : c.values[i];
    }
    return JSON.stringify({ rows: [row] });
  });

  // In-process: parse, conform and predict one row, without HTTP.
  const parsed = rows.map((r) => JSON.parse(r) as { rows: Record<string, unknown>[] });
  for (let i = 0; i < 200; i++)
    score(result.bundle, result.pipeline, frameFromRows(result.bundle, parsed[i % 500].rows));
  const inProc = new Float64Array(2000);
  for (let i = 0; i < inProc.length; i++) {
    const t0 = performance.now();
    score(result.bundle, result.pipeline, frameFromRows(result.bundle, parsed[i % 500].rows));
    inProc[i] = performance.now() - t0;
  }
  inProc.sort();

  const rowsFile = join(dataDir, 'rows.json');
  writeFileSync(rowsFile, JSON.stringify(rows));
  const runLoad = (target: string): Promise<Level[]> =>
    new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [fileURLToPath(import.meta.url), '--load', target, rowsFile, '--requests', String(REQUESTS)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('exit', (code) =>
        code === 0 ? resolve(JSON.parse(text) as Level[]) : reject(new Error(`load generator exited ${code}`)),
      );
    });
  const ours = await runLoad(url.href);
  await app.close();

  // The floor: the same HTTP stack (Fastify, JSON body parsed) answering a fixed prediction, with
  // no model, no auth and no database. What it cannot do on this machine, no route can.
  const bare = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
  const fixed = { predictions: [{ prediction: 'no', proba_no: 0.9, proba_yes: 0.1 }], warnings: [] };
  bare.post('/api/models/:id/predict', async () => fixed);
  const bareUrl = new URL(`/api/models/${model.id}/predict`, await bare.listen({ port: 0, host: '127.0.0.1' }));
  const floor = await runLoad(bareUrl.href);
  await bare.close();
  // Below the framework: node:http itself answering the same fixed bytes after reading the body.
  const fixedBytes = Buffer.from(JSON.stringify(fixed));
  const raw = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': fixedBytes.length });
      res.end(fixedBytes);
    });
  });
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  const rawPort = (raw.address() as { port: number }).port;
  const rawFloor = await runLoad(`http://127.0.0.1:${rawPort}/api/models/${model.id}/predict`);
  await new Promise((resolve) => raw.close(resolve));

  const lines: string[] = [
    `bench:api — bank-full gbdt with ${TREES} trees, one row per request, ${REQUESTS} requests per level, loopback, keep-alive clients in a second process, ${cpus().length} cores`,
    `in-process scoring (no HTTP): p50 ${quantile(inProc, 0.5).toFixed(3)} ms, p99 ${quantile(inProc, 0.99).toFixed(3)} ms`,
    '',
    'clients | p50 ms | p99 ms | requests/s | Fastify floor p50 / p99 ms, req/s | node:http floor p50 / p99 ms, req/s | p99 / Fastify floor p99 | p99 goal (<= 10 ms)',
    '---|---|---|---|---|---|---|---',
  ];
  ours.forEach((r, j) => {
    const f = floor[j];
    const h = rawFloor[j];
    lines.push(
      `${r.clients} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.rps.toFixed(0)} | ${f.p50.toFixed(2)} / ${f.p99.toFixed(2)}, ${f.rps.toFixed(0)} | ${h.p50.toFixed(2)} / ${h.p99.toFixed(2)}, ${h.rps.toFixed(0)} | ${(r.p99 / f.p99).toFixed(2)} | ${r.p99 <= 10 ? 'met' : 'missed'}`,
    );
  });
  lines.push(
    '',
    'Fastify floor = the same Fastify server answering a fixed prediction (no model, auth or database); node:http floor = node:http answering the same bytes, no framework: what this machine gives any route at that concurrency, with the load generator on the same cores.',
  );
  process.stdout.write(lines.join('\n') + '\n');
}

interface Level {
  clients: number;
  p50: number;
  p99: number;
  rps: number;
}

/**
 * The load generator, in its own process so it does not share the server's event loop: raw
 * keep-alive HTTP/1.1 over net sockets, one request in flight per connection, the whole response
 * read (headers and Content-Length body) before the next is sent. Node's http client costs more
 * CPU per request than the server route it measures, and on 2 cores that would be what is timed.
 */
async function load(url: string, rowsFile: string): Promise<void> {
  const target = new URL(url);
  const bodies = (JSON.parse(readFileSync(rowsFile, 'utf8')) as string[]).map((body) =>
    Buffer.from(
      `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    ),
  );
  const level = async (clients: number, requests: number): Promise<Level> => {
    const lat = new Float64Array(requests);
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from(
        { length: clients },
        () =>
          new Promise<void>((resolve, reject) => {
            const socket = connect(Number(target.port), target.hostname);
            socket.setNoDelay(true);
            let pending: Buffer = Buffer.alloc(0);
            let k = -1;
            let start = 0;
            const send = (): void => {
              k = next++;
              if (k >= requests) {
                socket.end();
                return resolve();
              }
              start = performance.now();
              socket.write(bodies[k % bodies.length]);
            };
            socket.on('connect', send);
            socket.on('error', reject);
            socket.on('data', (d: Buffer) => {
              pending = pending.length ? Buffer.concat([pending, d]) : d;
              const head = pending.indexOf('\r\n\r\n');
              if (head < 0) return;
              const headers = pending.subarray(0, head).toString('latin1');
              const length = /\r\ncontent-length: *(\d+)/i.exec(headers);
              if (!headers.startsWith('HTTP/1.1 200') || !length)
                return reject(new Error(`unexpected answer: ${headers.split('\r\n')[0]}`));
              const end = head + 4 + Number(length[1]);
              if (pending.length < end) return;
              lat[k] = performance.now() - start;
              pending = pending.subarray(end);
              send();
            });
          }),
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    lat.sort();
    return { clients, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), rps: requests / seconds };
  };
  // Warm-up, then each level; the first pass of a level's connections is part of its warm-up too.
  await level(10, 3000);
  const out: Level[] = [];
  for (const clients of [1, 10, 100]) {
    await level(clients, Math.min(REQUESTS, clients * 20));
    out.push(await level(clients, REQUESTS));
  }
  process.stdout.write(JSON.stringify(out));
}

const loadAt = process.argv.indexOf('--load');
void (loadAt >= 0 ? load(process.argv[loadAt + 1], process.argv[loadAt + 2]) : main());
