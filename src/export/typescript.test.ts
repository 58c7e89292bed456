import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { datasetPath, manifest } from '../../test/datasets.js';
import { rowOf } from '../../test/check-technique.js';
import { readCsv } from '../data/read-csv.js';
import { fileSource } from '../node/source.js';
import { train } from '../automl/train.js';
import { exportTypeScript } from './typescript.js';

type Row = Record<string, number | string | null>;

/**
 * Loads the exported files as one script: the CLI's import of the model and node:fs are resolved
 * by hand (tests only: Glassbox never evaluates a bundle or generated code).
 */
function load(files: Record<string, string>): {
  predictRow: (row: Row) => number[];
  scoreCsv: (text: string) => string;
  cellValue: (text: string | undefined, name: string, kind: string) => number | string | null;
} {
  const js = (source: string): string => {
    const out = ts.transpileModule(source, {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true },
      reportDiagnostics: true,
    });
    expect((out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    return out.outputText;
  };
  const model: Record<string, unknown> = {};
  new Function('exports', js(files['model.ts']))(model);
  const cli: Record<string, unknown> = {};
  const req = (name: string): unknown => (name === './model.js' ? model : name === 'node:fs' ? { readFileSync } : {});
  new Function('exports', 'require', 'process', js(files['cli.ts']))(cli, req, { argv: [] });
  return model.predictRow && cli.scoreCsv ? ({ ...model, ...cli } as never) : (undefined as never);
}

async function read(file: string) {
  const m = manifest().find((e) => e.file === file);
  return readCsv(fileSource(datasetPath(file)), m?.columns ? { columns: m.columns } : {});
}

describe('TypeScript export', () => {
  const cases: { file: string; target: string; model: string; params: Record<string, number> }[] = [
    // Categories (one-hot, target encoding) into an elastic net.
    { file: 'credit.csv', target: 'default', model: 'linear', params: { l1: 0.3, l2: 1 } },
    // Missing values and categories routed natively by gradient boosting.
    { file: 'titanic.csv', target: 'Survived', model: 'gbdt', params: { numRounds: 40 } },
    // A date column split into parts, a regression forest.
    { file: 'day.csv', target: 'cnt', model: 'random-forest', params: { nTrees: 20 } },
  ];
  for (const c of cases)
    it(`reproduces the bundle's predictions on every training row of ${c.file} (${c.model})`, async () => {
      const r = await read(c.file);
      const frame = r.frame;
      const { bundle, pipeline } = train(frame, {
        target: c.target,
        model: c.model,
        params: c.params,
        seed: 1,
        inferences: r.columns,
        ...(c.file === 'day.csv' ? { drop: ['instant', 'casual', 'registered'] } : {}),
      });
      const files = exportTypeScript(bundle, pipeline);
      const exported = load(files);
      const pred = pipeline.predict(frame);
      const flat = (pred.proba ?? pred.values) as Float64Array;
      const k = flat.length / frame.nRows;
      let worst = 0;
      for (let i = 0; i < frame.nRows; i++) {
        const out = exported.predictRow(rowOf(frame, i));
        for (let j = 0; j < k; j++) worst = Math.max(worst, Math.abs(out[j] - flat[i * k + j]));
      }
      expect(worst).toBeLessThanOrEqual(1e-12);

      // The CLI reads the raw file as Glassbox does: the same cells, the same predictions.
      const text = readFileSync(datasetPath(c.file), 'utf8');
      const lines = exported.scoreCsv(text).trim().split('\n');
      expect(lines).toHaveLength(frame.nRows + 1);
      for (let i = 0; i < frame.nRows; i += 37) {
        const cells = lines[i + 1].split(',');
        const got = pred.proba ? cells.slice(1).map(Number) : [Number(cells[0])];
        for (let j = 0; j < k; j++) expect(Math.abs(got[j] - flat[i * k + j])).toBeLessThanOrEqual(1e-12);
      }
      expect(files['README.md']).toContain(bundle.fingerprint);
    });

  it('the CLI turns cells into row values exactly as the reader does (numbers, markers, dates)', async () => {
    const r = await read('day.csv');
    const { bundle, pipeline } = train(r.frame, {
      target: 'cnt',
      model: 'linear',
      seed: 1,
      inferences: r.columns,
      drop: ['instant', 'casual', 'registered'],
    });
    const exported = load(exportTypeScript(bundle, pipeline));
    const date = bundle.schema.columns.find((c) => c.kind === 'datetime');
    expect(date?.name).toBe('dteday');
    const raw = readFileSync(datasetPath('day.csv'), 'utf8').trim().split('\n');
    const at = raw[0].split(',').indexOf('dteday');
    for (let i = 0; i < r.frame.nRows; i += 11)
      expect(exported.cellValue(raw[i + 1].split(',')[at], 'dteday', 'datetime')).toBe(rowOf(r.frame, i).dteday);
    for (const [text, want] of [
      ['3.5', 3.5],
      [' 2 ', 2],
      ['NA', NaN],
      ['?', NaN],
      ['', NaN],
      ['-1e3', -1000],
    ] as const)
      expect(exported.cellValue(text, 'temp', 'numeric')).toBe(want);
    expect(exported.cellValue(' NA ', 'x', 'categorical')).toBe(null);
  });
});
