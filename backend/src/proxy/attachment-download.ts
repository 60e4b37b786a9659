/**
 * Jira answers `GET attachment/content/{id}` (and `thumbnail/{id}`) with 303 to a media URL unless the query says
 * `redirect=false`. Callers of the proxy expect the bytes, so the proxy asks for them directly when the caller did
 * not choose; a caller that sets `redirect` itself gets Jira's answer as is (the media URL carries its own token).
 */
const ATTACHMENT_DOWNLOAD = /^rest\/api\/[23]\/attachment\/(content|thumbnail)\/[^/]+$/;

export function withAttachmentRedirectOff(method: string, path: string, search: string): string {
  if (method !== 'GET' || !ATTACHMENT_DOWNLOAD.test(path)) return search;
  if (new URLSearchParams(search).has('redirect')) return search;
  return search ? `${search}&redirect=false` : '?redirect=false';
}
