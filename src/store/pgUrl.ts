import os from 'node:os';

/** Like libpq, a URL without a user name connects as the operating-system user. */
export function withDefaultUser(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username) parsed.username = os.userInfo().username;
    return parsed.toString();
  } catch {
    return url;
  }
}
