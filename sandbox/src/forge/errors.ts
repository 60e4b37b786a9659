/** A refusal of a sandbox control call; the HTTP routes answer it with `status` and `{ message }`. */
export class ForgeControlError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404,
  ) {
    super(message);
    this.name = 'ForgeControlError';
  }
}
