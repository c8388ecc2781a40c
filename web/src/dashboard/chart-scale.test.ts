import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { layoutBars, layoutLine, niceCeil, niceTicks, plotArea, yScale } from './chart-scale.ts';

describe('chart scaling', () => {
  it('rounds an axis maximum up to a nice number', () => {
    assert.equal(niceCeil(7), 10);
    assert.equal(niceCeil(13), 20);
    assert.equal(niceCeil(23), 25);
    assert.equal(niceCeil(2), 2);
    assert.equal(niceCeil(0.3), 0.5);
    assert.equal(niceCeil(480), 500);
    assert.equal(niceCeil(0), 1);
    assert.equal(niceCeil(-5), 1);
  });

  it('makes ticks from zero that cover the data', () => {
    assert.deepEqual(niceTicks(13, 4, true), [0, 5, 10, 15]);
    assert.deepEqual(niceTicks(0, 4, true), [0, 1]);
    assert.deepEqual(niceTicks(3, 4, true), [0, 1, 2, 3]);
    assert.deepEqual(niceTicks(740, 4), [0, 200, 400, 600, 800]);
    const t = niceTicks(0.9, 4);
    assert.equal(t[0], 0);
    assert.ok(t.at(-1)! >= 0.9);
  });

  it('maps zero to the bottom of the plot and the maximum to the top', () => {
    const p = plotArea(300, 200);
    const y = yScale(p, 10);
    assert.equal(y(0), p.bottom);
    assert.equal(y(10), p.top);
    assert.equal(y(5), (p.top + p.bottom) / 2);
    assert.equal(y(-3), p.bottom, 'negative values are clamped, never drawn below the axis');
    assert.equal(yScale(p, 0)(5), p.bottom, 'a zero maximum draws nothing rather than dividing by zero');
  });

  it('lays out grouped bars inside the plot, side by side, heights proportional to values', () => {
    const p = plotArea(736, 200, { left: 36, right: 0, top: 0, bottom: 0 });
    const groups = layoutBars(
      p,
      [
        [10, 0, 5],
        [4, 2, 0],
      ],
      10,
    );
    assert.equal(groups.length, 3);
    for (const g of groups) {
      const [a, b] = g.bars;
      assert.ok(a!.x >= p.left && b!.x + b!.w <= p.right);
      assert.ok(a!.x + a!.w <= b!.x, 'bars of one day do not overlap');
      assert.ok(a!.x < g.cx && b!.x + b!.w > g.cx, 'the group is centred on its label');
    }
    assert.equal(groups[0]!.bars[0]!.h, 200);
    assert.equal(groups[0]!.bars[1]!.h, 80);
    assert.equal(groups[1]!.bars[0]!.h, 0);
    assert.equal(groups[2]!.bars[0]!.h, 100);
    assert.deepEqual(layoutBars(p, [[], []], 10), []);
  });

  it('breaks the latency line where a day has no figure', () => {
    const p = plotArea(400, 100, { left: 0, right: 0, top: 0, bottom: 0 });
    const pieces = layoutLine(p, [100, 200, null, 400], 400);
    assert.equal(pieces.length, 2);
    assert.deepEqual(
      pieces[0]!.map((pt) => pt.x),
      [50, 150],
    );
    assert.deepEqual(
      pieces[0]!.map((pt) => pt.y),
      [75, 50],
    );
    assert.deepEqual(pieces[1], [{ x: 350, y: 0, value: 400 }]);
  });
});
