import { describe, expect, it } from 'vitest';
import { createManualScheduler } from './scheduler';

describe('the manual scheduler', () => {
  it('runs a task only once its delay has passed, in due order, and never a cancelled one', () => {
    const scheduler = createManualScheduler();
    const ran: string[] = [];
    scheduler.after(200, () => ran.push('late'));
    scheduler.after(100, () => ran.push('early'));
    const cancel = scheduler.after(150, () => ran.push('cancelled'));
    cancel();

    scheduler.advance(99);
    expect(ran).toEqual([]);
    scheduler.advance(1);
    expect(ran).toEqual(['early']);
    scheduler.advance(1_000);
    expect(ran).toEqual(['early', 'late']);
    expect(scheduler.pending()).toBe(0);
  });

  it('runs tasks scheduled by a task when they fall due within the same advance', () => {
    const scheduler = createManualScheduler();
    const ticks: number[] = [];
    const tick = () => {
      ticks.push(ticks.length);
      scheduler.after(50, tick);
    };
    scheduler.after(50, tick);

    scheduler.advance(175);
    expect(ticks).toEqual([0, 1, 2]);
    expect(scheduler.pending()).toBe(1);
    scheduler.advance(25);
    expect(ticks).toEqual([0, 1, 2, 3]);
  });
});
