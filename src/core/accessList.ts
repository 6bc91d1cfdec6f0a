/**
 * Who may sign in and who is an admin, kept in the database so that admins change it from the dashboard
 * without a restart, and every instance sees the change at its next request (each request that can sign
 * someone in re-reads the list first). The environment gives the starting list: STUDIO_ALLOWED_EMAILS and
 * STUDIO_ADMIN_EMAILS always count (admins add to them and may promote their people; a restart with a
 * changed environment takes effect as before), and the admins it names cannot be demoted or removed from
 * the dashboard, so nobody can lock the operator out. Every change is written to an audit log admins read.
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
  action: 'add' | 'change' | 'remove';
  email: string;
  role: AccessRole | null;
}

/** The store behind the list (store/accessListRepository). Each change writes its audit row with it. */
export interface AccessListRepository {
  list(): Promise<AccessEntry[]>;
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
  private readonly _envMembers: ReadonlySet<string>;

  constructor(
    private readonly _repo: AccessListRepository,
    env: { allowed: readonly string[]; admins: readonly string[] },
    private readonly _now: () => Date = () => new Date(),
  ) {
    this._envAdmins = new Set(env.admins.map(normalize));
    this._envMembers = new Set(env.allowed.map(normalize).filter((e) => !this._envAdmins.has(e)));
    this._admins = this._envAdmins;
    this._allowed = new Set([...this._envMembers, ...this._envAdmins]);
  }

  async start(): Promise<void> {
    await this.refresh();
  }

  /** Re-reads the list (before each request that may sign someone in). */
  async refresh(): Promise<void> {
    const entries = await this._repo.list();
    this._allowed = new Set([...entries.map((e) => e.email), ...this._envMembers, ...this._envAdmins]);
    this._admins = new Set([...entries.filter((e) => e.role === 'admin').map((e) => e.email), ...this._envAdmins]);
  }

  allowed(): ReadonlySet<string> {
    return this._allowed;
  }

  admins(): ReadonlySet<string> {
    return this._admins;
  }

  /** Everyone who may sign in: the configuration's people (added by `configuration`) and the admins' additions. */
  async entries(): Promise<AccessEntry[]> {
    const stored = await this._repo.list();
    const byEmail = new Map(stored.map((e) => [e.email, e]));
    const fromConfig = (email: string, role: AccessRole): AccessEntry => ({
      email,
      role: role === 'admin' || byEmail.get(email)?.role === 'admin' ? 'admin' : 'member',
      addedBy: 'configuration',
      addedAt: '',
    });
    const listed = [
      ...[...this._envAdmins].map((e) => fromConfig(e, 'admin')),
      ...[...this._envMembers].map((e) => fromConfig(e, 'member')),
      ...stored.filter((e) => !this._envAdmins.has(e.email) && !this._envMembers.has(e.email)),
    ];
    return listed.sort((a, b) => a.email.localeCompare(b.email));
  }

  /** Whether the configuration lets `email` sign in (such an entry cannot be removed here). */
  isConfigured(email: string): boolean {
    const address = normalize(email);
    return this._envAdmins.has(address) || this._envMembers.has(address);
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
    if (this.isConfigured(address)) {
      throw new ForbiddenError(
        `${address} is on the list by the server's configuration (STUDIO_ALLOWED_EMAILS or STUDIO_ADMIN_EMAILS); take it off there and restart.`,
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
