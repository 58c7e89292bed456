import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The platform's state in one SQLite file (DATA_DIR/glassbox.db): write-ahead log, foreign keys,
 * versioned migrations. Every query that reads a project's objects takes the asking user and
 * joins on membership, so another user's ids find nothing.
 */

/** Each migration runs once, in order, inside a transaction; never edit one that has shipped. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     email TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE sessions (
     id_hash TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     csrf TEXT NOT NULL,
     created_at TEXT NOT NULL,
     expires_at TEXT NOT NULL
   );
   CREATE TABLE api_tokens (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     created_at TEXT NOT NULL,
     last_used_at TEXT
   );
   CREATE TABLE projects (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     created_by TEXT NOT NULL REFERENCES users(id),
     created_at TEXT NOT NULL
   );
   CREATE TABLE project_members (
     project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
     user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     role TEXT NOT NULL CHECK (role IN ('owner', 'member')),
     PRIMARY KEY (project_id, user_id)
   );
   CREATE TABLE datasets (
     id TEXT PRIMARY KEY,
     project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     format TEXT NOT NULL,
     bytes INTEGER NOT NULL,
     rows INTEGER NOT NULL,
     columns INTEGER NOT NULL,
     profile TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE runs (
     id TEXT PRIMARY KEY,
     project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
     dataset_id TEXT NOT NULL REFERENCES datasets(id),
     kind TEXT NOT NULL CHECK (kind IN ('automl', 'train')),
     settings TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
     progress TEXT,
     error TEXT,
     created_at TEXT NOT NULL,
     started_at TEXT,
     finished_at TEXT
   );
   CREATE INDEX runs_by_project ON runs(project_id, created_at);
   CREATE TABLE trials (
     run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     trial INTEGER NOT NULL,
     record TEXT NOT NULL,
     PRIMARY KEY (run_id, trial)
   );
   CREATE TABLE models (
     id TEXT PRIMARY KEY,
     project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
     run_id TEXT NOT NULL REFERENCES runs(id),
     name TEXT NOT NULL,
     task TEXT NOT NULL,
     target TEXT NOT NULL,
     metrics TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE scoring_jobs (
     id TEXT PRIMARY KEY,
     project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
     model_id TEXT NOT NULL REFERENCES models(id),
     rows INTEGER NOT NULL,
     warnings TEXT NOT NULL,
     created_at TEXT NOT NULL
   );`,
  // 2: evaluation and retraining jobs beside AutoML and train runs; model versions; scoring
  // batches keep their drift; realised performance and retraining decisions per model. SQLite
  // cannot change a CHECK constraint in place, so runs is rebuilt (with foreign keys off, as its
  // documented procedure says, then checked).
  `CREATE TABLE runs_next (
     id TEXT PRIMARY KEY,
     project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
     dataset_id TEXT NOT NULL REFERENCES datasets(id),
     kind TEXT NOT NULL CHECK (kind IN ('automl', 'train', 'evaluate', 'retrain')),
     settings TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
     progress TEXT,
     error TEXT,
     created_at TEXT NOT NULL,
     started_at TEXT,
     finished_at TEXT,
     model_id TEXT REFERENCES models(id)
   );
   INSERT INTO runs_next (id, project_id, dataset_id, kind, settings, state, progress, error, created_at, started_at, finished_at)
     SELECT id, project_id, dataset_id, kind, settings, state, progress, error, created_at, started_at, finished_at FROM runs;
   DROP TABLE runs;
   ALTER TABLE runs_next RENAME TO runs;
   CREATE INDEX runs_by_project ON runs(project_id, created_at);
   ALTER TABLE models ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
   ALTER TABLE scoring_jobs ADD COLUMN source TEXT;
   ALTER TABLE scoring_jobs ADD COLUMN drift TEXT;
   CREATE INDEX scoring_by_model ON scoring_jobs(model_id, created_at);
   CREATE TABLE model_events (
     id TEXT PRIMARY KEY,
     project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
     model_id TEXT NOT NULL REFERENCES models(id),
     run_id TEXT REFERENCES runs(id),
     kind TEXT NOT NULL CHECK (kind IN ('evaluation', 'retrain')),
     record TEXT NOT NULL,
     drift TEXT,
     created_at TEXT NOT NULL
   );
   CREATE INDEX model_events_by_model ON model_events(model_id, created_at);`,
];

/** Migrations that rebuild a table others refer to: run with foreign-key enforcement off. */
const REBUILDS = new Set([2]);

