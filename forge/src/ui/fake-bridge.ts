/**
 * Test stand-in for the bridge that Forge's CDN scripts put on `globalThis` in a real UI Kit page.
 * Install it before the first import of `@forge/bridge` or `@forge/react`: `@forge/bridge` captures
 * `callBridge` when it loads, so the installed function stays the same and delegates to a swappable handler.
 */

/** A node of the tree `ForgeReconciler` sends with `callBridge('reconcile', { forgeDoc })`. */
export interface ForgeDoc {
  type: string;
  props: Record<string, unknown>;
  children: ForgeDoc[];
  key?: string;
}

/** What `invokeRemote` from `@forge/bridge` sends: `callBridge('invoke', payload)`. */
export interface RemoteInvocation {
  path: string;
  method: string;
  body?: unknown;
  invokeType: string;
}

type InvokeHandler = (invocation: RemoteInvocation) => Promise<unknown>;

const reconciledRoots: ForgeDoc[] = [];
const invocations: RemoteInvocation[] = [];
let invokeHandler: InvokeHandler = async () => {
  throw new Error('no invoke handler set in the test');
};

export function installFakeBridge(): void {
  const bridge = {
    callBridge(cmd: string, data: unknown): Promise<unknown> {
      if (cmd === 'reconcile') {
        const root = (data as { forgeDoc: ForgeDoc }).forgeDoc;
        if (!reconciledRoots.includes(root)) reconciledRoots.push(root);
        return Promise.resolve(undefined);
      }
      if (cmd === 'invoke') {
        const invocation = data as RemoteInvocation;
        invocations.push(invocation);
        return invokeHandler(invocation);
      }
      return Promise.resolve(undefined);
    },
  };
  const host = globalThis as { __bridge?: unknown; self?: unknown };
  host.__bridge = bridge;
  // The reconciler reaches the bridge as `self.__bridge`; Node has no `self`.
  host.self ??= globalThis;
}

/** How the next `invoke` bridge calls are answered (the bridge's `{ success, payload }` envelope). */
export function answerInvocations(handler: InvokeHandler): void {
  invokeHandler = handler;
}

/** A successful Forge Remote answer as the bridge delivers it. */
export function remoteAnswer(status: number, body: unknown) {
  return { success: true, payload: { status, headers: { 'content-type': ['application/json'] }, body } };
}

export function recordedInvocations(): readonly RemoteInvocation[] {
  return invocations;
}

/** Runs `render` and returns the Root of the tree it produced (the reconciler updates it in place). */
export async function renderRoot(render: () => unknown): Promise<ForgeDoc> {
  const known = reconciledRoots.length;
  await render();
  await waitUntil(() => reconciledRoots.length > known);
  return reconciledRoots[known];
}

export async function waitUntil(condition: () => boolean): Promise<void> {
  // Effects and promise callbacks run on later ticks; a bounded number of turns keeps failures fast.
  for (let turn = 0; turn < 200; turn += 1) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not met after 200 event-loop turns');
}

export function findAll(node: ForgeDoc, type: string): ForgeDoc[] {
  const own = node.type === type ? [node] : [];
  return own.concat(node.children.flatMap((child) => findAll(child, type)));
}

/** All text under a node, as the user would read it. */
export function textOf(node: ForgeDoc): string {
  if (node.type === 'String') return String(node.props.text ?? '');
  return node.children.map(textOf).join('');
}

export function hasText(node: ForgeDoc, text: string): boolean {
  return textOf(node).includes(text);
}
