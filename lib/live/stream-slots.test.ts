import { describe, expect, it } from 'vitest';
import { takeStreamSlot } from './stream-slots';

describe('stream slots per customer', () => {
  it('gives at most `cap` slots to one customer; a release frees one, once', () => {
    const first = takeStreamSlot('slots-ada', 2);
    const second = takeStreamSlot('slots-ada', 2);
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    expect(takeStreamSlot('slots-ada', 2)).toBeNull();
    // Another customer has their own.
    expect(takeStreamSlot('slots-bob', 2)).not.toBeNull();
    first!();
    first!(); // a stream that ends twice (cancel and abort) frees one slot, not two
    const third = takeStreamSlot('slots-ada', 2);
    expect(third).not.toBeNull();
    expect(takeStreamSlot('slots-ada', 2)).toBeNull();
    second!();
    third!();
    expect(takeStreamSlot('slots-ada', 1)).not.toBeNull();
  });
});
