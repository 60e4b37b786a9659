/**
 * Timestamps are shown in UTC with minute precision: UI Kit has no locale-aware date component, and a
 * fixed format reads the same for every viewer.
 */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
