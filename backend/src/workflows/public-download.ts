/**
 * Downloads a file a workflow author names by URL, without letting the URL reach inside our network (SSRF):
 * only http(s); the host's every address must be public (internal-addresses.ts); the connection is pinned to
 * the addresses checked (no second DNS answer can swap in another) and the address actually connected to is
 * checked again; redirects are followed by hand, at most MAX_REDIRECTS, each hop checked the same way; the
 * size is refused up front when the answer declares it, and waits are bounded.
 *
 * Hosts in WORKFLOW_FETCH_ALLOWED_HOSTS skip the address checks (a file server on localhost in development).
 */
import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { workflowMessages } from '@jira-integration/shared/workflow-messages';
import { Agent, buildConnector, type Dispatcher, errors, request } from 'undici';
import { WorkflowError } from './definition';
import { isInternalAddress } from './internal-addresses';

export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface DownloadOptions {
  maxBytes: number;
  /** Host names (as written in the URL, IP literals too) fetched even when their addresses are internal. */
  allowedHosts?: readonly string[];
  /** How long to wait for the answer's head, and then between two chunks of its body. */
  waitMs?: number;
  /** The whole download, body included. */
  totalMs?: number;
  /** DNS resolution (tests give names any addresses). */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

export interface Download {
  body: ReadableStream<Uint8Array>;
  contentType: string | undefined;
}

const resolveAll = (hostname: string) => lookup(hostname, { all: true, verbatim: true });

/** A refusal of the URL asked for; on a redirect hop the reason says where it led. */
class Refusal extends Error {}

/** URL.hostname keeps IPv6 literals in brackets. */
const bareHost = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/** The addresses to connect to (undefined: an allowed host, connected to as usual). */
async function checkedAddresses(url: URL, options: DownloadOptions): Promise<LookupAddress[] | undefined> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Refusal(workflowMessages.unsupportedScheme(url.protocol));
  }
  const host = bareHost(url);
  const allowed = (options.allowedHosts ?? []).some(
    (entry) => entry.replace(/^\[|\]$/g, '').toLowerCase() === host.toLowerCase(),
  );
  if (allowed) return undefined;
  const family = isIP(host);
  if (family) {
    if (isInternalAddress(host)) throw new Refusal(workflowMessages.internalAddress(host));
    return [{ address: host, family }];
  }
  let addresses: LookupAddress[];
  try {
    addresses = await (options.resolve ?? resolveAll)(host);
  } catch {
    addresses = [];
  }
  // Every address counts: a name with one internal address among public ones is refused.
  const inside = addresses.find((entry) => isInternalAddress(entry.address));
  if (inside) throw new Refusal(workflowMessages.resolvesToInternalAddress(host, inside.address));
  return addresses;
}

/**
 * A dispatcher that connects only to `addresses` (already checked) and refuses a socket whose peer is not one of
 * them, so nothing between the check and the connection can point it elsewhere.
 */
export function pinnedAgent(addresses: LookupAddress[], waitMs: number): Agent {
  const pinnedLookup = ((_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all)
      (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  }) as LookupFunction;
  const connector = buildConnector({ timeout: waitMs, lookup: pinnedLookup });
  const expected = new Set(addresses.map((entry) => entry.address));
  return new Agent({
    connections: 1,
    connect(connectOptions, callback) {
      connector(connectOptions, (error, socket) => {
        if (error) return callback(error, null);
        const peer = (socket as Socket).remoteAddress;
        if (!peer || !expected.has(peer) || isInternalAddress(peer)) {
          socket.destroy();
          return callback(
            new Refusal(workflowMessages.internalAddress(peer ?? connectOptions.hostname)),
            null,
          );
        }
        callback(null, socket);
      });
    },
  });
}

/** Whether a download (its head or, read later, its body) failed because the source stopped answering. */
export const isTimeout = (error: unknown) =>
  error instanceof errors.HeadersTimeoutError ||
  error instanceof errors.BodyTimeoutError ||
  error instanceof errors.ConnectTimeoutError ||
  (error instanceof DOMException && error.name === 'TimeoutError') ||
  (error instanceof Error && error.name === 'TimeoutError');

/** The run's error for a refusal of `href`, or of where it redirected (`hop`). */
function refusedDownload(href: string, hop: URL | undefined, refusal: Refusal): WorkflowError {
  const reason = hop ? workflowMessages.redirectsTo(hop.href, refusal.message) : refusal.message;
  return new WorkflowError(
    'attachment_source_refused',
    workflowMessages.attachmentSourceRefused(href, reason),
  );
}

/** Opens the file at `href` (a run's input): its body streams, the caller counts what it reads. */
export async function downloadPublicFile(href: string, options: DownloadOptions): Promise<Download> {
  const waitMs = options.waitMs ?? 30_000;
  const deadline = AbortSignal.timeout(options.totalMs ?? 5 * 60_000);
  let url = new URL(href);
  for (let hop = 0; ; hop += 1) {
    let addresses: LookupAddress[] | undefined;
    try {
      addresses = await checkedAddresses(url, options);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      throw refusedDownload(href, hop === 0 ? undefined : url, error);
    }
    let agent: Dispatcher | undefined = addresses === undefined ? undefined : pinnedAgent(addresses, waitMs);
    const release = () => {
      const closing = agent;
      agent = undefined;
      if (closing) void closing.destroy().catch(() => undefined);
    };
    let answer: Dispatcher.ResponseData;
    try {
      if (addresses?.length === 0) throw new Error('no address');
      answer = await request(url, {
        method: 'GET',
        ...(agent ? { dispatcher: agent } : {}),
        headersTimeout: waitMs,
        bodyTimeout: waitMs,
        signal: deadline,
      });
    } catch (error) {
      release();
      if (error instanceof Refusal) throw refusedDownload(href, hop === 0 ? undefined : url, error);
      throw new WorkflowError(
        'attachment_source_failed',
        isTimeout(error)
          ? workflowMessages.attachmentSourceTimedOut(href)
          : workflowMessages.attachmentSourceFailed(href, 0),
      );
    }
    const header = (name: string) => {
      const value = answer.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const location = header('location');
    if (REDIRECT_STATUSES.has(answer.statusCode) && location) {
      await answer.body.dump().catch(() => undefined);
      release();
      if (hop >= MAX_REDIRECTS) {
        throw new WorkflowError(
          'attachment_source_failed',
          workflowMessages.attachmentTooManyRedirects(href, MAX_REDIRECTS),
        );
      }
      const next = URL.parse(location, url);
      if (!next) {
        throw new WorkflowError(
          'attachment_source_failed',
          workflowMessages.attachmentSourceFailed(href, answer.statusCode),
        );
      }
      url = next;
      continue;
    }
    if (answer.statusCode < 200 || answer.statusCode >= 300) {
      await answer.body.dump().catch(() => undefined);
      release();
      throw new WorkflowError(
        'attachment_source_failed',
        workflowMessages.attachmentSourceFailed(href, answer.statusCode),
      );
    }
    if (Number(header('content-length') ?? 0) > options.maxBytes) {
      answer.body.once('error', () => undefined);
      answer.body.destroy();
      release();
      throw new WorkflowError('attachment_too_large', workflowMessages.attachmentTooLarge(options.maxBytes));
    }
    answer.body.once('close', release);
    return {
      body: Readable.toWeb(answer.body) as ReadableStream<Uint8Array>,
      contentType: header('content-type'),
    };
  }
}
