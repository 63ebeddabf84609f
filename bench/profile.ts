/**
 * Summarizes a V8 CPU profile (`node --cpu-prof`): self time by package or repository folder,
 * the top functions by self time, and inclusive time of the functions named with --focus.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bin/fleetchart.js synth
 *   node --require tsx/cjs bench/profile.ts /tmp/prof/*.cpuprofile [--top 30] [--focus renderFleet,toJson@api-object]
 */
import * as fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** `node_modules/<pkg>` → pkg, a repo file → its folder (lib/values, lib/constructs, ...). */
function area(url: string): string {
  if (!url) return '(native/gc/idle)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (path.startsWith('node:')) return 'node:internal';
  const lib = path.indexOf('/lib/');
  if (lib >= 0) {
    const parts = path.slice(lib + 1).split('/');
    return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts.join('/');
  }
  if (path.includes('/apps/')) return 'apps (values files)';
  return path;
}

/** `name` matches a function by name; `name@part` also needs `part` in its file's URL. */
function focusMatches(focus: string, frame: ProfileNode['callFrame']): boolean {
  const [name, file] = focus.split('@');
  return frame.functionName === name && (file === undefined || frame.url.includes(file));
}

export function summarize(profile: Profile, options: { top: number; focus: string[] }): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%`;

  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, t] of self) {
    const frame = byId.get(id)!.callFrame;
    const a = frame.functionName === '(garbage collector)' ? '(gc)' : frame.functionName === '(idle)' ? '(idle)' : area(frame.url);
    areas.set(a, (areas.get(a) ?? 0) + t);
    const name = `${frame.functionName || '(anonymous)'} ${frame.url ? `${frame.url.replace(/^.*\/(node_modules|lib|bench)\//, '$1/')}:${frame.lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + t);
  }

  // Inclusive time of focused functions (counted once per sample even when recursive).
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  if (options.focus.length) {
    profile.samples.forEach((id, i) => {
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const frame = byId.get(cur)!.callFrame;
        for (const f of options.focus) {
          if (seen.has(f) || !focusMatches(f, frame)) continue;
          seen.add(f);
          inclusive.set(f, (inclusive.get(f) ?? 0) + (profile.timeDeltas[i] ?? 0));
        }
      }
    });
  }

  const lines = [`total sampled: ${(total / 1000).toFixed(0)} ms (wall ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms)`, '', 'self time by area:'];
  for (const [a, t] of [...areas].sort((x, y) => y[1] - x[1]).slice(0, 20)) lines.push(`  ${ms(t)}  ${a}`);
  lines.push('', `top ${options.top} functions by self time:`);
  for (const [f, t] of [...functions].sort((x, y) => y[1] - x[1]).slice(0, options.top)) lines.push(`  ${ms(t)}  ${f}`);
  if (options.focus.length) {
    lines.push('', 'inclusive time:');
    for (const f of options.focus) lines.push(`  ${ms(inclusive.get(f) ?? 0)}  ${f}`);
  }
  return lines.join('\n');
}

function main(argv: string[]): void {
  const files = argv.filter((a, i) => !a.startsWith('--') && !['--top', '--focus'].includes(argv[i - 1]));
  const top = Number(argv[argv.indexOf('--top') + 1]) || 25;
  const focus = argv.includes('--focus') ? argv[argv.indexOf('--focus') + 1].split(',') : [];
  for (const file of files) {
    console.log(`# ${file}`);
    console.log(summarize(JSON.parse(fs.readFileSync(file, 'utf8')) as Profile, { top, focus }));
  }
}

if (require.main === module) main(process.argv.slice(2));
