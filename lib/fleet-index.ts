import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readCache, writeCache } from './cache';
import type { Cluster } from './clusters/schema';
import { INVENTORY_FILE, valuesFile } from './load';
import type { Manifest } from './manifest';
import type { RenderedFile } from './pipeline';
import type { DirectoryEntry } from './values/calls';
import type { ResolvedService } from './values/model';

/**
 * The fleet index: for every service and cluster, what the cross-service checks of the validate
 * stage read of it (its resolved traffic, processes and ports, and its ingress VirtualServices).
 * `--app X` checks X against the index of every other service instead of rendering them, so a
 * host another service claims, or a call to a port that does not exist, fails there as in a full
 * run.
 *
 * Cached in node_modules/.cache/fleetchart/ by content hash: an entry is reused while its values
 * file (and the local files it imports), the inventory and lib/ are unchanged; a full run
 * rewrites the cache as a by-product, and `--app` builds the entries it misses.
 */

const CACHE_FILE = 'fleet-index.json';
/** Bump when the entry shape changes. */
const FORMAT = 1;

/** Kinds of objects other services' checks read (routes claim hosts through these). */
const INDEXED_KINDS = new Set(['VirtualService']);

/**
 * What the index keeps of one service on one cluster: what other services can collide with or
 * depend on (its routes, who may call it, its processes and ports), not how it runs.
 */
export interface IndexEntry {
  readonly service: IndexedService;
  readonly documents: readonly Manifest[];
  /** Its processes, ports, callers and calls as the values say: what calls to and from it resolve against. */
  readonly directory: DirectoryEntry;
}

/** A service on one cluster, as a run renders it and as the directory of calls sees it. */
export interface IndexSource {
  readonly file: RenderedFile;
  readonly directory: DirectoryEntry;
}

/** The other services on one cluster: for the validate stage and for resolving calls. */
export interface ClusterContext {
  readonly files: RenderedFile[];
  readonly directory: DirectoryEntry[];
}

type IndexedService = Pick<ResolvedService, 'name' | 'file' | 'namespace' | 'traffic'> & {
  readonly serviceAccount: Pick<ResolvedService['serviceAccount'], 'name'>;
};

interface CacheFile {
  readonly format: number;
  /** lib/ and inventory fingerprint: any change invalidates every entry. */
  readonly basis: string;
  readonly services: Record<string, CachedService>;
}

/** A service's entries: most are the same on every cluster, so each distinct one is kept once. */
interface CachedService {
  readonly hash: string;
  /** File → size and mtime when hashed: unchanged stamps skip reading the files again. */
  readonly stamps: Record<string, string>;
  readonly entries: readonly IndexEntry[];
  /** Cluster name → index into entries. */
  readonly clusters: Record<string, number>;
}

function cachedService({ hash, stamps }: ContentHash, sources: Iterable<IndexSource>): CachedService {
  const entries: IndexEntry[] = [];
  const seen = new Map<string, number>();
  const clusters: Record<string, number> = {};
  for (const { file, directory } of sources) {
    const entry = indexEntry(file, directory);
    const key = JSON.stringify(entry);
    let index = seen.get(key);
    if (index === undefined) {
      index = entries.push(entry) - 1;
      seen.set(key, index);
    }
    clusters[file.cluster] = index;
  }
  return { hash, stamps, entries, clusters };
}

/** One service's entries, cluster name → entry; undefined when the service does not parse. */
export type ServiceBuilder = (app: string) => IndexSource[] | undefined;

export function indexEntry(file: RenderedFile, directory: DirectoryEntry): IndexEntry {
  const s = file.service;
  const t = s.traffic;
  return {
    service: {
      name: s.name,
      file: s.file,
      namespace: s.namespace,
      serviceAccount: { name: s.serviceAccount.name },
      traffic: { routes: t.routes, callerServices: t.callerServices, gateway: t.gateway } as Partial<ResolvedService['traffic']> as ResolvedService['traffic'],
    },
    // Objects that claim something outside the service: the ingress VirtualServices of its routes.
    documents: file.documents.filter((doc) => INDEXED_KINDS.has(doc.kind) && s.traffic.routes.some((r) => r.objectName === doc.metadata.name)).map(claimOf),
    directory,
  };
}

/** An object reduced to what it claims: name, hosts, gateways and request matches, not where requests go. */
function claimOf(doc: Manifest): Manifest {
  const spec = (doc as { spec?: { hosts?: unknown; gateways?: unknown; http?: { name?: string; match?: unknown }[] } }).spec ?? {};
  return {
    apiVersion: doc.apiVersion,
    kind: doc.kind,
    metadata: { name: doc.metadata.name, namespace: doc.metadata.namespace },
    spec: { hosts: spec.hosts, gateways: spec.gateways, http: spec.http?.map((route) => ({ name: route.name, match: route.match })) },
  } as Manifest;
}

/** A rendered file of another service, as the validate stage sees it in an `--app` run. */
function contextFile(app: string, cluster: Cluster, entry: IndexEntry): RenderedFile {
  return { path: `${cluster.name}/${app}.k8s.yaml`, cluster: cluster.name, app, documents: entry.documents, content: '', service: { ...entry.service, processes: [], cluster } as unknown as ResolvedService };
}

