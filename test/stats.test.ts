/** The one statistics module, checked with fixed numbers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeSamples, quantile } from '../src/stats/describe.js';

test('quantiles interpolate between neighbours', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([10], 0.99), 10);
  assert.equal(quantile([0, 100], 0.75), 75);
});

test('describeSamples gives median, spread and a Student-t margin of error', () => {
  const s = describeSamples([10, 12, 11, 13, 9]);
  assert.equal(s.median, 11);
  assert.equal(s.mean, 11);
  assert.equal(s.min, 9);
  assert.equal(s.max, 13);
  assert.ok(Math.abs(s.sd - Math.sqrt(2.5)) < 1e-12);
  // t(0.975, 4) = 2.776: rme = 100 * 2.776 * 1.5811 / sqrt(5) / 11
  assert.ok(Math.abs(s.rme - 17.84) < 0.01, `rme ${s.rme}`);
  assert.equal(s.samples, 5);
});

test('one sample has no spread and no margin', () => {
  const s = describeSamples([42]);
  assert.equal(s.sd, 0);
  assert.equal(s.rme, 0);
  assert.equal(s.p99, 42);
});

test('coefficient of variation across runs', async () => {
  const { coefficientOfVariation } = await import('../src/stats/describe.js');
  assert.equal(coefficientOfVariation([5, 5, 5]), 0);
  // mean 10, sd 1: 10%
  assert.ok(Math.abs(coefficientOfVariation([9, 10, 11]) - 10) < 1e-9);
  assert.equal(coefficientOfVariation([7]), 0);
});

test('the host-speed meter reads real koffi calls and summarises them; a moving host gets a warning', async () => {
  const { HostSpeedMeter, readHostSpeed } = await import('../src/runner/host-speed.js');
  const { describeHostSpeed } = await import('../src/report/words.js');
  const meter = new HostSpeedMeter();
  assert.equal(meter.summary(), null);
  for (let i = 0; i < 5; i++) meter.sample();
  const hs = meter.summary()!;
  assert.equal(hs.samples, 5);
  assert.ok(hs.minNs > 0 && hs.minNs <= hs.medianNs && hs.medianNs <= hs.maxNs, JSON.stringify(hs));
  assert.ok(readHostSpeed() < 100_000, 'a labs() call through koffi takes well under 100 µs');
  const steady = { ...hs, p10Ns: 50, medianNs: 51, p90Ns: 53, spreadPercent: 6 };
  assert.match(describeHostSpeed(steady), /held its speed/);
  const moving = { ...hs, p10Ns: 48, medianNs: 60, p90Ns: 72, spreadPercent: 50 };
  assert.match(describeHostSpeed(moving), /varied by 50%.*baseline of several runs/);
});
