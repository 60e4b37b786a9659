/** The token of an `Authorization: Bearer <token>` header; undefined for anything else. */
export function bearerToken(header: string | null | undefined): string | undefined {
  return header ? /^Bearer\s+(\S+)$/i.exec(header)?.[1] : undefined;
}
