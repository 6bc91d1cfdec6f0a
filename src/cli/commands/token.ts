/**
 * `nanobanana-studio token create --email E [--name N]`, `token list [--email E]`, `token revoke ID`:
 * personal access tokens for clients that only take a header (`Authorization: Bearer nbs_pat_…`), made
 * by whoever can open the database (signed-in people make their own on the dashboard, /ui/settings).
 * @module
 */
import type { AccessTokenRecord } from '../../core/ports.js';
import { COMMON_HELP, COMMON_OPTIONS, PROGRAM, runCommand, usage, withStudio } from './commandRuntime.js';
import { writeJson, writeLines } from './output.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  email: { type: 'string', short: 'e' },
  name: { type: 'string', short: 'n' },
  json: { type: 'boolean' },
} as const;

const HELP = `Usage: ${PROGRAM} token create --email EMAIL [--name NAME] [options]
       ${PROGRAM} token list [--email EMAIL] [options]
       ${PROGRAM} token revoke ID [options]

Personal access tokens, for MCP clients that only take a header when sign-in is on:
  Authorization: Bearer nbs_pat_…
A token acts as the person it was made for, as long as their email stays on STUDIO_ALLOWED_EMAILS, until
it is revoked. The person must have signed in once. The secret is printed once, on stdout; only a hash
of it is kept.

Options:
  -e, --email EMAIL  Whose token (create), or whose tokens to list (default: everyone's).
  -n, --name NAME    What the token is for, e.g. "laptop" (default "personal access token").
  --json             Print one JSON document on stdout.
${COMMON_HELP}`;

export function run(argv: string[]): Promise<number> {
  return runCommand(
    argv,
    { name: 'token', help: HELP, options: OPTIONS, positionals: { min: 1, max: 2 } },
    async ({ values, positionals }) => {
      const [action, id] = positionals;
      return withStudio(values, { gemini: false }, async ({ studio }) => {
        const tokens = studio.accessTokens;
        switch (action) {
          case 'create': {
            if (!values.email) throw usage('token', 'Say whose token it is: --email EMAIL');
            const { record, secret } = await tokens.create(values.email, values.name ?? 'personal access token');
            if (values.json) writeJson({ ...describe(record), token: secret });
            else
              writeLines([
                secret,
                `# ${record.id} for ${record.email} ("${record.name}"). Shown once: copy it into the client's Authorization header now.`,
              ]);
            return 0;
          }
          case 'list': {
            const all = await tokens.list();
            const shown = values.email ? all.filter((t) => t.email === values.email?.toLowerCase()) : all;
            if (values.json) writeJson({ tokens: shown.map(describe) });
            else
              writeLines(
                shown.length === 0
                  ? ['No access tokens.']
                  : shown.map(
                      (t) =>
                        `${t.id}  ${t.email}  "${t.name}"  made ${t.createdAt.slice(0, 10)}  ${t.revokedAt ? `revoked ${t.revokedAt.slice(0, 10)}` : t.lastUsedAt ? `last used ${t.lastUsedAt.slice(0, 16).replace('T', ' ')}` : 'never used'}`,
                    ),
              );
            return 0;
          }
          case 'revoke': {
            if (!id) throw usage('token', 'Say which token: token revoke ID (see token list)');
            await tokens.revoke(id);
            if (values.json) writeJson({ revoked: id });
            else writeLines([`Revoked ${id}. Clients using it are refused from their next request.`]);
            return 0;
          }
          default:
            throw usage('token', `Unknown action "${action}": use create, list or revoke`);
        }
      });
    },
  );
}

/** A token as `--json` shows it: never its hash, nor the owner's internal id. */
function describe({ id, email, name, createdAt, lastUsedAt, revokedAt }: AccessTokenRecord) {
  return { id, email, name, created_at: createdAt, last_used_at: lastUsedAt, revoked_at: revokedAt };
}
