/** The allowed-folders rule of a local server, in the words tool descriptions use (src/core/allowedPaths.ts). */
export const READ_RULE =
  'anywhere under the home folder or the working directory, except hidden folders (~/.ssh, ~/.aws, ~/.config), key and credential files and system folders; STUDIO_ALLOWED_ROOTS or client roots change this';
export const WRITE_RULE =
  'anywhere under the home folder (e.g. ~/project/out.png), except hidden folders (~/.ssh, ~/.config) and key files; STUDIO_ALLOWED_ROOTS or client roots change this';
