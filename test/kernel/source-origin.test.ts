import { describe, expect, it } from 'vitest';
import { sourceOrigin } from '../../kernel/delivery-order.ts';

describe('source origin', () => {
  it('sourceOrigin - reads the origin stream and sequence of a sourced message', () => {
    expect(sourceOrigin('CAIRN_OUT_cloud:VngWEGgZ 42')).toEqual({ stream: 'CAIRN_OUT_cloud', seq: 42 });
    expect(sourceOrigin('CAIRN_OUT_edge1:abc 7 > >')).toEqual({ stream: 'CAIRN_OUT_edge1', seq: 7 });
  });

  it('sourceOrigin - ignores what is not a sourced message', () => {
    expect(sourceOrigin(undefined)).toBeUndefined();
    expect(sourceOrigin('')).toBeUndefined();
    expect(sourceOrigin('CAIRN_OUT_cloud:x notanumber')).toBeUndefined();
    expect(sourceOrigin('CAIRN_OUT_cloud:x 0')).toBeUndefined();
  });
});
