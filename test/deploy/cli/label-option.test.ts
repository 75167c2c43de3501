import { describe, expect, it } from 'vitest';
import { labelOption } from '../../../deploy/cli/option-parsers.ts';
import { DeployCodes } from '../../../protocols/index.ts';

describe('--label', () => {
  const parse = labelOption('--label');

  it('labelOption - collects repeated key=value pairs into one record, later keys winning', () => {
    let labels = parse('gpu=true', undefined);
    labels = parse('zone = north ', labels);
    labels = parse('gpu=false', labels);
    expect(labels).toEqual({ gpu: 'false', zone: 'north' });
  });

  it('labelOption - keeps "=" inside the value and allows an empty value', () => {
    expect(parse('expr=a=b', undefined)).toEqual({ expr: 'a=b' });
    expect(parse('flag=', undefined)).toEqual({ flag: '' });
  });

  it('labelOption - a pair without "=" or without a key is a usage error naming the option and an example', () => {
    for (const bad of ['gpu', '=true']) {
      expect(() => parse(bad, undefined)).toThrow(expect.objectContaining({ code: DeployCodes.CLI_USAGE, message: expect.stringContaining('--label gpu=true') }));
    }
  });
});
