import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  api,
  ApiError,
  scoreFile,
  uploadWithProgress,
  type Dataset,
  type HistoryEntry,
  type Model,
  type Project,
  type Run,
  type Trial,
  type User,
} from './api';
import { PipelineBuilder } from './PipelineBuilder';

/** Routes live in the hash (#/p/ID ...), so the server serves one page and reloads keep the place. */
function useRoute(): string[] {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const on = () => setHash(window.location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash.replace(/^#\/?/, '').split('/').filter(Boolean);
}

const go = (path: string) => {
  window.location.hash = path;
};

function ErrorLine({ error }: { error: string | null }) {
  return error ? (
    <p role="alert" className="error">
      {error}
    </p>
  ) : null;
}

/** Loads with `load` when `deps` change; the error, if any, as one line. */
function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load()
      .then((d) => live && (setData(d), setError(null)))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}

export function App() {
  const route = useRoute();
  const [user, setUser] = useState<User | null>(null);
  const [mode, setMode] = useState<'local' | 'accounts' | null>(null);
  const [checked, setChecked] = useState(false);
  useEffect(() => {
    void api.health().then((h) => setMode(h.auth));
    api
      .me()
      .then((r) => setUser(r.user))
      .catch(() => setUser(null))
      .finally(() => setChecked(true));
  }, []);
  if (!checked) return <p>Loading…</p>;
  if (!user) return <SignIn onSignedIn={setUser} />;
  let page: ReactNode;
  if (route[0] === 'p' && route[1]) page = <ProjectPage id={route[1]} />;
  else if (route[0] === 'd' && route[1]) page = <DatasetPage id={route[1]} />;
  else if (route[0] === 'r' && route[1]) page = <RunPage id={route[1]} />;
  else if (route[0] === 'm' && route[1]) page = <ModelPage id={route[1]} />;
  else if (route[0] === 'tokens') page = <TokensPage />;
  else page = <ProjectsPage />;
  return (
    <>
      <header>
        <a href="#/" className="brand">
          Glassbox
        </a>
        <span className="who">
          <a href="#/tokens">API tokens</a> {user.name}
          {mode === 'accounts' && (
            <button type="button" onClick={() => void api.logout().then(() => setUser(null))}>
              Sign out
            </button>
          )}
        </span>
      </header>
      <main>{page}</main>
    </>
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (u: User) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [registering, setRegistering] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      if (registering) await api.register(email, name || email, password);
      onSignedIn(await api.login(email, password));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <main>
      <h1>{registering ? 'Create an account' : 'Sign in'}</h1>
      <form onSubmit={(e) => void submit(e)} className="stack">
        <label>
          Email{' '}
          <input
            type="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            autoComplete="username"
          />
        </label>
        {registering && (
          <label>
            Name <input value={name} onChange={(e) => setName(e.target.value)} />
          </label>
        )}
        <label>
          Password{' '}
          <input
            type="password"
            required
            minLength={registering ? 10 : 1}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete={registering ? 'new-password' : 'current-password'}
          />
        </label>
        <button type="submit">{registering ? 'Create account' : 'Sign in'}</button>
        <button type="button" className="link" onClick={() => setRegistering(!registering)}>
          {registering ? 'I have an account' : 'Create an account'}
        </button>
      </form>
      <ErrorLine error={error} />
    </main>
  );
}

function ProjectsPage() {
  const { data, error, reload } = useLoad(() => api.projects(), []);
  const [name, setName] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const p = await api.createProject(name);
      setName('');
      reload();
      go(`/p/${p.project.id}`);
    } catch (x) {
      setErr((x as Error).message);
    }
  };
  return (
    <>
      <h1>Projects</h1>
      <ErrorLine error={error ?? err} />
      <ul className="cards">
        {data?.projects.map((p: Project) => (
          <li key={p.id}>
            <a href={`#/p/${p.id}`}>{p.name}</a>
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => void create(e)} className="row">
        <label>
          New project{' '}
          <input required value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Churn 2026" />
        </label>
        <button type="submit">Create</button>
      </form>
    </>
  );
}

function ProjectPage({ id }: { id: string }) {
  const { data, error, reload } = useLoad(() => api.project(id), [id]);
  const [progress, setProgress] = useState<number | null>(null);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const send = async (file: File | undefined) => {
    if (!file) return;
    setUploadError(null);
    setProgress(0);
    try {
      const r = await uploadWithProgress<{ dataset: Dataset }>(`/api/projects/${id}/datasets`, file, setProgress);
      reload();
      go(`/d/${r.dataset.id}`);
    } catch (e) {
      setUploadError((e as Error).message);
    } finally {
      setProgress(null);
    }
  };
  if (error) return <ErrorLine error={error} />;
  if (!data) return <p>Loading…</p>;
  return (
    <>
      <h1>{data.project.name}</h1>
      <section>
        <h2>Data</h2>
        <div
          className={`drop${dragging ? ' over' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(e) => {
            e.preventDefault();
            setDragging(false);
            void send(e.dataTransfer.files[0]);
          }}
        >
          <p>Drop a CSV or Excel file here, or</p>
          <label className="button">
            Choose a file
            <input
              ref={input}
              type="file"
              accept=".csv,.txt,.tsv,.xlsx,.parquet,.jsonl"
              aria-label="Upload a table"
              onChange={(e) => void send(e.target.files?.[0])}
            />
          </label>
          {progress !== null && (
            <progress max={1} value={progress} aria-label="Upload progress">
              {Math.round(progress * 100)}%
            </progress>
          )}
        </div>
        <ErrorLine error={uploadError} />
        <table>
          <thead>
            <tr>
              <th>Dataset</th>
              <th>Rows</th>
              <th>Columns</th>
            </tr>
          </thead>
          <tbody>
            {data.datasets.map((d) => (
              <tr key={d.id}>
                <td>
                  <a href={`#/d/${d.id}`}>{d.name}</a>
                </td>
                <td>{d.rows.toLocaleString()}</td>
                <td>{d.columns}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section>
        <h2>Runs</h2>
        <table>
          <thead>
            <tr>
              <th>Started</th>
              <th>Predicts</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {data.runs.map((r: Run) => (
              <tr key={r.id}>
                <td>
                  <a href={`#/r/${r.id}`}>{new Date(r.createdAt).toLocaleString()}</a>
                </td>
                <td>
                  {r.settings.target}
                  {r.kind === 'evaluate' ? ' (outcomes checked)' : r.kind === 'retrain' ? ' (challenger)' : ''}
                </td>
                <td>{r.state}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <Members projectId={id} owner={data.project.role === 'owner'} />
      <section>
        <h2>Models</h2>
        <ul>
          {data.models.map((m: Model) => (
            <li key={m.id}>
              <a href={`#/m/${m.id}`}>
                {m.target}: {m.name}
              </a>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

/** Who can see the project; the owner adds people who have an account. */
function Members({ projectId, owner }: { projectId: string; owner: boolean }) {
  const { data, reload } = useLoad(() => api.members(projectId), [projectId]);
  const [email, setEmail] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setErr(null);
    try {
      await api.addMember(projectId, email);
      setEmail('');
      reload();
    } catch (x) {
      setErr((x as Error).message);
    }
  };
  return (
    <section aria-label="Members">
      <h2>Members</h2>
      <ul>
        {(data?.members ?? []).map((m) => (
          <li key={m.email}>
            {m.name} ({m.email}){m.role === 'owner' ? ', owner' : ''}
          </li>
        ))}
      </ul>
      {owner && (
        <form className="row" onSubmit={(e) => void add(e)}>
          <label>
            Add a member by email{' '}
            <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
          </label>
          <button type="submit">Add</button>
        </form>
      )}
      <ErrorLine error={err} />
    </section>
  );
}

/** API tokens for scripts: shown once when made, kept only as a hash, revocable. */
function TokensPage() {
  const { data, reload } = useLoad(() => api.tokens(), []);
  const [name, setName] = useState('');
  const [made, setMade] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setErr(null);
    try {
      setMade((await api.createToken(name)).token);
      setName('');
      reload();
    } catch (x) {
      setErr((x as Error).message);
    }
  };
  return (
    <>
      <h1>API tokens</h1>
      <p>
        Scripts call the API with <code>Authorization: Bearer TOKEN</code>. A token is shown once, when it is made; the
        server keeps only its hash.
      </p>
      <form className="row" onSubmit={(e) => void create(e)}>
        <label>
          Token name <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} />
        </label>
        <button type="submit">Make a token</button>
      </form>
      {made && (
        <p role="status">
          Your new token (copy it now): <code aria-label="New token">{made}</code>
        </p>
      )}
      <ErrorLine error={err} />
      <table aria-label="Tokens">
        <thead>
          <tr>
            <th>Name</th>
            <th>Made</th>
            <th>Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(data?.tokens ?? []).map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>{new Date(t.createdAt).toLocaleString()}</td>
              <td>{t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : 'never'}</td>
              <td>
                <button type="button" onClick={() => void api.deleteToken(t.id).then(reload)}>
                  Revoke {t.name}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** Goals a marketing team asks for, each setting the task and the measure. */
const GOALS = [
  {
    id: 'churn',
    title: 'Which customers will churn',
    help: 'A yes/no column saying who left. Ranked by AUC: how well leavers are put ahead of stayers.',
    metric: 'auc',
    words: ['churn', 'left', 'exited', 'attrition', 'cancel'],
  },
  {
    id: 'convert',
    title: 'Which leads will convert',
    help: 'A yes/no column saying who bought or signed up. Measured by lift in the top 10% you would call first.',
    metric: 'lift_at_10',
    words: ['convert', 'converted', 'purchase', 'revenue', 'response', 'outcome', 'y', 'subscribed'],
  },
  {
    id: 'amount',
    title: 'How much will they spend / sell',
    help: 'A number to predict (sales, spend, charges). Measured by the typical error (RMSE).',
    metric: 'rmse',
    words: ['sales', 'spend', 'amount', 'revenue', 'charges', 'price', 'cnt', 'value'],
  },
  {
    id: 'custom',
    title: 'Custom',
    help: 'Pick any column; Glassbox chooses the task and the measure.',
    metric: '',
    words: [],
  },
] as const;

const BUDGETS = [
  { seconds: 30, label: '30 seconds (a first look)' },
  { seconds: 60, label: '1 minute' },
  { seconds: 300, label: '5 minutes' },
  { seconds: 900, label: '15 minutes' },
  { seconds: 3600, label: '1 hour' },
];

function DatasetPage({ id }: { id: string }) {
  const { data, error } = useLoad(() => api.dataset(id), [id]);
  const [goal, setGoal] = useState<(typeof GOALS)[number]['id']>('custom');
  const [target, setTarget] = useState('');
  const [budget, setBudget] = useState(60);
  /** Column types the user changed: numbers, categories, text, or left out. */
  const [types, setTypes] = useState<Record<string, string>>({});
  const [err, setErr] = useState<string | null>(null);
  const dataset = data?.dataset;
  const g = GOALS.find((x) => x.id === goal) ?? GOALS[3];
  useEffect(() => {
    if (!dataset || target) return;
    const names = dataset.profile.columns.map((c) => c.name);
    const guess = names.find((n) => g.words.some((w) => n.toLowerCase() === w || n.toLowerCase().includes(w)));
    if (guess) setTarget(guess);
  }, [dataset, g, target]);
  if (error) return <ErrorLine error={error} />;
  if (!dataset) return <p>Loading…</p>;
  const start = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const r = await api.startRun(dataset.projectId, {
        datasetId: dataset.id,
        target,
        timeBudget: budget,
        ...(g.metric ? { metric: g.metric } : {}),
        ...(Object.keys(types).length ? { types } : {}),
      });
      go(`/r/${r.run.id}`);
    } catch (x) {
      setErr((x as Error).message);
    }
  };
  return (
    <>
      <p>
        <a href={`#/p/${dataset.projectId}`}>← project</a>
      </p>
      <h1>{dataset.name}</h1>
      <p>
        {dataset.rows.toLocaleString()} rows, {dataset.columns} columns.
      </p>
      {dataset.profile.warnings.length > 0 && (
        <section aria-label="What to know about this data">
          <h2>What to know</h2>
          <ul className="warnings">
            {dataset.profile.warnings.map((w, i) => (
              <li key={i}>{w.message}</li>
            ))}
          </ul>
        </section>
      )}
      <section>
        <h2>Columns</h2>
        <table>
          <thead>
            <tr>
              <th>Column</th>
              <th>Type</th>
              <th>Missing</th>
              <th>Distinct</th>
            </tr>
          </thead>
          <tbody>
            {dataset.profile.columns.map((c) => (
              <tr key={c.name} className={c.name === target ? 'target' : ''}>
                <td>{c.name}</td>
                <td>
                  <select
                    aria-label={`Type of ${c.name}`}
                    value={types[c.name] ?? ''}
                    onChange={(e) => {
                      const next = { ...types };
                      if (e.target.value) next[c.name] = e.target.value;
                      else delete next[c.name];
                      setTypes(next);
                    }}
                  >
                    <option value="">{c.type ?? c.kind} (as read)</option>
                    <option value="numeric">number</option>
                    <option value="categorical">category</option>
                    <option value="text">text</option>
                    {c.name !== target && <option value="ignore">leave out</option>}
                  </select>
                </td>
                <td>{c.missing}</td>
                <td>{c.distinct ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <form onSubmit={(e) => void start(e)} className="stack">
        <h2>What do you want to predict?</h2>
        <fieldset className="goals">
          <legend>Goal</legend>
          {GOALS.map((x) => (
            <label key={x.id} className={`goal${goal === x.id ? ' chosen' : ''}`}>
              <input type="radio" name="goal" value={x.id} checked={goal === x.id} onChange={() => setGoal(x.id)} />
              <strong>{x.title}</strong>
              <span>{x.help}</span>
            </label>
          ))}
        </fieldset>
        <label>
          Column to predict{' '}
          <select required value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">choose…</option>
            {dataset.profile.columns.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Time budget{' '}
          <select value={budget} onChange={(e) => setBudget(Number(e.target.value))}>
            {BUDGETS.map((b) => (
              <option key={b.seconds} value={b.seconds}>
                {b.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={!target}>
          Build the model
        </button>
      </form>
      <ErrorLine error={err} />
      <details className="by-hand">
        <summary>Or build the pipeline yourself, step by step (no search)</summary>
        <p className="help">
          Choose the preparation steps and the model, set any parameter, and train exactly that pipeline. Leave out the
          cleaning steps if your data is already clean.
        </p>
        <PipelineBuilder
          projectId={dataset.projectId}
          datasetId={dataset.id}
          target={target}
          columns={dataset.profile.columns.map((c) => c.name).filter((c) => c !== target)}
          types={types}
          onStarted={(runId) => go(`/r/${runId}`)}
        />
      </details>
    </>
  );
}

function RunPage({ id }: { id: string }) {
  const [run, setRun] = useState<Run | null>(null);
  const [model, setModel] = useState<Model | null>(null);
  const [trials, setTrials] = useState<Trial[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [chartTick, setChartTick] = useState(0);
  const [all, setAll] = useState(false);
  const refresh = useCallback(() => {
    api
      .run(id)
      .then((r) => {
        setRun(r.run);
        setModel(r.model);
      })
      .catch((e: ApiError) => setError(e.message));
    api
      .trials(id)
      .then((t) => setTrials(t.trials))
      .catch(() => undefined);
    setChartTick((t) => t + 1);
  }, [id]);
  useEffect(() => {
    refresh();
    // Live progress over server-sent events; each message refreshes what changed.
    const source = new EventSource(`/api/runs/${id}/events`);
    const onEvent = (e: MessageEvent<string>) => {
      const m = JSON.parse(e.data) as { type: string; event?: { elapsed: number; budget: number } };
      if (m.type === 'event' && m.event)
        setRun((r) =>
          r
            ? {
                ...r,
                progress: { ...(r.progress ?? { trials: 0, phase: '', best: null }), ...m.event } as Run['progress'],
              }
            : r,
        );
      else refresh();
    };
    for (const kind of ['snapshot', 'state', 'trial', 'event', 'done', 'failed'])
      source.addEventListener(kind, onEvent);
    source.addEventListener('state', (e) => {
      const s = JSON.parse((e as MessageEvent<string>).data) as { state: string };
      if (['done', 'failed', 'cancelled', 'interrupted'].includes(s.state)) source.close();
    });
    return () => source.close();
  }, [id, refresh]);
  const sorted = useMemo(
    () => [...trials].filter((t) => Number.isFinite(t.score)).sort((a, b) => b.score - a.score),
    [trials],
  );
  if (error) return <ErrorLine error={error} />;
  if (!run) return <p>Loading…</p>;
  const p = run.progress;
  const active = run.state === 'running' || run.state === 'queued';
  return (
    <>
      <p>
        <a href={`#/p/${run.projectId}`}>← project</a>
      </p>
      <h1>Predicting {run.settings.target}</h1>
      {run.kind === 'train' && <p>One pipeline, trained as you built it (no search).</p>}
      {(run.kind === 'evaluate' || run.kind === 'retrain') && run.modelId && (
        <p>
          {run.kind === 'evaluate' ? 'A check of realised performance' : 'A challenger trained on new outcomes'} for{' '}
          <a href={`#/m/${run.modelId}`}>the model</a>: its result is in the model's history.
        </p>
      )}
      <div aria-live="polite" className="status">
        <p>
          State: <strong data-testid="run-state">{run.state}</strong>
          {p ? ` · ${Math.round(p.elapsed)} of ${p.budget} s · ${p.trials} trials` : ''}
          {p?.best ? ` · best so far ${p.best.score.toFixed(4)} (${p.best.name.split('(')[0]})` : ''}
        </p>
        {p && <progress max={p.budget} value={Math.min(p.elapsed, p.budget)} aria-label="Time used" />}
        {run.error && <p className="error">{run.error}</p>}
      </div>
      {active && (
        <button type="button" onClick={() => void api.cancel(run.id).then(refresh)}>
          Cancel
        </button>
      )}
      {model && (
        <p className="done">
          <a href={`#/m/${model.id}`} className="button">
            See the model and its report
          </a>
        </p>
      )}
      {run.kind === 'automl' && (
        <section>
          <h2>Leaderboard</h2>
          {trials.length > 1 && (
            <img src={`/api/runs/${run.id}/chart.svg?t=${chartTick}`} alt="Trial scores in the order they ran" />
          )}
          <table>
            <thead>
              <tr>
                <th>#</th>
                <th>Pipeline</th>
                <th>Score (cross-validated)</th>
                <th>± sd</th>
                <th>Fit s</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {(all ? sorted : sorted.slice(0, 25)).map((t) => (
                <tr key={t.id}>
                  <td>{t.id}</td>
                  <td className="pipeline">{t.name}</td>
                  <td>{t.score.toFixed(4)}</td>
                  <td>{Number.isFinite(t.std) ? t.std.toFixed(4) : ''}</td>
                  <td>{t.fitSeconds.toFixed(1)}</td>
                  <td>{t.state}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {sorted.length > 25 && (
            <button type="button" className="link" onClick={() => setAll(!all)}>
              {all ? 'Show the best 25' : `Show all ${sorted.length} trials`}
            </button>
          )}
        </section>
      )}
    </>
  );
}

function ModelPage({ id }: { id: string }) {
  const { data, error } = useLoad(() => api.model(id), [id]);
  const [file, setFile] = useState<File | null>(null);
  const [explain, setExplain] = useState(true);
  const [csv, setCsv] = useState<string | null>(null);
  const [scoring, setScoring] = useState(false);
  const [scored, setScored] = useState(0);
  const [err, setErr] = useState<string | null>(null);
  const download = useMemo(() => (csv ? URL.createObjectURL(new Blob([csv], { type: 'text/csv' })) : null), [csv]);
  if (error) return <ErrorLine error={error} />;
  if (!data) return <p>Loading…</p>;
  const m = data.model;
  const holdout = m.metrics.holdout ?? {};
  const score = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setScoring(true);
    setErr(null);
    try {
      setCsv(await scoreFile(m.id, file, explain));
      setScored((n) => n + 1);
    } catch (x) {
      setErr((x as Error).message);
    } finally {
      setScoring(false);
    }
  };
  const preview = csv ? parseCsv(csv).slice(0, 11) : null;
  return (
    <>
      <h1>
        {m.target}: {m.name}
      </h1>
      <p>
        {Object.entries(holdout)
          .map(([k, v]) => `${k.toUpperCase()} ${v.toFixed(3)} on rows it never saw`)
          .join(' · ')}
      </p>
      <nav className="row" aria-label="Downloads">
        <a className="button" href={`/api/models/${m.id}/report`} target="_blank" rel="noreferrer">
          Open the report
        </a>
        <a href={`/api/models/${m.id}/bundle`} download>
          Bundle (JSON)
        </a>
        <a href={`/api/models/${m.id}/code`} download>
          Code (TypeScript)
        </a>
        <a href={`/api/models/${m.id}/onnx`} download>
          ONNX
        </a>
      </nav>
      <section>
        <h2>Score new data</h2>
        <form onSubmit={(e) => void score(e)} className="stack">
          <label>
            File to score{' '}
            <input
              type="file"
              accept=".csv,.txt,.xlsx,.parquet,.jsonl"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          </label>
          <label>
            <input type="checkbox" checked={explain} onChange={(e) => setExplain(e.target.checked)} /> Add the reasons
            for each prediction
          </label>
          <button type="submit" disabled={!file || scoring}>
            {scoring ? 'Scoring…' : 'Score'}
          </button>
        </form>
        <ErrorLine error={err} />
        {preview && download && (
          <>
            <p>
              <a href={download} download="predictions.csv" className="button">
                Download predictions.csv
              </a>{' '}
              ({parseCsv(csv!).length - 1} rows)
            </p>
            <table aria-label="First predictions">
              <thead>
                <tr>
                  {preview[0].map((h) => (
                    <th key={h}>{h}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {preview.slice(1).map((r, i) => (
                  <tr key={i}>
                    {r.map((c, j) => (
                      <td key={j}>{c}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
      <TableScoring model={m} onScored={() => setScored((n) => n + 1)} />
      <Monitoring model={m} scored={scored} />
    </>
  );
}

/** Scoring a table of one of the server's database connections into a new table beside it. */
function TableScoring({ model, onScored }: { model: Model; onScored: () => void }) {
  const { data } = useLoad(() => api.connections(), []);
  const [connection, setConnection] = useState('');
  const [table, setTable] = useState('');
  const [outTable, setOutTable] = useState('');
  const [keep, setKeep] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const connections = data?.connections ?? [];
  if (!connections.length) return null;
  const chosen = connection || connections[0].name;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    setDone(null);
    try {
      const r = await api.scoreTable(model.id, {
        connection: chosen,
        table,
        outTable,
        keep: keep
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean),
      });
      setDone(
        `Wrote ${r.rows.toLocaleString()} predictions to ${r.table}.${r.drift ? ` ${r.drift}` : ''}${r.warnings.length ? ` ${r.warnings.length} warning(s): ${r.warnings[0]}` : ''}`,
      );
      onScored();
    } catch (x) {
      setErr((x as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-label="Score a database table">
      <h2>Score a database table</h2>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <label>
          Database{' '}
          <select value={chosen} onChange={(e) => setConnection(e.target.value)}>
            {connections.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} ({c.kind})
              </option>
            ))}
          </select>
        </label>
        <label>
          Table to score <input value={table} onChange={(e) => setTable(e.target.value)} placeholder="customers" />
        </label>
        <label>
          New table for the predictions{' '}
          <input value={outTable} onChange={(e) => setOutTable(e.target.value)} placeholder="churn_scores" />
        </label>
        <label>
          Columns to copy (an id to join on){' '}
          <input value={keep} onChange={(e) => setKeep(e.target.value)} placeholder="customer_id" />
        </label>
        <button type="submit" disabled={!table || !outTable || busy}>
          {busy ? 'Scoring…' : 'Score the table'}
        </button>
      </form>
      {done && <p role="status">{done}</p>}
      <ErrorLine error={err} />
    </section>
  );
}

const POLICY_HELP: Record<string, string> = {
  significant: 'only if it is better beyond chance (paired bootstrap, p < 0.05)',
  better: 'if it scores better at all on the rows set aside',
  always: 'always (the old version is still kept)',
};

/** One line of a model's history, in plain words. */
function historyLine(e: HistoryEntry, modelId: string): ReactNode {
  if (e.kind === 'scoring') {
    const d = e.detail;
    return (
      <>
        Scored {d.rows.toLocaleString()} rows{d.source ? ` of ${d.source}` : ''}
        {d.warnings ? `, ${d.warnings} warning(s)` : ''}
        {d.drifted !== null && (
          <>
            {' · '}
            <a href={`/api/models/${modelId}/drift/${e.id}`} target="_blank" rel="noreferrer">
              {d.drifted.length === 0
                ? `no drift in ${d.features} columns`
                : `${d.drifted.length} of ${d.features} columns drifted: ${d.drifted.slice(0, 4).join(', ')}`}
            </a>
          </>
        )}
      </>
    );
  }
  if (e.kind === 'evaluation') {
    const d = e.detail;
    const f = (v: number) => v.toFixed(3);
    return (
      <>
        Outcomes of {d.rows.toLocaleString()} rows ({d.data}): {d.metric.toUpperCase()} {f(d.score.estimate)} (95%{' '}
        {f(d.score.low)} to {f(d.score.high)}){d.atTraining !== null && `, ${f(d.atTraining)} when trained`}
      </>
    );
  }
  const d = e.detail;
  return (
    <>
      <strong>{d.promoted ? `Version ${d.version} promoted` : `Version ${d.version} not promoted`}</strong> (fitted on{' '}
      {d.trainRows.toLocaleString()} rows of {d.data}, compared on {d.compareRows.toLocaleString()}): {d.why}
    </>
  );
}

/** Drift and realised performance over time, and champion / challenger retraining. */
function Monitoring({ model, scored }: { model: Model; scored: number }) {
  // Read again after each file scored on the page: the batch joins the history.
  const { data, error, reload } = useLoad(() => api.history(model.id), [model.id, scored]);
  const project = useLoad(() => api.project(model.projectId), [model.projectId]);
  const [datasetId, setDatasetId] = useState('');
  const [policy, setPolicy] = useState('significant');
  const [how, setHow] = useState('refit');
  const [err, setErr] = useState<string | null>(null);
  const busy = (data?.active.length ?? 0) > 0;
  // While a check or a challenger runs, the history is read again every two seconds.
  useEffect(() => {
    if (!busy) return;
    const t = setTimeout(reload, 2000);
    return () => clearTimeout(t);
  }, [busy, data]);
  const labelled = (project.data?.datasets ?? []).filter((d) => d.profile.columns.some((c) => c.name === model.target));
  const start = async (what: 'evaluate' | 'retrain') => {
    setErr(null);
    try {
      if (what === 'evaluate') await api.evaluate(model.id, datasetId);
      else
        await api.retrain(
          model.id,
          datasetId,
          policy,
          how === 'refit' ? { mode: 'refit' } : { mode: 'automl', timeBudget: Number(how) },
        );
      reload();
    } catch (x) {
      setErr((x as Error).message);
    }
  };
  if (error) return <ErrorLine error={error} />;
  if (!data) return null;
  const entries = data.entries;
  const version = data.model.version;
  return (
    <section aria-label="Monitoring">
      <h2>Monitoring</h2>
      <p>
        Serving version {version}
        {version > 1 ? ' (a retrained challenger)' : ' (as trained)'}. Every file scored here is checked for drift
        against the training data; when the outcomes arrive, upload them to the project to see how the model really did,
        or to train a challenger.
      </p>
      {entries.some((e) => e.kind === 'evaluation') && (
        <img
          src={`/api/models/${model.id}/history/realised.svg?n=${entries.length}`}
          alt="Realised performance of each labelled batch, with its 95% interval and the score at training"
        />
      )}
      {entries.some((e) => e.kind === 'scoring') && (
        <img
          src={`/api/models/${model.id}/history/drift.svg?n=${entries.length}`}
          alt="Number of drifted columns in each scored batch"
        />
      )}
      {entries.length > 0 ? (
        <table aria-label="Model history">
          <thead>
            <tr>
              <th>When</th>
              <th>What</th>
            </tr>
          </thead>
          <tbody>
            {[...entries].reverse().map((e) => (
              <tr key={e.id}>
                <td>{new Date(e.at).toLocaleString()}</td>
                <td>{historyLine(e, model.id)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>Nothing scored or checked yet.</p>
      )}
      <form className="stack" onSubmit={(e) => e.preventDefault()}>
        <label>
          Data with the outcomes ({model.target}){' '}
          <select value={datasetId} onChange={(e) => setDatasetId(e.target.value)}>
            <option value="">Choose a dataset of this project…</option>
            {labelled.map((d: Dataset) => (
              <option key={d.id} value={d.id}>
                {d.name} · {d.rows.toLocaleString()} rows
              </option>
            ))}
          </select>
        </label>
        <label>
          The challenger{' '}
          <select value={how} onChange={(e) => setHow(e.target.value)}>
            <option value="refit">the same pipeline, fitted on the new rows</option>
            {data.origin === 'automl' &&
              BUDGETS.slice(0, 3).map((b) => (
                <option key={b.seconds} value={String(b.seconds)}>
                  a new AutoML search with the same settings, {b.label}
                </option>
              ))}
          </select>
        </label>
        <label>
          Promote the challenger{' '}
          <select value={policy} onChange={(e) => setPolicy(e.target.value)}>
            {Object.entries(POLICY_HELP).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <div className="row">
          <button type="button" disabled={!datasetId || busy} onClick={() => void start('evaluate')}>
            Check realised performance
          </button>
          <button type="button" disabled={!datasetId || busy} onClick={() => void start('retrain')}>
            Retrain
          </button>
        </div>
      </form>
      {busy && (
        <p role="status">
          {data.active.map((r) => (r.kind === 'retrain' ? 'Training a challenger' : 'Checking')).join(', ')}… (
          {data.active[0].state})
        </p>
      )}
      <ErrorLine error={err} />
    </section>
  );
}

/** RFC 4180 rows: quoted cells may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
