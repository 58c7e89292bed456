import { join } from 'node:path';
import { train, type TrainResult } from '../automl/train.js';
import type { ReadOptions } from '../data/read-csv.js';
import { stringifyBundle } from '../export/bundle.js';
import { exportTypeScript } from '../export/typescript.js';
import { reportForTrain, type Profit } from '../report/report.js';
import type { Params, Task } from '../techniques/contract.js';
import { setForestRunner } from '../techniques/forest.js';
import { setGbdtPool } from '../techniques/gbdt.js';
import type { PipelineSpec } from '../techniques/pipeline.js';
import { writeCode, writeFileAtomic } from './files.js';
import { WorkerForestPool } from './forest-pool.js';
import { WorkerHistogramPool } from './histogram-pool.js';
import { writeReport } from './pdf.js';
import { forced, type ColumnChoice } from './read-flags.js';
import { readTable } from './read-table.js';

export interface TrainRunOptions {
  readonly data: string;
  readonly read?: ReadOptions;
  /** Column types set by the user instead of inferred. */
  readonly types?: Readonly<Record<string, ColumnChoice>>;
  readonly out: string;
  readonly target: string;
  readonly task?: Task;
  /** A model with the default preparation, or a whole pipeline. */
  readonly model?: string;
  readonly params?: Params;
  readonly pipeline?: PipelineSpec;
  readonly seed: number;
  readonly holdout: number;
  readonly drop?: readonly string[];
  readonly profit?: Profit;
  readonly pdf?: boolean;
  readonly warn?: (message: string) => void;
}

/**
 * One pipeline fitted without search, the way `glassbox train` and the server's hand-built runs
 * fit it: measured on a holdout, refitted on every row, and written into a folder (bundle,
 * journal, code/ and the report). Boosting and forests use every core while it runs.
 */
export async function executeTrain(o: TrainRunOptions): Promise<{ result: TrainResult; written: string[] }> {
  const read = await readTable(o.data, { ...(o.read ?? {}), ...forced(o.types) });
  for (const w of read.warnings) o.warn?.(w);
  // The models the run fits, a calibrated wrapper's inner model included.
  const models = (o.pipeline ? o.pipeline.steps : [{ technique: o.model ?? 'linear', params: o.params }]).flatMap(
    (st) => (st.technique === 'calibrated' ? [st.technique, String(st.params?.model ?? 'gbdt')] : [st.technique]),
  );
  const pool = models.includes('gbdt') ? new WorkerHistogramPool() : undefined;
  const forestPool =
    models.includes('random-forest') || models.includes('extra-trees') ? new WorkerForestPool() : undefined;
  setGbdtPool(pool);
  setForestRunner(forestPool?.run);
  let result: TrainResult;
  try {
    result = train(read.frame, {
      target: o.target,
      task: o.task,
      model: o.model,
      params: o.params ?? {},
      pipeline: o.pipeline,
      seed: o.seed,
      holdout: o.holdout,
      source: o.data,
      inferences: read.columns,
      drop: o.drop,
    });
  } finally {
    setGbdtPool(undefined);
    setForestRunner(undefined);
    await pool?.close();
    await forestPool?.close();
  }
  writeFileAtomic(join(o.out, 'bundle.json'), stringifyBundle(result.bundle) + '\n');
  writeFileAtomic(join(o.out, 'journal.json'), JSON.stringify(result.journal, null, 1) + '\n');
  writeCode(o.out, exportTypeScript(result.bundle, result.pipeline));
  const written = ['bundle.json', 'journal.json', 'code/'];
  const report = await reportForTrain(result, o.data, o.profit ? { profit: o.profit } : {});
  if (report) written.push(...writeReport(o.out, report, o.pdf));
  else if (o.pdf) o.warn?.('no holdout, so no report to print (--pdf)');
  return { result, written };
}
