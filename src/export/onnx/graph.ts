import { GlassboxError } from '../../data/errors.js';
import { DataType, type AttributeValue, type NodeProto, type TensorProto, type ValueInfoProto } from './proto.js';

/**
 * One column of the row as the graph carries it: an [N, 1] tensor of doubles (NaN = missing, dates
 * as epoch milliseconds) or of strings ("" = missing).
 */
export interface Value {
  readonly name: string;
  readonly type: 'double' | 'string';
}

/** The row's columns by name, as steps add, replace and remove them. */
export type Columns = Map<string, Value>;

export const ML = 'ai.onnx.ml';

/** Builds an ONNX graph: nodes, constants (initializers) and inputs, with fresh names for everything. */
export class OnnxGraph {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  private counter = 0;

  fresh(hint: string): string {
    return `${hint.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40)}_${++this.counter}`;
  }

  input(name: string, type: Value['type'], doc: string): Value {
    this.inputs.push({ name, elemType: type === 'double' ? DataType.DOUBLE : DataType.STRING, shape: ['N', 1], doc });
    return { name, type };
  }

  private tensor(t: Omit<TensorProto, 'name'>, hint: string): string {
    const name = this.fresh(hint);
    this.initializers.push({ ...t, name });
    return name;
  }

  doubles(values: ArrayLike<number>, dims: readonly number[] = [values.length], hint = 'c'): string {
    return this.tensor({ dims, dataType: DataType.DOUBLE, numbers: values }, hint);
  }

  scalar(value: number): string {
    return this.doubles([value], [], 'k');
  }

  int64s(values: ArrayLike<number>, dims: readonly number[] = [values.length], hint = 'i'): string {
    return this.tensor({ dims, dataType: DataType.INT64, numbers: values }, hint);
  }

  strings(values: readonly string[], dims: readonly number[] = [values.length], hint = 's'): string {
    return this.tensor({ dims, dataType: DataType.STRING, strings: values }, hint);
  }

  /** Adds a node; returns its output names. */
  node(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
    options: { domain?: string; outputs?: number; hint?: string } = {},
  ): string[] {
    const outputs = Array.from({ length: options.outputs ?? 1 }, () => this.fresh(options.hint ?? opType));
    this.nodes.push({
      name: this.fresh(`n_${opType}`),
      opType,
      inputs,
      outputs,
      attributes,
      ...(options.domain ? { domain: options.domain } : {}),
    });
    return outputs;
  }

  op(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
    hint?: string,
  ): string {
    return this.node(opType, inputs, attributes, { hint })[0];
  }

  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  div(a: string, b: string): string {
    return this.op('Div', [a, b]);
  }
  floor(a: string): string {
    return this.op('Floor', [a]);
  }
  where(cond: string, a: string, b: string): string {
    return this.op('Where', [cond, a, b]);
  }
  isNaN(a: string): string {
    return this.op('IsNaN', [a]);
  }
  toDouble(a: string): string {
    return this.op('Cast', [a], { to: { i: DataType.DOUBLE } });
  }
  toBool(a: string): string {
    return this.op('Cast', [a], { to: { i: DataType.BOOL } });
  }
  /** Concatenates along axis 1 (columns); one input passes through. */
  concat(parts: readonly string[]): string {
    return parts.length === 1 ? parts[0] : this.op('Concat', parts, { axis: { i: 1 } });
  }
  /** Floor division as integers in doubles: floor(a / b). */
  floorDiv(a: string, b: number): string {
    return this.floor(this.div(a, this.scalar(b)));
  }

  /**
   * A string column's value as an index: key j -> j, missing ("") -> keys.length, anything else ->
   * keys.length + 1. Exact (int64), so per-category tables can be looked up with Gather.
   */
  categoryIndex(x: string, keys: readonly string[]): string {
    if (keys.includes(''))
      throw new GlassboxError('onnx: a category is the empty string, which ONNX inputs use for a missing value');
    return this.node(
      'LabelEncoder',
      [x],
      {
        keys_strings: { strings: [...keys, ''] },
        values_int64s: { ints: [...keys.map((_, j) => j), keys.length] },
        default_int64: { i: keys.length + 1 },
      },
      { domain: ML, hint: 'index' },
    )[0];
  }

  /** Looks a string column up in a table of doubles: per key, then for missing, then for anything unseen. */
  lookup(x: string, keys: readonly string[], values: ArrayLike<number>, missing: number, unseen: number): string {
    const table = this.doubles([...Array.from(values), missing, unseen]);
    return this.op('Gather', [table, this.categoryIndex(x, keys)], { axis: { i: 0 } }, 'lookup');
  }

  /** A bool [N, 1]: NaN for doubles, "" for strings. */
  isMissing(v: Value): string {
    if (v.type === 'double') return this.isNaN(v.name);
    return this.op('Equal', [this.categoryIndex(v.name, []), this.int64s([0], [1])]);
  }

  /** Column j (0-based) of an [N, K] tensor, as [N, 1]. */
  column(x: string, j: number): string {
    return this.op('Gather', [x, this.int64s([j], [1])], { axis: { i: 1 } });
  }
}
