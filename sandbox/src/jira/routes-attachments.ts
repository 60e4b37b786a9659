/** Attachment content, generated on the fly (a seeded 5 MB file is never stored, in git or in memory). */
import type { ApiRoute, ApiServices } from '../api/context';
import { jiraError } from '../api/errors';
import { visibleIssue } from './lookup';
import { JIRA_MESSAGES } from './messages';

const CHUNK_SIZE = 64 * 1024;
let chunk: Uint8Array | null = null;

/** A fixed pseudo-random block, built once on first use and repeated to any length. */
function contentChunk(): Uint8Array {
  if (!chunk) {
    chunk = new Uint8Array(CHUNK_SIZE);
    let x = 0x2545f491;
    for (let i = 0; i < CHUNK_SIZE; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      chunk[i] = x & 0xff;
    }
  }
  return chunk;
}

export function attachmentStream(size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) {
        controller.close();
        return;
      }
      const block = contentChunk();
      const length = Math.min(block.length, size - sent);
      controller.enqueue(length === block.length ? block : block.subarray(0, length));
      sent += length;
    },
  });
}

export function attachmentRoutes(services: ApiServices): ApiRoute[] {
  return [
    {
      api: 'platform',
      method: 'GET',
      path: '/rest/api/3/attachment/content/{id}',
      handler: (c) => {
        const id = c.req.param('id') ?? '';
        const attachment = services.state.attachments.get(id);
        const issue = attachment ? services.state.issues.get(attachment.issueId) : undefined;
        if (!attachment || !issue || !visibleIssue(services, c.get('actor'), issue.id)) {
          return jiraError(c, 404, [JIRA_MESSAGES.attachmentNotFound(id)]);
        }
        c.set('returnedObjects', 1);
        return c.body(attachmentStream(attachment.size), 200, {
          'Content-Type': attachment.mimeType,
          'Content-Length': String(attachment.size),
          'Content-Disposition': `attachment; filename="${attachment.filename}"`,
        });
      },
    },
  ];
}
