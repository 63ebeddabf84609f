import { parseArgs } from 'node:util';
import type { Command, Flags, Io } from './command';
import { apply } from './commands/apply';
import { diff } from './commands/diff';
import { routes } from './commands/routes';
import { rules } from './commands/rules';
import { synth } from './commands/synth';
import { validate } from './commands/validate';

/** Every command, in the order `--help` lists them. Add a command by adding its file here. */
const commands: readonly Command[] = [synth, validate, diff, routes, rules, apply];

export function helpText(): string {
  const lines = ['Usage: fleetchart <command> [flags]', '', 'Commands:'];
  for (const command of commands) {
    lines.push(`  ${command.name.padEnd(10)} ${command.summary}`);
    for (const flag of command.flags) {
      const usage = `--${flag.name}${flag.value ? ` ${flag.value}` : ''}`;
      lines.push(`      ${usage.padEnd(26)} ${flag.help}`);
    }
  }
  lines.push(`  ${'help'.padEnd(10)} Show this help (also --help, -h, and <command> --help).`);
  lines.push('', 'Exit codes: 0 success, 1 a check failed (one line per problem on stderr), 2 wrong usage.');
  return lines.join('\n');
}

/** Runs one command; returns the exit code. Never throws for bad input. */
export async function main(argv: readonly string[], io: Io = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(helpText());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`fleetchart: unknown command '${name}'; commands: ${commands.map((c) => c.name).join(', ')}, help`);
    return 2;
  }
  let flags: Flags;
  try {
    const options = Object.fromEntries([...command.flags.map((f) => [f.name, { type: f.type }]), ['help', { type: 'boolean', short: 'h' }]]);
    flags = parseArgs({ args: [...rest], options, strict: true, allowPositionals: false }).values as Flags;
  } catch (error) {
    io.err(`fleetchart ${name}: ${(error as Error).message}; see 'fleetchart ${name} --help'`);
    return 2;
  }
  if (flags.help) {
    io.out(helpText());
    return 0;
  }
  return command.run(flags, io);
}

function defaultIo(): Io {
  return { root: process.cwd(), out: (line) => console.log(line), err: (line) => console.error(line) };
}
