import { randomUUID } from 'node:crypto';
import { workflowMessages } from '@jira-integration/shared/workflow-messages';
import { defineWorkflow, WorkflowError } from '../definition';
import { checkIssueAnswer, checkIssueKey, issueInput, issuePath } from '../issues';
import { downloadPublicFile, isTimeout } from '../public-download';

interface AttachmentInput {
  issue: string;
  url?: string;
  contentBase64?: string;
  filename?: string;
  mimeType?: string;
}

/** Jira Cloud's default attachment limit. */
const MAX_BYTES = 100 * 1024 * 1024;

/**
 * The file as a multipart body that streams: the part header, the source's bytes as they arrive (never held
 * whole in memory), the closing boundary. Stops with a clear error past the size limit, or when the source
 * stops answering; `failure` keeps that error, since the upload it breaks reports only that it broke.
 */
function multipartStream(
  source: ReadableStream<Uint8Array>,
  filename: string,
  mimeType: string,
  boundary: string,
  sourceUrl: string | undefined,
) {
  const encoder = new TextEncoder();
  const safeName = filename.replace(/["\r\n\\]/g, '_');
  const reader = source.getReader();
  let sent = 0;
  let phase: 'head' | 'body' | 'done' = 'head';
  let failure: WorkflowError | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (phase === 'head') {
        phase = 'body';
        controller.enqueue(
          encoder.encode(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: ${mimeType}\r\n\r\n`,
          ),
        );
        return;
      }
      if (phase === 'done') return;
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        failure = new WorkflowError(
          'attachment_source_failed',
          isTimeout(error)
            ? workflowMessages.attachmentSourceTimedOut(sourceUrl ?? '')
            : workflowMessages.attachmentSourceFailed(sourceUrl ?? '', 0),
        );
        controller.error(failure);
        return;
      }
      const { value, done } = chunk;
      if (done) {
        phase = 'done';
        controller.enqueue(encoder.encode(`\r\n--${boundary}--\r\n`));
        controller.close();
        return;
      }
      sent += value.byteLength;
      if (sent > MAX_BYTES) {
        await reader.cancel().catch(() => undefined);
        failure = new WorkflowError('attachment_too_large', workflowMessages.attachmentTooLarge(MAX_BYTES));
        controller.error(failure);
        return;
      }
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { stream, failure: () => failure };
}

async function openSource(input: AttachmentInput, allowedHosts: readonly string[]) {
  if (input.contentBase64 !== undefined) {
    const bytes = Buffer.from(input.contentBase64, 'base64');
    return {
      stream: new Blob([bytes]).stream(),
      filename: input.filename ?? 'attachment',
      mimeType: input.mimeType ?? 'application/octet-stream',
    };
  }
  const url = new URL(input.url ?? '');
  const download = await downloadPublicFile(url.href, { maxBytes: MAX_BYTES, allowedHosts });
  return {
    stream: download.body,
    filename: input.filename ?? (decodeURIComponent(url.pathname.split('/').pop() ?? '') || 'attachment'),
    mimeType: input.mimeType ?? download.contentType?.split(';')[0] ?? 'application/octet-stream',
  };
}

export default defineWorkflow<AttachmentInput>({
  key: 'add-attachment',
  kind: 'action',
  name: 'Add Attachment',
  description: 'Attaches a file to an issue, streamed from a URL or uploaded with the run (base64).',
  defaultApproval: 'installer-approval',
  writes: true,
  inputSchema: {
    type: 'object',
    required: ['issue'],
    additionalProperties: false,
    oneOf: [{ required: ['url'] }, { required: ['contentBase64'] }],
    properties: {
      issue: issueInput,
      url: { type: 'string', title: 'File URL', format: 'uri', pattern: '^https?://', maxLength: 2_000 },
      contentBase64: {
        type: 'string',
        title: 'File content (base64)',
        contentEncoding: 'base64',
        maxLength: 14_000_000,
      },
      filename: { type: 'string', title: 'File name', minLength: 1, maxLength: 255 },
      mimeType: { type: 'string', title: 'Content type', pattern: '^[\\w.+-]+/[\\w.+-]+$', maxLength: 255 },
    },
  },
  async run({ jira, services }, input) {
    const issue = checkIssueKey(input.issue);
    const source = await openSource(input, services.config.workflowFetchAllowedHosts);
    const boundary = `----attachment-${randomUUID()}`;
    const body = multipartStream(source.stream, source.filename, source.mimeType, boundary, input.url);
    const answer = await jira
      .call<Array<{ id: string; filename: string; size: number }>>(
        'Upload attachment',
        'POST',
        issuePath(issue, '/attachments'),
        {
          body: body.stream,
          headers: {
            'content-type': `multipart/form-data; boundary=${boundary}`,
            // Jira refuses multipart uploads without it (XSRF protection).
            'x-atlassian-token': 'no-check',
          },
        },
      )
      .catch((error: unknown) => {
        throw body.failure() ?? error;
      });
    const failure = body.failure();
    if (failure) throw failure;
    const [attachment] = checkIssueAnswer(answer, issue);
    return { issue, attachmentId: attachment.id, filename: attachment.filename, size: attachment.size };
  },
});
