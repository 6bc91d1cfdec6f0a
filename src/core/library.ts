/**
 * What people keep in the studio: brand palettes, styles (a written style guide) and prompt templates.
 * Each item belongs to one person, or (made by an admin) to the whole team. A person sees their own and
 * the team's; nobody sees another person's. Names are unique per kind and scope; looking an item up by
 * name prefers the person's own over the team's.
 * @module
 */
import { ForbiddenError, InvalidInputError, NotFoundError } from './errors.js';

export type LibraryKind = 'palette' | 'style' | 'template';
export type LibraryScope = 'person' | 'team';

export interface LibraryRow {
  id: string;
  kind: LibraryKind;
  scope: LibraryScope;
  /** The person; empty for team items. */
  ownerId: string;
  name: string;
  /** JSON text. */
  body: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface LibraryRepository {
  /** The person's own items of a kind, and the team's. */
  list(kind: LibraryKind, ownerId: string): Promise<LibraryRow[]>;
  get(id: string): Promise<LibraryRow | undefined>;
  /** Inserts, or replaces the body of the item with the same kind, scope, owner and name. */
  upsert(row: LibraryRow): Promise<LibraryRow>;
  delete(id: string): Promise<boolean>;
}

export interface Caller {
  ownerId: string;
  isAdmin?: boolean;
}

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$/;

/** Typed access to one kind of item; the body is validated by `parse` when read and when saved. */
export class LibraryShelf<T> {
  constructor(
    private readonly _repo: LibraryRepository,
    private readonly _kind: LibraryKind,
    private readonly _parse: (body: unknown) => T,
    private readonly _newId: () => string,
    private readonly _now: () => Date = () => new Date(),
  ) {}

  async list(caller: Caller): Promise<Array<LibraryRow & { value: T }>> {
    const rows = await this._repo.list(this._kind, caller.ownerId);
    return rows.map((row) => ({ ...row, value: this._parse(JSON.parse(row.body)) }));
  }

  /** By id or by name (the caller's own first, then the team's). */
  async find(idOrName: string, caller: Caller): Promise<LibraryRow & { value: T }> {
    const wanted = idOrName.trim();
    const rows = await this.list(caller);
    const hit =
      rows.find((r) => r.id === wanted) ??
      rows.find((r) => r.scope === 'person' && r.name.toLowerCase() === wanted.toLowerCase()) ??
      rows.find((r) => r.name.toLowerCase() === wanted.toLowerCase());
    if (!hit) {
      const names = rows.map((r) => r.name);
      throw new NotFoundError(
        `No ${this._kind} named "${wanted}".${names.length > 0 ? ` Yours: ${names.join(', ')}.` : ` Save one with the studio_library tool or in the studio (/ui) first.`}`,
      );
    }
    return hit;
  }

  async save(
    input: { name: string; value: unknown; scope?: LibraryScope; id?: string },
    caller: Caller,
  ): Promise<LibraryRow & { value: T }> {
    const name = input.name.trim();
    if (!NAME_PATTERN.test(name))
      throw new InvalidInputError(
        `"${input.name}" is not a usable name: 1 to 64 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit.`,
      );
    const scope = input.scope ?? 'person';
    if (scope === 'team' && !caller.isAdmin) throw new ForbiddenError(`Only an admin can save a team ${this._kind}.`);
    const value = this._parse(input.value);
    const now = this._now().toISOString();
    let existing: LibraryRow | undefined;
    if (input.id) {
      existing = await this._repo.get(input.id);
      if (!existing || existing.kind !== this._kind || !this._mayChange(existing, caller))
        throw new NotFoundError(`No ${this._kind} with id "${input.id}" of yours.`);
    }
    const row = await this._repo.upsert({
      id: existing?.id ?? this._newId(),
      kind: this._kind,
      scope: existing?.scope ?? scope,
      ownerId: (existing?.scope ?? scope) === 'team' ? '' : caller.ownerId,
      name,
      body: JSON.stringify(value),
      createdBy: existing?.createdBy ?? caller.ownerId,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    });
    return { ...row, value };
  }

  async delete(id: string, caller: Caller): Promise<void> {
    const row = await this._repo.get(id);
    if (!row || row.kind !== this._kind || !this._mayChange(row, caller))
      throw new NotFoundError(`No ${this._kind} with id "${id}" of yours.`);
    await this._repo.delete(id);
  }

  private _mayChange(row: LibraryRow, caller: Caller): boolean {
    return row.scope === 'team' ? caller.isAdmin === true : row.ownerId === caller.ownerId;
  }
}
