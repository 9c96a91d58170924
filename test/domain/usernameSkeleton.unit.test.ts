import { describe, expect, it } from 'vitest';
import { usernameStreamId } from '../../src/domain/ids.js';
import { looksAlike, usernameClaimStreamIds, usernameLookAlikeKeys, usernameSkeleton } from '../../src/domain/usernameSkeleton.js';

const collide = (a: string, b: string): boolean => usernameSkeleton(a) === usernameSkeleton(b);

describe('usernameSkeleton', () => {
  it.each([
    ['аlice', 'Cyrillic а'],
    ['ａlice', 'fullwidth ａ (NFKC)'],
    ['ALICE', 'capitals'],
    ['аlіcе', 'Cyrillic а, і and е'],
    ['alicе', 'a Cyrillic е at the end'],
    ['ɑlice', 'Latin alpha'],
  ])('%s (%s) meets alice', (name) => {
    expect(collide(name, 'alice')).toBe(true);
  });

  it('keeps different names apart', () => {
    expect(collide('alice', 'alicia')).toBe(false);
    expect(collide('alice', 'alice2')).toBe(false);
    expect(collide('bob', 'rob')).toBe(false);
  });

  it('maps m to rn and 1 to l, as confusables.txt does', () => {
    expect(collide('tom', 'torn')).toBe(true);
    expect(collide('modern', 'rnodern')).toBe(true);
    expect(usernameSkeleton('m')).toBe('rn');
    expect(collide('bill', 'bi11')).toBe(true);
    expect(collide('tom', 'ton')).toBe(false);
  });

  it('lower-cases the prototypes too, so 0 meets O and o (a name is shown as its owner spelled it)', () => {
    expect(collide('bob0', 'BOBO')).toBe(true);
    expect(collide('bob0', 'bobo')).toBe(true);
  });

  it('is the name itself for most names, and a key never shown to anyone for the rest', () => {
    expect(usernameSkeleton('alice')).toBe('alice');
    expect(usernameSkeleton('Tom')).toBe('torn');
  });
});

// Decision (issue #15): a capital I is refused where it passes for an l. Names are shown as their owners spelled
// them, and in sans-serif fonts `I` and `l` are drawn alike (UTS #39 maps I to l); the case-folded skeleton alone
// turns I into i, so `aIice` passed beside `alice`. Both skeletons are keys now, the one of the name as written too.
describe('looksAlike: capital I and small l', () => {
  it.each([
    ['aIice', 'alice'],
    ['Ian', 'lan'],
    ['alIce', 'allce'],
    ['BILL', 'blll'],
    ['ΒOB', 'bob'],
  ])('%s looks like %s', (a, b) => {
    expect(looksAlike(a, b)).toBe(true);
    expect(looksAlike(b, a)).toBe(true);
  });

  it('keeps small i and small l apart, and the same name in any case is the same', () => {
    expect(looksAlike('ian', 'lan')).toBe(false);
    expect(looksAlike('alice', 'allce')).toBe(false);
    expect(looksAlike('alIce', 'alice')).toBe(true);
  });

  it('is generous, as lower-casing the skeleton always was (0 meets o): ALICE keeps allce out', () => {
    expect(looksAlike('ALICE', 'allce')).toBe(true);
  });

  it('leaves the case-folded skeleton as it was, so the keys existing accounts claimed stay theirs', () => {
    expect(usernameSkeleton('Ian')).toBe('ian');
    expect(usernameLookAlikeKeys('Ian')).toEqual(['ian', 'lan']);
    expect(usernameLookAlikeKeys('alice')).toEqual(['alice']);
  });
});

describe('usernameClaimStreamIds', () => {
  it('is one stream for a name that is its own skeleton: the one it was always claimed under', () => {
    expect(usernameClaimStreamIds('Alice')).toEqual([usernameStreamId('alice')]);
  });

  it('is the skeleton first, then the normalised name, when they differ', () => {
    expect(usernameClaimStreamIds('Tom')).toEqual(['username-torn', 'username-tom']);
    expect(usernameClaimStreamIds('аlice')).toEqual(['username-alice', 'username-аlice']);
  });

  it('claims the skeleton as written too where it differs: Ian holds lan', () => {
    expect(usernameClaimStreamIds('Ian')).toEqual(['username-ian', 'username-lan']);
    expect(usernameClaimStreamIds('IOU')).toEqual(['username-iou', 'username-lou']);
  });
});
