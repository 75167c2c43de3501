import { describe, expect, it } from 'vitest';
import { isCairnError } from '../../../protocols/errors/cairn-error.ts';
import { PlacementCodes } from '../../../protocols/errors/placement-codes.ts';
import { InvalidPlacementInputError, place, validatePlacementInput } from '../../../supervisor-trees/placement/index.ts';
import { input, node, request } from './fixtures.ts';

describe('validatePlacementInput', () => {
  it('validatePlacementInput - a good input has no problems', () => {
    expect(validatePlacementInput(input([request('a')], [node('n', 'cloud')]))).toEqual([]);
  });

  it('validatePlacementInput - gathers every problem, not just the first', () => {
    const problems = validatePlacementInput(
      input(
        [request('a', { replicas: -1 }), request('a'), request('bad.actor', { resources: { cpu: -1, memoryMb: 0 } })],
        [node('n', 'cloud'), node('n', 'cloud')],
      ),
    );
    expect(problems).toEqual([
      'node "n": registered twice: node ids must be unique',
      'request shop/a: replicas -1 must be a whole number >= 0',
      'request shop/a: requested twice: merge the two into one request',
      'request shop/bad.actor: actor id "bad.actor" is not valid: use 1-128 characters from [A-Za-z0-9_-], starting with a letter or digit',
      'request shop/bad.actor: resources.cpu -1 must be >= 0',
      'request shop/bad.actor: instance id "bad.actor" is not valid (too long?): shorten the actor id or site name',
    ]);
  });

  it('validatePlacementInput - two actors whose instance ids collide are rejected', () => {
    const problems = validatePlacementInput(input([request('w', { replicas: 2 }), request('w-1')], [node('n', 'cloud')]));
    expect(problems).toEqual(['request shop/w-1: instance id w-1 is also an instance of actor w: rename one of the two actors']);
  });

  it('validatePlacementInput - a site label that disagrees with the node site is rejected', () => {
    const n = { ...node('n', 'cloud'), labels: { site: 'edge1' } };
    expect(validatePlacementInput(input([], [n]))).toEqual([
      'node "n": label site=edge1 disagrees with site cloud: drop the label or make them equal',
    ]);
  });

  it('place - throws InvalidPlacementInputError carrying the code and all problems', () => {
    let caught: unknown;
    try {
      place(input([request('a', { replicas: 1.5 })], []));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidPlacementInputError);
    expect(isCairnError(caught, PlacementCodes.INVALID_PLACEMENT_INPUT)).toBe(true);
    const e = caught as InvalidPlacementInputError;
    expect(e.name).toBe('InvalidPlacementInputError');
    expect(e.problems).toEqual(['request shop/a: replicas 1.5 must be a whole number >= 0']);
    expect(e.message).toContain('[error] request shop/a');
  });
});
