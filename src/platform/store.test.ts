import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, Store } from './store.js';

describe('store migrations', () => {
  it('brings a version 1 database to the current schema with its runs, trials and models intact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassbox-store-'));
    // A database as the first release left it.
    const old = new Database(join(dir, 'glassbox.db'));
    old.pragma('journal_mode = WAL');
    old.pragma('foreign_keys = ON');
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    old.exec(MIGRATIONS[0]);
    old.exec(`INSERT INTO schema_migrations VALUES (1, '2026-01-01');
      INSERT INTO users VALUES ('u', 'a@b.c', 'A', '!', '2026-01-01');
      INSERT INTO projects VALUES ('p', 'P', 'u', '2026-01-01');
      INSERT INTO project_members VALUES ('p', 'u', 'owner');
      INSERT INTO datasets VALUES ('d', 'p', 'd.csv', 'csv', 1, 1, 1, '{"columns":[]}', '2026-01-01');
      INSERT INTO runs (id, project_id, dataset_id, kind, settings, state, created_at)
        VALUES ('r', 'p', 'd', 'automl', '{"target":"y"}', 'done', '2026-01-01');
      INSERT INTO trials VALUES ('r', 0, '{"score":0.9}');
      INSERT INTO models VALUES ('m', 'p', 'r', 'gbdt', 'binary', 'y', '{}', 'f', '2026-01-02');`);
    old.close();

    const store = new Store(dir);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    expect(store.runById('r')).toMatchObject({ kind: 'automl', state: 'done', modelId: null });
    expect(store.trials('r')).toEqual([{ score: 0.9 }]);
    expect(store.model('u', 'm')).toMatchObject({ runId: 'r', version: 1 });
    expect(store.integrityCheck()).toBe('ok');
    expect(store.db.pragma('foreign_key_check')).toEqual([]);
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    // The new kinds of run, and the model's history.
    const run = store.createRun({ projectId: 'p', datasetId: 'd', kind: 'retrain', settings: {}, modelId: 'm' });
    expect(store.activeRun('m', 'retrain')).toBe(run.id);
    store.addRetrain('p', 'm', run.id, { promoted: true, version: 2, challenger: 'g' });
    expect(store.model('u', 'm')).toMatchObject({ version: 2, fingerprint: 'g' });
    expect(store.history('m').map((e) => e.kind)).toEqual(['retrain']);
    store.close();
    // Opening it again applies nothing twice.
    const again = new Store(dir);
    expect(again.schemaVersion).toBe(MIGRATIONS.length);
    again.close();
  });
});
