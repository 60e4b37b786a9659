import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Child<T> {
  info: T;
  process: ChildProcess;
  /** Asks the child a question over its IPC channel (only when started with `ipc: true`). */
  ask<A>(question: Record<string, unknown>): Promise<A>;
  stop(): Promise<void>;
}

/** Starts `node --import tsx <script>` (no tsx wrapper process, so the pid is the server's) and reads its JSON line. */
export async function startChild<T>(
  script: string,
  env: Record<string, string> = {},
  /** Node flags for this child alone (e.g. `--cpu-prof`), after BENCH_CHILD_ARGS. */
  nodeArgs: string[] = [],
  /** An IPC channel for `ask` (the child answers `{ id, answer }` or `{ id, error }`). */
  options: { ipc?: boolean } = {},
): Promise<Child<T>> {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CHILD_ARGS?.split(' ').filter(Boolean) ?? []),
      ...nodeArgs,
      '--import',
      'tsx',
      file,
    ],
    {
      env: { ...process.env, ...env },
      stdio: options.ipc ? ['ignore', 'pipe', 'inherit', 'ipc'] : ['ignore', 'pipe', 'inherit'],
    },
  );
  let asked = 0;
  const waiting = new Map<number, { resolve(answer: unknown): void; reject(error: Error): void }>();
  child.on('message', (message: { id: number; answer?: unknown; error?: string }) => {
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error !== undefined) pending?.reject(new Error(message.error));
    else pending?.resolve(message.answer);
  });
  const info = await new Promise<T>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(JSON.parse(line) as T));
    child.once('exit', (code) => reject(new Error(`${script} exited with code ${code} before it was ready`)));
  });
  return {
    info,
    process: child,
    ask: <A>(question: Record<string, unknown>) =>
      new Promise<A>((resolve, reject) => {
        if (!child.send) return reject(new Error(`${script} has no IPC channel`));
        asked += 1;
        waiting.set(asked, { resolve: resolve as (answer: unknown) => void, reject });
        child.send({ id: asked, ...question });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
