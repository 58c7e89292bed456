import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetPath } from '../datasets.js';
import { postgresBin, startPostgres, type TestPostgres } from '../postgres.js';
import { glassbox, isOneLineError, tempDir } from './cli.js';

const diabetes = datasetPath('diabetes.csv');
const lines = readFileSync(diabetes, 'utf8').trimEnd().split('\n');

describe('glassbox evaluate and retrain', () => {
  it('evaluates realised performance on labelled data, and keeps the history', () => {
    const dir = tempDir();
    const t = glassbox(['train', diabetes, '--target', 'Outcome', '--out', join(dir, 'm')]);
    expect(t.code, t.stderr).toBe(0);
    const e = glassbox(['evaluate', join(dir, 'm', 'bundle.json'), diabetes, '--out', join(dir, 'e.json')]);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toMatch(
      /^realised auc: 0\.\d+ \(95% interval 0\.\d+ to 0\.\d+\) on 768 labelled rows; at training 0\.\d+ on held-out rows/,
    );
    expect(e.stdout).toContain('drift: 0 of 8 features drifted');
    expect(
      readFileSync(join(dir, 'm', 'evaluations.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(1);
    const bad = glassbox(['evaluate', join(dir, 'm', 'bundle.json'), datasetPath('titanic.csv')]);
    expect(isOneLineError(bad), bad.stderr).toBe(true);
  });

  it('promotes a challenger that is better beyond chance, and keeps both versions', () => {
    const dir = tempDir();
    // The champion (gradient boosting) learnt from the first 60 rows only; the new data has all 768.
    const small = join(dir, 'small.csv');
    writeFileSync(small, lines.slice(0, 61).join('\n') + '\n');
    const t = glassbox([
      'train',
      small,
      '--target',
      'Outcome',
      '--model',
      'gbdt',
      '--holdout',
      '0',
      '--out',
      join(dir, 'm'),
    ]);
    expect(t.code, t.stderr).toBe(0);
    const champion = JSON.parse(readFileSync(join(dir, 'm', 'bundle.json'), 'utf8')).fingerprint;
    const r = glassbox(['retrain', join(dir, 'm', 'bundle.json'), diabetes]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /challenger \(version 2, pipeline refitted\) fitted on 576 new rows, compared on 192 others: promoted: the challenger is better beyond chance/,
    );
    const now = JSON.parse(readFileSync(join(dir, 'm', 'bundle.json'), 'utf8')).fingerprint;
    expect(now).not.toBe(champion);
    expect(JSON.parse(readFileSync(join(dir, 'm', 'versions', '1', 'bundle.json'), 'utf8')).fingerprint).toBe(champion);
    expect(JSON.parse(readFileSync(join(dir, 'm', 'versions', '2', 'bundle.json'), 'utf8')).fingerprint).toBe(now);
    const log = JSON.parse(readFileSync(join(dir, 'm', 'retrain.jsonl'), 'utf8').trim());
    expect(log.promoted).toBe(true);
    expect(log.comparison.gain.pValue).toBeLessThan(0.05);
  });

  it('refuses a worse challenger: the champion stays, the challenger is kept as a version', () => {
    const dir = tempDir();
    const t = glassbox(['train', diabetes, '--target', 'Outcome', '--out', join(dir, 'm')]);
    expect(t.code, t.stderr).toBe(0);
    const champion = readFileSync(join(dir, 'm', 'bundle.json'), 'utf8');
    // A new batch of 40 rows: a challenger fitted on 30 of them cannot beat a model of 768.
    const batch = join(dir, 'batch.csv');
    writeFileSync(batch, [lines[0], ...lines.slice(700, 740)].join('\n') + '\n');
    const r = glassbox(['retrain', join(dir, 'm', 'bundle.json'), batch]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/kept the champion: the challenger (is worse|'s gain could be chance)/);
    expect(r.stdout).toContain('bundle.json unchanged; the challenger is kept as versions/2');
    expect(readFileSync(join(dir, 'm', 'bundle.json'), 'utf8')).toBe(champion);
    expect(existsSync(join(dir, 'm', 'versions', '2', 'bundle.json'))).toBe(true);
  });

  it("reruns the champion's AutoML search on the new rows with --automl, the challenger a full run folder", () => {
    const dir = tempDir();
    const first = join(dir, 'first-150.csv');
    writeFileSync(first, lines.slice(0, 151).join('\n') + '\n');
    const a = glassbox([
      'automl',
      first,
      '--target',
      'Outcome',
      '--models',
      'linear,gbdt',
      '--deterministic',
      '--trials',
      '4',
      '--time-budget',
      '60',
      '--workers',
      '1',
      '--no-report',
      '--out',
      join(dir, 'a'),
    ]);
    expect(a.code, a.stderr).toBe(0);
    const r = glassbox([
      'retrain',
      join(dir, 'a', 'bundle.json'),
      diabetes,
      '--automl',
      '--time-budget',
      '60',
      '--workers',
      '1',
      '--policy',
      'always',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^challenger \(version 2, AutoML rerun\) fitted on 576 new rows, compared on 192 others/);
    const v2 = join(dir, 'a', 'versions', '2');
    // The same settings, on the new rows.
    const run = JSON.parse(readFileSync(join(v2, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ target: 'Outcome', models: 'linear,gbdt', deterministic: true, trials: 4 });
    expect(readFileSync(join(v2, 'trials.jsonl'), 'utf8').trim().split('\n').length).toBeGreaterThanOrEqual(4);
    expect(readFileSync(join(v2, 'data.csv'), 'utf8').trim().split('\n')).toHaveLength(577);
    expect(readFileSync(join(dir, 'a', 'bundle.json'), 'utf8')).toBe(readFileSync(join(v2, 'bundle.json'), 'utf8'));
    const log = JSON.parse(readFileSync(join(dir, 'a', 'retrain.jsonl'), 'utf8').trim());
    expect(log).toMatchObject({ mode: 'automl', promoted: true, version: 2 });
    // A bundle that no search made has no settings to rerun.
    const t = glassbox(['train', first, '--target', 'Outcome', '--out', join(dir, 't')]);
    expect(t.code, t.stderr).toBe(0);
    const refused = glassbox(['retrain', join(dir, 't', 'bundle.json'), diabetes, '--automl']);
    expect(isOneLineError(refused), refused.stderr).toBe(true);
    expect(refused.stderr).toContain('no run.json beside it');
    expect(existsSync(join(dir, 't', 'versions'))).toBe(false);
  }, 120_000);
});

describe('scoring a SQLite table', () => {
  it('reads the rows of a table and writes the predictions back into a new table, as a file would score', async () => {
    const { default: Database } = await import('better-sqlite3');
    const dir = tempDir();
    const t = glassbox(['train', diabetes, '--target', 'Outcome', '--out', join(dir, 'm')]);
    expect(t.code, t.stderr).toBe(0);
    const db = new Database(join(dir, 'crm.db'));
    const header = lines[0].split(',');
    db.exec(`CREATE TABLE patients (${header.map((h) => `"${h}" REAL`).join(', ')})`);
    const insert = db.prepare(`INSERT INTO patients VALUES (${header.map(() => '?').join(', ')})`);
    db.transaction(() => {
      for (const line of lines.slice(1)) insert.run(...line.split(',').map(Number));
    })();
    db.close();
    const spec = `sqlite:${join(dir, 'crm.db')}?table=patients`;
    const r = glassbox(['predict', join(dir, 'm', 'bundle.json'), spec, '--out-table', 'scores']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('wrote 768 predictions to table scores');
    const fromFile = glassbox(['predict', join(dir, 'm', 'bundle.json'), diabetes])
      .stdout.trim()
      .split('\n')
      .slice(1);
    const back = new Database(join(dir, 'crm.db'), { readonly: true });
    const rows = back.prepare('SELECT * FROM scores ORDER BY row_number').all() as Record<string, number | string>[];
    back.close();
    expect(rows).toHaveLength(768);
    rows.forEach((row, i) => {
      const [label, p0, p1] = fromFile[i].split(',');
      expect(row.prediction).toBe(label);
      expect(row.proba_1).toBeCloseTo(Number(p1), 12);
      expect(row.proba_0).toBeCloseTo(Number(p0), 12);
    });
    // The table is new: a second run into it is refused, nothing overwritten.
    const again = glassbox(['predict', join(dir, 'm', 'bundle.json'), spec, '--out-table', 'scores']);
    expect(again.code).toBe(1);
    expect(again.stderr.trimEnd().split('\n').pop()).toMatch(
      /^glassbox: .*crm\.db: table "scores" exists; choose another --out-table$/,
    );
    const missing = glassbox(['predict', join(dir, 'm', 'bundle.json'), `sqlite:${join(dir, 'crm.db')}?table=nope`]);
    expect(missing.stderr).toContain('no table "nope"');
  });
});

describe.skipIf(!postgresBin())('scoring a Postgres table', () => {
  let server: TestPostgres;
  beforeAll(() => {
    server = startPostgres();
  });
  afterAll(() => server?.stop());

  it('reads a table, keeps its id column and writes the predictions back into a new table, as a file would score', async () => {
    const { default: pg } = await import('pg');
    const dir = tempDir();
    const t = glassbox(['train', diabetes, '--target', 'Outcome', '--out', join(dir, 'm')]);
    expect(t.code, t.stderr).toBe(0);
    const header = lines[0].split(',');
    const client = new pg.Client({ connectionString: server.url });
    client.on('error', () => undefined);
    await client.connect();
    await client.query('CREATE SCHEMA crm');
    await client.query(
      `CREATE TABLE crm.patients (patient_id text, ${header.map((h) => `"${h}" ${h === 'Outcome' ? 'integer' : 'double precision'}`).join(', ')})`,
    );
    for (let start = 1; start < lines.length; start += 200) {
      const chunk = lines.slice(start, start + 200);
      const values: (string | number)[] = [];
      const tuples = chunk.map((line, r) => {
        const cells = [`p${start + r}`, ...line.split(',').map(Number)];
        values.push(...cells);
        return `(${cells.map((_, j) => `$${r * cells.length + j + 1}`).join(', ')})`;
      });
      await client.query(`INSERT INTO crm.patients VALUES ${tuples.join(', ')}`, values);
    }
    const spec = `${server.url}&table=crm.patients`;
    const bundle = join(dir, 'm', 'bundle.json');
    const r = glassbox(['predict', bundle, spec, '--out-table', 'crm.scores', '--keep', 'patient_id']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('wrote 768 predictions to table crm.scores');
    expect(r.stderr).toContain('drift: 0 of 8 features drifted');
    const fromFile = glassbox(['predict', bundle, diabetes]).stdout.trim().split('\n').slice(1);
    const rows = (await client.query('SELECT * FROM crm.scores ORDER BY row_number')).rows as Record<string, unknown>[];
    expect(rows).toHaveLength(768);
    rows.forEach((row, i) => {
      const [label, p0, p1] = fromFile[i].split(',');
      expect(row.patient_id).toBe(`p${i + 1}`);
      expect(row.prediction).toBe(label);
      expect(row.proba_1).toBeCloseTo(Number(p1), 12);
      expect(row.proba_0).toBeCloseTo(Number(p0), 12);
    });
    // A second run into the same table is refused and the first one's rows stay.
    const again = glassbox(['predict', bundle, spec, '--out-table', 'crm.scores']);
    expect(again.code).toBe(1);
    expect(again.stderr.trimEnd().split('\n').pop()).toMatch(
      /^glassbox: postgres:\/\/glassbox@localhost\/glassbox\?host=\S+: table "crm\.scores" exists; choose another --out-table$/,
    );
    expect((await client.query('SELECT count(*)::int AS n FROM crm.scores')).rows[0].n).toBe(768);
    await client.end();
    const missing = glassbox(['predict', bundle, `${server.url}&table=nope`]);
    expect(isOneLineError(missing), missing.stderr).toBe(true);
    expect(missing.stderr).toContain('no table "nope"');
  });

  it('names an unreachable server in one line, without its password', () => {
    const dir = tempDir();
    const t = glassbox(['train', diabetes, '--target', 'Outcome', '--out', join(dir, 'm')]);
    expect(t.code, t.stderr).toBe(0);
    const r = glassbox([
      'predict',
      join(dir, 'm', 'bundle.json'),
      `postgres://ann:s3cret@localhost/db?host=${dir}&table=patients`,
    ]);
    expect(isOneLineError(r), r.stderr).toBe(true);
    expect(r.stderr).toContain('postgres://ann:***@localhost/db');
    expect(r.stderr).toContain('cannot connect to Postgres');
    expect(r.stderr).not.toContain('s3cret');
  });
});
