import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from '../src/index.js';

describe('Backoff', () => {
  it('doubles from 0.5 s up to 30 s when jitter is at its middle', () => {
    const backoff = new Backoff({}, () => 0.5);
    const delays = Array.from({ length: 10 }, () => backoff.next());
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
  });

  it('spreads each delay by ±50 % so a fleet does not reconnect in one wave', () => {
    const low = new Backoff({}, () => 0);
    const high = new Backoff({}, () => 0.999999);
    assert.equal(low.next(), 250);
    assert.equal(high.next(), 750);
    for (let i = 0; i < 12; i++) {
      low.next();
      high.next();
    }
    assert.equal(low.next(), 15000);
    assert.equal(high.next(), 45000);
  });

  it('spreads real random draws across the whole range', () => {
    const delays = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const d = new Backoff().next();
      assert.ok(d >= 250 && d <= 750, `delay ${d}`);
      delays.add(Math.floor(d / 50));
    }
    assert.ok(delays.size >= 8, 'jittered delays should not cluster');
  });

  it('starts over after reset', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0.5);
    backoff.next();
    backoff.next();
    assert.equal(backoff.attempt, 2);
    backoff.reset();
    assert.equal(backoff.attempt, 0);
    assert.equal(backoff.next(), 100);
  });

  it('refuses settings that would never wait or never grow', () => {
    assert.throws(() => new Backoff({ initialMs: 0 }), RangeError);
    assert.throws(() => new Backoff({ initialMs: 5000, maxMs: 1000 }), RangeError);
    assert.throws(() => new Backoff({ jitter: 1 }), RangeError);
  });
});
