/**
 * The interfaces through which core reaches Gemini and storage, one file per concern under ./ports/.
 * `src/gemini/` and `src/store/` implement them; core never imports those folders' modules directly (only
 * these types).
 * @module
 */

export type * from './ports/accessTokens.js';
export type * from './ports/gemini.js';
export type * from './ports/spending.js';
export type * from './ports/storage.js';
export type * from './ports/uploads.js';
export type * from './ports/userSettings.js';
