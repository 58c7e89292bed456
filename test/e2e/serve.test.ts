import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { datasetPath } from '../datasets.js';
import { glassbox, isOneLineError, serve, tempDir } from './cli.js';

/** Starts `glassbox serve` on a free port; resolves with its address once it listens. */

async function json(url: string, init?: RequestInit): Promise<unknown> {
  const r = await fetch(url, init);
  const body: unknown = await r.json();
  if (!r.ok) throw new Error(`${r.status} ${JSON.stringify(body)}`);
  return body;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('glassbox serve', () => {
  it('refuses to listen beyond loopback without accounts', () => {
    const r = glassbox(['serve', '--host', '0.0.0.0', '--data-dir', tempDir()]);
    expect(isOneLineError(r), r.stderr).toBe(true);
    expect(r.stderr).toContain('add --accounts');
  });

  it('survives a kill during a run: the run is marked interrupted, its trials stay, the database is intact, and it resumes', async () => {
    const dataDir = tempDir();
    let { child, url } = await serve(dataDir);
    const project = (await json(`${url}/api/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'kill test' }),
    })) as { project: { id: string } };
    const form = new FormData();
    form.append('file', new Blob([readFileSync(datasetPath('diabetes.csv'))]), 'diabetes.csv');
    const up = (await json(`${url}/api/projects/${project.project.id}/datasets`, { method: 'POST', body: form })) as {
      dataset: { id: string };
    };
    const started = (await json(`${url}/api/projects/${project.project.id}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ datasetId: up.dataset.id, target: 'Outcome', trials: 12, models: ['gbdt', 'linear'] }),
    })) as { run: { id: string } };
    const runId = started.run.id;
    // Wait for a few finished trials, then kill the server without warning.
    let before = 0;
    for (let i = 0; i < 600 && before < 3; i++) {
      await sleep(100);
      before = ((await json(`${url}/api/runs/${runId}/trials`)) as { trials: unknown[] }).trials.length;
    }
    expect(before).toBeGreaterThanOrEqual(3);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    ({ child, url } = await serve(dataDir));
    try {
      const after = (await json(`${url}/api/runs/${runId}`)) as { run: { state: string; error: string } };
      expect(after.run.state).toBe('interrupted');
      const kept = ((await json(`${url}/api/runs/${runId}/trials`)) as { trials: unknown[] }).trials.length;
      expect(kept).toBeGreaterThanOrEqual(before);
      const db = new Database(join(dataDir, 'glassbox.db'), { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
      // Resumed, the run keeps its finished trials and completes the rest.
      await json(`${url}/api/runs/${runId}/resume`, { method: 'POST' });
      let state = 'queued';
      for (let i = 0; i < 1200 && !['done', 'failed'].includes(state); i++) {
        await sleep(100);
        state = ((await json(`${url}/api/runs/${runId}`)) as { run: { state: string } }).run.state;
      }
      expect(state).toBe('done');
      const journal = JSON.parse(readFileSync(join(dataDir, 'runs', runId, 'journal.json'), 'utf8'));
      expect(journal.search.resumed).toBeGreaterThanOrEqual(kept - 1);
      expect(journal.search.trials).toBe(12);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 240_000);
});
