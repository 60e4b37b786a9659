/**
 * Attachments: upload (multipart, XSRF header), metadata, delete, settings, and content. Content answers 303 to a
 * media URL (token in the query, no bearer needed) unless `redirect=false`, as api.atlassian.com does; the media
 * route streams it. Seeded content is generated on the fly (a seeded 5 MB file is never stored); uploaded bytes
 * are kept in memory.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Hono } from 'hono';
import { type ApiContext, type ApiRoute, type ApiServices, actorCan, platform } from '../api/context';
import { jiraError } from '../api/errors';
import { type AttachmentRecord, nextId } from '../state';
import { visibleIssue } from './lookup';
import { JIRA_MESSAGES } from './messages';
import { renderAttachment } from './render';

/** Jira's attachment size limit (10 MB here; sites may raise it). */
export const ATTACHMENT_UPLOAD_LIMIT = 10 * 1024 * 1024;
const MEDIA_TOKEN_TTL_MS = 10 * 60 * 1000;
/** Per process: media tokens only need to outlive one redirect. */
const mediaSecret = randomBytes(32);

function mediaSignature(attachmentId: string, expires: number): string {
  return createHmac('sha256', mediaSecret).update(`${attachmentId}.${expires}`).digest('base64url');
}

/** The media URL a 303 points at: `${origin}/media/file/{id}/binary?token=…&expires=…&name=…&dl=true`. */
export function mediaUrl(origin: string, attachment: AttachmentRecord, now: number): string {
  const expires = now + MEDIA_TOKEN_TTL_MS;
  const query = new URLSearchParams({
    token: mediaSignature(attachment.id, expires),
    expires: String(expires),
    name: attachment.filename,
    dl: 'true',
  });
  return `${origin}/media/file/${attachment.id}/binary?${query}`;
}

function contentResponse(c: { body: ApiContext['body'] }, attachment: AttachmentRecord): Response {
  return c.body(
    attachment.content ? new Uint8Array(attachment.content).buffer : attachmentStream(attachment.size),
    200,
    {
      'Content-Type': attachment.mimeType,
      'Content-Length': String(attachment.size),
      'Content-Disposition': `attachment; filename="${attachment.filename}"`,
    },
  );
}

/** `GET /media/file/{id}/binary`: what the 303 leads to; the signed token is the only credential. */
export function mountMediaRoute(app: Hono, services: Pick<ApiServices, 'state' | 'now'>): void {
  app.get('/media/file/:id/binary', (c) => {
    const id = c.req.param('id');
    const expires = Number(c.req.query('expires'));
    const given = Buffer.from(c.req.query('token') ?? '');
    const expected = Buffer.from(mediaSignature(id, expires));
    const attachment = services.state.attachments.get(id);
    const valid =
      given.length === expected.length && timingSafeEqual(given, expected) && expires > services.now();
    if (!valid)
      return c.json({ error: 'Unauthorized', message: 'The media token is invalid or expired.' }, 401);
    if (!attachment) return c.json({ error: 'Not Found', message: 'The file does not exist.' }, 404);
    return contentResponse(c as unknown as { body: ApiContext['body'] }, attachment);
  });
}

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
  const { state } = services;
  /** The attachment when the caller may see its issue. */
  const visible = (c: ApiContext) => {
    const id = c.req.param('id') ?? '';
    const attachment = state.attachments.get(id);
    const found = attachment ? visibleIssue(services, c.get('actor'), attachment.issueId) : null;
    return attachment && found ? { attachment, ...found } : null;
  };
  const notFound = (c: ApiContext) =>
    jiraError(c, 404, [JIRA_MESSAGES.attachmentNotFound(c.req.param('id') ?? '')]);
  return [
    platform('GET', '/rest/api/3/attachment/content/{id}', (c) => {
      const target = visible(c);
      if (!target) return notFound(c);
      c.set('returnedObjects', 1);
      if (c.req.query('redirect') === 'false') return contentResponse(c, target.attachment);
      const origin = new URL(c.get('actor').site.apiUrl).origin;
      return c.body(null, 303, { Location: mediaUrl(origin, target.attachment, services.now()) });
    }),
    platform('GET', '/rest/api/3/attachment/{id}', (c) => {
      const target = visible(c);
      if (!target) return notFound(c);
      c.set('returnedObjects', 1);
      // `AttachmentMetadata`: the same facts with a numeric id, plus the attachment's properties.
      const view = renderAttachment(state, c.get('actor').site, target.attachment);
      return c.json({ ...view, id: Number(view.id), properties: {} });
    }),
    platform('DELETE', '/rest/api/3/attachment/{id}', (c) => {
      const target = visible(c);
      if (!target) return notFound(c);
      const actor = c.get('actor');
      const own = target.attachment.authorId === actor.user.accountId;
      if (!actorCan(actor, target.project, 'EDIT_ISSUES') && !own)
        return jiraError(c, 403, [JIRA_MESSAGES.noAttachmentDeletePermission]);
      state.attachments.delete(target.attachment.id);
      target.issue.attachmentIds = target.issue.attachmentIds.filter((id) => id !== target.attachment.id);
      target.issue.updated = services.now();
      return c.body(null, 204);
    }),
    platform('GET', '/rest/api/3/attachment/meta', (c) =>
      c.json({ enabled: true, uploadLimit: ATTACHMENT_UPLOAD_LIMIT }),
    ),
    {
      ...platform('POST', '/rest/api/3/issue/{issueIdOrKey}/attachments', async (c) => {
        const actor = c.get('actor');
        // Jira refuses uploads without the XSRF opt-out header before looking at anything else.
        if ((c.req.header('x-atlassian-token') ?? '').toLowerCase() !== 'no-check')
          return c.text(JIRA_MESSAGES.xsrfCheckFailed, 403);
        const found = visibleIssue(services, actor, c.req.param('issueIdOrKey') ?? '');
        if (!found) return jiraError(c, 404, [JIRA_MESSAGES.issueNotFound]);
        if (!actorCan(actor, found.project, 'EDIT_ISSUES') && !actorCan(actor, found.project, 'ADD_COMMENTS'))
          return jiraError(c, 403, [JIRA_MESSAGES.noAttachPermission]);
        let form: FormData;
        try {
          form = await c.req.formData();
        } catch {
          return jiraError(c, 400, [JIRA_MESSAGES.attachmentMultipartRequired]);
        }
        const files = form.getAll('file').filter((f): f is File => typeof f !== 'string');
        if (files.length === 0) return jiraError(c, 400, [JIRA_MESSAGES.attachmentMultipartRequired]);
        const total = files.reduce((sum, f) => sum + f.size, 0);
        if (total > ATTACHMENT_UPLOAD_LIMIT)
          return jiraError(c, 413, [JIRA_MESSAGES.attachmentTooLarge(ATTACHMENT_UPLOAD_LIMIT)]);
        const created: AttachmentRecord[] = [];
        for (const file of files) {
          const record: AttachmentRecord = {
            id: nextId(state),
            issueId: found.issue.id,
            filename: file.name,
            mimeType: file.type || 'application/octet-stream',
            size: file.size,
            authorId: actor.user.accountId,
            created: services.now(),
            content: new Uint8Array(await file.arrayBuffer()),
          };
          state.attachments.set(record.id, record);
          found.issue.attachmentIds.push(record.id);
          created.push(record);
        }
        found.issue.updated = services.now();
        c.set('returnedObjects', created.length);
        return c.json(created.map((a) => renderAttachment(state, actor.site, a)));
      }),
      rawBody: true,
    },
  ];
}
