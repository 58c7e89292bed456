/** The REST API as the web app uses it: same origin, the session's CSRF token on every write. */

let csrf: string | undefined;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined && !(body instanceof FormData)) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const r = await fetch(url, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
  });
  const text = await r.text();
  const data = text ? (JSON.parse(text) as unknown) : {};
  if (!r.ok) throw new ApiError(r.status, (data as { error?: string }).error ?? `HTTP ${r.status}`);
  return data as T;
}

export interface User {
  id: string;
  email: string;
  name: string;
}
export interface Project {
  id: string;
  name: string;
  role: string;
  createdAt: string;
}
export interface ProfileColumn {
  name: string;
  kind: string;
  type?: string;
  missing: number;
  distinct?: number;
}
export interface Dataset {
  id: string;
  projectId: string;
  name: string;
  rows: number;
  columns: number;
  bytes: number;
  createdAt: string;
  profile: { columns: ProfileColumn[]; warnings: { kind: string; message: string; columns: string[] }[] };
}
export interface Run {
  id: string;
  kind: 'automl' | 'train' | 'evaluate' | 'retrain';
  modelId: string | null;
  projectId: string;
  datasetId: string;
  state: string;
  settings: { target: string; timeBudget?: number; metric?: string };
  progress: {
    elapsed: number;
    budget: number;
    trials: number;
    phase: string;
    best: { name: string; score: number } | null;
  } | null;
  error: string | null;
  createdAt: string;
}
export interface Model {
  id: string;
  projectId: string;
  runId: string;
  version: number;
  name: string;
  task: string;
  target: string;
  metrics: { holdout?: Record<string, number>; cv?: { metric: string; score: number } };
  createdAt: string;
}
export type ParamSpec =
  | { type: 'number' | 'integer'; default: number; min?: number; max?: number; description: string }
  | { type: 'boolean'; default: boolean; description: string }
  | { type: 'choice'; values: string[]; default: string; description: string }
  | { type: 'string'; default: string; description: string }
  | { type: 'multi'; values: string[]; default: string[]; description: string }
  | { type: 'columns'; default: string[] | null; description: string }
  | {
      type: 'optional-number';
      default: number | null;
      min?: number;
      max?: number;
      integer?: boolean;
      description: string;
    };
export interface Technique {
  id: string;
  stage: 'clean' | 'features' | 'model';
  title: string;
  description: string;
  tasks: string[] | null;
  params: Record<string, ParamSpec>;
}
export interface Trial {
  id: number;
  name: string;
  score: number;
  std: number;
  state: string;
  fitSeconds: number;
  baseline?: boolean;
}

/** One scored batch, realised-performance check or retraining decision of a model. */
export type HistoryEntry =
  | {
      id: string;
      kind: 'scoring';
      at: string;
      detail: {
        rows: number;
        warnings: number;
        source: string | null;
        drifted: string[] | null;
        features: number | null;
      };
    }
  | {
      id: string;
      kind: 'evaluation';
      at: string;
      detail: {
        data: string;
        rows: number;
        metric: string;
        score: { estimate: number; low: number; high: number };
        atTraining: number | null;
        drifted: string[] | null;
      };
    }
  | {
      id: string;
      kind: 'retrain';
      at: string;
      detail: { data: string; version: number; promoted: boolean; why: string; trainRows: number; compareRows: number };
    };

