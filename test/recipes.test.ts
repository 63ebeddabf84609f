/**
 * The README's release recipes, rendered: every `// step N` block of the Recipes section is one
 * pull request of a release of a web + worker service, rendered on every cluster of the
 * inventory. Each step must pass every check and route every organization exactly as the model
 * says (through Envoy's matching); each transition must keep Deployment selectors, keep pinned
 * organizations where they are, move traffic only onto pods that already run, and remove a version
 * only once nothing routed to it. Blocks marked `// refused` must be refused, naming who is pinned.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { Cluster } from '../lib/clusters/schema';
import { formatFinding } from '../lib/findings';
import { renderFleet } from '../lib/pipeline';
import { ClusterView } from '../lib/validate/context';
import { checkTraffic } from '../lib/validate/rules/traffic';
import type { ResolvedService } from '../lib/values/model';
import { routeVersions } from '../lib/values/release';
import { REPO } from './support/fleet';
import { renderValues, resolveValues } from './support/render';
import { assertRoutingAgrees } from './support/routing-check';
import { BUCKET_VALUES } from './support/routing-grid';

interface Recipe {
  readonly title: string;
  readonly refused: boolean;
  readonly release: Record<string, unknown>;
}

/** The `ts` blocks of the README's Recipes section that start with `// step` or `// refused`. */
function readmeRecipes(): Recipe[] {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Recipes'), readme.indexOf('\n### Add a cluster'));
  const recipes: Recipe[] = [];
  for (const [, body] of section.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const [first, ...rest] = body.split('\n');
    const title = /^\/\/ ((step \d+|refused):.*)$/.exec(first);
    if (!title) continue;
    // The block is an object property as written in values.ts: `release: { ... },`.
    const values = new Function(`return ({ ${rest.join('\n')} });`)() as { release: Record<string, unknown> };
    recipes.push({ title: title[1], refused: title[2] === 'refused', release: values.release });
  }
  return recipes;
}

const service = (release: Record<string, unknown>) => ({
  name: 'patient-notes',
  team: 'care-records',
  image: 'europe-docker.pkg.dev/acme-care/apps/patient-notes',
  release,
  processes: {
    web: { ports: [{ name: 'http', port: 8080 }], replicas: 3, probes: { ready: { path: '/ready' }, live: { path: '/live' } } },
    indexer: { command: ['node', 'indexer.js'], replicas: 2, probes: { live: { command: ['true'] } } },
  },
  routes: { api: { host: 'notes', paths: ['/api/notes'] } },
  // The recipes show versions by tag; prod runs them by digest (`versions: ['2026.11.4@sha256:…']`, README), checked by FC-IMG-002's own tests.
  waivers: { 'FC-IMG-002': 'the README recipes show tags; prod lists each version with its digest' },
});

const recipes = readmeRecipes();
const steps = recipes.filter((r) => !r.refused);
const clusters: readonly Cluster[] = renderFleet(REPO, { app: 'resident-preferences' }).clusters;

/** Organizations the release names, and some it does not, with every bucket. */
function who(): { org?: string; bucket?: string }[] {
  const orgs = new Set<string>(['unpinned-org']);
  for (const r of steps) for (const org of Object.keys((r.release.orgs as object) ?? {})) orgs.add(org);
  return [{}, ...[...orgs].flatMap((org) => BUCKET_VALUES.map((bucket) => ({ org, bucket })))];
}

/** Version → Deployment pods of the web process, and which version each requester gets on the mesh. */
function snapshot(resolved: ResolvedService) {
  const web = resolved.processes.find((p) => p.name === 'web')!;
  const routing = new Map(who().map((w) => [JSON.stringify(w), routeVersions(resolved, w).find((r) => r.via === 'mesh')!.version]));
  return { web, routing, deployments: new Map(resolved.processes.flatMap((p) => p.deployments).map((d) => [d.deploymentName, d])) };
}

describe('README recipes: a release from start to finish', () => {
  it('has the steps in order, including start, pin, advance, hold, roll back, promote and finish', () => {
    assert.deepEqual(steps.map((s) => Number(/^step (\d+)/.exec(s.title)![1])), steps.map((_, i) => i + 1));
    assert.ok(steps.length >= 7 && recipes.some((r) => r.refused));
  });

  for (const cluster of clusters) {
    it(`renders every step on ${cluster.name}: all checks pass and every organization reaches its version`, () => {
      for (const step of steps) {
        const file = renderValues(service(step.release), cluster);
        const view = new ClusterView(cluster, [file]);
        checkTraffic(view);
        assert.deepEqual(view.findings.map(formatFinding), [], step.title);
        assertRoutingAgrees(file);
      }
    });

    it(`keeps selectors, pins and capacity through every transition on ${cluster.name}`, () => {
      for (let i = 1; i < steps.length; i++) {
        const title = `${steps[i - 1].title} → ${steps[i].title}`;
        const before = snapshot(resolveValues(service(steps[i - 1].release), cluster).service!);
        const after = snapshot(resolveValues(service(steps[i].release), cluster).service!);
        for (const [name, d] of after.deployments) {
          const earlier = before.deployments.get(name);
          if (earlier) assert.deepEqual(d.selector, earlier.selector, `${title}: selector of ${name}`);
          // A version's Deployment keeps its pods: same image and labels whatever role the version has now.
          if (earlier && 'version' in d.selector) assert.deepEqual([d.image, d.podLabels], [earlier.image, earlier.podLabels], `${title}: pods of ${name}`);
        }
        const pinsBefore = (steps[i - 1].release.orgs ?? {}) as Record<string, string>;
        const pinsAfter = (steps[i].release.orgs ?? {}) as Record<string, string>;
        for (const [org, version] of Object.entries(pinsAfter)) {
          if (pinsBefore[org] === version) assert.equal(after.routing.get(JSON.stringify({ org, bucket: '50' })), version, `${title}: ${org} stays on ${version}`);
        }
        const runningBefore = (version: string) => before.web.deployments.some((d) => d.version === version && d.replicas > 0);
        for (const [key, version] of after.routing) {
          if (before.routing.get(key) !== version) assert.ok(runningBefore(version), `${title}: ${key} moves to ${version}, which ran no pods before`);
        }
        const servedBefore = new Set(before.routing.values());
        for (const d of before.web.deployments) {
          if (!after.deployments.has(d.deploymentName)) assert.ok(!servedBefore.has(d.version), `${title}: ${d.version} removed while requests still reached it`);
        }
        // The version that becomes the default already ran the full replicas.
        const newDefault = after.web.deployments.find((d) => d.release?.role === 'default')!;
        const same = before.deployments.get(newDefault.deploymentName);
        if (same && same.version !== before.web.deployments.find((d) => d.release?.role === 'default')!.version) {
          assert.equal(same.replicas, newDefault.replicas, `${title}: promoted at full capacity`);
        }
      }
    });
  }

  it('refuses the refused steps, naming who is pinned', () => {
    for (const recipe of recipes.filter((r) => r.refused)) {
      const findings = resolveValues(service(recipe.release)).findings.map(formatFinding);
      assert.equal(findings.length, 1, recipe.title);
      const pinned = Object.keys((recipe.release.orgs as object) ?? {});
      for (const org of pinned) assert.match(findings[0], new RegExp(`\\b${org}\\b`));
      assert.match(findings[0], /\[FC-RELEASE-003\]/);
    }
  });
});
