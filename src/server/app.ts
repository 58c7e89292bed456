import { once } from 'node:events';
import { copyFile } from 'node:fs/promises';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline as streamPipeline } from 'node:stream/promises';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { explainRows, score } from '../automl/score.js';
import { driftSummary, type DriftResult } from '../evaluate/drift.js';
import { driftHtml } from '../report/drift-report.js';
import type { EvaluationRecord } from '../node/lifecycle.js';
import { GlassboxError } from '../data/errors.js';
import { Frame } from '../data/frame.js';
import { profile } from '../data/profile.js';
import { frameFromRows, loadBundle, type Bundle } from '../export/bundle.js';
import { exportOnnx } from '../export/onnx/convert.js';
import { exportTypeScript } from '../export/typescript.js';
import { displaySpec, tableIdentifier } from '../node/db-table.js';
import { EXAMPLE, exampleData } from '../node/example.js';
import { scoreInWorker, type BatchResult } from '../node/batch-score.js';
import { readJsonFile } from '../node/files.js';
import { readTable, tableFormat } from '../node/read-table.js';
import { datasetDir, datasetFile, runDir } from '../platform/artifacts.js';
import { hashPassword, LoginLimiter, secret, sha256, verifyPassword } from '../platform/auth.js';
import { Jobs, type RunEvent, type RunSettings, type TrainSettings } from '../platform/jobs.js';
import type { Params } from '../techniques/contract.js';
import { resolveParams } from '../techniques/params.js';
import { newId, Store, type Model, type User } from '../platform/store.js';
import type { FittedPipeline } from '../techniques/pipeline.js';
import { hasTechnique, technique, listTechniques } from '../techniques/registry.js';
import { VERSION } from '../version.js';
import { driftHistoryChart, realisedChart, trialsChart } from '../report/charts.js';
import { renderSvg } from '../report/svg.js';
import '../techniques/index.js';

/**
 * The REST API (and, at /docs, its OpenAPI description) as a function from options to a Fastify
 * instance: tests call `app.inject()` without a network. Every object lives in a project and is
 * found only through its members, so another user's ids answer 404.
 */
export interface AppOptions {
  readonly dataDir: string;
  /**
   * 'local': one built-in user and no sign-in, for a server on 127.0.0.1 only; 'accounts':
   * sign-in with HTTP-only session cookies (and a CSRF token for writes) or API tokens.
   */
  readonly auth: 'local' | 'accounts';
  /** Accounts: anyone may register (default true). */
  readonly signup?: boolean;
  readonly limits?: { readonly uploadBytes?: number; readonly rows?: number; readonly columns?: number };
  readonly jobs?: { readonly concurrency?: number; readonly workersPerJob?: number };
  readonly logger?: boolean;
  /**
   * Databases whose tables may be scored, by name: `sqlite:PATH` or a `postgres://` URL, set by
   * whoever runs the server. Requests name a connection and a table, never a location, so no
   * request can make the server reach a database of its choosing. Every user of the server can
   * score any table a connection's database role can read.
   */
  readonly connections?: Readonly<Record<string, string>>;
  /** Local mode: add the embedded example (Telco churn, a model training on it) when it is not there yet. */
  readonly example?: boolean;
}

export interface App {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly jobs: Jobs;
  /** Runs marked interrupted because the server stopped while they ran. */
  readonly interrupted: readonly string[];
}

const DEFAULT_LIMITS = { uploadBytes: 200 * 1024 * 1024, rows: 5_000_000, columns: 2_000 };
const SESSION_DAYS = 14;
const COOKIE = 'gb_session';
const LOCAL_EMAIL = 'local@localhost';
const MAX_BUDGET = 24 * 3600;
/** What every run names: its data, the column to predict and, optionally, the task. */
const RUN_BASE = {
  datasetId: { type: 'string', maxLength: 64 },
  target: { type: 'string', maxLength: 500 },
  task: { type: 'string', enum: ['binary', 'multiclass', 'regression'] },
  types: {
    type: 'object',
    additionalProperties: { type: 'string', enum: ['numeric', 'categorical', 'text', 'ignore'] },
    maxProperties: 20000,
  },
} as const;