/**
 * The other services of the fleet on each selected cluster, from the cache where it is current,
 * built (and cached) otherwise.
 */
export function fleetContext(root: string, apps: readonly string[], clusters: readonly Cluster[], build: ServiceBuilder): Map<string, ClusterContext> {
  const basis = basisHash(root);
  const cache = readCachedIndex(root, basis);
  let changed = false;
  const context = new Map<string, ClusterContext>(clusters.map((c) => [c.name, { files: [], directory: [] }]));
  for (const app of apps) {
    let cached = cache.services[app];
    const hash = cached && unchanged(root, cached.stamps) ? { hash: cached.hash, stamps: cached.stamps } : contentHash(root, valuesFile(app));
    if (cached?.hash !== hash.hash) {
      const sources = build(app);
      changed = true;
      if (!sources) {
        delete cache.services[app];
        continue;
      }
      cached = cachedService(hash, sources);
      cache.services[app] = cached;
    } else if (hash.stamps !== cached.stamps) {
      // Same content, new stamps (a checkout touched the file): remember them.
      cached = { ...cached, stamps: hash.stamps };
      cache.services[app] = cached;
      changed = true;
    }
    for (const cluster of clusters) {
      const entry = cached.entries[cached.clusters[cluster.name]];
      if (!entry) continue;
      context.get(cluster.name)!.files.push(contextFile(app, cluster, entry));
      context.get(cluster.name)!.directory.push(entry.directory);
    }
  }
  if (changed) writeCache(root, CACHE_FILE, cache);
  return context;
}

/** Records a full run's services, so the next `--app` run finds them current. */
export function recordFleet(root: string, sources: readonly IndexSource[]): void {
  const byApp = new Map<string, IndexSource[]>();
  for (const source of sources) {
    const list = byApp.get(source.file.app);
    if (list) list.push(source);
    else byApp.set(source.file.app, [source]);
  }
  const services: CacheFile['services'] = {};
  for (const [app, list] of byApp) services[app] = cachedService(contentHash(root, valuesFile(app)), list);
  writeCache(root, CACHE_FILE, { format: FORMAT, basis: basisHash(root), services });
}

function readCachedIndex(root: string, basis: string): { format: number; basis: string; services: Record<string, CacheFile['services'][string]> } {
  // No cache yet, one that does not parse, or one of another format or basis: build it.
  const cache = readCache<CacheFile>(root, CACHE_FILE);
  if (cache?.format === FORMAT && cache.basis === basis) return { ...cache, services: { ...cache.services } };
  return { format: FORMAT, basis, services: {} };
}

/** lib/ (the code that resolves and renders) and the inventory: a change in either invalidates every entry. */
function basisHash(root: string): string {
  const hash = createHash('sha256').update(`format ${FORMAT}\n`);
  const libDir = __dirname;
  for (const entry of fs.readdirSync(libDir, { recursive: true, withFileTypes: true }).sort((a, b) => (fullPath(a) < fullPath(b) ? -1 : 1))) {
    if (!entry.isFile()) continue;
    const stat = fs.statSync(fullPath(entry));
    hash.update(`${path.relative(libDir, fullPath(entry))} ${stat.size} ${stat.mtimeMs}\n`);
  }
  hash.update(contentHash(root, INVENTORY_FILE).hash);
  return hash.digest('hex');
}

function fullPath(entry: fs.Dirent): string {
  return path.join(entry.parentPath, entry.name);
}

interface ContentHash {
  readonly hash: string;
  readonly stamps: Record<string, string>;
}

function stampOf(absolute: string): string {
  const stat = fs.statSync(absolute, { throwIfNoEntry: false });
  return stat ? `${stat.size}:${stat.mtimeMs}:${stat.ino}` : 'missing';
}

function unchanged(root: string, stamps: Record<string, string> | undefined): boolean {
  if (!stamps || Object.keys(stamps).length === 0) return false;
  for (const file in stamps) if (stampOf(path.join(root, file)) !== stamps[file]) return false;
  return true;
}

/** A values file with the local modules it imports (outside lib/), by content. */
export function contentHash(root: string, file: string): ContentHash {
  const hash = createHash('sha256');
  const stamps: Record<string, string> = {};
  const seen = new Set<string>();
  const libDir = path.join(root, 'lib');
  const visit = (absolute: string) => {
    if (seen.has(absolute)) return;
    seen.add(absolute);
    stamps[path.relative(root, absolute)] = stampOf(absolute);
    let source: string;
    try {
      source = fs.readFileSync(absolute, 'utf8');
    } catch {
      hash.update(`${absolute} missing\n`);
      return;
    }
    hash.update(`${path.relative(root, absolute)}\n${source}\n`);
    for (const match of source.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = path.resolve(path.dirname(absolute), match[1]);
      if (target === libDir || target.startsWith(libDir + path.sep)) continue;
      const candidate = [target, `${target}.ts`, path.join(target, 'index.ts')].find((c) => fs.statSync(c, { throwIfNoEntry: false })?.isFile());
      if (candidate) visit(candidate);
    }
  };
  visit(path.join(root, file));
  return { hash: hash.digest('hex'), stamps };
}
