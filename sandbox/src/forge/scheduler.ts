/**
 * Where the Forge platform's timers come from: credential pushes, event redeliveries and delivery time limits.
 * The sandbox uses real timers; tests inject a manual scheduler and move its time themselves, so nothing
 * depends on how fast the machine is.
 */
export interface Scheduler {
  /** Runs `task` once, `delayMs` from now; the returned function cancels it. */
  after(delayMs: number, task: () => void): () => void;
}

export const timerScheduler: Scheduler = {
  after(delayMs, task) {
    const timer = setTimeout(task, delayMs);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export interface ManualScheduler extends Scheduler {
  /** Moves the scheduler's time on by `ms` and runs, in due order, every task that has come due. */
  advance(ms: number): void;
  /** Tasks waiting to run. */
  pending(): number;
}

/** A scheduler that runs nothing by itself: time moves only when a test calls `advance`. */
export function createManualScheduler(): ManualScheduler {
  let now = 0;
  let nextId = 0;
  const tasks = new Map<number, { dueAt: number; order: number; task: () => void }>();
  return {
    after(delayMs, task) {
      const id = nextId++;
      tasks.set(id, { dueAt: now + delayMs, order: id, task });
      return () => {
        tasks.delete(id);
      };
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...tasks.entries()]
          .filter(([, entry]) => entry.dueAt <= until)
          .sort(([, a], [, b]) => a.dueAt - b.dueAt || a.order - b.order)[0];
        if (!due) break;
        const [id, entry] = due;
        tasks.delete(id);
        now = Math.max(now, entry.dueAt);
        entry.task();
      }
      now = until;
    },
    pending: () => tasks.size,
  };
}
