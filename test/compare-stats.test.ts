/** compare's statistics, checked against fixed, published numbers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { betweenRunTest, combinedRme, relativeChange, welchTTest } from '../src/stats/significance.js';
import { parseThreshold } from '../src/compare/options.js';

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);

test("Welch's t-test from summaries matches Student's sleep data (R: t = -1.8608, df = 17.776, p = 0.07939)", () => {
  // x = 0.7 -1.6 -0.2 -1.2 -0.1 3.4 3.7 0.8 0.0 2.0; y = 1.9 0.8 1.1 0.1 -0.1 4.4 5.5 1.6 4.6 3.4
  const x = { mean: 0.75, sd: 1.7890096577591625, n: 10 };
  const y = { mean: 2.33, sd: 2.002248735796829, n: 10 };
  const r = welchTTest(y, x)!;
  close(r.t, -1.8608, 1e-4, 't');
  close(r.df, 17.7765, 1e-4, 'df');
  close(r.p, 0.07939, 1e-5, 'p');
  // The test is symmetric: swapping the sides flips t and keeps p.
  const swapped = welchTTest(x, y)!;
  close(swapped.t, 1.8608, 1e-4, 't swapped');
  close(swapped.p, r.p, 1e-12, 'p swapped');
});

test('Welch with unequal sizes and variances (df from Welch-Satterthwaite)', () => {
  // mean 20 sd 2 n 5 vs mean 22 sd 6 n 30: se^2 = 0.8 + 1.2 = 2, t = 2/sqrt(2)
  // df = 4 / (0.8^2/4 + 1.2^2/29) = 4 / (0.16 + 0.049655) = 19.079
  const r = welchTTest({ mean: 20, sd: 2, n: 5 }, { mean: 22, sd: 6, n: 30 })!;
  close(r.t, Math.SQRT2, 1e-12, 't');
  close(r.df, 19.0789, 1e-3, 'df');
  // two-sided p for t = 1.4142 at 19.08 df (R: 2 * pt(-sqrt(2), 19.0789) = 0.1734)
  close(r.p, 0.1734, 5e-4, 'p');
});

test('a 30% shift with a few percent of spread is overwhelmingly significant', () => {
  const r = welchTTest({ mean: 1000, sd: 30, n: 20 }, { mean: 1300, sd: 39, n: 20 })!;
  assert.ok(r.p < 1e-12, `p ${r.p}`);
});

test('degenerate sides: one sample is untestable, two constant sides are certain either way', () => {
  assert.equal(welchTTest({ mean: 1, sd: 0, n: 1 }, { mean: 2, sd: 0.1, n: 10 }), null);
  assert.equal(welchTTest({ mean: 5, sd: 0, n: 3 }, { mean: 5, sd: 0, n: 3 })!.p, 1);
  assert.equal(welchTTest({ mean: 5, sd: 0, n: 3 }, { mean: 6, sd: 0, n: 3 })!.p, 0);
});

test('relative change and the combined margin of a ratio', () => {
  assert.equal(relativeChange(200, 260), 0.3);
  assert.equal(relativeChange(200, 150), -0.25);
  assert.equal(relativeChange(0, 0), 0);
  assert.equal(relativeChange(0, 3), Infinity);
  assert.equal(combinedRme(3, 4), 5);
});

test('run-to-run test: a change far outside the spread of repeated runs is significant, one inside is not', () => {
  // CV 5% over 5 runs: the difference of two runs has sd 5% * sqrt(2) = 7.07%; t(4) two-sided
  const big = betweenRunTest(0.30, 5, 5)!;
  close(big.t, 0.30 / 0.0707107, 1e-4, 't');
  assert.equal(big.df, 4);
  // R: 2 * pt(-4.2426, 4) = 0.01324
  close(big.p, 0.01324, 1e-4, 'p');
  assert.ok(betweenRunTest(0.05, 5, 5)!.p > 0.4);
  assert.equal(betweenRunTest(0.3, 5, 2), null, 'two runs cannot estimate a spread');
});

test('thresholds parse as percentages', () => {
  assert.equal(parseThreshold('5%'), 0.05);
  assert.equal(parseThreshold('12.5'), 0.125);
  assert.throws(() => parseThreshold('five'), /not a percentage/);
  assert.throws(() => parseThreshold('0%'), /not a percentage/);
});
