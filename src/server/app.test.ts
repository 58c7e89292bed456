import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { datasetPath } from '../../test/datasets.js';
import { buildApp, type App } from './app.js';

/** A multipart body with one file field, as a browser's form upload sends it. */
export function upload(
  filename: string,
  content: Buffer | string,
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----glassbox-test-boundary';
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    Buffer.from(content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const diabetes = readFileSync(datasetPath('diabetes.csv'));

describe('the embedded example (npm start)', () => {
  it('adds the Telco churn project with a model training on it, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'glassbox-example-'));
    const first = await buildApp({ dataDir: dir, auth: 'local', example: true, jobs: { workersPerJob: 1 } });
    try {
      const projects = (await first.app.inject({ method: 'GET', url: '/api/projects' })).json().projects;
      expect(projects.map((p: { name: string }) => p.name)).toEqual(['Example: Telco churn']);
      const project = (await first.app.inject({ method: 'GET', url: `/api/projects/${projects[0].id}` })).json();
      expect(project.datasets[0]).toMatchObject({ name: 'telco-churn.csv', columns: 21 });
      const runId = project.runs[0].id as string;
      await first.app.inject({ method: 'GET', url: `/api/runs/${runId}/events` });
      const run = (await first.app.inject({ method: 'GET', url: `/api/runs/${runId}` })).json();
      expect(run.run.state, run.run.error).toBe('done');
      expect(run.model).toMatchObject({ target: 'Churn', task: 'binary' });
    } finally {
      await first.app.close();
    }
    const again = await buildApp({ dataDir: dir, auth: 'local', example: true });
    try {
      expect((await again.app.inject({ method: 'GET', url: '/api/projects' })).json().projects).toHaveLength(1);
    } finally {
      await again.app.close();
    }
  }, 60_000);
});

describe('API in local mode (one user, loopback)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glassbox-api-'));
  let built: App;
  afterAll(async () => built?.app.close());

  it('uploads, profiles, runs AutoML with live progress, then explains, exports and scores', async () => {
    built = await buildApp({ dataDir: dir, auth: 'local', jobs: { concurrency: 1, workersPerJob: 1 } });
    const { app } = built;
    const health = await app.inject({ method: 'GET', url: '/api/health' });
    expect(health.json()).toMatchObject({ ok: true, auth: 'local', schemaVersion: 2 });
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    expect(String(health.headers['content-security-policy'])).toContain("frame-ancestors 'none'");

    const p = (await app.inject({ method: 'POST', url: '/api/projects', payload: { name: 'Diabetes' } })).json();
    const projectId = p.project.id as string;
    // The uploaded name is data, not a path: "../../evil.csv" is stored under a generated id (and
    // the multipart parser already drops the directories from the name).
    const up = await app.inject({
      method: 'POST',
      url: `/api/projects/${projectId}/datasets`,
      ...upload('../../evil.csv', diabetes),
    });
    expect(up.statusCode, up.body).toBe(201);
    const dataset = up.json().dataset;
    expect(dataset).toMatchObject({ name: 'evil.csv', rows: 768, columns: 9, format: 'csv' });
    expect(readFileSync(join(dir, 'datasets', dataset.id, 'data.csv'))).toEqual(diabetes);
    expect(dataset.profile.columns.map((c: { name: string }) => c.name)).toContain('Glucose');

    const bad = await app.inject({
      method: 'POST',
      url: `/api/projects/${projectId}/runs`,
      payload: { datasetId: dataset.id, target: 'Nope' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/no column "Nope"/);

    const started = await app.inject({
      method: 'POST',
      url: `/api/projects/${projectId}/runs`,
      payload: { datasetId: dataset.id, target: 'Outcome', trials: 3, models: ['linear', 'gbdt'], timeBudget: 120 },
    });
    expect(started.statusCode, started.body).toBe(202);
    const runId = started.json().run.id as string;
    // Server-sent events until the run ends: a snapshot, the state changes, each trial.
    const events = await app.inject({ method: 'GET', url: `/api/runs/${runId}/events` });
    expect(events.headers['content-type']).toBe('text/event-stream');
    const kinds = [...events.body.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(kinds[0]).toBe('snapshot');
    expect(kinds).toContain('trial');
    expect(kinds.at(-1)).toBe('state');
    expect(events.body).toContain('"state":"done"');

    const run = (await app.inject({ method: 'GET', url: `/api/runs/${runId}` })).json();
    expect(run.run.state).toBe('done');
    expect(run.run.progress).toHaveProperty('trials');
    const trials = (await app.inject({ method: 'GET', url: `/api/runs/${runId}/trials` })).json().trials;
    expect(trials.length).toBe(4); // the constant baseline and three search trials
    const modelId = run.model.id as string;
    expect(run.model.metrics.holdout.auc).toBeGreaterThan(0.7);

    const report = await app.inject({ method: 'GET', url: `/api/models/${modelId}/report` });
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    );
    expect(report.body).toContain('How the model was chosen');
    const code = await app.inject({ method: 'GET', url: `/api/models/${modelId}/code` });
    expect(code.body).toContain('export function predict(');
    const onnx = await app.inject({ method: 'GET', url: `/api/models/${modelId}/onnx` });
    expect([200, 422]).toContain(onnx.statusCode);

    const one = await app.inject({
      method: 'POST',
      url: `/api/models/${modelId}/predict`,
      payload: { rows: [{ Pregnancies: 2, Glucose: 180, BloodPressure: 70, BMI: 35, Age: 50 }], explain: false },
    });
    expect(one.statusCode, one.body).toBe(200);
    const pred = one.json();
    expect(pred.predictions[0]).toHaveProperty('proba_1');
    expect(pred.warnings.join(' ')).toMatch(/missing/);
    const strict = await app.inject({
      method: 'POST',
      url: `/api/models/${modelId}/predict`,
      payload: { rows: [{ Glucose: 180 }], strict: true },
    });
    expect(strict.statusCode).toBe(400);
    expect(strict.json().error).toMatch(/column "\w+" is missing/);
    const wrong = await app.inject({
      method: 'POST',
      url: `/api/models/${modelId}/predict`,
      payload: { rows: [{ Glucose: 'high' }] },
    });
    expect(wrong.json().error).toBe('row 1, column "Glucose": "high" is not a number');

    const scored = await app.inject({
      method: 'POST',
      url: `/api/models/${modelId}/score`,
      ...upload('new.csv', diabetes),
    });
    expect(scored.statusCode, scored.body).toBe(200);
    const lines = scored.body.trim().split('\n');
    expect(lines[0]).toBe('prediction,proba_0,proba_1');
    expect(lines).toHaveLength(769);
    expect(decodeURIComponent(String(scored.headers['x-glassbox-drift']))).toBe('drift: 0 of 8 features drifted');
    // Scored in a worker thread: its errors still come back as one line naming the uploaded file.
    const noGlucose = diabetes
      .toString('utf8')
      .split('\n')
      .map((l) => l.split(',').slice(1).join(','))
      .join('\n');
    const strictFile = await app.inject({
      method: 'POST',
      url: `/api/models/${modelId}/score?strict=true`,
      ...upload('april.csv', noGlucose),
    });
    expect(strictFile.statusCode).toBe(400);
    expect(strictFile.json().error).toMatch(/^april\.csv: column "Pregnancies" is missing/);
    expect(strictFile.json().error).not.toContain(dir);
  }, 180_000);

  it('trains a pipeline built by hand (no search), and checks its steps and parameters before starting', async () => {
    const { app } = built;
    const project = (await app.inject({ method: 'GET', url: '/api/projects' })).json().projects[0];
    const dataset = (await app.inject({ method: 'GET', url: `/api/projects/${project.id}` })).json().datasets[0];
    const post = (pipeline: unknown) =>
      app.inject({
        method: 'POST',
        url: `/api/projects/${project.id}/train`,
        payload: { datasetId: dataset.id, target: 'Outcome', pipeline },
      });
    const typo = await post({ steps: [{ technique: 'imputer' }, { technique: 'linear' }] });
    expect(typo.json().error).toBe('step 1: unknown technique "imputer"');
    const badParam = await post({ steps: [{ technique: 'linear', params: { l3: 1 } }] });
    expect(badParam.statusCode).toBe(400);
    expect(badParam.json().error).toMatch(/l3/);
    const noModel = await post({ steps: [{ technique: 'impute' }] });
    expect(noModel.json().error).toBe('the last step (impute) must be a model');
    const started = await post({
      steps: [{ technique: 'impute' }, { technique: 'standard-scale' }, { technique: 'linear', params: { l2: 0.5 } }],
    });
    expect(started.statusCode, started.body).toBe(202);
    const runId = started.json().run.id as string;
    const events = await app.inject({ method: 'GET', url: `/api/runs/${runId}/events` });
    expect(events.body).toContain('"state":"done"');
    const run = (await app.inject({ method: 'GET', url: `/api/runs/${runId}` })).json();
    expect(run.run.kind).toBe('train');
    expect(run.model.name).toBe('impute → standard-scale → linear');
    expect(run.model.metrics.holdout.auc).toBeGreaterThan(0.75);
    const bundle = (await app.inject({ method: 'GET', url: `/api/models/${run.model.id}/bundle` })).json();
    expect(bundle.steps.at(-1).params.l2).toBe(0.5);

    // Column types set by the user: Pregnancies read as categories, SkinThickness left out.
    const typed = await app.inject({
      method: 'POST',
      url: `/api/projects/${project.id}/train`,
      payload: {
        datasetId: dataset.id,
        target: 'Outcome',
        model: 'gbdt',
        params: { numRounds: 20 },
        types: { Pregnancies: 'categorical', SkinThickness: 'ignore' },
      },
    });
    expect(typed.statusCode, typed.body).toBe(202);
    const typedId = typed.json().run.id as string;
    await app.inject({ method: 'GET', url: `/api/runs/${typedId}/events` });
    const typedRun = (await app.inject({ method: 'GET', url: `/api/runs/${typedId}` })).json();
    expect(typedRun.run.state, typedRun.run.error).toBe('done');
    const schema = (await app.inject({ method: 'GET', url: `/api/models/${typedRun.model.id}` })).json().schema
      .columns as {
      name: string;
      kind: string;
    }[];
    expect(schema.find((c) => c.name === 'Pregnancies')?.kind).toBe('categorical');
    expect(schema.map((c) => c.name)).not.toContain('SkinThickness');
    const badType = await app.inject({
      method: 'POST',
      url: `/api/projects/${project.id}/train`,
      payload: { datasetId: dataset.id, target: 'Outcome', types: { Age: 'date' } },
    });
    expect(badType.statusCode).toBe(400);
  }, 60_000);

  it('monitors a model: scored batches with drift, realised performance, and a challenger promoted as version 2', async () => {
    const { app, store } = built;
    const project = (await app.inject({ method: 'GET', url: '/api/projects' })).json().projects[0];
    const lines = diabetes.toString('utf8').trimEnd().split('\n');
    const put = async (name: string, text: string): Promise<string> => {
      const r = await app.inject({
        method: 'POST',
        url: `/api/projects/${project.id}/datasets`,
        ...upload(name, text),
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json().dataset.id as string;
    };
    const done = async (runId: string) => {
      await app.inject({ method: 'GET', url: `/api/runs/${runId}/events` });
      const run = (await app.inject({ method: 'GET', url: `/api/runs/${runId}` })).json().run;
      expect(run.state, run.error).toBe('done');
      return run;
    };
    // The champion learns from 60 patients only.
    const few = await put('first-60.csv', lines.slice(0, 61).join('\n') + '\n');
    const trained = await app.inject({
      method: 'POST',
      url: `/api/projects/${project.id}/train`,
      payload: { datasetId: few, target: 'Outcome', model: 'gbdt', params: { numRounds: 30 } },
    });
    const modelId = (
      await app.inject({ method: 'GET', url: `/api/runs/${(await done(trained.json().run.id)).id}` })
    ).json().model.id as string;

    // A scored batch keeps its drift check: the line in a header, the report by its id.
    const scored = await app.inject({
      method: 'POST',
      url: `/api/models/${modelId}/score`,
      ...upload('march.csv', diabetes),
    });
    expect(scored.statusCode, scored.body).toBe(200);
    expect(decodeURIComponent(String(scored.headers['x-glassbox-drift']))).toMatch(/^drift: \d+ of 8 features drifted/);
    const report = await app.inject({
      method: 'GET',
      url: `/api/models/${modelId}/drift/${String(scored.headers['x-glassbox-scoring'])}`,
    });
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain('<html');

    // The outcomes of all 768 arrive: realised performance, then a challenger fitted on them.
    const all = await put('outcomes.csv', diabetes.toString('utf8'));
    const noLabels = await put('unlabelled.csv', lines.map((l) => l.split(',').slice(0, -1).join(',')).join('\n'));
    const refused = await app.inject({
      method: 'POST',
      url: `/api/models/${modelId}/evaluate`,
      payload: { datasetId: noLabels },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatch(/no column "Outcome"/);
    const evaluated = await app.inject({
      method: 'POST',
      url: `/api/models/${modelId}/evaluate`,
      payload: { datasetId: all },
    });
    expect(evaluated.statusCode, evaluated.body).toBe(202);
    expect((await done(evaluated.json().run.id)).kind).toBe('evaluate');

    const retrain = (datasetId: string) =>
      app.inject({
        method: 'POST',
        url: `/api/models/${modelId}/retrain`,
        payload: { datasetId, policy: 'better' },
      });
    const started = await retrain(all);
    expect(started.statusCode, started.body).toBe(202);
    // One challenger at a time.
    expect((await retrain(all)).statusCode).toBe(409);
    await done(started.json().run.id);

    const history = (await app.inject({ method: 'GET', url: `/api/models/${modelId}/history` })).json();
    expect(history.model.version).toBe(2);
    expect(history.active).toEqual([]);
    expect(history.entries.map((e: { kind: string }) => e.kind)).toEqual(['scoring', 'evaluation', 'retrain']);
    const [scoring, evaluation, decision] = history.entries;
    expect(scoring.detail).toMatchObject({ rows: 768, source: 'march.csv', features: 8 });
    expect(evaluation.detail).toMatchObject({ metric: 'auc', rows: 768, data: 'outcomes.csv' });
    expect(evaluation.detail.score.low).toBeLessThan(evaluation.detail.score.high);
    expect(decision.detail).toMatchObject({ promoted: true, version: 2, policy: 'better' });
    expect(decision.detail.why).toMatch(/^promoted/);
    // The model now serves the challenger: the same bundle as versions/2, and other predictions.
    const runDirOf = store.modelById(modelId)?.runId as string;
    const served = (await app.inject({ method: 'GET', url: `/api/models/${modelId}/bundle` })).json();
    const v2 = JSON.parse(readFileSync(join(dir, 'runs', runDirOf, 'versions', '2', 'bundle.json'), 'utf8'));
    expect(served.fingerprint).toBe(v2.fingerprint);
    expect(store.modelById(modelId)?.fingerprint).toBe(v2.fingerprint);
    const again = await app.inject({
      method: 'POST',
      url: `/api/models/${modelId}/score`,
      ...upload('april.csv', diabetes),
    });
    expect(again.body).not.toBe(scored.body);
    // A model of a hand-built pipeline has no search to run again; an AutoML one does.
    const noSearch = await app.inject({
      method: 'POST',
      url: `/api/models/${modelId}/retrain`,
      payload: { datasetId: all, mode: 'automl' },
    });
    expect(noSearch.statusCode).toBe(400);
    const models = (await app.inject({ method: 'GET', url: `/api/projects/${project.id}` })).json().models;
    const searched = models[0].id as string;
    expect((await app.inject({ method: 'GET', url: `/api/models/${searched}/history` })).json().origin).toBe('automl');
    const rerun = await app.inject({
      method: 'POST',
      url: `/api/models/${searched}/retrain`,
      payload: { datasetId: all, mode: 'automl', timeBudget: 60, policy: 'always' },
    });
    expect(rerun.statusCode, rerun.body).toBe(202);
    await done(rerun.json().run.id);
    const rerunHistory = (await app.inject({ method: 'GET', url: `/api/models/${searched}/history` })).json();
    expect(rerunHistory.entries.at(-1).detail).toMatchObject({ mode: 'automl', promoted: true, version: 2 });
    for (const chart of ['realised.svg', 'drift.svg']) {
      const svg = await app.inject({ method: 'GET', url: `/api/models/${modelId}/history/${chart}` });
      expect(svg.statusCode).toBe(200);
      expect(svg.body).toContain('<svg');
    }
  }, 90_000);

  it("scores a table of a server's database connection into a new table, never naming where it is", async () => {
    const { app } = built;
    const dbDir = mkdtempSync(join(tmpdir(), 'glassbox-crm-'));
    const db = new Database(join(dbDir, 'crm.db'));
    const lines = diabetes.toString('utf8').trimEnd().split('\n');
    const header = lines[0].split(',');
    db.exec(`CREATE TABLE patients (patient_id TEXT, ${header.map((h) => `"${h}" REAL`).join(', ')})`);
    const insert = db.prepare(`INSERT INTO patients VALUES (?, ${header.map(() => '?').join(', ')})`);
    db.transaction(() => lines.slice(1).forEach((l, i) => insert.run(`p${i + 1}`, ...l.split(',').map(Number))))();
    db.close();
    // A second server over the same data, with the connection its operator set.
    const withDb = await buildApp({
      dataDir: dir,
      auth: 'local',
      jobs: { concurrency: 1, workersPerJob: 1 },
      connections: { crm: `sqlite:${join(dbDir, 'crm.db')}` },
    });
    try {
      const listed = (await withDb.app.inject({ method: 'GET', url: '/api/connections' })).json();
      expect(listed).toEqual({ connections: [{ name: 'crm', kind: 'sqlite' }] });
      const project = (await app.inject({ method: 'GET', url: '/api/projects' })).json().projects[0];
      const modelId = (await app.inject({ method: 'GET', url: `/api/projects/${project.id}` })).json().models[0]
        .id as string;
      const post = (body: Record<string, unknown>) =>
        withDb.app.inject({ method: 'POST', url: `/api/models/${modelId}/score-table`, payload: body });
      const r = await post({ connection: 'crm', table: 'patients', outTable: 'scores', keep: ['patient_id'] });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json()).toMatchObject({ rows: 768, table: 'scores' });
      expect(r.json().drift).toMatch(/^drift: \d+ of 8 features drifted/);
      const back = new Database(join(dbDir, 'crm.db'), { readonly: true });
      const first = back.prepare('SELECT * FROM scores ORDER BY row_number LIMIT 1').get() as Record<string, unknown>;
      back.close();
      // (then a warnings column when some row had a value outside the training range)
      expect(Object.keys(first).slice(0, 5)).toEqual(['row_number', 'patient_id', 'prediction', 'proba_0', 'proba_1']);
      expect(first.patient_id).toBe('p1');
      const again = await post({ connection: 'crm', table: 'patients', outTable: 'scores' });
      expect(again.statusCode).toBe(400);
      expect(again.json().error).toBe('crm: table "scores" exists; choose another --out-table');
      expect((await post({ connection: 'crm', table: 'nope', outTable: 'x' })).json().error).toBe(
        'crm: no table "nope"',
      );
      expect((await post({ connection: 'crm', table: 'patients; DROP TABLE scores', outTable: 'x' })).statusCode).toBe(
        400,
      );
      expect((await post({ connection: 'elsewhere', table: 'patients', outTable: 'x' })).statusCode).toBe(404);
      const history = (await withDb.app.inject({ method: 'GET', url: `/api/models/${modelId}/history` })).json();
      expect(history.entries.at(-1).detail).toMatchObject({ source: 'crm:patients', rows: 768 });
    } finally {
      await withDb.app.close();
    }
  }, 60_000);

  it('refuses cross-origin writes even on loopback, and uploads over the limits with a clear error', async () => {
    const { app } = built;
    const cross = await app.inject({
      method: 'POST',
      url: '/api/projects',
      payload: { name: 'x' },
      headers: { origin: 'https://evil.example' },
    });
    expect(cross.statusCode).toBe(403);
    const small = await buildApp({
      dataDir: mkdtempSync(join(tmpdir(), 'glassbox-api-')),
      auth: 'local',
      limits: { uploadBytes: 1000, rows: 100 },
    });
    try {
      const p = (await small.app.inject({ method: 'POST', url: '/api/projects', payload: { name: 'x' } })).json();
      const big = await small.app.inject({
        method: 'POST',
        url: `/api/projects/${p.project.id}/datasets`,
        ...upload('d.csv', diabetes),
      });
      expect(big.statusCode).toBe(413);
      expect(big.json().error).toMatch(/larger than the 1000 byte limit/);
      const lines = diabetes.toString('utf8').split('\n');
      let head = lines[0];
      for (const line of lines.slice(1)) if (head.length + line.length + 1 < 990) head += '\n' + line;
      const rows = await small.app.inject({
        method: 'POST',
        url: `/api/projects/${p.project.id}/datasets`,
        ...upload('d.csv', head),
      });
      expect(rows.statusCode, rows.body).toBe(201);
      const many = await buildApp({
        dataDir: mkdtempSync(join(tmpdir(), 'glassbox-api-')),
        auth: 'local',
        limits: { rows: 100 },
      });
      const q = (await many.app.inject({ method: 'POST', url: '/api/projects', payload: { name: 'x' } })).json();
      const tooMany = await many.app.inject({
        method: 'POST',
        url: `/api/projects/${q.project.id}/datasets`,
        ...upload('d.csv', diabetes),
      });
      expect(tooMany.statusCode).toBe(400);
      expect(tooMany.json().error).toMatch(/d\.csv.*100 rows/);
      await many.app.close();
    } finally {
      await small.app.close();
    }
  });
});

describe('API with accounts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'glassbox-api-'));
  let built: App;
  afterAll(async () => built?.app.close());

  it('needs sign-in or a token, scopes every object to its project members, and keeps only hashes', async () => {
    built = await buildApp({ dataDir: dir, auth: 'accounts' });
    const { app } = built;
    expect((await app.inject({ method: 'GET', url: '/api/projects' })).statusCode).toBe(401);
    for (const email of ['ann@example.com', 'bob@example.com'])
      expect(
        (
          await app.inject({
            method: 'POST',
            url: '/api/auth/register',
            payload: { email, password: 'correct horse battery' },
          })
        ).statusCode,
      ).toBe(201);
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'ann@example.com', password: 'correct horse battery' },
    });
    expect(login.statusCode).toBe(200);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/gb_session=[^;]+; HttpOnly; SameSite=Strict/);
    const cookie = setCookie.split(';')[0];
    const csrf = login.json().csrf as string;
    // A session write without the CSRF token is refused; with it, it goes through.
    const noCsrf = await app.inject({
      method: 'POST',
      url: '/api/projects',
      payload: { name: 'A' },
      headers: { cookie },
    });
    expect(noCsrf.statusCode).toBe(403);
    const created = await app.inject({
      method: 'POST',
      url: '/api/projects',
      payload: { name: 'A' },
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(created.statusCode).toBe(201);
    const projectId = created.json().project.id as string;
    const annToken = (
      await app.inject({
        method: 'POST',
        url: '/api/tokens',
        payload: { name: 'ci' },
        headers: { cookie, 'x-csrf-token': csrf },
      })
    ).json().token as string;
    expect(annToken).toMatch(/^gbx_/);
    const up = await app.inject({
      method: 'POST',
      url: `/api/projects/${projectId}/datasets`,
      ...upload('d.csv', diabetes),
      headers: { ...upload('d.csv', diabetes).headers, authorization: `Bearer ${annToken}` },
    });
    expect(up.statusCode, up.body).toBe(201);
    const datasetId = up.json().dataset.id as string;

    // Bob signs in with a token of his own: Ann's project and dataset do not exist for him.
    const bobLogin = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'bob@example.com', password: 'correct horse battery' },
    });
    const bobCookie = String(bobLogin.headers['set-cookie']).split(';')[0];
    const bobToken = (
      await app.inject({
        method: 'POST',
        url: '/api/tokens',
        payload: { name: 'bob' },
        headers: { cookie: bobCookie, 'x-csrf-token': bobLogin.json().csrf },
      })
    ).json().token as string;
    const asBob = { authorization: `Bearer ${bobToken}` };
    expect((await app.inject({ method: 'GET', url: `/api/projects/${projectId}`, headers: asBob })).statusCode).toBe(
      404,
    );
    expect((await app.inject({ method: 'GET', url: `/api/datasets/${datasetId}`, headers: asBob })).statusCode).toBe(
      404,
    );
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/projects/${projectId}/runs`,
          payload: { datasetId, target: 'Outcome' },
          headers: asBob,
        })
      ).statusCode,
    ).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/projects', headers: asBob })).json().projects).toEqual([]);
    expect(
      (await app.inject({ method: 'GET', url: `/api/projects/${projectId}/members`, headers: asBob })).statusCode,
    ).toBe(404);
    // Once Ann adds him, he sees it.
    await app.inject({
      method: 'POST',
      url: `/api/projects/${projectId}/members`,
      payload: { email: 'bob@example.com' },
      headers: { authorization: `Bearer ${annToken}` },
    });
    expect((await app.inject({ method: 'GET', url: `/api/datasets/${datasetId}`, headers: asBob })).statusCode).toBe(
      200,
    );
    const members = (
      await app.inject({ method: 'GET', url: `/api/projects/${projectId}/members`, headers: asBob })
    ).json().members as { email: string; role: string }[];
    expect(members.map((m) => [m.email, m.role])).toEqual([
      ['ann@example.com', 'owner'],
      ['bob@example.com', 'member'],
    ]);

    expect(
      (await app.inject({ method: 'GET', url: '/api/projects', headers: { authorization: 'Bearer gbx_wrong' } }))
        .statusCode,
    ).toBe(401);
    // A cross-origin write is refused before anything else.
    const cross = await app.inject({
      method: 'POST',
      url: '/api/projects',
      payload: { name: 'x' },
      headers: { ...asBob, origin: 'https://evil.example' },
    });
    expect(cross.statusCode).toBe(403);

    // Passwords, sessions and tokens are stored as hashes only.
    const db = new Database(join(dir, 'glassbox.db'), { readonly: true });
    const users = db.prepare('SELECT password_hash FROM users').all() as { password_hash: string }[];
    for (const u of users) expect(u.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    const hashes = (db.prepare('SELECT token_hash FROM api_tokens').all() as { token_hash: string }[]).map(
      (r) => r.token_hash,
    );
    expect(hashes).not.toContain(annToken);
    expect(hashes).toHaveLength(2);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  }, 60_000);

  it('rate-limits failed sign-ins', async () => {
    const { app } = built;
    const attempt = () =>
      app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'ann@example.com', password: 'wrong password' },
      });
    for (let i = 0; i < 5; i++) expect((await attempt()).statusCode).toBe(401);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('documents the API as OpenAPI at /docs', async () => {
    const spec = await built.app.inject({ method: 'GET', url: '/docs/json' });
    expect(spec.statusCode).toBe(200);
    const paths = Object.keys(spec.json().paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/api/projects/{id}/runs', '/api/models/{id}/predict', '/api/runs/{id}/events']),
    );
  });
});
