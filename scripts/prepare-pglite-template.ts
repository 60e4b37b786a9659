/**
 * Run by `npm install` (postinstall): prepares the empty PGlite data folder a first `npm start` loads instead of
 * creating one (backend/src/db/pglite-template.ts). Never fails the install: without it the start is slower.
 */
import { preparePgliteTemplate } from '../backend/src/db/pglite-template';

try {
  const started = performance.now();
  const file = await preparePgliteTemplate();
  console.log(
    `Prepared the embedded database's template (${Math.round(performance.now() - started)} ms): ${file}`,
  );
} catch (error) {
  console.warn(
    `Could not prepare the embedded database's template; the first start creates it instead: ${error}`,
  );
}
