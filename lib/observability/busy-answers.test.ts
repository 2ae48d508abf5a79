import { describe, expect, it } from 'vitest';
import { busyAnswersHere } from './busy-answers';
import { recordCommand } from './metrics';

describe('busy answers of this instance (the dashboard figure)', () => {
  it('counts busy outcomes of every command type and nothing else', async () => {
    const before = await busyAnswersHere();
    recordCommand({ type: 'WithdrawMoney', commandId: 'a', outcome: 'busy', durationMs: 5, attempts: 30 });
    recordCommand({ type: 'TransferMoney', commandId: 'b', outcome: 'busy', durationMs: 5, attempts: 30 });
    recordCommand({ type: 'WithdrawMoney', commandId: 'c', outcome: 'accepted', durationMs: 5, attempts: 1 });
    recordCommand({ type: 'WithdrawMoney', commandId: 'd', outcome: 'replayed', durationMs: 5, attempts: 1 });
    expect(await busyAnswersHere()).toBe(before + 2);
  });
});
