import { describe, expect, it } from 'vitest';
import { addressedMembers } from '../../src/assistants/answerTriggers.js';
import { buildPrompt, type ContextMessage } from '../../src/assistants/conversationContext.js';

const message = (senderId: string, text: string | null, extra: Partial<ContextMessage> = {}): ContextMessage => ({
  senderId,
  senderName: senderId === 'bot' ? 'Helper' : senderId,
  text,
  erased: false,
  deleted: false,
  ...extra,
});

describe('buildPrompt', () => {
  it('sends the system prompt, then the conversation: the assistant as assistant, people as user with their name', () => {
    const prompt = buildPrompt({
      systemPrompt: 'Be brief.',
      assistantId: 'bot',
      conversation: [message('alice', 'hi @helper'), message('bot', 'Hello!'), message('bob', '@helper and me?')],
      budgetTokens: 1000,
    });
    expect(prompt).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'alice: hi @helper' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'user', content: 'bob: @helper and me?' },
    ]);
  });

  it("never sends an erased user's text nor a deleted message", () => {
    const prompt = buildPrompt({
      systemPrompt: 'S',
      assistantId: 'bot',
      conversation: [message('mallory', 'my secret', { erased: true }), message('bob', null, { deleted: true }), message('alice', 'question')],
      budgetTokens: 1000,
    });
    expect(prompt.map((m) => m.content)).toEqual(['S', 'alice: question']);
    expect(JSON.stringify(prompt)).not.toContain('my secret');
  });

  it('keeps the newest messages within the budget (characters / 4), and always the question', () => {
    const old = message('bob', 'x'.repeat(400));
    const recent = message('bob', 'y'.repeat(40));
    const question = message('alice', 'z'.repeat(40));
    // system 'S' = 1 token; 'bob: yyy…' = 45 chars = 12 tokens; 'alice: zzz…' = 47 chars = 12 tokens.
    const fits = buildPrompt({ systemPrompt: 'S', assistantId: 'bot', conversation: [old, recent, question], budgetTokens: 30 });
    expect(fits.map((m) => m.content)).toEqual(['S', `bob: ${'y'.repeat(40)}`, `alice: ${'z'.repeat(40)}`]);
    const tight = buildPrompt({ systemPrompt: 'S', assistantId: 'bot', conversation: [old, recent, question], budgetTokens: 5 });
    expect(tight).toHaveLength(2);
    expect(tight[1]?.content).toBe(`alice: ${'z'.repeat(40)}`);
  });
});

describe('addressedMembers', () => {
  const members = [{ userId: 'alice' }, { userId: 'bot' }, { userId: 'bob' }];

  it('addresses the mentioned members of a group room, not the sender itself', () => {
    expect(addressedMembers({ roomKind: 'private', senderId: 'alice', mentions: ['bot'], members })).toEqual(['bot']);
    expect(addressedMembers({ roomKind: 'public', senderId: 'alice', mentions: undefined, members })).toEqual([]);
    expect(addressedMembers({ roomKind: 'private', senderId: 'bot', mentions: ['bot'], members })).toEqual([]);
    expect(addressedMembers({ roomKind: 'private', senderId: 'alice', mentions: ['stranger'], members })).toEqual([]);
  });

  it('addresses the other member of a direct room, mentioned or not', () => {
    expect(addressedMembers({ roomKind: 'direct', senderId: 'alice', mentions: undefined, members: members.slice(0, 2) })).toEqual(['bot']);
  });
});
