import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built admin UI (`vite build` of apps/web), found from this module's file: services/projection/
 * src/ui/ (Vitest), services/projection/dist/ui/ (the service alone, and services/all, which imports
 * @vle/projection's dist), and /app/services/projection/dist/ui/ in the image (deploy/Dockerfile copies
 * apps/web/dist to /app/apps/web/dist): four levels up is the checkout (or /app) in each.
 */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../../../apps/web/dist/', import.meta.url));

/** PROJECTION_UI_DIR as given (relative to the working directory), or the default. */
export function uiDirOf(raw: string | undefined): string {
  return raw === undefined || raw === '' ? resolve(DEFAULT_UI_DIR) : resolve(raw);
}
