import { describe, expect, it } from 'vitest';
import { DataType, encodeModel } from './proto.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('ONNX protobuf writer', () => {
  it('writes the bytes the protobuf encoding guide gives (varint 150, negative int64, strings)', () => {
    // ir_version 150 -> field 1, varint: 08 96 01 (the guide's own example).
    const m = encodeModel({
      irVersion: 150,
      opsets: [{ domain: '', version: -1 }],
      producerName: 'testing',
      producerVersion: '',
      graph: { name: '', nodes: [], initializers: [], inputs: [], outputs: [] },
    });
    expect(hex(m.subarray(0, 3))).toBe('089601');
    // producer_name "testing" -> field 2, length 7: 12 07 74 65 73 74 69 6e 67.
    expect(hex(m.subarray(3, 12))).toBe('120774657374696e67');
    // The opset's version -1 is ten bytes of two's complement: 10 ff ff ff ff ff ff ff ff ff 01.
    expect(hex(m)).toContain('10ffffffffffffffffff01');
  });

  it('stores doubles as little-endian raw data, exactly', () => {
    const m = encodeModel({
      irVersion: 8,
      opsets: [],
      producerName: '',
      producerVersion: '',
      graph: {
        name: 'g',
        nodes: [],
        initializers: [{ name: 'c', dims: [2], dataType: DataType.DOUBLE, numbers: [0.1, -Infinity] }],
        inputs: [],
        outputs: [],
      },
    });
    const raw = Buffer.from(new Float64Array([0.1, -Infinity]).buffer).toString('hex');
    // raw_data is field 9, length 16: 4a 10 ...
    expect(hex(m)).toContain('4a10' + raw);
  });
});
