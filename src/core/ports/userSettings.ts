/**
 * Per-person settings port, and one person's storage use for the admin page.
 * @module
 */
/** What a person chose for themselves (kept on their `users` row). */
export interface UserSettingsRepository {
  /** The model alias they chose, or undefined when they chose none. */
  getDefaultModel(userId: string): Promise<string | undefined>;
  /** `null` goes back to the server's default. */
  setDefaultModel(userId: string, alias: string | null): Promise<void>;
}

/** One person's stored images (maintenance's view of storage), for the admin page. */
export interface StorageUse {
  ownerId: string;
  email: string | null;
  images: number;
  bytes: number;
  /** Their own retention, when set (else the deployment's applies). */
  retentionDays: number | null;
  retentionGb: number | null;
}
