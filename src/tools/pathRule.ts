/** The allowed-folders rule of a local server, in the words tool descriptions use (src/core/allowedPaths.ts). */
export const READ_RULE = 'under home or the working directory, not hidden folders (~/.ssh…) or key files';
export const WRITE_RULE = 'under home, not hidden folders or key files';
