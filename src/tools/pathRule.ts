/** The allowed-folders rule of a local server, in the words tool descriptions use (src/core/allowedPaths.ts). */
export const READ_RULE = 'under the home folder or working directory, except hidden folders (~/.ssh…) and key files';
export const WRITE_RULE =
  'under the home folder (e.g. ~/project/out.png), except hidden folders (~/.ssh…) and key files';
