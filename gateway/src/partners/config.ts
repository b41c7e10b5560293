import { z } from 'zod';

/** How a partner's operations are checked against the manifest (a staged rollout per partner). */
export const SafelistMode = z.enum(['enforce', 'log']);
export type SafelistMode = z.infer<typeof SafelistMode>;

const partnerSchema = z
  .object({
    /** The token's `azp` (Auth0 machine-to-machine client id), else its `sub`. */
    id: z.string().min(1).max(200),
    /** `enforce`: manifest ids only; `log`: free text runs but is logged and counted. */
    mode: SafelistMode,
    budgets: z
      .object({
        requestsPerMinute: z.number().int().min(1),
        /** Estimated cost units (the gateway's cost analysis) per minute. */
        costPerMinute: z.number().int().min(1),
      })
      .strict(),
  })
  .strict();
export type PartnerConfig = z.infer<typeof partnerSchema>;

const fileSchema = z.object({ partners: z.array(z.unknown()) }).strict();

/** A partners file that cannot be used; the message names the file and the entry. */
export class PartnerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PartnerConfigError';
  }
}

const issues = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`).join('; ');

function parseEntry(entry: unknown, index: number, source: string): PartnerConfig {
  const parsed = partnerSchema.safeParse(entry);
  if (parsed.success) return parsed.data;
  const id = entry && typeof entry === 'object' && typeof (entry as { id?: unknown }).id === 'string' ? ` "${(entry as { id: string }).id}"` : '';
  throw new PartnerConfigError(`${source}: partners[${index}]${id}: ${issues(parsed.error)}`);
}

/**
 * Parses and validates a partners file (`{"partners": [{id, mode, budgets}]}`). Throws a
 * PartnerConfigError naming the file and the offending entry.
 */
export function parsePartners(text: string, source: string): ReadonlyMap<string, PartnerConfig> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PartnerConfigError(`${source}: not JSON (${(error as Error).message})`);
  }
  const file = fileSchema.safeParse(json);
  if (!file.success) throw new PartnerConfigError(`${source}: ${issues(file.error)}`);
  const partners = new Map<string, PartnerConfig>();
  file.data.partners.forEach((entry, index) => {
    const partner = parseEntry(entry, index, source);
    if (partners.has(partner.id)) throw new PartnerConfigError(`${source}: partners[${index}] "${partner.id}": id is listed twice`);
    partners.set(partner.id, partner);
  });
  return partners;
}
