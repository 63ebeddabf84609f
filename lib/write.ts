import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

export interface WriteScope {
  /** Cluster folders the run rendered; stale files are removed only inside them. */
  readonly clusters: readonly string[];
  /** Services the run rendered; undefined means every service (a full run). */
  readonly apps?: readonly string[];
  /** Every cluster of the inventory: on a full run, folders of other clusters are removed. */
  readonly inventory?: readonly string[];
}

export interface WriteSummary {
  written: string[];
  unchanged: number;
  removed: string[];
}

const SUFFIX = '.k8s.yaml';

/**
 * What an OutputStager already did for a file: found it unchanged, or wrote its content to a
 * temporary name next to it.
 */
export type StageMark = { readonly kind: 'unchanged' } | { readonly kind: 'written'; readonly temporary: string };

/**
 * Writes rendered files into `outDir`. Called only after every check passed. Each file is
 * written to a temporary name and renamed over the old one, so a reader never sees half a file;
 * files whose content is unchanged are not touched. Files of services or clusters that are gone
 * are removed, within the scope of the run. A file with a `staged` mark (OutputStager) only has
 * its temporary renamed into place.
 */
export function writeOutputs(outDir: string, files: readonly { path: string; content: string; staged?: StageMark }[], scope: WriteScope): WriteSummary {
  const summary: WriteSummary = { written: [], unchanged: 0, removed: [] };
  const wanted = new Set(files.map((f) => f.path));
  for (const file of files) {
    const target = path.join(outDir, file.path);
    if (file.staged?.kind === 'written') {
      fs.renameSync(file.staged.temporary, target);
      summary.written.push(file.path);
      continue;
    }
    if (file.staged?.kind === 'unchanged' || (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === file.content)) {
      summary.unchanged++;
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, file.content);
    fs.renameSync(temporary, target);
    summary.written.push(file.path);
  }
  for (const cluster of scope.clusters) {
    const dir = path.join(outDir, cluster);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      if (!name.endsWith(SUFFIX)) continue;
      const app = name.slice(0, -SUFFIX.length);
      const relative = `${cluster}/${name}`;
      if (wanted.has(relative) || (scope.apps && !scope.apps.includes(app))) continue;
      fs.rmSync(path.join(dir, name));
      summary.removed.push(relative);
    }
  }
  if (scope.inventory && fs.existsSync(outDir)) {
    for (const entry of fs.readdirSync(outDir, { withFileTypes: true })) {
      if (entry.isDirectory() && !scope.inventory.includes(entry.name)) {
        fs.rmSync(path.join(outDir, entry.name), { recursive: true });
        summary.removed.push(`${entry.name}/`);
      }
    }
  }
  return summary;
}

/** Writes batches of files on its own thread; answers each batch with one error text (or null) per file. */
const WRITER = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
parentPort.on('message', ({ id, files }) => {
  const errors = files.map(({ temporary, content }) => {
    try {
      fs.writeFileSync(temporary, content);
      return null;
    } catch (error) {
      return String(error && error.message);
    }
  });
  parentPort.postMessage({ id, errors });
});
`;

/**
 * Writes files to their temporary names on a writer thread while the pipeline is still
 * rendering, so the disk's time overlaps with rendering instead of adding to it. Nothing
 * replaces a real file until writeOutputs renames the temporaries, after every check passed;
 * `abort` removes them. Files are compared with what is on disk first, as writeOutputs does:
 * unchanged files are not touched. A file the writer fails on is simply left unstaged, and
 * writeOutputs writes it (and reports any error) the usual way.
 */
export class OutputStager {
  private readonly marks = new Map<string, StageMark>();
  private readonly waiting = new Map<number, (errors: (string | null)[]) => void>();
  private readonly pending: Promise<void>[] = [];
  private readonly createdDirs: string[] = [];
  private readonly knownDirs = new Set<string>();
  private readonly temporaries: string[] = [];
  private writer: Worker | undefined;
  private batches = 0;

  constructor(readonly outDir: string) {}

  /** Compares these files with the disk now and hands the changed ones to the writer thread. */
  add(files: readonly { path: string; content: string }[]): void {
    const batch: { relative: string; temporary: string; content: string }[] = [];
    for (const file of files) {
      const target = path.join(this.outDir, file.path);
      if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === file.content) {
        this.marks.set(file.path, { kind: 'unchanged' });
        continue;
      }
      this.ensureDir(path.dirname(target));
      const temporary = `${target}.${process.pid}.tmp`;
      this.temporaries.push(temporary);
      batch.push({ relative: file.path, temporary, content: file.content });
    }
    if (batch.length === 0) return;
    const id = this.batches++;
    this.pending.push(
      new Promise<void>((resolve) => {
        this.waiting.set(id, (errors) => {
          batch.forEach((file, i) => {
            if (errors[i] === null) this.marks.set(file.relative, { kind: 'written', temporary: file.temporary });
          });
          resolve();
        });
      }),
    );
    this.startWriter().postMessage({ id, files: batch.map(({ temporary, content }) => ({ temporary, content })) });
  }

  /** Waits for the writer; then `mark` tells what was done for each file. */
  async settle(): Promise<void> {
    try {
      await Promise.all(this.pending);
    } finally {
      await this.writer?.terminate();
      this.writer = undefined;
    }
  }

  mark(relative: string): StageMark | undefined {
    return this.marks.get(relative);
  }

  /** Removes every temporary, and the folders staging created, leaving the disk as it was. */
  async abort(): Promise<void> {
    await this.settle();
    for (const temporary of this.temporaries) fs.rmSync(temporary, { force: true });
    this.marks.clear();
    for (const dir of this.createdDirs.reverse()) {
      try {
        fs.rmdirSync(dir);
      } catch {
        // Not empty (another writer put something there) or gone: leave it.
      }
    }
  }

  private ensureDir(dir: string): void {
    if (this.knownDirs.has(dir)) return;
    this.knownDirs.add(dir);
    if (fs.existsSync(dir)) return;
    // mkdir -p, remembering each folder it creates (outermost first) for abort.
    const missing: string[] = [];
    for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
    fs.mkdirSync(dir, { recursive: true });
    this.createdDirs.push(...missing);
  }

  private startWriter(): Worker {
    if (this.writer) return this.writer;
    const writer = new Worker(WRITER, { eval: true });
    writer.on('message', ({ id, errors }: { id: number; errors: (string | null)[] }) => {
      this.waiting.get(id)?.(errors);
      this.waiting.delete(id);
    });
    // A writer that dies leaves its files unstaged: writeOutputs writes them itself.
    const release = () => {
      for (const [id, done] of this.waiting) {
        done([]);
        this.waiting.delete(id);
      }
    };
    writer.on('error', release);
    writer.on('exit', release);
    this.writer = writer;
    return writer;
  }
}