export type RunState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface User {
  readonly id: string;
  readonly email: string;
  readonly name: string;
}
export interface Project {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly createdAt: string;
}
export interface Dataset {
  readonly id: string;
  readonly projectId: string;
  readonly name: string;
  readonly format: string;
  readonly bytes: number;
  readonly rows: number;
  readonly columns: number;
  readonly profile: unknown;
  readonly createdAt: string;
}
export interface Run {
  readonly id: string;
  readonly projectId: string;
  readonly datasetId: string;
  readonly kind: 'automl' | 'train' | 'evaluate' | 'retrain';
  /** Evaluate and retrain runs: the model they concern. */
  readonly modelId: string | null;
  readonly settings: Record<string, unknown>;
  readonly state: RunState;
  readonly progress: unknown;
  readonly error: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}
export interface Model {
  readonly id: string;
  readonly projectId: string;
  readonly runId: string;
  readonly name: string;
  readonly task: string;
  readonly target: string;
  readonly metrics: unknown;
  readonly fingerprint: string;
  /** 1 for the model as trained; the version number of each challenger promoted since. */
  readonly version: number;
  readonly createdAt: string;
}

/** One scored batch, realised-performance check or retraining decision in a model's history. */
export interface HistoryEntry {
  readonly id: string;
  readonly kind: 'scoring' | 'evaluation' | 'retrain';
  readonly at: string;
  readonly runId: string | null;
  /** Scoring: rows, warnings, source and the drift check; evaluation and retrain: their record. */
  readonly detail: Record<string, unknown>;
}

/** Random ids: nothing a user sends ever becomes an id or a path. */
export function newId(): string {
  return randomBytes(12).toString('base64url');
}

const now = (): string => new Date().toISOString();

