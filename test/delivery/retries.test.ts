import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { before, describe, it } from 'node:test';
import type { DeliveryAttempt } from '../../src/delivery/tracker';
import type { Collector } from './support';
import { makeTracker, settle, TRANSPORTS, useCollector, useTransport } from './support';

/** Resolves with the tracker's next delivery attempt. */
function nextAttempt(tracker: ReturnType<typeof makeTracker>['tracker']): Promise<DeliveryAttempt> {
  return new Promise((resolve) => {
    const subscription = tracker.onDidAttemptDelivery((attempt) => {
      subscription.dispose();
      resolve(attempt);
    });
  });
}

for (const transport of TRANSPORTS) {
  describe(`retries (${transport.name})`, { timeout: 30_000 }, () => {
    let collector: Collector;
    before(() => useTransport(transport.make));
    useCollector((started) => (collector = started));

    it('retries 5xx with exponential backoff and jitter, nothing in between', async () => {
      const { tracker, scheduler, logger } = makeTracker(collector.url, {
        random: () => 0.5,
        heartbeatIntervalMs: 10_000_000,
      });
      collector.fail(503, { times: 3 });
      tracker.trackNamedEvent('kept', {});
      await settle();
      scheduler.advance(1000);
      // Equal jitter with random 0.5: 3/4 of 1 s, 2 s, 4 s.
      for (const expected of [750, 1500, 3000]) {
        const attempt = await nextAttempt(tracker);
        assert.equal(attempt.outcome, 'retry');
        assert.equal(attempt.status, 503);
        assert.equal(attempt.retryInMs, expected);
        const before = collector.requests.length;
        scheduler.advance(expected - 1);
        await settle();
        assert.equal(collector.requests.length, before, 'no request before the backoff is over');
        const next = nextAttempt(tracker);
        scheduler.advance(1);
        if (expected === 3000) {
          assert.equal((await next).outcome, 'delivered');
        } else {
          void next;
        }
      }
      await tracker.whenIdle();
      assert.equal(collector.received.length, 1);
      assert.equal(collector.requests.length, 4);
      assert.equal(logger.at('warn').length, 1, 'one warning for a run of failures');
      assert.match(logger.at('info').join('\n'), /takes events again after 3 retries/);
      await tracker.dispose();
    });

    it('caps the backoff, so an hour of outage costs a few requests', async () => {
      const { tracker, scheduler } = makeTracker(collector.url, {
        random: () => 1,
        maxRetryDelayMs: 300_000,
        heartbeatIntervalMs: 10_000_000,
      });
      collector.fail(500);
      tracker.trackNamedEvent('kept', {});
      await settle();
      scheduler.advance(1000);
      const delays: number[] = [];
      let elapsed = 0;
      while (elapsed < 3_600_000) {
        const attempt = await nextAttempt(tracker);
        delays.push(attempt.retryInMs!);
        elapsed += attempt.retryInMs!;
        scheduler.advance(attempt.retryInMs!);
      }
      await nextAttempt(tracker);
      assert.ok(Math.max(...delays) === 300_000);
      assert.ok(collector.requests.length < 25, `${collector.requests.length} requests in an hour`);
      collector.recover();
      scheduler.advance(300_000);
      await collector.waitForEvents(1);
      await tracker.whenIdle();
      assert.equal(tracker.queuedEventCount, 0, 'the event survived the outage');
      await tracker.dispose();
    });

    it('honours Retry-After on 429', async () => {
      const { tracker, scheduler } = makeTracker(collector.url, {
        heartbeatIntervalMs: 10_000_000,
      });
      collector.fail(429, { times: 1, retryAfter: 7 });
      tracker.trackNamedEvent('kept', {});
      await settle();
      scheduler.advance(1000);
      const attempt = await nextAttempt(tracker);
      assert.equal(attempt.status, 429);
      assert.equal(attempt.retryInMs, 7000);
      scheduler.advance(6999);
      await settle();
      assert.equal(collector.requests.length, 1);
      scheduler.advance(1);
      await collector.waitForEvents(1);
      await tracker.dispose();
    });

    it('aborts a request that hangs after requestTimeoutMs and retries it', async () => {
      const { tracker, scheduler } = makeTracker(collector.url, {
        requestTimeoutMs: 5000,
        heartbeatIntervalMs: 10_000_000,
      });
      collector.fail('hang', { times: 1 });
      tracker.trackNamedEvent('kept', {});
      await settle();
      scheduler.advance(1000);
      await collector.waitForRequests(1);
      const attempt = nextAttempt(tracker);
      scheduler.advance(5000);
      assert.match((await attempt).reason ?? '', /no answer within 5000 ms/);
      scheduler.advance((await attempt).retryInMs!);
      await collector.waitForEvents(1);
      await tracker.dispose();
    });

    it('retries network errors', async () => {
      // A port that was free a moment ago: connections to it are refused.
      const port = await new Promise<number>((resolve) => {
        const server = createServer().listen(0, '127.0.0.1', () => {
          const address = server.address() as { port: number };
          server.close(() => resolve(address.port));
        });
      });
      const { tracker, scheduler } = makeTracker(`http://127.0.0.1:${port}`, {
        heartbeatIntervalMs: 10_000_000,
      });
      tracker.trackNamedEvent('kept', {});
      await settle();
      const attempt = nextAttempt(tracker);
      scheduler.advance(1000);
      assert.equal((await attempt).outcome, 'retry');
      assert.match((await attempt).reason ?? '', /network error/);
      assert.equal(tracker.queuedEventCount, 1);
      await tracker.dispose({ timeoutMs: 0 });
    });

    for (const status of [400, 401, 403, 410, 422]) {
      it(`drops a batch refused with ${status} and logs the reason`, async () => {
        const { tracker, scheduler, logger } = makeTracker(collector.url);
        collector.fail(status, { times: 1 });
        tracker.trackNamedEvent('refused', {});
        tracker.trackNamedEvent('refused', {});
        await tracker.flush();
        assert.equal(collector.requests.length, 1);
        assert.equal(tracker.queuedEventCount, 0);
        const warning = logger.at('warn').join('\n');
        assert.match(warning, new RegExp(`refused 2 event\\(s\\) with ${status}`));
        const answer = new RegExp(`told to fail with ${status}`);
        assert.match(warning, answer, 'the log carries the collector’s answer');
        scheduler.advance(3_600_000);
        await settle();
        assert.equal(collector.requests.length, 1, 'never retried');
        await tracker.dispose();
      });
    }
  });
}
