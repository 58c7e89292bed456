import { GlassboxError } from '../data/errors.js';
import type { Frame } from '../data/frame.js';
import type { Task } from '../techniques/contract.js';
import { rowsWithTarget } from '../techniques/pipeline.js';
import { guessTask, labelsOf, sortClasses, targetInfo } from '../techniques/target.js';

/** The training rows and target as every trainer needs them, with what was done for the journal. */
export interface PreparedTarget {
  readonly frame: Frame;
  readonly task: Task;
  readonly taskReason: string;
  readonly classes: readonly string[];
  readonly y: Float64Array;
  readonly rowsWithoutTarget: number;
  readonly dropped: readonly string[];
  readonly warnings: string[];
}

/**
 * Drops the columns the user left out, the rows without a target, and settles the task and the
 * classes (sorted), validating the target before any work starts.
 */
export function prepareTarget(
  input: Frame,
  options: { readonly target: string; readonly task?: Task; readonly drop?: readonly string[] },
): PreparedTarget {
  const warnings: string[] = [];
  const dropped = [...new Set(options.drop ?? [])];
  for (const name of dropped) {
    input.get(name);
    if (name === options.target) throw new GlassboxError(`cannot drop the target "${name}"`, { column: name });
  }
  if (dropped.length) input = input.drop(dropped);
  const targetCol = input.get(options.target);
  const keep = rowsWithTarget(input, options.target);
  if (keep.length === 0)
    throw new GlassboxError(`target "${options.target}" is missing in every row`, { column: options.target });
  const rowsWithoutTarget = input.nRows - keep.length;
  const frame = rowsWithoutTarget ? input.take(keep) : input;
  if (rowsWithoutTarget)
    warnings.push(`${rowsWithoutTarget} row(s) without a value for "${options.target}" were left out of training`);
  const task = options.task ?? guessTask(targetCol);
  const distinct = labelsOf(frame.get(options.target)).length;
  const taskReason = options.task
    ? `chosen by you (--task ${task})`
    : task === 'binary'
      ? `"${options.target}" has two values`
      : task === 'multiclass'
        ? `"${options.target}" has ${distinct} categories`
        : `"${options.target}" is numeric with ${distinct} distinct values`;
  const classes = task === 'regression' ? [] : sortClasses(labelsOf(frame.get(options.target)));
  const y = targetInfo(frame, options.target, task, classes.length ? classes : undefined).y;
  return { frame, task, taskReason, classes, y, rowsWithoutTarget, dropped, warnings };
}
