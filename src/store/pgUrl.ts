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

/**
 * The URL with `application_name` set to `<base>-<role>`, where base is the URL's own `application_name`
 * (default `nanobanana-studio`), so that every connection of an instance can be told apart in
 * `pg_stat_activity` by what it does (query, listen) and by whose it is (a deployment or test run sets
 * the base in STUDIO_DATABASE_URL).
 */
export function withApplicationName(url: string, role: string): string {
  try {
    const parsed = new URL(withDefaultUser(url));
    const base = parsed.searchParams.get('application_name') || 'nanobanana-studio';
    parsed.searchParams.set('application_name', `${base}-${role}`.slice(0, 63));
    return parsed.toString();
  } catch {
    return url;
  }
}
