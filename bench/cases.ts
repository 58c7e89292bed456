/** The shared datasets every model benchmark runs on, and their fixed 80/20 splits. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATASETS, manifest, split } from './peers.js';

export type BenchTask = 'binary' | 'regression';

export interface Case {
  name: string;
  file: string;
  target: string;
  task: BenchTask;
  sep: string;
  /** Comma-separated columns split.py leaves out (for both sides). */
  drop?: string;
  /** Cells holding a lone space become empty (missing) for both sides. */
  blankSpaces?: boolean;
}

export interface PreparedCase {
  name: string;
  train: string;
  test: string;
  target: string;
  task: BenchTask;
}

export const CLASSIFICATION_CASES: Case[] = [
  { name: 'bank-full', file: 'bank-full.csv', target: 'y', task: 'binary', sep: ';' },
  {
    name: 'telco',
    file: 'WA_Fn-UseC_-Telco-Customer-Churn.csv',
    target: 'Churn',
    task: 'binary',
    sep: ',',
    drop: 'customerID',
    // TotalCharges is a lone space in 11 rows: pandas would read the column as text and the peers
    // would see a 6,500-category feature, so both sides get those cells empty (missing).
    blankSpaces: true,
  },
  { name: 'adult', file: 'adult-train.csv', target: 'income', task: 'binary', sep: ',' },
  { name: 'online-shoppers', file: 'online_shoppers_intention.csv', target: 'Revenue', task: 'binary', sep: ',' },
  // German credit: default 1 = good, 2 = bad (the positive class, index 1 in the peers' label order);
  // 'unknown' in checking_balance / savings_balance is a real category, not a missing value.
  { name: 'credit', file: 'credit.csv', target: 'default', task: 'binary', sep: ',' },
  // Pima diabetes: a 0 in Glucose, BloodPressure, SkinThickness, Insulin or BMI means missing. The data is
  // left as is for both sides (each may treat those zeros as it likes); CRLF, no final newline.
  { name: 'diabetes', file: 'diabetes.csv', target: 'Outcome', task: 'binary', sep: ',' },
];

export const REGRESSION_CASES: Case[] = [
  { name: 'insurance', file: 'insurance.csv', target: 'charges', task: 'regression', sep: ',' },
  {
    name: 'bike-hour',
    file: 'hour.csv',
    target: 'cnt',
    task: 'regression',
    sep: ',',
    // casual + registered = cnt (leakage); instant is a row index; dteday would be 731 text categories to pandas.
    drop: 'casual,registered,instant,dteday',
  },
];

/** Data rows of a CSV file with a header row (blank lines not counted). */
export function countRows(path: string): number {
  const text = readFileSync(path, 'utf8');
  return text.split('\n').filter((l) => l.trim() !== '').length - 1;
}

/** The case's train/test CSVs under ROOT/.bench, made once by split.py. */
export function prepareCase(c: Case, root: string): PreparedCase {
  const benchDir = join(root, '.bench');
  /** A rewritten copy of the data under .bench, made once. */
  const derived = (suffix: string, from: string, rewrite: (text: string) => string): string => {
    const path = join(benchDir, `${c.name}-${suffix}.csv`);
    if (!existsSync(path)) {
      mkdirSync(benchDir, { recursive: true });
      writeFileSync(path, rewrite(readFileSync(from, 'utf8')));
    }
    return path;
  };
  let file = join(DATASETS, c.file);
  const entry = manifest().find((m) => m.file === c.file);
  if (c.blankSpaces) file = derived('clean', file, (t) => t.replace(/,\s,/g, ',,'));
  // split.py reads a header row: give a headerless file one.
  if (entry?.header === false && entry.columns) {
    const header = entry.columns.join(',');
    file = derived('with-header', file, (t) => header + '\n' + t);
  }
  const sp = split(file, c.target, c.task, c.sep, root, c.drop);
  return { name: c.name, ...sp, target: c.target, task: c.task };
}
