import { appendFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { compareModels, decide, labelledRows, type PromotePolicy } from '../automl/champion.js';
import { train } from '../automl/train.js';
import { GlassboxError } from '../data/errors.js';
import { holdoutSplit } from '../evaluate/split.js';
import { forcedTypes, loadBundle, stringifyBundle } from '../export/bundle.js';
import { readJsonFile, writeFileAtomic } from '../node/files.js';
import { readTable } from '../node/read-table.js';
import '../techniques/index.js';
import { addReadOptions, readOptionsFrom, type ReadFlags } from './read-options.js';
import { numericColumn, categoricalColumn } from '../data/frame.js';

interface RetrainFlags extends ReadFlags {
  holdout: string;
  policy: string;
  seed: string;
}

const POLICIES = ['significant', 'better', 'always'];

/** The next free version number under versions/, keeping the champion as version 1 the first time. */
function nextVersion(dir: string): number {
  const versions = join(dir, 'versions');
  if (!existsSync(versions)) return 1;
  const taken = readdirSync(versions)
    .map(Number)
    .filter((v) => Number.isInteger(v));
  return taken.length ? Math.max(...taken) + 1 : 1;
}

export function retrainCommand(): Command {
  const cmd = new Command('retrain')
    .description(
      "refit a bundle's pipeline on new labelled data (the challenger), compare it with the bundle (the champion) on the same held-out new rows by a paired bootstrap, and promote it to bundle.json only if the policy says so; every version is kept under versions/ and every decision in retrain.jsonl",
    )
    .argument('<bundle>', 'the champion: bundle.json written by train or automl')
    .argument('<data>', 'new data with the outcome column filled in')
    .option('--holdout <share>', 'share of the new rows set aside to compare the two', '0.25')
    .option(
      '--policy <policy>',
      'significant (better beyond chance, p < 0.05), better (any lower loss) or always',
      'significant',
    )
    .option('--seed <n>', 'random seed of the split and the fit', '1');
  addReadOptions(cmd);
  cmd.action(async (bundlePath: string, data: string, flags: RetrainFlags) => {
    const share = Number(flags.holdout);
    if (!(share > 0 && share < 1))
      throw new GlassboxError(`--holdout must be a share in (0, 1), got "${flags.holdout}"`);
    if (!POLICIES.includes(flags.policy))
      throw new GlassboxError(`--policy must be one of ${POLICIES.join(', ')}, got "${flags.policy}"`);
    const seed = Number(flags.seed);
    if (!Number.isInteger(seed)) throw new GlassboxError(`--seed must be a whole number, got "${flags.seed}"`);
    const { bundle, pipeline: champion } = loadBundle(readJsonFile(bundlePath, 'bundle'), bundlePath);
    const read = await readTable(data, { ...readOptionsFrom(flags), types: forcedTypes(bundle) });
    const { frame, y } = labelledRows(bundle, read.frame, data);
    const classification = bundle.task !== 'regression';
    const { train: fitRows, test } = holdoutSplit(y.length, share, seed, classification ? y : undefined);
    // The challenger learns from the new rows not set aside, with the champion's own pipeline.
    const target = bundle.target.name;
    const targetColumn = classification
      ? categoricalColumn(target, Int32Array.from(y), bundle.target.classes)
      : numericColumn(target, y);
    const challengerRun = train(frame.with(targetColumn).take(fitRows), {
      target,
      task: bundle.task,
      pipeline: bundle.pipeline,
      seed,
      holdout: 0,
    });
    const challenger = challengerRun.pipeline;
    if (classification && challenger.classes.join('\u0000') !== bundle.target.classes.join('\u0000'))
      throw new GlassboxError(
        `${data}: the new rows hold the classes ${challenger.classes.join(', ')}, the champion ${bundle.target.classes.join(', ')}: a challenger must predict the same classes`,
      );
    const testFrame = frame.take(test);
    const yTest = Float64Array.from(test, (i) => y[i]);
    const comparison = compareModels(champion, challenger, testFrame, yTest, bundle.task);
    const { promote, why } = decide(comparison, flags.policy as PromotePolicy);
    // Every version kept: the champion as version 1 the first time, then each challenger.
    const dir = dirname(bundlePath);
    let version = nextVersion(dir);
    if (version === 1) {
      mkdirSync(join(dir, 'versions', '1'), { recursive: true });
      writeFileAtomic(join(dir, 'versions', '1', 'bundle.json'), stringifyBundle(bundle) + '\n');
      version = 2;
    }
    mkdirSync(join(dir, 'versions', String(version)), { recursive: true });
    writeFileAtomic(
      join(dir, 'versions', String(version), 'bundle.json'),
      stringifyBundle(challengerRun.bundle) + '\n',
    );
    if (promote) writeFileAtomic(bundlePath, stringifyBundle(challengerRun.bundle) + '\n');
    const record = {
      at: new Date().toISOString(),
      data,
      champion: bundle.fingerprint,
      challenger: challengerRun.bundle.fingerprint,
      version,
      policy: flags.policy,
      promoted: promote,
      why,
      comparison,
      trainRows: fitRows.length,
      compareRows: test.length,
    };
    appendFileSync(join(dir, 'retrain.jsonl'), JSON.stringify(record) + '\n');
    process.stdout.write(
      `challenger (version ${version}) fitted on ${fitRows.length} new rows, compared on ${test.length} others: ${why}\n` +
        (promote
          ? `bundle.json is now version ${version}\n`
          : `bundle.json unchanged; the challenger is kept as versions/${version}\n`),
    );
  });
  return cmd;
}
