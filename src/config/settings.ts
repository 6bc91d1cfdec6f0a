/**
 * Every setting, declared once: its rule (a zod schema), its default, the environment variables and flag that
 * set it, the hint shown when a value is refused, and the text of its row in the README's settings table (see
 * setting.ts). config.ts derives the type, the merge and the environment mapping from this table;
 * `npm run docs` renders the README table from it (scripts/toolDocs.mjs) and `npm run lint` fails when the
 * README is stale. The entries live in three files by area, in the README's order.
 * @module
 */
import { geminiSettings } from './settingsGemini.js';
import { serverSettings } from './settingsServer.js';
import { storageSettings } from './settingsStorage.js';

export { DEFAULT_LINK_TTL_SECONDS } from './settingsStorage.js';

export const SETTINGS = { ...storageSettings, ...geminiSettings, ...serverSettings };
