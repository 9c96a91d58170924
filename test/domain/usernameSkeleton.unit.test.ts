import { describe, expect, it } from 'vitest';
import { usernameStreamId } from '../../src/domain/ids.js';
import { usernameClaimStreamIds, usernameSkeleton } from '../../src/domain/usernameSkeleton.js';

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

describe('usernameClaimStreamIds', () => {
  it('is one stream for a name that is its own skeleton: the one it was always claimed under', () => {
    expect(usernameClaimStreamIds('Alice')).toEqual([usernameStreamId('alice')]);
  });

  it('is the skeleton first, then the normalised name, when they differ', () => {
    expect(usernameClaimStreamIds('Tom')).toEqual(['username-torn', 'username-tom']);
    expect(usernameClaimStreamIds('аlice')).toEqual(['username-alice', 'username-аlice']);
  });
});
