/**
 * Who may sign in and who is an admin, kept in the database so that admins change it from the dashboard
 * without a restart, and every instance sees the change at its next request (each request that can sign
 * someone in re-reads the list first). The environment seeds it: STUDIO_ALLOWED_EMAILS and
 * STUDIO_ADMIN_EMAILS fill an empty list, and the admins it names stay admins whatever the list says (so
 * that nobody can lock the operator out). Every change is written to an audit log admins can read.
 * @module
 */
import { ForbiddenError, InvalidInputError } from './errors.js';

export type AccessRole = 'member' | 'admin';

export interface AccessEntry {
  email: string;
  role: AccessRole;
  addedBy: string;
  addedAt: string;
}

export interface AccessAuditEntry {
  at: string;
  actor: string;
  action: 'seed' | 'add' | 'change' | 'remove';
  email: string;
  role: AccessRole | null;
}

/** The store behind the list (store/accessListRepository). Each change writes its audit row with it. */
export interface AccessListRepository {
  list(): Promise<AccessEntry[]>;
  /** Fills an empty list (in one transaction, so instances starting together seed it once). */
  seedIfEmpty(entries: AccessEntry[]): Promise<boolean>;
  /** Adds the email or changes its role; `undefined` when nothing changed. */
  put(entry: AccessEntry): Promise<'add' | 'change' | undefined>;
  remove(email: string, actor: string, at: string): Promise<boolean>;
  audit(limit: number): Promise<AccessAuditEntry[]>;
}

const EMAIL = /^[^\s@<>"',;]+@[^\s@<>"',;]+\.[^\s@<>"',;]+$/;

export class AccessList {
  private _allowed: ReadonlySet<string>;
  private _admins: ReadonlySet<string>;
  private readonly _envAdmins: ReadonlySet<string>;

  constructor(
    private readonly _repo: AccessListRepository,
    private readonly _env: { allowed: readonly string[]; admins: readonly string[] },
    private readonly _now: () => Date = () => new Date(),
  ) {
    this._envAdmins = new Set(_env.admins.map(normalize));
    this._admins = this._envAdmins;
    this._allowed = new Set([..._env.allowed.map(normalize), ...this._envAdmins]);
  }

  /** Seeds an empty list from the environment, then reads it. */
  async start(): Promise<void> {
    const at = this._now().toISOString();
    const admins = [...this._envAdmins];
    const members = this._env.allowed.map(normalize).filter((e) => !this._envAdmins.has(e));
    await this._repo.seedIfEmpty([
      ...admins.map((email) => ({ email, role: 'admin' as const, addedBy: 'environment', addedAt: at })),
      ...[...new Set(members)].map((email) => ({
        email,
        role: 'member' as const,
        addedBy: 'environment',
        addedAt: at,
      })),
    ]);
    await this.refresh();
  }

  /** Re-reads the list (before each request that may sign someone in). */
  async refresh(): Promise<void> {
    const entries = await this._repo.list();
    this._allowed = new Set([...entries.map((e) => e.email), ...this._envAdmins]);
    this._admins = new Set([...entries.filter((e) => e.role === 'admin').map((e) => e.email), ...this._envAdmins]);
  }

  allowed(): ReadonlySet<string> {
    return this._allowed;
  }

  admins(): ReadonlySet<string> {
    return this._admins;
  }

  /** The admins the environment names: always admins, not removable from the dashboard. */
  fixedAdmins(): ReadonlySet<string> {
    return this._envAdmins;
  }

  entries(): Promise<AccessEntry[]> {
    return this._repo.list();
  }

  audit(limit = 50): Promise<AccessAuditEntry[]> {
    return this._repo.audit(limit);
  }

  /** Lets `email` sign in (as `role`); an admin's change, written to the audit log. */
  async put(actor: string, email: string, role: AccessRole): Promise<'add' | 'change' | undefined> {
    const address = normalize(email);
    if (!EMAIL.test(address)) {
      throw new InvalidInputError(`"${email}" is not an email address. Enter one address, like name@example.com.`);
    }
    if (role === 'member' && this._envAdmins.has(address)) {
      throw new ForbiddenError(
        `${address} is an admin by the server's configuration (STUDIO_ADMIN_EMAILS); change it there.`,
      );
    }
    const result = await this._repo.put({ email: address, role, addedBy: actor, addedAt: this._now().toISOString() });
    await this.refresh();
    return result;
  }

  /** Takes `email` off the list: refused from their next request on, on every instance. */
  async remove(actor: string, email: string): Promise<boolean> {
    const address = normalize(email);
    if (this._envAdmins.has(address)) {
      throw new ForbiddenError(
        `${address} is an admin by the server's configuration (STUDIO_ADMIN_EMAILS); change it there.`,
      );
    }
    if (address === normalize(actor)) {
      throw new ForbiddenError('You cannot take yourself off the list; ask another admin.');
    }
    const removed = await this._repo.remove(address, actor, this._now().toISOString());
    await this.refresh();
    return removed;
  }
}

function normalize(email: string): string {
  return email.trim().toLowerCase();
}