export const api = {
  async me(): Promise<{ user: User; csrf?: string }> {
    const r = await call<{ user: User; csrf?: string }>('GET', '/api/me');
    csrf = r.csrf;
    return r;
  },
  health: () => call<{ auth: 'local' | 'accounts'; version: string }>('GET', '/api/health'),
  async login(email: string, password: string): Promise<User> {
    const r = await call<{ user: User; csrf: string }>('POST', '/api/auth/login', { email, password });
    csrf = r.csrf;
    return r.user;
  },
  register: (email: string, name: string, password: string) =>
    call<{ user: User }>('POST', '/api/auth/register', { email, name, password }),
  logout: () => call('POST', '/api/auth/logout'),
  projects: () => call<{ projects: Project[] }>('GET', '/api/projects'),
  createProject: (name: string) => call<{ project: Project }>('POST', '/api/projects', { name }),
  project: (id: string) =>
    call<{ project: Project; datasets: Dataset[]; runs: Run[]; models: Model[] }>('GET', `/api/projects/${id}`),
  dataset: (id: string) => call<{ dataset: Dataset }>('GET', `/api/datasets/${id}`),
  startRun: (projectId: string, body: Record<string, unknown>) =>
    call<{ run: Run }>('POST', `/api/projects/${projectId}/runs`, body),
  train: (projectId: string, body: Record<string, unknown>) =>
    call<{ run: Run }>('POST', `/api/projects/${projectId}/train`, body),
  techniques: () => call<{ techniques: Technique[] }>('GET', '/api/techniques'),
  run: (id: string) => call<{ run: Run; model: Model | null }>('GET', `/api/runs/${id}`),
  trials: (id: string) => call<{ trials: Trial[] }>('GET', `/api/runs/${id}/trials`),
  cancel: (id: string) => call('POST', `/api/runs/${id}/cancel`),
  model: (id: string) =>
    call<{ model: Model; schema: { columns: { name: string; kind: string }[] }; classes: string[] }>(
      'GET',
      `/api/models/${id}`,
    ),
  tokens: () =>
    call<{ tokens: { id: string; name: string; createdAt: string; lastUsedAt: string | null }[] }>(
      'GET',
      '/api/tokens',
    ),
  createToken: (name: string) => call<{ id: string; name: string; token: string }>('POST', '/api/tokens', { name }),
  deleteToken: (id: string) => call('DELETE', `/api/tokens/${id}`),
  members: (projectId: string) =>
    call<{ members: { name: string; email: string; role: string }[] }>('GET', `/api/projects/${projectId}/members`),
  addMember: (projectId: string, email: string) => call('POST', `/api/projects/${projectId}/members`, { email }),
  connections: () => call<{ connections: { name: string; kind: 'sqlite' | 'postgres' }[] }>('GET', '/api/connections'),
  scoreTable: (id: string, body: { connection: string; table: string; outTable: string; keep?: string[] }) =>
    call<{ rows: number; table: string; warnings: string[]; drift: string | null }>(
      'POST',
      `/api/models/${id}/score-table`,
      body,
    ),
  history: (id: string) =>
    call<{ model: Model; origin: Run['kind'] | null; entries: HistoryEntry[]; active: Run[] }>(
      'GET',
      `/api/models/${id}/history`,
    ),
  evaluate: (id: string, datasetId: string) => call<{ run: Run }>('POST', `/api/models/${id}/evaluate`, { datasetId }),
  retrain: (id: string, datasetId: string, policy: string, how: { mode: 'refit' | 'automl'; timeBudget?: number }) =>
    call<{ run: Run }>('POST', `/api/models/${id}/retrain`, { datasetId, policy, ...how }),
};

/** Uploads with progress (fetch has no upload progress): resolves with the parsed JSON answer. */
export function uploadWithProgress<T>(url: string, file: File, onProgress: (share: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    if (csrf) xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      const data = xhr.responseText ? (JSON.parse(xhr.responseText) as { error?: string }) : {};
      if (xhr.status >= 200 && xhr.status < 300) resolve(data as T);
      else reject(new ApiError(xhr.status, data.error ?? `HTTP ${xhr.status}`));
    };
    xhr.onerror = () => reject(new ApiError(0, 'the upload failed (network)'));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

/** Scores a file with a model; resolves with the predictions CSV. */
export async function scoreFile(modelId: string, file: File, explain: boolean): Promise<string> {
  const form = new FormData();
  form.append('file', file, file.name);
  const headers: Record<string, string> = {};
  if (csrf) headers['x-csrf-token'] = csrf;
  const r = await fetch(`/api/models/${modelId}/score?explain=${explain}`, { method: 'POST', body: form, headers });
  const text = await r.text();
  if (!r.ok) throw new ApiError(r.status, (JSON.parse(text) as { error?: string }).error ?? `HTTP ${r.status}`);
  return text;
}
