import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsv, bytesSource } from '../../src/data/read-csv.js';
import { loadBundle } from '../../src/export/bundle.js';
import { readTable } from '../../src/node/read-table.js';
import { datasetPath } from '../datasets.js';
import { glassbox, isOneLineError, tempDir } from './cli.js';

const bank = datasetPath('bank-full.csv');

describe('glassbox profile', () => {
  it('profiles bank-full: rows, columns, separator, target balance and leakage', () => {
    const r = glassbox(['profile', bank, '--target', 'y', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.dataset.rows).toBe(45211);
    expect(p.dataset.cols).toBe(17);
    expect(p.dataset.format.separator).toBe(';');
    const text = glassbox(['profile', bank, '--target', 'y']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/duration/);
    expect(text.stdout).toMatch(/leak/i);
    expect(text.stdout).toMatch(/11\.7\s?%/);
  });
});

describe('glassbox train and predict', () => {
  const dir = tempDir();
  const out = join(dir, 'run');
  const train = glassbox(['train', bank, '--target', 'y', '--out', out, '--set', 'l2=1']);

  it('trains the logistic pipeline on bank-full and measures it on a holdout', () => {
    expect(train.code, train.stderr).toBe(0);
    const journal = JSON.parse(readFileSync(join(out, 'journal.json'), 'utf8'));
    expect(journal.task).toBe('binary');
    expect(journal.classes).toEqual(['no', 'yes']);
    expect(journal.validation.metrics.auc).toBeGreaterThan(0.9);
    expect(journal.steps.map((s: { technique: string }) => s.technique)).toEqual([
      'drop-columns',
      'drop-duplicates',
      'datetime-parts',
      'impute',
      'standard-scale',
      'one-hot',
      'linear',
    ]);
    for (const s of journal.steps) expect(s.rowsIn).toBeGreaterThan(0);
    const bundle = JSON.parse(readFileSync(join(out, 'bundle.json'), 'utf8'));
    expect(bundle.format).toBe('glassbox-bundle');
    expect(bundle.schema.columns.find((c: { name: string }) => c.name === 'job').categories).toContain('admin.');
    // The report: plain language first, charts inline, the same holdout AUC as the journal.
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain(`(AUC ${journal.validation.metrics.auc.toFixed(3)}; 95% interval`);
    expect(md).toMatch(/What drives it most: \*\*duration\*\*/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg/g)).toHaveLength(9);
    expect(train.stdout).toMatch(/wrote bundle.json, journal.json, code\/, report.html, report.md to /);
    expect(readdirSync(join(out, 'code')).sort()).toEqual(['README.md', 'cli.ts', 'model.ts', 'package.json']);
  });

  it('predict checks drift against the training data: one line on stderr, drift.json and drift.html beside the predictions', () => {
    // The same rows as training: nothing drifted.
    const same = glassbox(['predict', join(out, 'bundle.json'), bank, '--out', join(dir, 'same', 'p.csv')]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toContain('drift: 0 of 16 features drifted\n');
    // A deliberately shifted copy: balance doubled, every tenth row a job never seen in training.
    const lines = readFileSync(bank, 'utf8').trimEnd().split('\n');
    const shifted = lines.map((line, i) => {
      if (i === 0) return line;
      const cells = line.split(';');
      cells[5] = String(2 * Number(cells[5]));
      if (i % 10 === 0) cells[1] = '"astronaut"';
      return cells.join(';');
    });
    const file = join(dir, 'shifted.csv');
    writeFileSync(file, shifted.join('\n') + '\n');
    const r = glassbox(['predict', join(out, 'bundle.json'), file, '--out', join(dir, 'shifted', 'p.csv')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /drift: 2 of 16 features drifted: (job|balance) \(PSI [\d.]+\), (job|balance) \(PSI [\d.]+\)/,
    );
    const d = JSON.parse(readFileSync(join(dir, 'shifted', 'drift.json'), 'utf8'));
    expect([...d.drifted].sort()).toEqual(['balance', 'job']);
    expect(readFileSync(join(dir, 'shifted', 'drift.html'), 'utf8')).toContain(
      'never seen in training (&quot;astronaut&quot;)',
    );
    expect(r.stderr).toContain('categories not seen in training ("astronaut")');
    // Per row: the rows scored with a caveat say which.
    const scored = readFileSync(join(dir, 'shifted', 'p.csv'), 'utf8')
      .trimEnd()
      .split('\n');
    expect(scored[0]).toBe('prediction,proba_no,proba_yes,warnings');
    expect(scored[10]).toMatch(/,"job: unseen ""astronaut""(; balance: above the training range)?"$/);
    expect(scored[1].endsWith(',')).toBe(true);
  });

  it('--profit adds the most profitable threshold to the report, and --pdf prints it with headless Chromium', () => {
    const run = join(dir, 'profit');
    const diabetes = datasetPath('diabetes.csv');
    const r = glassbox(['train', diabetes, '--target', 'Outcome', '--out', run, '--profit', 'tp=190,fp=-10', '--pdf']);
    expect(r.code, r.stderr).toBe(0);
    const md = readFileSync(join(run, 'report.md'), 'utf8');
    expect(md).toMatch(
      /With a correctly flagged "1" row worth 190, a wrongly flagged row -10, acting on rows whose probability is at least 0\.\d{3} earns the most: \d+ on these 154 held-out rows/,
    );
    expect(md).toMatch(/\| most profit \| 0\.\d{3} \|/);
    const pdf = readFileSync(join(run, 'report.pdf'));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // Several pages: the summary, the charts and the steps do not fit on one.
    expect((pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length).toBeGreaterThan(2);
    const bad = glassbox(['train', diabetes, '--target', 'Outcome', '--out', join(dir, 'bad'), '--profit', 'tp=lots']);
    expect(isOneLineError(bad), bad.stderr).toBe(true);
    expect(bad.stderr).toContain('--profit "tp=lots": expected tp=VALUE,fp=VALUE');
  });

  it('predicts in input order, and the bundle reproduces the in-memory pipeline bit for bit', async () => {
    const preds = join(dir, 'preds.csv');
    const r = glassbox(['predict', join(out, 'bundle.json'), bank, '--out', preds]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(preds, 'utf8');
    expect(text.split('\n')[0]).toBe('prediction,proba_no,proba_yes');
    const scored = await readCsv(bytesSource('preds.csv', new TextEncoder().encode(text)));
    expect(scored.frame.nRows).toBe(45211);

    // The same pipeline, fitted in memory with the same seed, predicts the same bits.
    const { train } = await import('../../src/automl/train.js');
    const read = await readTable(bank);
    const mem = train(read.frame, { target: 'y', seed: 1, params: { l2: 1 }, inferences: read.columns });
    const p = mem.pipeline.predict(read.frame).proba as Float64Array;
    const col = scored.frame.get('proba_yes');
    if (col.kind !== 'numeric') throw new Error('proba_yes should be numeric');
    for (let i = 0; i < read.frame.nRows; i++)
      if (col.values[i] !== p[i * 2 + 1]) expect(col.values[i]).toBe(p[i * 2 + 1]);

    // And the bundle file loads into a pipeline that predicts identically too.
    const loaded = loadBundle(JSON.parse(readFileSync(join(out, 'bundle.json'), 'utf8')));
    expect(Array.from(loaded.pipeline.predict(read.frame).proba as Float64Array)).toEqual(Array.from(p));
    expect(loaded.bundle.fingerprint).toBe(mem.bundle.fingerprint);
  });

  it('--explain adds the three inputs that moved each prediction most', () => {
    const small = join(dir, 'explain.csv');
    writeFileSync(small, readFileSync(bank, 'utf8').split('\n').slice(0, 301).join('\n'));
    const r = glassbox(['predict', join(out, 'bundle.json'), small, '--explain']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('prediction,proba_no,proba_yes,reason_1,reason_2,reason_3');
    expect(lines).toHaveLength(301);
    const first = new Map<string, number>();
    for (const line of lines.slice(1)) {
      const m = /,([a-z_]+) = [^,]* \(([+−])\d/.exec(line);
      expect(m, line).not.toBeNull();
      const name = (m as RegExpExecArray)[1];
      first.set(name, (first.get(name) ?? 0) + 1);
    }
    // Call duration drives bank marketing's logistic model: the most frequent first reason.
    expect([...first.entries()].sort((a, b) => b[1] - a[1])[0][0]).toBe('duration');
  });

  it('fills a missing optional column with a warning, and rejects a missing required one', () => {
    const small = join(dir, 'small.csv');
    const lines = readFileSync(bank, 'utf8').split('\n').slice(0, 50);
    const header = lines[0].split(';');
    const drop = header.indexOf('"balance"');
    writeFileSync(
      small,
      lines
        .map((l) =>
          l
            .split(';')
            .filter((_, j) => j !== drop)
            .join(';'),
        )
        .join('\n'),
    );
    const r = glassbox(['predict', join(out, 'bundle.json'), small]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/column "balance" is missing/);
    expect(r.stdout.trim().split('\n')).toHaveLength(50);
    const strict = glassbox(['predict', join(out, 'bundle.json'), small, '--strict']);
    expect(isOneLineError(strict)).toBe(true);
    expect(strict.stderr).toMatch(/balance/);
  });

  it('names the row and column of a value that does not parse', () => {
    const bad = join(dir, 'bad.csv');
    const lines = readFileSync(bank, 'utf8').split('\n').slice(0, 10);
    lines[4] = lines[4].replace(/^\d+/, 'forty');
    writeFileSync(bad, lines.join('\n'));
    const r = glassbox(['predict', join(out, 'bundle.json'), bad]);
    expect(isOneLineError(r), r.stderr).toBe(true);
    expect(r.stderr).toMatch(/row 4 \(line 5\), column "age": "forty" is not a number/);
  });
});

describe('bad input gives one line, a non-zero exit and no stack trace', () => {
  const dir = tempDir();
  const write = (name: string, content: string | Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  const cases: [string, string[], RegExp][] = [
    ['missing file', ['profile', join(dir, 'nope.csv')], /nope\.csv: no such file/],
    ['empty file', ['profile', write('empty.csv', '')], /empty/],
    ['header only', ['profile', write('header.csv', 'a,b,c\n')], /no data rows/],
    [
      'ragged rows',
      ['profile', write('ragged.csv', 'a,b\n1,2\n3,4,5\n')],
      /row 2 \(line 3\): has 3 fields, expected 2/,
    ],
    ['binary file', ['profile', write('bin.csv', new Uint8Array([1, 2, 0, 0, 5, 6, 7, 0]))], /binary/],
    ['duplicate names', ['profile', write('dup.csv', 'a,b,a\n1,2,3\n')], /duplicate column name "a"/],
    ['unknown target', ['train', write('ok.csv', 'a,b\n1,x\n2,y\n'), '--target', 'zz'], /no column named "zz"/],
    ['one-class target', ['train', write('one.csv', 'a,b\n1,x\n2,x\n3,x\n'), '--target', 'b'], /only one class/],
    ['all-missing target', ['train', write('allna.csv', 'a,b\n1,\n2,NA\n'), '--target', 'b'], /missing in every row/],
    [
      'unknown model',
      ['train', write('m.csv', 'a,b\n1,x\n2,y\n'), '--target', 'b', '--model', 'nope'],
      /unknown technique "nope"/,
    ],
    [
      'unknown parameter',
      ['train', write('p.csv', 'a,b\n1,x\n2,y\n'), '--target', 'b', '--set', 'bogus=1'],
      /unknown parameter "bogus"/,
    ],
    [
      'bad parameter value',
      ['train', write('v.csv', 'a,b\n1,x\n2,y\n'), '--target', 'b', '--set', 'l2=-1'],
      /l2 must be >= 0/,
    ],
    ['not a bundle', ['predict', write('b.json', '{"x":1}'), write('d.csv', 'a\n1\n')], /not a usable Glassbox bundle/],
  ];
  for (const [name, args, pattern] of cases) {
    it(name, () => {
      const r = glassbox(args);
      expect(isOneLineError(r), `${name}: ${r.stderr}`).toBe(true);
      expect(r.stderr).toMatch(pattern);
    });
  }
});
