import { describe, expect, it } from 'vitest';
import { mixedFrame } from '../../test/frames.js';
import { train } from '../automl/train.js';
import { stringifyBundle } from './bundle.js';

describe('stringifyBundle', () => {
  it('parses back to what JSON.stringify gives, with numeric arrays on one line', () => {
    const f = mixedFrame(120);
    for (const model of ['gbdt', 'random-forest', 'linear']) {
      const { bundle } = train(f, { target: 'amount', model, params: {}, seed: 1 });
      const text = stringifyBundle(bundle);
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(bundle)));
      const pretty = JSON.stringify(bundle, null, 1);
      expect(text.length).toBeLessThan(pretty.length);
      if (model !== 'linear') expect(text.split('\n').length).toBeLessThan(pretty.split('\n').length / 3);
    }
    expect(stringifyBundle({ a: [1, NaN, 'x'], b: {}, c: [{ d: [] }], e: undefined })).toBe(
      '{\n "a": [1,null,"x"],\n "b": {},\n "c": [\n  {\n   "d": []\n  }\n ]\n}',
    );
  });
});
