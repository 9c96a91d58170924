import { RateLimitedError } from '../domain/errors.js';
import { RateLimiter, type LimiterFactory } from '../ratelimit/rateLimiter.js';

// Daily budgets of assistants' answers (issue #19), per asker and per room, in requests and in tokens, kept by the
// project's limiter (rate-limiter-flexible: process memory, or Redis under RATE_LIMIT_STORE=redis, shared by every
// process). A "day" is a 24-hour window from the first use, as rate-limiter-flexible counts. Requests are counted
// when a question is taken up; tokens once the answer's usage is known, so the answer that crosses a token budget
// still completes, and the next question is refused.

const DAY_SECONDS = 24 * 60 * 60;

export interface BudgetSettings {
  userRequestsPerDay: number;
  userTokensPerDay: number;
  roomRequestsPerDay: number;
  roomTokensPerDay: number;
}

export class AssistantBudgets {
  private readonly userRequests: RateLimiter;
  private readonly roomRequests: RateLimiter;
  private readonly userTokens: RateLimiter;
  private readonly roomTokens: RateLimiter;

  constructor(settings: BudgetSettings, makeLimiter: LimiterFactory) {
    const daily = (name: string, points: number) =>
      new RateLimiter(name, [{ points, durationSeconds: DAY_SECONDS }], 'RATE_LIMIT_EXCEEDED', makeLimiter);
    this.userRequests = daily('assistant-user-requests', settings.userRequestsPerDay);
    this.roomRequests = daily('assistant-room-requests', settings.roomRequestsPerDay);
    this.userTokens = daily('assistant-user-tokens', settings.userTokensPerDay);
    this.roomTokens = daily('assistant-room-tokens', settings.roomTokensPerDay);
  }

  /**
   * Takes one request from the asker's and the room's budgets, unless either token budget is spent. Throws
   * RateLimitedError (RATE_LIMIT_EXCEEDED with the wait, or RATE_LIMIT_UNAVAILABLE when the store cannot answer).
   */
  async admit(askerId: string, roomId: string): Promise<void> {
    const waits = await Promise.all([this.userTokens.blockedFor(askerId), this.roomTokens.blockedFor(roomId)]);
    const wait = Math.max(...waits);
    if (wait > 0) throw new RateLimitedError('the daily token budget of assistant answers is spent', wait);
    await this.userRequests.consume(askerId);
    await this.roomRequests.consume(roomId);
  }

  /** Records the tokens an answer used; going over a budget here only refuses the next question. */
  async spend(askerId: string, roomId: string, tokens: number): Promise<void> {
    if (tokens <= 0) return;
    await Promise.all([
      this.userTokens.consume(askerId, tokens).catch(overBudgetIsFine),
      this.roomTokens.consume(roomId, tokens).catch(overBudgetIsFine),
    ]);
  }
}

function overBudgetIsFine(error: unknown): void {
  if (error instanceof RateLimitedError && error.code === 'RATE_LIMIT_EXCEEDED') return;
  throw error;
}
