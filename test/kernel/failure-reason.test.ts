import { describe, expect, it } from 'vitest';
import { failureReason } from '../../kernel/cell-loop.ts';
import { CairnError } from '../../protocols/index.ts';

describe('failure reasons', () => {
  it('failure reason - a handler error keeps its name, its code when it has one, and its message', () => {
    expect(failureReason(new CairnError('CAIRN_HUB_CERT_NOT_FOR_CLIENTS', 'cannot log in'))).toBe('CairnError [CAIRN_HUB_CERT_NOT_FOR_CLIENTS]: cannot log in');
    expect(failureReason(new Error('boom'))).toBe('Error: boom');
    expect(failureReason(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toBe('Error [ENOENT]: gone');
    expect(failureReason(Object.assign(new Error('odd'), { code: 42 }))).toBe('Error: odd');
    expect(failureReason('just text')).toBe('just text');
  });
});
