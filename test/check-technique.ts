import { expect } from 'vitest';
import ts from 'typescript';
import type { Column, Frame } from '../src/data/frame.js';
import type { FitContext, Fitted, Params, Technique } from '../src/techniques/contract.js';
import { resolveParams } from '../src/techniques/params.js';

type Row = Record<string, number | string | null>;

export interface CheckCase {
  readonly name: string;
  /** Training data; the target (for models) has role `target`. */
  readonly frame: Frame;
  readonly params?: Params;
  readonly ctx?: Partial<FitContext>;
  /** Data to transform or predict after fitting, e.g. with unseen categories; defaults to `frame`. */
  readonly apply?: Frame;
}

function cell(c: Column, i: number): number | string | null {
  switch (c.kind) {
    case 'numeric':
    case 'datetime':
      return c.values[i];
    case 'categorical':
      return c.codes[i] < 0 ? null : c.categories[c.codes[i]];
    case 'text':
      return c.values[i];
  }
}

export function rowOf(frame: Frame, i: number): Row {
  const row: Row = {};
  for (const c of frame.columns) row[c.name] = cell(c, i);
  return row;
}

/** Compiles one step's emitted TypeScript (tests only: bundles themselves are never evaluated). */
export function compileEmitted(fitted: Fitted): (row: Row) => unknown {
  const e = fitted.emit('step');
  const helpers = Object.values(e.helpers ?? {}).join('\n');
  const source = `type Row = Record<string, number | string | null>;\n${helpers}\n${e.code}\nreturn ${e.name};`;
  const diagnostics: string[] = [];
  const out = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None, strict: true },
    reportDiagnostics: true,
  });
  for (const d of out.diagnostics ?? []) diagnostics.push(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(diagnostics, `emitted code of ${fitted.technique} must compile`).toEqual([]);
  return new Function(out.outputText)() as (row: Row) => unknown;
}

/** Deep snapshot of a frame's arrays so a mutation of the input is caught. */
function snapshot(frame: Frame): string {
  return JSON.stringify(
    frame.columns.map((c) => [
      c.name,
      c.role,
      c.kind,
      Array.from({ length: frame.nRows }, (_, i) => String(cell(c, i))),
    ]),
  );
}

function same(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

function assertFramesEqual(actual: Frame, expected: Frame, what: string): void {
  expect(actual.names, what).toEqual(expected.names);
  expect(actual.nRows, what).toBe(expected.nRows);
  for (const c of expected.columns) {
    const a = actual.get(c.name);
    expect(a.kind, `${what}: kind of ${c.name}`).toBe(c.kind);
    for (let i = 0; i < expected.nRows; i++) {
      if (!same(cell(a, i), cell(c, i))) expect(cell(a, i), `${what}: ${c.name} row ${i}`).toBe(cell(c, i));
    }
  }
}

/**
 * The contract every technique keeps (scikit-learn's check_estimator in spirit): valid schema and
 * defaults, deterministic fit, no mutation of the input, JSON round trip with identical outputs,
 * and emitted standalone TypeScript that reproduces the outputs bit for bit, row by row.
 */
export function checkTechnique(technique: Technique, cases: readonly CheckCase[]): void {
  // Schema: defaults valid, search spaces inside the allowed range.
  const defaults = resolveParams(technique.id, technique.params, {});
  for (const [key, spec] of Object.entries(technique.params)) {
    expect(spec.description.length, `${technique.id}.${key} needs a description`).toBeGreaterThan(0);
    if (spec.search && (spec.search.type === 'float' || spec.search.type === 'int') && 'min' in spec) {
      if (spec.min !== undefined) expect(spec.search.low).toBeGreaterThanOrEqual(spec.min);
      if (spec.max !== undefined) expect(spec.search.high).toBeLessThanOrEqual(spec.max);
    }
  }
  expect(defaults).toBeDefined();
  expect(technique.description.length).toBeGreaterThan(10);

  for (const c of cases) {
    const ctx: FitContext = { seed: 7, ...c.ctx };
    const before = snapshot(c.frame);
    const fitted = technique.fit(c.frame, c.params ?? {}, ctx);
    expect(snapshot(c.frame), `${technique.id}/${c.name}: fit must not modify its input`).toBe(before);
    expect(fitted.technique).toBe(technique.id);

    // Determinism: same data, params and seed give the same fitted state.
    const again = technique.fit(c.frame, c.params ?? {}, ctx);
    expect(JSON.stringify(again.toJSON()), `${technique.id}/${c.name}: fit must be deterministic`).toBe(
      JSON.stringify(fitted.toJSON()),
    );

    // JSON round trip through text, as a bundle file would.
    const restored = technique.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())));
    expect(JSON.stringify(restored.toJSON())).toBe(JSON.stringify(fitted.toJSON()));
    const data = c.apply ?? c.frame;
    const run = compileEmitted(fitted);

    if (fitted.kind === 'transformer') {
      const snap = snapshot(data);
      const out = fitted.transform(data, { training: false });
      expect(snapshot(data), `${technique.id}/${c.name}: transform must not modify its input`).toBe(snap);
      if (restored.kind !== 'transformer') throw new Error('restored kind differs');
      assertFramesEqual(restored.transform(data, { training: false }), out, `${technique.id}/${c.name} restored`);
      // Non-feature columns pass through untouched.
      for (const col of data.columns.filter((x) => x.role !== 'feature')) expect(out.has(col.name)).toBe(true);
      for (let i = 0; i < data.nRows; i++) {
        const row = rowOf(data, i);
        run(row);
        const expected = rowOf(out, i);
        expect(Object.keys(row).sort(), `${technique.id}/${c.name}: emitted columns, row ${i}`).toEqual(
          Object.keys(expected).sort(),
        );
        for (const k of Object.keys(expected)) {
          if (!same(row[k], expected[k]))
            expect(row[k], `${technique.id}/${c.name}: emitted ${k}, row ${i}`).toBe(expected[k]);
        }
      }
    } else {
      const pred = fitted.predict(data);
      if (restored.kind !== 'model') throw new Error('restored kind differs');
      const pred2 = restored.predict(data);
      expect(Array.from(pred2.proba ?? pred2.values ?? [])).toEqual(Array.from(pred.proba ?? pred.values ?? []));
      const k = pred.proba ? pred.classes.length : 1;
      const flat = pred.proba ?? pred.values;
      if (!flat) throw new Error('a prediction has proba or values');
      for (let i = 0; i < data.nRows; i++) {
        const outRow = run(rowOf(data, i)) as number[];
        for (let j = 0; j < k; j++) {
          if (!same(outRow[j], flat[i * k + j]))
            expect(outRow[j], `${technique.id}/${c.name}: emitted output ${j}, row ${i}`).toBe(flat[i * k + j]);
        }
      }
    }
  }
}
