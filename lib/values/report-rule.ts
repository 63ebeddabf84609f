import type { RuleId } from '../validate/catalog';

/** Records a rule finding at a values path; resolve decides file, cluster, severity and waivers. */
export type Report = (path: PropertyKey[], rule: RuleId, message: string) => void;
