import { firstOccurrences } from '../data/duplicates.js';
import type { Frame } from '../data/frame.js';
import type { FittedJSON, FittedTransformer, Params, Technique, TransformContext } from './contract.js';
import { resolveParams } from './params.js';
import { register } from './registry.js';

class FittedDropDuplicates implements FittedTransformer {
  readonly kind = 'transformer';
  readonly technique = 'drop-duplicates';
  readonly inputs: string[] = [];
  readonly params: Params;

  constructor(params: Params) {
    this.params = params;
  }

  /** Only while training: scoring must return one prediction per input row. */
  transform(frame: Frame, ctx: TransformContext): Frame {
    if (!ctx.training) return frame;
    const keep = firstOccurrences(frame);
    return keep.length === frame.nRows ? frame : frame.take(keep);
  }

  toJSON(): FittedJSON {
    return { technique: this.technique, params: this.params, state: null };
  }

  emit(name: string) {
    return {
      name,
      code: `function ${name}(_row: Row): void {\n  // Duplicate rows are dropped only while training; scoring keeps every row.\n}`,
    };
  }
}

export const dropDuplicates: Technique = {
  id: 'drop-duplicates',
  stage: 'clean',
  title: 'Drop duplicate rows',
  description:
    'Removes exact duplicate rows from the training data so they do not count twice; scoring keeps every row.',
  params: {},
  fit(_frame, given) {
    return new FittedDropDuplicates(resolveParams(this.id, this.params, given));
  },
  fromJSON(json) {
    return new FittedDropDuplicates(json.params);
  },
};

register(dropDuplicates);
