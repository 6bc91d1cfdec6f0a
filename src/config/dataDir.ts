import os from 'node:os';
import path from 'node:path';

/**
 * The per-user data folder, always absolute and never the working directory: clients start servers
 * with `/` or a read-only folder as their working directory.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const home = os.homedir();
  if (platform === 'win32') {
    return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'nanobanana-studio');
  }
  if (platform === 'darwin') {
    return path.join(home, 'Library', 'Application Support', 'nanobanana-studio');
  }
  const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : undefined;
  return path.join(xdg ?? path.join(home, '.local', 'share'), 'nanobanana-studio');
}
