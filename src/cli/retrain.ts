import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import type { PromotePolicy } from '../automl/champion.js';
import { GlassboxError } from '../data/errors.js';
import { executeRetrain, POLICIES } from '../node/lifecycle.js';
import '../techniques/index.js';
import { addReadOptions, readOptionsFrom, type ReadFlags } from './read-options.js';

interface RetrainFlags extends ReadFlags {
  holdout: string;
  policy: string;
  seed: string;
  automl?: boolean;
  timeBudget: string;
  workers?: string;
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
    .option('--seed <n>', 'random seed of the split and the fit', '1')
    .option(
      '--automl',
      "rerun the champion's AutoML search (its run.json: metric, models, validation, seed) on the new rows instead of refitting its pipeline; the challenger's run folder is versions/N",
    )
    .option('--time-budget <seconds>', 'with --automl: seconds for the whole search', '60')
    .option('--workers <n>', 'with --automl: trials at once (default: all cores)');
  addReadOptions(cmd);
  cmd.action(async (bundlePath: string, data: string, flags: RetrainFlags) => {
    const share = Number(flags.holdout);
    if (!(share > 0 && share < 1))
      throw new GlassboxError(`--holdout must be a share in (0, 1), got "${flags.holdout}"`);
    if (!POLICIES.includes(flags.policy as PromotePolicy))
      throw new GlassboxError(`--policy must be one of ${POLICIES.join(', ')}, got "${flags.policy}"`);
    const seed = Number(flags.seed);
    if (!Number.isInteger(seed)) throw new GlassboxError(`--seed must be a whole number, got "${flags.seed}"`);
    const budget = Number(flags.timeBudget);
    if (!(budget > 0)) throw new GlassboxError(`--time-budget must be a positive number, got "${flags.timeBudget}"`);
    const workers = flags.workers === undefined ? availableParallelism() : Number(flags.workers);
    if (!(Number.isInteger(workers) && workers >= 1))
      throw new GlassboxError(`--workers must be a whole number of at least 1, got "${flags.workers}"`);
    const { message } = await executeRetrain({
      bundlePath,
      data,
      read: readOptionsFrom(flags),
      holdout: share,
      policy: flags.policy as PromotePolicy,
      seed,
      ...(flags.automl ? { automl: { budget, workers } } : {}),
    });
    process.stdout.write(message);
  });
  return cmd;
}
