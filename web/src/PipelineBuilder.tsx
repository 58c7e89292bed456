import { useEffect, useState, type FormEvent } from 'react';
import { api, type ParamSpec, type Technique } from './api';

type Value = string | number | boolean | string[] | null;
interface Step {
  technique: string;
  /** Only the parameters set away from their defaults. */
  params: Record<string, Value>;
}

/** One parameter's input, generated from its schema. */
function ParamInput(props: {
  name: string;
  spec: ParamSpec;
  value: Value | undefined;
  columns: readonly string[];
  onChange: (v: Value | undefined) => void;
}) {
  const { name, spec, value, columns, onChange } = props;
  const label = (control: React.ReactNode) => (
    <label className="param" title={spec.description}>
      <span>{name}</span> {control}
      <small>{spec.description}</small>
    </label>
  );
  switch (spec.type) {
    case 'number':
    case 'integer':
      return label(
        <input
          aria-label={name}
          type="number"
          step={spec.type === 'integer' ? 1 : 'any'}
          min={spec.min}
          max={spec.max}
          placeholder={String(spec.default)}
          value={value === undefined ? '' : String(value)}
          onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
        />,
      );
    case 'optional-number':
      return label(
        <input
          aria-label={name}
          type="number"
          step={spec.integer ? 1 : 'any'}
          min={spec.min}
          max={spec.max}
          placeholder={spec.default === null ? 'auto' : String(spec.default)}
          value={value === undefined || value === null ? '' : String(value)}
          onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
        />,
      );
    case 'boolean':
      return label(
        <input
          aria-label={name}
          type="checkbox"
          checked={value === undefined ? spec.default : Boolean(value)}
          onChange={(e) => onChange(e.target.checked === spec.default ? undefined : e.target.checked)}
        />,
      );
    case 'choice':
      return label(
        <select
          aria-label={name}
          value={value === undefined ? spec.default : String(value)}
          onChange={(e) => onChange(e.target.value === spec.default ? undefined : e.target.value)}
        >
          {spec.values.map((v) => (
            <option key={v}>{v}</option>
          ))}
        </select>,
      );
    case 'string':
      return label(
        <input
          aria-label={name}
          value={value === undefined ? '' : String(value)}
          placeholder={spec.default}
          onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
        />,
      );
    case 'multi': {
      const chosen = (value as string[] | undefined) ?? spec.default;
      return label(
        <select
          aria-label={name}
          multiple
          value={chosen}
          onChange={(e) => onChange(Array.from(e.target.selectedOptions, (o) => o.value))}
        >
          {spec.values.map((v) => (
            <option key={v}>{v}</option>
          ))}
        </select>,
      );
    }
    case 'columns': {
      const chosen = (value as string[] | undefined) ?? [];
      return label(
        <select
          aria-label={name}
          multiple
          value={chosen}
          onChange={(e) => {
            const picked = Array.from(e.target.selectedOptions, (o) => o.value);
            onChange(picked.length ? picked : undefined);
          }}
        >
          {columns.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>,
      );
    }
  }
}

/**
 * A pipeline by hand: preparation steps in order, then a model, each with a form generated from
 * its parameter schema (the same schema the CLI's --set and AutoML's search read), trained
 * without search.
 */
export function PipelineBuilder(props: {
  /** Column types the user changed on the profile. */
  types: Record<string, string>;
  projectId: string;
  datasetId: string;
  target: string;
  columns: readonly string[];
  onStarted: (runId: string) => void;
}) {
  const [techniques, setTechniques] = useState<Technique[]>([]);
  const [steps, setSteps] = useState<Step[]>([]);
  const [model, setModel] = useState<Step>({ technique: 'gbdt', params: {} });
  const [adding, setAdding] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .techniques()
      .then((r) => setTechniques(r.techniques))
      .catch((e: Error) => setError(e.message));
  }, []);
  const byId = new Map(techniques.map((t) => [t.id, t]));
  const prep = techniques.filter((t) => t.stage !== 'model');
  const models = techniques.filter((t) => t.stage === 'model' && t.id !== 'ensemble');
  const form = (step: Step, set: (s: Step) => void) => {
    const t = byId.get(step.technique);
    if (!t) return null;
    return (
      <div className="params">
        {Object.entries(t.params).map(([name, spec]) => (
          <ParamInput
            key={name}
            name={name}
            spec={spec}
            value={step.params[name]}
            columns={props.columns}
            onChange={(v) => {
              const params = { ...step.params };
              if (v === undefined) delete params[name];
              else params[name] = v;
              set({ ...step, params });
            }}
          />
        ))}
      </div>
    );
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api.train(props.projectId, {
        datasetId: props.datasetId,
        target: props.target,
        pipeline: { steps: [...steps, model] },
        ...(Object.keys(props.types).length ? { types: props.types } : {}),
      });
      props.onStarted(r.run.id);
    } catch (x) {
      setError((x as Error).message);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="stack builder" aria-label="Build a pipeline by hand">
      <ol>
        {steps.map((s, i) => (
          <li key={i}>
            <strong>{byId.get(s.technique)?.title ?? s.technique}</strong> ({s.technique}){' '}
            <button type="button" className="link" onClick={() => setSteps(steps.filter((_, j) => j !== i))}>
              remove
            </button>
            {form(s, (n) => setSteps(steps.map((x, j) => (j === i ? n : x))))}
          </li>
        ))}
      </ol>
      <div className="row">
        <label>
          Add a step{' '}
          <select value={adding} onChange={(e) => setAdding(e.target.value)}>
            <option value="">choose…</option>
            {prep.map((t) => (
              <option key={t.id} value={t.id}>
                {t.title} ({t.id})
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={!adding}
          onClick={() => {
            setSteps([...steps, { technique: adding, params: {} }]);
            setAdding('');
          }}
        >
          Add
        </button>
      </div>
      <label>
        Model{' '}
        <select
          aria-label="Model"
          value={model.technique}
          onChange={(e) => setModel({ technique: e.target.value, params: {} })}
        >
          {models.map((t) => (
            <option key={t.id} value={t.id}>
              {t.title} ({t.id})
            </option>
          ))}
        </select>
      </label>
      <p className="help">{byId.get(model.technique)?.description}</p>
      {form(model, setModel)}
      <button type="submit" disabled={!props.target}>
        Train this pipeline
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
