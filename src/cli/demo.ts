import { stringifyBundle } from '../export/bundle.js';
import { join } from 'node:path';
import { Command } from 'commander';
import { score } from '../automl/score.js';
import { train } from '../automl/train.js';
import { cellString } from '../data/frame.js';
import { profile, renderProfile } from '../data/profile.js';
import { csvChunks } from '../data/write-csv.js';
import { exampleData } from '../node/example.js';
import { freshDir, writeFileAtomic } from '../node/files.js';
import { reportForTrain } from '../report/report.js';
import { readTable } from '../node/read-table.js';
import { formatMetrics } from './format.js';

export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'the main job on the embedded example: profile Telco churn, train, measure, score (what npm start runs)',
    )
    .option('--out <dir>', 'output folder (default: runs/demo, never overwriting)')
    .action(async (flags: { out?: string }) => {
      const data = exampleData();
      const say = (s: string) => process.stdout.write(s + '\n');
      say(`Glassbox demo: which customers will churn? (${data})\n`);
      const read = await readTable(data);
      say(renderProfile(profile(read, { target: 'Churn' })));
      const result = train(read.frame, { target: 'Churn', seed: 1, source: data, inferences: read.columns });
      const j = result.journal;
      say(`\nPipeline: ${j.steps.map((s) => s.technique).join(' -> ')}`);
      if (j.validation)
        say(
          `Measured on ${j.validation.testRows} customers the model never saw: ${formatMetrics(j.validation.metrics)}`,
        );
      const out = flags.out ?? freshDir(join('runs', 'demo'));
      writeFileAtomic(join(out, 'bundle.json'), stringifyBundle(result.bundle) + '\n');
      writeFileAtomic(join(out, 'journal.json'), JSON.stringify(result.journal, null, 1) + '\n');
      const report = await reportForTrain(result, data);
      if (report) {
        writeFileAtomic(join(out, 'report.html'), report.html);
        writeFileAtomic(join(out, 'report.md'), report.markdown + '\n');
      }
      const scored = score(result.bundle, result.pipeline, read.frame);
      writeFileAtomic(join(out, 'predictions.csv'), csvChunks(scored.frame));
      const proba = scored.frame.get('proba_Yes');
      if (proba.kind === 'numeric') {
        const ids = read.frame.get('customerID');
        const top = Array.from(proba.values.keys())
          .sort((a, b) => proba.values[b] - proba.values[a])
          .slice(0, 5);
        say('\nThe five customers most likely to churn:');
        for (const i of top) say(`  ${cellString(ids, i)}  ${(proba.values[i] * 100).toFixed(1)}%`);
      }
      say(
        `\nWrote ${join(out, 'bundle.json')}, journal.json, predictions.csv${report ? ', report.html and report.md' : ''}.`,
      );
      say(`Score new data with: glassbox predict ${join(out, 'bundle.json')} <file.csv>`);
    });
}
