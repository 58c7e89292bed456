/**
 * npm run bench:api — single-row scoring through the REST API on loopback: a 200-tree gradient
 * boosting model of bank-full behind `POST /api/models/:id/predict`, clients each sending one row
 * at a time over keep-alive connections, at 1, 10 and 100 clients. Prints latency p50 / p99 and
 * throughput per level; the goal is p99 <= 10 ms at 100 clients. The same rows are also scored
 * in-process (no HTTP) for the cost the server adds.
 *
 * Options: --requests N per level (default 5000), --trees N (default 200).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
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
  const loadOut = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), '--load', url.href, rowsFile, '--requests', String(REQUESTS)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`load generator exited ${code}`))));
  });
  const lines: string[] = [
    `bench:api — bank-full gbdt with ${TREES} trees, one row per request, ${REQUESTS} requests per level, loopback, clients in a second process`,
    `in-process scoring (no HTTP): p50 ${quantile(inProc, 0.5).toFixed(3)} ms, p99 ${quantile(inProc, 0.99).toFixed(3)} ms`,
    '',
    'clients | p50 ms | p99 ms | requests/s | p99 goal (<= 10 ms)',
    '---|---|---|---|---',
  ];
  for (const r of JSON.parse(loadOut) as { clients: number; p50: number; p99: number; rps: number }[])
    lines.push(
      `${r.clients} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.rps.toFixed(0)} | ${r.p99 <= 10 ? 'met' : 'missed'}`,
    );
  await app.close();
  process.stdout.write(lines.join('\n') + '\n');
}

/** The load generator, in its own process so it does not share the server's event loop. */
async function load(url: string, rowsFile: string): Promise<void> {
  const rows = JSON.parse(readFileSync(rowsFile, 'utf8')) as string[];
  const agent = new Agent({ keepAlive: true, maxSockets: 200 });
  const once = (body: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`HTTP ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  for (let i = 0; i < 300; i++) await once(rows[i % rows.length]);
  const out: { clients: number; p50: number; p99: number; rps: number }[] = [];
  for (const clients of [1, 10, 100]) {
    // Each level's connections opened and warm before the clock starts: steady state, not set-up.
    await Promise.all(Array.from({ length: clients }, (_, c) => once(rows[c % rows.length])));
    const lat = new Float64Array(REQUESTS);
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (;;) {
          const k = next++;
          if (k >= REQUESTS) return;
          lat[k] = await once(rows[k % rows.length]);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    lat.sort();
    out.push({ clients, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), rps: REQUESTS / seconds });
  }
  agent.destroy();
  process.stdout.write(JSON.stringify(out));
}

const loadAt = process.argv.indexOf('--load');
void (loadAt >= 0 ? load(process.argv[loadAt + 1], process.argv[loadAt + 2]) : main());
