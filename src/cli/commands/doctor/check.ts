/**
 * The shape of one doctor check: `run` sees the settings and what the checks before it found, and returns one
 * line of the report (or two, for the key and its models). The runner (../doctor.ts) runs them in order.
 * @module
 */
import type { FullConfig } from '../../../config/config.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  id: string;
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

export interface CheckContext {
  config: FullConfig;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** The result of an earlier check, by id. */
  earlier(id: string): Check | undefined;
}

export interface DoctorCheck {
  /** What it looks at (the ids of the lines it reports are in each line). */
  name: string;
  run(context: CheckContext): Check | Check[] | Promise<Check | Check[]>;
}

export const KEY_URL = 'https://aistudio.google.com/apikey';
