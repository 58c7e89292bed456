/**
 * The subset of ONNX's protobuf messages an exported model needs (onnx.proto, IR version 8), written
 * with a small protocol-buffers encoder: varints, length-delimited fields and little-endian
 * numbers. Field numbers are ONNX's; nothing here knows about Glassbox.
 */

export const DataType = { FLOAT: 1, INT64: 7, STRING: 8, BOOL: 9, DOUBLE: 11 } as const;
export type DataType = (typeof DataType)[keyof typeof DataType];

export interface TensorProto {
  readonly name?: string;
  readonly dims: readonly number[];
  readonly dataType: DataType;
  /** DOUBLE, FLOAT, INT64 (as numbers: exact up to 2^53) or BOOL data. */
  readonly numbers?: ArrayLike<number>;
  readonly strings?: readonly string[];
}

export type AttributeValue =
  | { readonly f: number }
  | { readonly i: number }
  | { readonly s: string }
  | { readonly t: TensorProto }
  | { readonly floats: ArrayLike<number> }
  | { readonly ints: ArrayLike<number> }
  | { readonly strings: readonly string[] };

export interface NodeProto {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name: string;
  readonly opType: string;
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface ValueInfoProto {
  readonly name: string;
  readonly elemType: DataType;
  /** A string is a symbolic dimension (e.g. "N" rows). */
  readonly shape: readonly (number | string)[];
  readonly doc?: string;
}

export interface GraphProto {
  readonly name: string;
  readonly nodes: readonly NodeProto[];
  readonly initializers: readonly TensorProto[];
  readonly inputs: readonly ValueInfoProto[];
  readonly outputs: readonly ValueInfoProto[];
  readonly doc?: string;
}

export interface ModelProto {
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly doc?: string;
  readonly graph: GraphProto;
  readonly metadata?: Readonly<Record<string, string>>;
}

const utf8 = new TextEncoder();

/** Appends protobuf fields to a growing buffer. */
class Writer {
  private buf = new Uint8Array(1024);
  private len = 0;
  private readonly scratch = new DataView(new ArrayBuffer(8));

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Unsigned varint; negative int64 values as ten-byte two's complement, as protobuf requires. */
  varint(value: number): void {
    this.ensure(10);
    if (value < 0) {
      let v = BigInt.asUintN(64, BigInt(value));
      while (v >= 0x80n) {
        this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.buf[this.len++] = Number(v);
      return;
    }
    if (!Number.isSafeInteger(value)) throw new Error(`onnx: ${value} is not an integer protobuf can hold exactly`);
    while (value >= 0x80) {
      this.buf[this.len++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buf[this.len++] = value;
  }

  private key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  int(field: number, value: number): void {
    this.key(field, 0);
    this.varint(value);
  }

  bytes(field: number, data: Uint8Array): void {
    this.key(field, 2);
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  string(field: number, text: string): void {
    this.bytes(field, utf8.encode(text));
  }

  message(field: number, write: (w: Writer) => void): void {
    const inner = new Writer();
    write(inner);
    this.bytes(field, inner.finish());
  }

  float(field: number, value: number): void {
    this.key(field, 5);
    this.ensure(4);
    this.scratch.setFloat32(0, value, true);
    for (let i = 0; i < 4; i++) this.buf[this.len++] = this.scratch.getUint8(i);
  }

  packedVarints(field: number, values: ArrayLike<number>): void {
    const inner = new Writer();
    for (let i = 0; i < values.length; i++) inner.varint(values[i]);
    this.bytes(field, inner.finish());
  }

  packedFloats(field: number, values: ArrayLike<number>): void {
    this.bytes(field, new Uint8Array(Float32Array.from(values).buffer));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Little-endian bytes of the tensor's numbers (raw_data): the compact, exact form for every numeric type. */
function rawData(t: TensorProto): Uint8Array {
  const values = t.numbers ?? [];
  switch (t.dataType) {
    case DataType.DOUBLE:
      return new Uint8Array(Float64Array.from(values).buffer);
    case DataType.FLOAT:
      return new Uint8Array(Float32Array.from(values).buffer);
    case DataType.INT64:
      return new Uint8Array(BigInt64Array.from(Array.from(values, (v) => BigInt(v))).buffer);
    case DataType.BOOL:
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
    default:
      throw new Error(`onnx: tensor type ${t.dataType} has no raw data`);
  }
}

function writeTensor(w: Writer, t: TensorProto): void {
  if (t.dims.length) w.packedVarints(1, t.dims);
  w.int(2, t.dataType);
  if (t.dataType === DataType.STRING) for (const s of t.strings ?? []) w.string(6, s);
  if (t.name !== undefined) w.string(8, t.name);
  if (t.dataType !== DataType.STRING) w.bytes(9, rawData(t));
}

const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

function writeAttribute(w: Writer, name: string, a: AttributeValue): void {
  w.string(1, name);
  if ('f' in a) {
    w.float(2, a.f);
    w.int(20, ATTR.FLOAT);
  } else if ('i' in a) {
    w.int(3, a.i);
    w.int(20, ATTR.INT);
  } else if ('s' in a) {
    w.string(4, a.s);
    w.int(20, ATTR.STRING);
  } else if ('t' in a) {
    w.message(5, (x) => writeTensor(x, a.t));
    w.int(20, ATTR.TENSOR);
  } else if ('floats' in a) {
    w.packedFloats(7, a.floats);
    w.int(20, ATTR.FLOATS);
  } else if ('ints' in a) {
    w.packedVarints(8, a.ints);
    w.int(20, ATTR.INTS);
  } else {
    for (const s of a.strings) w.string(9, s);
    w.int(20, ATTR.STRINGS);
  }
}

function writeNode(w: Writer, n: NodeProto): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [name, a] of Object.entries(n.attributes ?? {})) w.message(5, (x) => writeAttribute(x, name, a));
  if (n.domain) w.string(7, n.domain);
}

function writeValueInfo(w: Writer, v: ValueInfoProto): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.elemType);
      tensor.message(2, (shape) => {
        for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
  if (v.doc) w.string(3, v.doc);
}

function writeGraph(w: Writer, g: GraphProto): void {
  for (const n of g.nodes) w.message(1, (x) => writeNode(x, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (x) => writeTensor(x, t));
  if (g.doc) w.string(10, g.doc);
  for (const v of g.inputs) w.message(11, (x) => writeValueInfo(x, v));
  for (const v of g.outputs) w.message(12, (x) => writeValueInfo(x, v));
}

/** The model as the bytes of an .onnx file. */
export function encodeModel(m: ModelProto): Uint8Array {
  const w = new Writer();
  w.int(1, m.irVersion);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  if (m.doc) w.string(6, m.doc);
  w.message(7, (x) => writeGraph(x, m.graph));
  for (const o of m.opsets)
    w.message(8, (x) => {
      if (o.domain) x.string(1, o.domain);
      x.int(2, o.version);
    });
  for (const [key, value] of Object.entries(m.metadata ?? {}))
    w.message(14, (x) => {
      x.string(1, key);
      x.string(2, value);
    });
  return w.finish();
}