interface RunRow {
  id: string;
  project_id: string;
  dataset_id: string;
  kind: Run['kind'];
  model_id: string | null;
  settings: string;
  state: RunState;
  progress: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

function runOf(r: RunRow): Run {
  return {
    id: r.id,
    projectId: r.project_id,
    datasetId: r.dataset_id,
    kind: r.kind,
    modelId: r.model_id,
    settings: JSON.parse(r.settings) as Record<string, unknown>,
    state: r.state,
    progress: r.progress === null ? null : (JSON.parse(r.progress) as unknown),
    error: r.error,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}

interface DatasetRow {
  id: string;
  project_id: string;
  name: string;
  format: string;
  bytes: number;
  rows: number;
  columns: number;
  profile: string;
  created_at: string;
}

function datasetOf(r: DatasetRow): Dataset {
  return {
    id: r.id,
    projectId: r.project_id,
    name: r.name,
    format: r.format,
    bytes: r.bytes,
    rows: r.rows,
    columns: r.columns,
    profile: JSON.parse(r.profile) as unknown,
    createdAt: r.created_at,
  };
}

interface ModelRow {
  id: string;
  project_id: string;
  run_id: string;
  name: string;
  task: string;
  target: string;
  metrics: string;
  fingerprint: string;
  version: number;
  created_at: string;
}

function modelOf(r: ModelRow): Model {
  return {
    id: r.id,
    projectId: r.project_id,
    runId: r.run_id,
    name: r.name,
    task: r.task,
    target: r.target,
    metrics: JSON.parse(r.metrics) as unknown,
    fingerprint: r.fingerprint,
    version: r.version,
    createdAt: r.created_at,
  };
}

/** Membership test every scoped query joins on. */
const MEMBER = 'EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = x.project_id AND m.user_id = ?)';

export class Store {
  readonly db: Database.Database;
  readonly dataDir: string;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.dataDir = dataDir;
    this.db = new Database(join(dataDir, 'glassbox.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    // A second process (a job) may write at the same moment: wait instead of failing.
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
  }

  /** Applies the migrations not yet recorded in schema_migrations; returns the schema version. */
  private migrate(): number {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
    );
    const row = this.sql('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
    const current = row.v ?? 0;
    MIGRATIONS.forEach((sql, i) => {
      const version = i + 1;
      if (version <= current) return;
      const rebuild = REBUILDS.has(version);
      if (rebuild) this.db.pragma('foreign_keys = OFF');
      try {
        this.db.transaction(() => {
          this.db.exec(sql);
          if (rebuild && (this.db.pragma('foreign_key_check') as unknown[]).length)
            throw new Error(`migration ${version} would leave dangling references; nothing was changed`);
          this.sql('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, now());
        })();
      } finally {
        if (rebuild) this.db.pragma('foreign_keys = ON');
      }
    });
    return MIGRATIONS.length;
  }

  get schemaVersion(): number {
    return (this.sql('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v;
  }

  close(): void {
    this.db.close();
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** A prepared statement, compiled once per text: scoring asks for its model on every request. */
  private sql(text: string): Database.Statement {
    let st = this.statements.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st;
  }

  // ---------------------------------------------------------------- users, sessions, tokens

  createUser(email: string, name: string, passwordHash: string): User {
    const id = newId();
    this.sql('INSERT INTO users (id, email, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
      id,
      email.toLowerCase(),
      name,
      passwordHash,
      now(),
    );
    return { id, email: email.toLowerCase(), name };
  }

  userByEmail(email: string): (User & { passwordHash: string }) | undefined {
    const r = this.sql('SELECT id, email, name, password_hash AS passwordHash FROM users WHERE email = ?').get(
      email.toLowerCase(),
    ) as (User & { passwordHash: string }) | undefined;
    return r;
  }

  userById(id: string): User | undefined {
    return this.sql('SELECT id, email, name FROM users WHERE id = ?').get(id) as User | undefined;
  }

  createSession(idHash: string, userId: string, csrf: string, expiresAt: string): void {
    this.sql('INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(
      idHash,
      userId,
      csrf,
      now(),
      expiresAt,
    );
  }

  session(idHash: string): { userId: string; csrf: string } | undefined {
    return this.sql('SELECT user_id AS userId, csrf FROM sessions WHERE id_hash = ? AND expires_at > ?').get(
      idHash,
      now(),
    ) as { userId: string; csrf: string } | undefined;
  }

  deleteSession(idHash: string): void {
    this.sql('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  createToken(userId: string, name: string, tokenHash: string): { id: string; name: string; createdAt: string } {
    const id = newId();
    const createdAt = now();
    this.sql('INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
      id,
      userId,
      name,
      tokenHash,
      createdAt,
    );
    return { id, name, createdAt };
  }

  userByToken(tokenHash: string): string | undefined {
    const r = this.sql('SELECT id, user_id AS userId FROM api_tokens WHERE token_hash = ?').get(tokenHash) as
      { id: string; userId: string } | undefined;
    if (r) this.sql('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now(), r.id);
    return r?.userId;
  }

  tokens(userId: string): { id: string; name: string; createdAt: string; lastUsedAt: string | null }[] {
    return this.sql(
      'SELECT id, name, created_at AS createdAt, last_used_at AS lastUsedAt FROM api_tokens WHERE user_id = ? ORDER BY created_at',
    ).all(userId) as { id: string; name: string; createdAt: string; lastUsedAt: string | null }[];
  }

  deleteToken(userId: string, id: string): boolean {
    return this.sql('DELETE FROM api_tokens WHERE id = ? AND user_id = ?').run(id, userId).changes > 0;
  }

  // ---------------------------------------------------------------- projects

  createProject(userId: string, name: string): Project {
    const id = newId();
    const createdAt = now();
    this.db.transaction(() => {
      this.sql('INSERT INTO projects (id, name, created_by, created_at) VALUES (?, ?, ?, ?)').run(
        id,
        name,
        userId,
        createdAt,
      );
      this.sql("INSERT INTO project_members (project_id, user_id, role) VALUES (?, ?, 'owner')").run(id, userId);
    })();
    return { id, name, role: 'owner', createdAt };
  }

  projects(userId: string): Project[] {
    return this.sql(
      `SELECT p.id, p.name, m.role, p.created_at AS createdAt FROM projects p
         JOIN project_members m ON m.project_id = p.id WHERE m.user_id = ? ORDER BY p.created_at`,
    ).all(userId) as Project[];
  }

  project(userId: string, id: string): Project | undefined {
    return this.sql(
      `SELECT p.id, p.name, m.role, p.created_at AS createdAt FROM projects p
         JOIN project_members m ON m.project_id = p.id WHERE m.user_id = ? AND p.id = ?`,
    ).get(userId, id) as Project | undefined;
  }

  /** The project's members, for a member of it (else nothing). */
  members(userId: string, projectId: string): { name: string; email: string; role: string }[] {
    return this.sql(
      `SELECT u.name, u.email, m.role FROM project_members m JOIN users u ON u.id = m.user_id
         WHERE m.project_id = ? AND EXISTS (SELECT 1 FROM project_members me WHERE me.project_id = m.project_id AND me.user_id = ?)
         ORDER BY m.role DESC, u.name`,
    ).all(projectId, userId) as { name: string; email: string; role: string }[];
  }

  addMember(projectId: string, userId: string): void {
    this.sql("INSERT OR IGNORE INTO project_members (project_id, user_id, role) VALUES (?, ?, 'member')").run(
      projectId,
      userId,
    );
  }

  // ---------------------------------------------------------------- datasets

  createDataset(d: Omit<Dataset, 'createdAt'>): Dataset {
    const createdAt = now();
    this.sql(
      `INSERT INTO datasets (id, project_id, name, format, bytes, rows, columns, profile, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(d.id, d.projectId, d.name, d.format, d.bytes, d.rows, d.columns, JSON.stringify(d.profile), createdAt);
    return { ...d, createdAt };
  }

  /** Unscoped: for the job system, never for a request. */
  datasetById(id: string): Dataset | undefined {
    const r = this.sql('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
    return r && datasetOf(r);
  }

  datasets(userId: string, projectId: string): Dataset[] {
    return (
      this.sql(`SELECT * FROM datasets x WHERE x.project_id = ? AND ${MEMBER} ORDER BY x.created_at`).all(
        projectId,
        userId,
      ) as DatasetRow[]
    ).map(datasetOf);
  }

  dataset(userId: string, id: string): Dataset | undefined {
    const r = this.sql(`SELECT * FROM datasets x WHERE x.id = ? AND ${MEMBER}`).get(id, userId) as
      DatasetRow | undefined;
    return r && datasetOf(r);
  }

  // ---------------------------------------------------------------- runs and trials

  createRun(r: {
    projectId: string;
    datasetId: string;
    kind: Run['kind'];
    settings: Record<string, unknown>;
    modelId?: string;
  }): Run {
    const id = newId();
    this.sql(
      `INSERT INTO runs (id, project_id, dataset_id, kind, settings, state, created_at, model_id) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)`,
    ).run(id, r.projectId, r.datasetId, r.kind, JSON.stringify(r.settings), now(), r.modelId ?? null);
    return this.runById(id) as Run;
  }

  /** Unscoped: for the job system, never for a request. */
  runById(id: string): Run | undefined {
    const r = this.sql('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return r && runOf(r);
  }

  run(userId: string, id: string): Run | undefined {
    const r = this.sql(`SELECT * FROM runs x WHERE x.id = ? AND ${MEMBER}`).get(id, userId) as RunRow | undefined;
    return r && runOf(r);
  }

  runs(userId: string, projectId: string): Run[] {
    return (
      this.sql(`SELECT * FROM runs x WHERE x.project_id = ? AND ${MEMBER} ORDER BY x.created_at`).all(
        projectId,
        userId,
      ) as RunRow[]
    ).map(runOf);
  }

  runsIn(states: readonly RunState[]): Run[] {
    return (
      this.sql(`SELECT * FROM runs WHERE state IN (${states.map(() => '?').join(', ')}) ORDER BY created_at`).all(
        ...states,
      ) as RunRow[]
    ).map(runOf);
  }

  setRunState(id: string, state: RunState, extra: { error?: string | null } = {}): void {
    const at = now();
    const started = state === 'running' ? at : null;
    const finished = ['done', 'failed', 'cancelled', 'interrupted'].includes(state) ? at : null;
    this.sql(
      `UPDATE runs SET state = ?, error = ?, started_at = COALESCE(?, started_at),
         finished_at = CASE WHEN ? IS NULL THEN NULL ELSE ? END WHERE id = ?`,
    ).run(state, extra.error ?? null, started, finished, finished, id);
  }

  setRunProgress(id: string, progress: unknown): void {
    this.sql('UPDATE runs SET progress = ? WHERE id = ?').run(JSON.stringify(progress), id);
  }

  /** Runs a job was running when the server stopped: marked, to be resumed from their finished trials. */
  markInterrupted(): string[] {
    const ids = this.runsIn(['running']).map((r) => r.id);
    for (const id of ids) this.setRunState(id, 'interrupted', { error: 'the server stopped during the run' });
    return ids;
  }

  addTrial(runId: string, trial: number, record: unknown): void {
    this.sql('INSERT OR REPLACE INTO trials (run_id, trial, record) VALUES (?, ?, ?)').run(
      runId,
      trial,
      JSON.stringify(record),
    );
  }

  trials(runId: string): unknown[] {
    return (
      this.sql('SELECT record FROM trials WHERE run_id = ? ORDER BY trial').all(runId) as { record: string }[]
    ).map((r) => JSON.parse(r.record) as unknown);
  }

  // ---------------------------------------------------------------- models and scoring

  createModel(m: Omit<Model, 'id' | 'createdAt' | 'version'>): Model {
    const id = newId();
    const createdAt = now();
    this.sql(
      `INSERT INTO models (id, project_id, run_id, name, task, target, metrics, fingerprint, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(id, m.projectId, m.runId, m.name, m.task, m.target, JSON.stringify(m.metrics), m.fingerprint, createdAt);
    return { ...m, id, version: 1, createdAt };
  }

  model(userId: string, id: string): Model | undefined {
    const r = this.sql(`SELECT * FROM models x WHERE x.id = ? AND ${MEMBER}`).get(id, userId) as ModelRow | undefined;
    return r && modelOf(r);
  }

  /** Unscoped: for the job system, never for a request. */
  modelById(id: string): Model | undefined {
    const r = this.sql('SELECT * FROM models WHERE id = ?').get(id) as ModelRow | undefined;
    return r && modelOf(r);
  }

  modelByRun(runId: string): Model | undefined {
    const r = this.sql('SELECT * FROM models WHERE run_id = ?').get(runId) as ModelRow | undefined;
    return r && modelOf(r);
  }

  models(userId: string, projectId: string): Model[] {
    return (
      this.sql(`SELECT * FROM models x WHERE x.project_id = ? AND ${MEMBER} ORDER BY x.created_at`).all(
        projectId,
        userId,
      ) as ModelRow[]
    ).map(modelOf);
  }

  recordScoring(
    projectId: string,
    modelId: string,
    rows: number,
    warnings: readonly string[],
    extra: { source?: string; drift?: unknown } = {},
  ): string {
    const id = newId();
    this.sql(
      'INSERT INTO scoring_jobs (id, project_id, model_id, rows, warnings, created_at, source, drift) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      id,
      projectId,
      modelId,
      rows,
      JSON.stringify(warnings),
      now(),
      extra.source ?? null,
      extra.drift === undefined ? null : JSON.stringify(extra.drift),
    );
    return id;
  }

  /** A scored batch's full drift check (for its report), scoped like every read. */
  scoringDrift(userId: string, modelId: string, scoringId: string): unknown {
    const r = this.sql(`SELECT x.drift FROM scoring_jobs x WHERE x.id = ? AND x.model_id = ? AND ${MEMBER}`).get(
      scoringId,
      modelId,
      userId,
    ) as { drift: string | null } | undefined;
    return r?.drift ? (JSON.parse(r.drift) as unknown) : undefined;
  }

  addEvaluation(projectId: string, modelId: string, runId: string | null, record: unknown, drift: unknown): void {
    this.addModelEvent(projectId, modelId, runId, 'evaluation', record, drift);
  }

  /** Logs a retraining decision; a promoted challenger becomes the model's current version. */
  addRetrain(
    projectId: string,
    modelId: string,
    runId: string | null,
    record: { promoted: boolean; version: number; challenger: string },
  ): void {
    this.db.transaction(() => {
      this.addModelEvent(projectId, modelId, runId, 'retrain', record, null);
      if (record.promoted)
        this.sql('UPDATE models SET version = ?, fingerprint = ? WHERE id = ?').run(
          record.version,
          record.challenger,
          modelId,
        );
    })();
  }

  /** Scored batches (with their drift summary), evaluations and retraining decisions, oldest first. */
  history(modelId: string): HistoryEntry[] {
    const scorings = (
      this.sql('SELECT id, rows, warnings, source, drift, created_at FROM scoring_jobs WHERE model_id = ?').all(
        modelId,
      ) as {
        id: string;
        rows: number;
        warnings: string;
        source: string | null;
        drift: string | null;
        created_at: string;
      }[]
    ).map((r): HistoryEntry => {
      const drift = r.drift ? (JSON.parse(r.drift) as { drifted?: string[]; features?: unknown[] }) : null;
      return {
        id: r.id,
        kind: 'scoring',
        at: r.created_at,
        runId: null,
        detail: {
          rows: r.rows,
          warnings: (JSON.parse(r.warnings) as string[]).length,
          source: r.source,
          drifted: drift?.drifted ?? null,
          features: drift?.features?.length ?? null,
        },
      };
    });
    const events = (
      this.sql('SELECT id, run_id, kind, record, created_at FROM model_events WHERE model_id = ?').all(modelId) as {
        id: string;
        run_id: string | null;
        kind: 'evaluation' | 'retrain';
        record: string;
        created_at: string;
      }[]
    ).map((r): HistoryEntry => ({
      id: r.id,
      kind: r.kind,
      at: r.created_at,
      runId: r.run_id,
      detail: JSON.parse(r.record) as Record<string, unknown>,
    }));
    return [...scorings, ...events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  private addModelEvent(
    projectId: string,
    modelId: string,
    runId: string | null,
    kind: 'evaluation' | 'retrain',
    record: unknown,
    drift: unknown,
  ): void {
    this.sql(
      'INSERT INTO model_events (id, project_id, model_id, run_id, kind, record, drift, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      newId(),
      projectId,
      modelId,
      runId,
      kind,
      JSON.stringify(record),
      drift == null ? null : JSON.stringify(drift),
      now(),
    );
  }

  /** An evaluate or retrain run of this model still queued or running. */
  activeRun(modelId: string, kind: 'evaluate' | 'retrain'): string | undefined {
    const r = this.sql(
      "SELECT id FROM runs WHERE model_id = ? AND kind = ? AND state IN ('queued', 'running') LIMIT 1",
    ).get(modelId, kind) as { id: string } | undefined;
    return r?.id;
  }

  integrityCheck(): string {
    return (this.db.pragma('integrity_check', { simple: true }) as string) ?? '';
  }
}
