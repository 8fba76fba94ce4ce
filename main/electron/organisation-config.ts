// Settings an organisation deploys to its agents' machines: the update feed, and whether Baton opens at login
// until an agent says otherwise. One JSON file, read once at start. No file means none of it (updates stay off);
// a file that does not parse is ignored with one log line, never a crash.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const ORGANISATION_CONFIG_FILE = 'organisation.json';

export const OrganisationConfigSchema = z
  .object({
    updates: z
      .object({
        /** a folder holding electron-builder's latest*.yml and installers; HTTPS only, the download is code */
        feedUrl: z.url({ protocol: /^https$/, error: 'feedUrl must be an https:// URL' }),
        /** electron-updater's channel (latest, beta, …) */
        channel: z
          .string()
          .regex(/^[a-z0-9-]{1,32}$/)
          .optional(),
        checkEveryHours: z.number().min(1).max(168).default(6),
      })
      .strict()
      .optional(),
    openAtLogin: z.boolean().optional(),
  })
  .strict();
export type OrganisationConfig = z.infer<typeof OrganisationConfigSchema>;

/**
 * Where the file is looked for, first match wins: BATON_ORGANISATION_CONFIG (a path) alone when set; otherwise the
 * machine-wide folder an administrator or MDM writes to, then the agent's own user-data folder.
 */
export function organisationConfigCandidates(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  userData: string,
): string[] {
  if (env.BATON_ORGANISATION_CONFIG) return [env.BATON_ORGANISATION_CONFIG];
  const machineWide =
    platform === 'win32'
      ? path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'Baton', ORGANISATION_CONFIG_FILE)
      : platform === 'darwin'
        ? path.posix.join('/Library/Application Support/Baton', ORGANISATION_CONFIG_FILE)
        : path.posix.join('/etc/baton', ORGANISATION_CONFIG_FILE);
  return [machineWide, path.join(userData, ORGANISATION_CONFIG_FILE)];
}

export interface LoadedOrganisationConfig {
  config: OrganisationConfig;
  /** the file it came from; null when there was none (or it was ignored) */
  source: string | null;
}

export function loadOrganisationConfig(
  candidates: string[],
  log: (message: string) => void = () => {},
  read: (file: string) => string = (file) => fs.readFileSync(file, 'utf8'),
): LoadedOrganisationConfig {
  for (const file of candidates) {
    let text: string;
    try {
      text = read(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException)?.code === 'ENOENT') continue;
      log(`organisation config ${file} ignored: ${(error as Error).message}`);
      return { config: {}, source: null };
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      log(`organisation config ${file} ignored: it is not JSON (${(error as Error).message})`);
      return { config: {}, source: null };
    }
    const parsed = OrganisationConfigSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      log(`organisation config ${file} ignored: ${issue?.path.join('.') || 'the file'}: ${issue?.message}`);
      return { config: {}, source: null };
    }
    return { config: parsed.data, source: file };
  }
  return { config: {}, source: null };
}
