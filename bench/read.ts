/**
 * npm run bench:read — reading each shared dataset into a Frame beside pandas.read_csv (C engine,
 * separator given), each in a fresh process so start-up and JIT warm-up count as a user sees them.
 * Prints time ratios (Glassbox / pandas) and peak memory.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { DATASETS, manifest, requirePeers, runPeer, table } from './peers.js';

interface Measure {
  coldMs: number;
  warmMs: number;
  peakMb: number;
  rows: number;
  cols: number;
}

const child = process.argv[2] === '--child';

async function measureHere(file: string, columns?: string[]): Promise<Measure> {
  const { readCsv } = await import('../src/data/read-csv.js');
  const { fileSource } = await import('../src/node/source.js');
  const opts = columns ? { columns } : {};
  let t0 = performance.now();
  const r = await readCsv(fileSource(file), opts);
  const coldMs = performance.now() - t0;
  let warmMs = Infinity;
  for (let k = 0; k < 3; k++) {
    t0 = performance.now();
    await readCsv(fileSource(file), opts);
    warmMs = Math.min(warmMs, performance.now() - t0);
  }
  return { coldMs, warmMs, peakMb: process.resourceUsage().maxRSS / 1024, rows: r.frame.nRows, cols: r.frame.nCols };
}

async function main(): Promise<void> {
  if (child) {
    const file = process.argv[3];
    const columns = process.argv[4] ? (JSON.parse(process.argv[4]) as string[]) : undefined;
    process.stdout.write(JSON.stringify(await measureHere(file, columns)) + '\n');
    return;
  }
  requirePeers();
  const rows: string[][] = [
    [
      'dataset',
      'rows',
      'glassbox ms (cold)',
      'glassbox ms (warm)',
      'pandas ms',
      'ratio cold',
      'ratio warm',
      'glassbox MB',
      'pandas MB',
    ],
  ];
  let logSum = 0;
  let count = 0;
  for (const m of manifest()) {
    const path = join(DATASETS, m.file);
    const args = [process.argv[1], '--child', path, ...(m.columns ? [JSON.stringify(m.columns)] : [])];
    const ours = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })) as Measure;
    const sep = m.sep === 'TAB' || m.sep === '\\t' ? '\t' : m.sep;
    // pandas timed in its own process too; best of three runs.
    let pandasMs = Infinity;
    let pandasMb = 0;
    for (let k = 0; k < 3; k++) {
      const peer = runPeer([
        '--mode',
        'read',
        '--train',
        path,
        '--test',
        path,
        '--target',
        'x',
        '--task',
        'binary',
        '--sep',
        sep,
      ]);
      pandasMs = Math.min(pandasMs, Number(peer.read_s) * 1000);
      pandasMb = Number(peer.peak_rss_mb);
    }
    if (ours.rows !== m.rows) throw new Error(`${m.file}: read ${ours.rows} rows, manifest says ${m.rows}`);
    const ratioCold = ours.coldMs / pandasMs;
    logSum += Math.log(ratioCold);
    count++;
    rows.push([
      m.file,
      String(m.rows),
      ours.coldMs.toFixed(1),
      ours.warmMs.toFixed(1),
      pandasMs.toFixed(1),
      ratioCold.toFixed(2),
      (ours.warmMs / pandasMs).toFixed(2),
      ours.peakMb.toFixed(0),
      pandasMb.toFixed(0),
    ]);
  }
  process.stdout.write(table(rows) + '\n');
  process.stdout.write(`geometric mean ratio (cold, Glassbox / pandas): ${Math.exp(logSum / count).toFixed(2)}\n`);
}

await main();
