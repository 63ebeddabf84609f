import type { ResolvedService } from '../values/model';

/** `waiver.fleetchart.io/<rule>: <reason>`, so a waived rule is visible on the cluster. */
export function waiverAnnotations(service: ResolvedService): Record<string, string> | undefined {
  const entries = Object.entries(service.waivers);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([rule, reason]) => [`waiver.fleetchart.io/${rule}`, reason as string]));
}