declare module 'fastify' {
  interface FastifyRequest {
    user?: User;
    /** Set when the request was authenticated by a session cookie: writes must echo its CSRF token. */
    sessionCsrf?: string;
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const notFound = (what: string): never => {
  throw new HttpError(404, `no such ${what}`);
};

function cookies(req: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) out[part.slice(0, at).trim()] = decodeURIComponent(part.slice(at + 1).trim());
  }
  return out;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The security headers every answer carries; pages of our own (reports) set a stricter policy over them. */
const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

export async function buildApp(options: AppOptions): Promise<App> {
  const limits = { ...DEFAULT_LIMITS, ...(options.limits ?? {}) };
  const store = new Store(options.dataDir);
  // Runs that were running when the server stopped: their finished trials are on disk.
  const interrupted = store.markInterrupted();
  const jobs = new Jobs(store, options.jobs);
  for (const r of store.runsIn(['queued'])) jobs.enqueue(r.id);
  let local: User | undefined;
  if (options.auth === 'local') local = store.userByEmail(LOCAL_EMAIL) ?? store.createUser(LOCAL_EMAIL, 'You', '!');
  const limiter = new LoginLimiter();
  const bundles = new Map<string, { bundle: Bundle; pipeline: FittedPipeline }>();

  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 16 * 1024 * 1024 });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Glassbox API',
        version: VERSION,
        description:
          'Projects, datasets, AutoML runs with live progress, models and scoring. Authenticate with `Authorization: Bearer <token>` (create one at POST /api/tokens) or a session cookie from POST /api/auth/login (writes then need the `x-csrf-token` header it returned).',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // The web app (built by npm run build into dist/web), at /.
  const web = webRoot();
  if (web) await app.register(fastifyStatic, { root: web, prefix: '/', index: ['index.html'], wildcard: false });
  await app.register(multipart, { limits: { fileSize: limits.uploadBytes, files: 1, fields: 10 } });

  // Hooks in callback form: single-row scoring is a request of tens of microseconds, and an async
  // hook costs a promise and a microtask turn on every request.
  app.addHook('onRequest', (_req, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    done();
  });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof HttpError) return reply.status(err.status).send({ error: err.message });
    if (err instanceof GlassboxError) return reply.status(400).send({ error: err.message });
    const e = err as { statusCode?: number; code?: string; message: string };
    if (e.code === 'FST_REQ_FILE_TOO_LARGE' || e.code === 'FST_FILES_LIMIT')
      return reply.status(413).send({ error: `the file is larger than the ${limits.uploadBytes} byte limit` });
    if (e.statusCode && e.statusCode < 500) return reply.status(e.statusCode).send({ error: e.message });
    req.log.error(err);
    return reply.status(500).send({ error: 'internal error' });
  });

  // Who is asking: a bearer token, a session cookie, or (local mode) the one local user.
  app.addHook('preHandler', (req, _reply, done) => {
    try {
      authenticate(req);
      done();
    } catch (e) {
      done(e as Error);
    }
  });
  const authenticate = (req: FastifyRequest): void => {
    if (!req.url.startsWith('/api/')) return;
    if (UNSAFE.has(req.method)) {
      // A page elsewhere cannot write here with the user's cookie (or to a local server).
      const origin = req.headers.origin;
      const host = req.headers.host;
      if (req.headers['sec-fetch-site'] === 'cross-site' || (origin && host && new URL(origin).host !== host))
        throw new HttpError(403, 'cross-origin request refused');
    }
    const open = req.url === '/api/health' || req.url.startsWith('/api/auth/');
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      const userId = store.userByToken(sha256(auth.slice(7).trim()));
      const user = userId ? store.userById(userId) : undefined;
      if (!user) throw new HttpError(401, 'invalid API token');
      req.user = user;
      return;
    }
    const sid = cookies(req)[COOKIE];
    const session = sid ? store.session(sha256(sid)) : undefined;
    if (session) {
      req.user = store.userById(session.userId);
      req.sessionCsrf = session.csrf;
      if (UNSAFE.has(req.method) && !open && req.headers['x-csrf-token'] !== session.csrf)
        throw new HttpError(403, 'missing or wrong x-csrf-token header');
      return;
    }
    if (local) {
      req.user = local;
      return;
    }
    if (!open) throw new HttpError(401, 'sign in (POST /api/auth/login) or send an API token');
  };

  const me = (req: FastifyRequest): User => req.user ?? (notFound('user') as never);

  // ---------------------------------------------------------------- health and accounts

  app.get('/api/health', { schema: { tags: ['meta'] } }, async () => ({
    ok: true,
    version: VERSION,
    auth: options.auth,
    schemaVersion: store.schemaVersion,
  }));

  app.post<{ Body: { email: string; name?: string; password: string } }>(
    '/api/auth/register',
    {
      schema: {
        tags: ['accounts'],
        body: {
          type: 'object',
          required: ['email', 'password'],
          properties: {
            email: { type: 'string', format: 'email', maxLength: 200 },
            name: { type: 'string', maxLength: 200 },
            password: { type: 'string', minLength: 10, maxLength: 200 },
          },
        },
      },
    },
    async (req, reply) => {
      if (options.auth !== 'accounts') throw new HttpError(404, 'this server has no accounts (local mode)');
      if (options.signup === false) throw new HttpError(403, 'registration is closed on this server');
      if (store.userByEmail(req.body.email)) throw new HttpError(409, 'an account with this email exists');
      const user = store.createUser(
        req.body.email,
        req.body.name ?? req.body.email,
        await hashPassword(req.body.password),
      );
      return reply.status(201).send({ user });
    },
  );

  app.post<{ Body: { email: string; password: string } }>(
    '/api/auth/login',
    {
      schema: {
        tags: ['accounts'],
        body: {
          type: 'object',
          required: ['email', 'password'],
          properties: { email: { type: 'string', maxLength: 200 }, password: { type: 'string', maxLength: 200 } },
        },
      },
    },
    async (req, reply) => {
      if (options.auth !== 'accounts') throw new HttpError(404, 'this server has no accounts (local mode)');
      const key = `${req.ip}|${req.body.email.toLowerCase()}`;
      const wait = limiter.wait(key);
      if (wait > 0) {
        reply.header('Retry-After', String(Math.ceil(wait / 1000)));
        throw new HttpError(429, 'too many failed sign-ins: wait and try again');
      }
      const user = store.userByEmail(req.body.email);
      const ok = user ? await verifyPassword(req.body.password, user.passwordHash) : false;
      if (!user || !ok) {
        limiter.fail(key);
        throw new HttpError(401, 'wrong email or password');
      }
      limiter.succeed(key);
      const sid = secret();
      const csrf = secret();
      const expires = new Date(Date.now() + SESSION_DAYS * 86_400_000);
      store.createSession(sha256(sid), user.id, csrf, expires.toISOString());
      reply.header(
        'Set-Cookie',
        `${COOKIE}=${sid}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_DAYS * 86400}${req.protocol === 'https' ? '; Secure' : ''}`,
      );
      return { user: { id: user.id, email: user.email, name: user.name }, csrf };
    },
  );

  app.post('/api/auth/logout', { schema: { tags: ['accounts'] } }, async (req, reply) => {
    const sid = cookies(req)[COOKIE];
    if (sid) store.deleteSession(sha256(sid));
    reply.header('Set-Cookie', `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    return { ok: true };
  });

  app.get('/api/me', { schema: { tags: ['accounts'] } }, async (req) => ({
    user: me(req),
    ...(req.sessionCsrf ? { csrf: req.sessionCsrf } : {}),
  }));

  app.post<{ Body: { name: string } }>(
    '/api/tokens',
    {
      schema: {
        tags: ['accounts'],
        body: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 100 } },
        },
      },
    },
    async (req, reply) => {
      const token = secret('gbx_');
      const t = store.createToken(me(req).id, req.body.name, sha256(token));
      // The only time the token is shown: the server keeps its hash.
      return reply.status(201).send({ ...t, token });
    },
  );

  app.get('/api/tokens', { schema: { tags: ['accounts'] } }, async (req) => ({ tokens: store.tokens(me(req).id) }));

  app.delete<{ Params: { id: string } }>('/api/tokens/:id', { schema: { tags: ['accounts'] } }, async (req) => {
    if (!store.deleteToken(me(req).id, req.params.id)) notFound('token');
    return { ok: true };
  });

  // ---------------------------------------------------------------- projects

  app.get('/api/projects', { schema: { tags: ['projects'] } }, async (req) => ({
    projects: store.projects(me(req).id),
  }));

  app.post<{ Body: { name: string } }>(
    '/api/projects',
    {
      schema: {
        tags: ['projects'],
        body: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
        },
      },
    },
    async (req, reply) => reply.status(201).send({ project: store.createProject(me(req).id, req.body.name) }),
  );

  const projectOf = (req: FastifyRequest, id: string) => store.project(me(req).id, id) ?? notFound('project');

  app.get<{ Params: { id: string } }>('/api/projects/:id', { schema: { tags: ['projects'] } }, async (req) => {
    const project = projectOf(req, req.params.id);
    const userId = me(req).id;
    return {
      project,
      datasets: store.datasets(userId, project.id),
      runs: store.runs(userId, project.id),
      models: store.models(userId, project.id),
    };
  });

  app.get<{ Params: { id: string } }>('/api/projects/:id/members', { schema: { tags: ['projects'] } }, async (req) => {
    const project = projectOf(req, req.params.id);
    return { members: store.members(me(req).id, project.id) };
  });

  app.post<{ Params: { id: string }; Body: { email: string } }>(
    '/api/projects/:id/members',
    {
      schema: {
        tags: ['projects'],
        body: { type: 'object', required: ['email'], properties: { email: { type: 'string', maxLength: 200 } } },
      },
    },
    async (req) => {
      const project = projectOf(req, req.params.id);
      if (project.role !== 'owner') throw new HttpError(403, 'only the project owner adds members');
      const user = store.userByEmail(req.body.email) ?? notFound('user with that email');
      store.addMember(project.id, user.id);
      return { ok: true };
    },
  );

  // ---------------------------------------------------------------- datasets

  /** Messages name what the user knows (the uploaded name, the connection), never a path or URL on the server. */
  const hiding =
    (where: readonly string[], name: string) =>
    (e: unknown): never => {
      if (!(e instanceof GlassboxError)) throw e;
      throw new GlassboxError(where.reduce((m, w) => m.split(w).join(name), e.message));
    };

  /** A table written by `write` into the data dir, its format sniffed from its bytes, read within the limits and profiled. */
  const addDataset = async (projectId: string, name: string, write: (tmp: string) => Promise<void>) => {
    const id = newId();
    const dir = datasetDir(store.dataDir, id);
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, 'upload.tmp');
    try {
      await write(tmp);
      const format = tableFormat(tmp, name);
      const path = datasetFile(store.dataDir, id, format);
      renameSync(tmp, path);
      const read = await readTable(path, { maxRows: limits.rows, maxColumns: limits.columns }).catch(
        hiding([path], name),
      );
      return store.createDataset({
        id,
        projectId,
        name,
        format,
        bytes: statSync(path).size,
        rows: read.frame.nRows,
        columns: read.frame.nCols,
        profile: profile(read, { source: name }) as unknown,
      });
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  };

  app.post<{ Params: { id: string } }>(
    '/api/projects/:id/datasets',
    { schema: { tags: ['datasets'], consumes: ['multipart/form-data'] } },
    async (req, reply) => {
      const project = projectOf(req, req.params.id);
      const file = await req.file();
      if (!file) throw new HttpError(400, 'send the table as a multipart file field');
      // The uploaded name is kept as data (the dataset's name), never used as a path.
      const name = String(file.filename || 'data').slice(0, 200);
      const dataset = await addDataset(project.id, name, async (tmp) => {
        await streamPipeline(file.file, createWriteStream(tmp));
        if (file.file.truncated)
          throw new HttpError(413, `${name} is larger than the ${limits.uploadBytes} byte limit`);
      });
      return reply.status(201).send({ dataset });
    },
  );

  app.get<{ Params: { id: string } }>('/api/datasets/:id', { schema: { tags: ['datasets'] } }, async (req) => ({
    dataset: store.dataset(me(req).id, req.params.id) ?? notFound('dataset'),
  }));

  // ---------------------------------------------------------------- runs

  app.get('/api/techniques', { schema: { tags: ['runs'] } }, async () => ({
    techniques: listTechniques().map((t) => ({
      id: t.id,
      stage: t.stage,
      title: t.title,
      description: t.description,
      tasks: t.tasks ?? null,
      params: t.params,
    })),
  }));

  /** The dataset belongs to the project and has the column to predict. */
  const checkTarget = (req: FastifyRequest, projectId: string, datasetId: string, target: string): void => {
    const dataset = store.dataset(me(req).id, datasetId);
    if (!dataset || dataset.projectId !== projectId) return notFound('dataset in this project');
    const columns = (dataset.profile as { columns: { name: string }[] }).columns.map((c) => c.name);
    if (!columns.includes(target))
      throw new HttpError(400, `the dataset has no column "${target}" (it has ${columns.slice(0, 20).join(', ')})`);
  };

  app.post<{ Params: { id: string }; Body: RunSettings & { datasetId: string } }>(
    '/api/projects/:id/runs',
    {
      schema: {
        tags: ['runs'],
        body: {
          type: 'object',
          required: ['datasetId', 'target'],
          properties: {
            ...RUN_BASE,
            metric: { type: 'string', maxLength: 50 },
            timeBudget: { type: 'number', exclusiveMinimum: 0, maximum: MAX_BUDGET, default: 60 },
            seed: { type: 'integer' },
            models: { type: 'array', items: { type: 'string', maxLength: 50 }, maxItems: 20 },
            drop: { type: 'array', items: { type: 'string', maxLength: 500 }, maxItems: 10000 },
            ensembleSize: { type: 'integer', minimum: 1, maximum: 100 },
            trials: { type: 'integer', minimum: 1, maximum: 100000 },
          },
        },
      },
    },
    async (req, reply) => {
      const project = projectOf(req, req.params.id);
      const { datasetId, ...settings } = req.body;
      checkTarget(req, project.id, datasetId, settings.target);
      for (const m of settings.models ?? [])
        if (!listTechniques().some((t) => t.id === m && t.stage === 'model'))
          throw new HttpError(400, `unknown model "${m}"`);
      const run = store.createRun({ projectId: project.id, datasetId, kind: 'automl', settings: { ...settings } });
      jobs.enqueue(run.id);
      return reply.status(202).send({ run: store.runById(run.id) });
    },
  );

  // Start at any stage: a pipeline built by hand (or one model with its default preparation), fitted without search.
  app.post<{ Params: { id: string }; Body: TrainSettings & { datasetId: string } }>(
    '/api/projects/:id/train',
    {
      schema: {
        tags: ['runs'],
        body: {
          type: 'object',
          required: ['datasetId', 'target'],
          properties: {
            ...RUN_BASE,
            model: { type: 'string', maxLength: 50 },
            params: { type: 'object' },
            pipeline: {
              type: 'object',
              required: ['steps'],
              properties: {
                steps: {
                  type: 'array',
                  minItems: 1,
                  maxItems: 50,
                  items: {
                    type: 'object',
                    required: ['technique'],
                    properties: { technique: { type: 'string', maxLength: 50 }, params: { type: 'object' } },
                  },
                },
              },
            },
            seed: { type: 'integer' },
          },
        },
      },
    },
    async (req, reply) => {
      const project = projectOf(req, req.params.id);
      const { datasetId, ...settings } = req.body;
      checkTarget(req, project.id, datasetId, settings.target);
      // Every step and parameter checked now, so a typo fails the request, not the job.
      const steps = settings.pipeline?.steps ?? [
        { technique: settings.model ?? 'linear', params: settings.params ?? {} },
      ];
      steps.forEach((s, i) => {
        if (!hasTechnique(s.technique)) throw new HttpError(400, `step ${i + 1}: unknown technique "${s.technique}"`);
        const t = technique(s.technique);
        const last = i === steps.length - 1;
        if (last !== (t.stage === 'model'))
          throw new HttpError(
            400,
            last
              ? `the last step (${t.id}) must be a model`
              : `step ${i + 1} (${t.id}) is a model; only the last step may be one`,
          );
        resolveParams(t.id, t.params, (s.params ?? {}) as Params);
      });
      const run = store.createRun({ projectId: project.id, datasetId, kind: 'train', settings: { ...settings } });
      jobs.enqueue(run.id);
      return reply.status(202).send({ run: store.runById(run.id) });
    },
  );

  const runOf = (req: FastifyRequest, id: string) => store.run(me(req).id, id) ?? notFound('run');

  app.get<{ Params: { id: string } }>('/api/runs/:id', { schema: { tags: ['runs'] } }, async (req) => {
    const run = runOf(req, req.params.id);
    return { run, model: store.modelByRun(run.id) ?? null };
  });

  app.get<{ Params: { id: string } }>('/api/runs/:id/trials', { schema: { tags: ['runs'] } }, async (req) => ({
    trials: store.trials(runOf(req, req.params.id).id),
  }));

  // The search as a chart: the same Vega-Lite spec family as the report, rendered to SVG here.
  app.get<{ Params: { id: string } }>('/api/runs/:id/chart.svg', { schema: { tags: ['runs'] } }, async (req, reply) => {
    const run = runOf(req, req.params.id);
    const trials = store.trials(run.id) as { id: number; score: number; state: string; baseline?: boolean }[];
    const settings = run.settings as unknown as RunSettings;
    // Which way is better: the constant baseline is the worst of them.
    const base = trials.find((t) => t.baseline)?.score;
    const others = trials.filter((t) => !t.baseline && Number.isFinite(t.score)).map((t) => t.score);
    const mean = others.reduce((a, b) => a + b, 0) / Math.max(1, others.length);
    const higherIsBetter = base === undefined || !Number.isFinite(base) ? true : mean >= base;
    const svg = await renderSvg(
      trialsChart(
        trials.filter((t) => !t.baseline),
        settings.metric ?? 'score',
        higherIsBetter,
      ),
    );
    reply.header('Cache-Control', 'no-store');
    return reply.type('image/svg+xml').send(svg);
  });

  app.post<{ Params: { id: string } }>('/api/runs/:id/cancel', { schema: { tags: ['runs'] } }, async (req) => {
    const run = runOf(req, req.params.id);
    if (!jobs.cancel(run.id)) throw new HttpError(409, `the run is ${run.state}, not queued or running`);
    return { ok: true };
  });

  app.post<{ Params: { id: string } }>('/api/runs/:id/resume', { schema: { tags: ['runs'] } }, async (req, reply) => {
    const run = runOf(req, req.params.id);
    if (run.state !== 'interrupted' && run.state !== 'failed' && run.state !== 'cancelled')
      throw new HttpError(409, `the run is ${run.state}; only interrupted, failed or cancelled runs resume`);
    const resumable = existsSync(join(runDir(store.dataDir, run.id), 'run.json'));
    jobs.enqueue(run.id, resumable);
    return reply.status(202).send({ run: store.runById(run.id) });
  });

  // Live progress as server-sent events: the current state first, then each event until it ends.
  app.get<{ Params: { id: string } }>('/api/runs/:id/events', { schema: { tags: ['runs'] } }, async (req, reply) => {
    const run = runOf(req, req.params.id);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Content-Type-Options': 'nosniff',
    });
    const write = (e: RunEvent | { type: 'snapshot'; run: unknown }): boolean =>
      res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    const finished = (state: string): boolean => ['done', 'failed', 'cancelled', 'interrupted'].includes(state);
    write({ type: 'snapshot', run });
    if (finished(run.state) && !jobs.isActive(run.id)) return res.end();
    const stop = jobs.subscribe(run.id, (e) => {
      write(e);
      if (e.type === 'state' && finished(e.state)) {
        stop();
        res.end();
      }
    });
    req.raw.on('close', stop);
    await once(res, 'close').catch(() => undefined);
  });

  // ---------------------------------------------------------------- models

  const modelOf = (req: FastifyRequest, id: string) => store.model(me(req).id, id) ?? notFound('model');
  const loaded = (model: { runId: string; version: number }): { bundle: Bundle; pipeline: FittedPipeline } => {
    // Keyed by version too: a promoted challenger replaces bundle.json and bumps the version.
    const key = `${model.runId}:${model.version}`;
    const hit = bundles.get(key);
    if (hit) return hit;
    const path = join(runDir(store.dataDir, model.runId), 'bundle.json');
    const b = loadBundle(readJsonFile(path, 'bundle'), 'bundle.json');
    // A few recent models stay parsed: single-row scoring must not re-read a bundle per request.
    if (bundles.size >= 8) bundles.delete(bundles.keys().next().value as string);
    bundles.set(key, b);
    return b;
  };

  /** A scored batch joins the model's history with its drift check against the training data. */
  const recordBatch = (model: Model, result: BatchResult, source: string): string =>
    store.recordScoring(model.projectId, model.id, result.rows, result.warnings, {
      source,
      drift: result.drift ?? undefined,
    });
  const bundlePathOf = (model: Model): string => join(runDir(store.dataDir, model.runId), 'bundle.json');

  app.get<{ Params: { id: string } }>('/api/models/:id', { schema: { tags: ['models'] } }, async (req) => {
    const model = modelOf(req, req.params.id);
    const { bundle } = loaded(model);
    return { model, schema: bundle.schema, classes: bundle.target.classes };
  });

  app.get<{ Params: { id: string } }>(
    '/api/models/:id/bundle',
    { schema: { tags: ['models'] } },
    async (req, reply) => {
      const model = modelOf(req, req.params.id);
      reply.header('Content-Disposition', 'attachment; filename="bundle.json"');
      return reply.type('application/json').send(readFileSync(join(runDir(store.dataDir, model.runId), 'bundle.json')));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/models/:id/report',
    { schema: { tags: ['models'] } },
    async (req, reply) => {
      const model = modelOf(req, req.params.id);
      const path = join(runDir(store.dataDir, model.runId), 'report.html');
      if (!existsSync(path)) return notFound('report (the run had no held-out rows)');
      // The report's own policy: nothing loads, nothing runs.
      reply.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
      return reply.type('text/html; charset=utf-8').send(readFileSync(path));
    },
  );

  app.get<{ Params: { id: string } }>('/api/models/:id/code', { schema: { tags: ['models'] } }, async (req, reply) => {
    const model = modelOf(req, req.params.id);
    const { bundle, pipeline } = loaded(model);
    reply.header('Content-Disposition', 'attachment; filename="model.ts"');
    return reply.type('text/plain; charset=utf-8').send(exportTypeScript(bundle, pipeline)['model.ts']);
  });

  app.get<{ Params: { id: string } }>('/api/models/:id/onnx', { schema: { tags: ['models'] } }, async (req, reply) => {
    const model = modelOf(req, req.params.id);
    const { bundle, pipeline } = loaded(model);
    let bytes: Uint8Array;
    try {
      bytes = exportOnnx(bundle, pipeline).model;
    } catch (e) {
      if (e instanceof GlassboxError) throw new HttpError(422, e.message);
      throw e;
    }
    reply.header('Content-Disposition', 'attachment; filename="model.onnx"');
    return reply.type('application/octet-stream').send(Buffer.from(bytes));
  });

  app.post<{
    Params: { id: string };
    Body: { rows: Record<string, unknown>[]; strict?: boolean; explain?: boolean };
  }>(
    '/api/models/:id/predict',
    {
      schema: {
        tags: ['models'],
        body: {
          type: 'object',
          required: ['rows'],
          properties: {
            rows: { type: 'array', items: { type: 'object' }, minItems: 1, maxItems: 10000 },
            strict: { type: 'boolean' },
            explain: { type: 'boolean' },
          },
        },
      },
    },
    async (req) => {
      const model = modelOf(req, req.params.id);
      const { bundle, pipeline } = loaded(model);
      const input = frameFromRows(bundle, req.body.rows);
      const scored = score(bundle, pipeline, input, { strict: req.body.strict, file: 'request' });
      const reasons = req.body.explain ? explainRows(bundle, pipeline, scored) : [];
      return { predictions: predictionRows(scored.frame, reasons), warnings: scored.warnings };
    },
  );

  app.post<{ Params: { id: string }; Querystring: { strict?: string; explain?: string } }>(
    '/api/models/:id/score',
    { schema: { tags: ['models'], consumes: ['multipart/form-data'] } },
    async (req, reply) => {
      const model = modelOf(req, req.params.id);
      const file = await req.file();
      if (!file) throw new HttpError(400, 'send the table as a multipart file field');
      const name = String(file.filename || 'data').slice(0, 200);
      const dir = join(store.dataDir, 'tmp', newId());
      mkdirSync(dir, { recursive: true });
      try {
        const tmp = join(dir, 'upload.tmp');
        await streamPipeline(file.file, createWriteStream(tmp));
        if (file.file.truncated)
          throw new HttpError(413, `${name} is larger than the ${limits.uploadBytes} byte limit`);
        const path = join(dir, `data.${tableFormat(tmp, name)}`);
        renameSync(tmp, path);
        const csv = join(dir, 'predictions.csv');
        const result = await scoreInWorker({
          bundlePath: bundlePathOf(model),
          input: { kind: 'file', source: path },
          name,
          strict: req.query.strict === 'true',
          explain: req.query.explain === 'true',
          limits,
          output: { kind: 'csv', path: csv },
        }).catch(hiding([path], name));
        const scoringId = recordBatch(model, result, name);
        reply.header('X-Glassbox-Scoring', scoringId);
        if (result.drift) reply.header('X-Glassbox-Drift', encodeURIComponent(driftSummary(result.drift)));
        reply.header('X-Glassbox-Warnings', encodeURIComponent(JSON.stringify(result.warnings)).slice(0, 4000));
        reply.header('Content-Disposition', 'attachment; filename="predictions.csv"');
        return reply.type('text/csv; charset=utf-8').send(readFileSync(csv));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  // ---------------------------------------------------------------- database tables

  const connections = options.connections ?? {};
  app.get('/api/connections', { schema: { tags: ['models'] } }, async () => ({
    connections: Object.keys(connections).map((name) => ({
      name,
      kind: connections[name].startsWith('sqlite:') ? 'sqlite' : 'postgres',
    })),
  }));

  app.post<{
    Params: { id: string };
    Body: { connection: string; table: string; outTable: string; keep?: string[]; strict?: boolean };
  }>(
    '/api/models/:id/score-table',
    {
      schema: {
        tags: ['models'],
        description:
          "Scores every row of a table in one of the server's database connections and writes the predictions into a new table of the same database (never over an existing one), with the columns named in keep (an id to join on) first.",
        body: {
          type: 'object',
          required: ['connection', 'table', 'outTable'],
          properties: {
            connection: { type: 'string', maxLength: 100 },
            table: { type: 'string', maxLength: 130 },
            outTable: { type: 'string', maxLength: 130 },
            keep: { type: 'array', items: { type: 'string', maxLength: 500 }, maxItems: 20 },
            strict: { type: 'boolean' },
          },
        },
      },
    },
    async (req) => {
      const model = modelOf(req, req.params.id);
      const base = Object.hasOwn(connections, req.body.connection) ? connections[req.body.connection] : undefined;
      if (!base) return notFound('connection');
      const { table, outTable } = req.body;
      // Names only: each part letters, digits and _, checked before any SQL is written.
      tableIdentifier(table, 'table', !base.startsWith('sqlite:'));
      tableIdentifier(outTable, 'outTable', !base.startsWith('sqlite:'));
      const spec = `${base}${base.includes('?') ? '&' : '?'}table=${encodeURIComponent(table)}`;
      const shown = `${req.body.connection}:${table}`;
      const where = [displaySpec(base), ...(base.startsWith('sqlite:') ? [base.slice('sqlite:'.length)] : [])];
      const result = await scoreInWorker({
        bundlePath: bundlePathOf(model),
        input: { kind: 'table', source: spec },
        name: shown,
        strict: req.body.strict,
        limits,
        keep: req.body.keep,
        output: { kind: 'table', table: outTable },
      }).catch(hiding(where, req.body.connection));
      const scoringId = recordBatch(model, result, shown);
      return {
        rows: result.rows,
        table: outTable,
        scoring: scoringId,
        warnings: result.warnings,
        drift: result.drift ? driftSummary(result.drift) : null,
      };
    },
  );

  // ---------------------------------------------------------------- monitoring and retraining

  app.post<{ Params: { id: string }; Body: { datasetId: string } }>(
    '/api/models/:id/evaluate',
    {
      schema: {
        tags: ['monitoring'],
        description:
          'Realised performance on a labelled dataset of the project (outcomes that arrived after scoring): the metric with its 95% interval against the score at training, and drift. Runs as a job; the result joins the model history.',
        body: {
          type: 'object',
          required: ['datasetId'],
          properties: { datasetId: { type: 'string', maxLength: 64 } },
        },
      },
    },
    async (req, reply) => {
      const model = modelOf(req, req.params.id);
      // Labelled: the dataset holds the outcomes to compare with.
      checkTarget(req, model.projectId, req.body.datasetId, model.target);
      const run = store.createRun({
        projectId: model.projectId,
        datasetId: req.body.datasetId,
        kind: 'evaluate',
        settings: { target: model.target },
        modelId: model.id,
      });
      jobs.enqueue(run.id);
      return reply.status(202).send({ run: store.runById(run.id) });
    },
  );

  app.post<{
    Params: { id: string };
    Body: {
      datasetId: string;
      policy?: 'significant' | 'better' | 'always';
      holdout?: number;
      seed?: number;
      mode?: 'refit' | 'automl';
      timeBudget?: number;
    };
  }>(
    '/api/models/:id/retrain',
    {
      schema: {
        tags: ['monitoring'],
        description:
          "Champion / challenger: refits the model's pipeline on a labelled dataset of the project, compares both on the same held-out rows of it (paired bootstrap) and promotes the challenger only if the policy says so. Every version is kept. Runs as a job.",
        body: {
          type: 'object',
          required: ['datasetId'],
          properties: {
            datasetId: { type: 'string', maxLength: 64 },
            policy: { type: 'string', enum: ['significant', 'better', 'always'] },
            holdout: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
            seed: { type: 'integer' },
            mode: {
              type: 'string',
              enum: ['refit', 'automl'],
              description: "refit: the model's pipeline on the new rows (default); automl: its search run again",
            },
            timeBudget: { type: 'number', exclusiveMinimum: 0, maximum: MAX_BUDGET },
          },
        },
      },
    },
    async (req, reply) => {
      const model = modelOf(req, req.params.id);
      checkTarget(req, model.projectId, req.body.datasetId, model.target);
      const source = store.runById(model.runId);
      if (req.body.mode === 'automl' && source?.kind !== 'automl')
        throw new HttpError(400, 'this model was not made by an AutoML run: retrain it with mode "refit"');
      // One challenger at a time: two would race for the next version number.
      const active = store.activeRun(model.id, 'retrain');
      if (active) throw new HttpError(409, `a retraining of this model is already ${store.runById(active)?.state}`);
      const { policy = 'significant', holdout = 0.25, seed = 1, mode = 'refit', timeBudget = 60 } = req.body;
      const run = store.createRun({
        projectId: model.projectId,
        datasetId: req.body.datasetId,
        kind: 'retrain',
        settings: { target: model.target, policy, holdout, seed, mode, ...(mode === 'automl' ? { timeBudget } : {}) },
        modelId: model.id,
      });
      jobs.enqueue(run.id);
      return reply.status(202).send({ run: store.runById(run.id) });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/models/:id/history',
    {
      schema: {
        tags: ['monitoring'],
        description:
          'Scored batches (rows, warnings, drifted columns), realised-performance checks and retraining decisions, oldest first, with the evaluate and retrain jobs still running.',
      },
    },
    async (req) => {
      const model = modelOf(req, req.params.id);
      const active = (['evaluate', 'retrain'] as const).flatMap((k) => {
        const id = store.activeRun(model.id, k);
        return id ? [store.runById(id)] : [];
      });
      // What made the model: an AutoML run can be retrained by running its search again.
      return { model, origin: store.runById(model.runId)?.kind ?? null, entries: store.history(model.id), active };
    },
  );

  app.get<{ Params: { id: string; which: string } }>(
    '/api/models/:id/history/:which',
    { schema: { tags: ['monitoring'], description: 'realised.svg or drift.svg: the history charts.' } },
    async (req, reply) => {
      const model = modelOf(req, req.params.id);
      const entries = store.history(model.id);
      let spec;
      if (req.params.which === 'realised.svg') {
        const evaluations = entries
          .filter((e) => e.kind === 'evaluation')
          .map((e) => e.detail as unknown as EvaluationRecord);
        const metric = evaluations[0]?.metric ?? 'score';
        spec = realisedChart(
          evaluations.map((e) => ({ at: e.at, data: e.data, ...e.score })),
          metric,
          evaluations.length ? evaluations[evaluations.length - 1].atTraining : null,
        );
      } else if (req.params.which === 'drift.svg')
        spec = driftHistoryChart(
          entries
            .filter((e) => e.kind === 'scoring' && e.detail.drifted !== null)
            .map((e) => ({
              at: e.at,
              drifted: (e.detail.drifted as string[]).length,
              features: e.detail.features as number,
              rows: e.detail.rows as number,
            })),
        );
      else return notFound('chart');
      reply.header('Cache-Control', 'no-store');
      return reply.type('image/svg+xml').send(await renderSvg(spec));
    },
  );

  app.get<{ Params: { id: string; scoring: string } }>(
    '/api/models/:id/drift/:scoring',
    { schema: { tags: ['monitoring'], description: "A scored batch's drift report: a traffic light per column." } },
    async (req, reply) => {
      const model = modelOf(req, req.params.id);
      const drift = store.scoringDrift(me(req).id, model.id, req.params.scoring);
      if (!drift) return notFound('drift check for that batch');
      reply.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
      return reply
        .type('text/html; charset=utf-8')
        .send(
          driftHtml(
            drift as DriftResult,
            `Drift of a scored batch against the training data of ${model.target}: ${model.name}`,
          ),
        );
    },
  );

  app.addHook('onClose', async () => {
    await jobs.close();
    store.close();
  });

  // The embedded example, once: a project with the Telco churn table and a model being trained on it.
  if (options.example && local && !store.projects(local.id).some((p) => p.name === EXAMPLE.project)) {
    const project = store.createProject(local.id, EXAMPLE.project);
    const dataset = await addDataset(project.id, EXAMPLE.file, (tmp) => copyFile(exampleData(), tmp));
    const run = store.createRun({
      projectId: project.id,
      datasetId: dataset.id,
      kind: 'train',
      settings: { target: EXAMPLE.target, model: 'gbdt' },
    });
    jobs.enqueue(run.id);
  }

  return { app, store, jobs, interrupted };
}

/** dist/web beside the compiled server, or (running from TypeScript sources) under the checkout's dist/. */
function webRoot(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [join(here, '..', '..', 'web'), join(here, '..', '..', 'dist', 'web')])
    if (existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'assets'))) return dir;
  return undefined;
}

/** Scored rows as JSON objects: prediction, proba_<class> and reason columns by name. */
function predictionRows(frame: Frame, reasons: readonly { name: string }[]): Record<string, number | string | null>[] {
  const all = [...frame.columns, ...(reasons as unknown as Frame['columns'])];
  return Array.from({ length: frame.nRows }, (_, i) => {
    const row: Record<string, number | string | null> = {};
    for (const c of all) {
      if (c.kind === 'numeric' || c.kind === 'datetime') row[c.name] = Number.isNaN(c.values[i]) ? null : c.values[i];
      else if (c.kind === 'categorical') row[c.name] = c.codes[i] < 0 ? null : c.categories[c.codes[i]];
      else row[c.name] = c.values[i];
    }
    return row;
  });
}
