/**
 * Field descriptions reach the editor: the generated types (lib/values/types.generated.ts) are
 * in sync with the schema, equal its input type, and TypeScript's language service — what
 * editors ask on hover — returns each field's description in an example values.ts.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import type { z } from 'zod';
import type { serviceSchema } from '../lib/values/schema';
import { serviceSchema as schema } from '../lib/values/schema';
import type { ServiceValuesInput } from '../lib/values/types.generated';
import { GENERATED_TYPES_FILE, generatedTypes } from '../lib/values/typegen';
import { discoverApps, valuesFile } from '../lib/load';
import { REPO } from './support/fleet';

// Compile-time: the generated types and the schema's input types accept exactly the same values.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const valuesInSync: Same<ServiceValuesInput, Omit<z.input<typeof serviceSchema>, 'clusters'>> = true;
// Overrides (ServiceOverrideInput) are generated from overrideSchema, which is built at runtime
// (typed z.ZodType): no static input type to compare with; the example apps' overrides type-check
// against the generated type (tsc), and overrideSchema checks them at runtime.

describe('editor documentation', () => {
  it(`${GENERATED_TYPES_FILE} is what the schema generates (run 'npm run docs' after changing the schema)`, () => {
    assert.ok(valuesInSync);
    assert.equal(fs.readFileSync(path.join(REPO, GENERATED_TYPES_FILE), 'utf8'), generatedTypes(), "out of date: run 'npm run docs'");
  });

  it('hover (TypeScript quick info) shows the description of replicas, release and a route field in an example values.ts', () => {
    const app = discoverApps(REPO).find((a) => /\broutes:/.test(fs.readFileSync(path.join(REPO, valuesFile(a)), 'utf8')));
    assert.ok(app, 'an example service with routes');
    const file = path.join(REPO, valuesFile(app));
    const text = fs.readFileSync(file, 'utf8');
    const config = ts.getParsedCommandLineOfConfigFile(path.join(REPO, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const host: ts.LanguageServiceHost = {
      getScriptFileNames: () => [file],
      getScriptVersion: () => '1',
      getScriptSnapshot: (name) => (fs.existsSync(name) ? ts.ScriptSnapshot.fromString(fs.readFileSync(name, 'utf8')) : undefined),
      getCurrentDirectory: () => REPO,
      getCompilationSettings: () => config.options,
      getDefaultLibFileName: ts.getDefaultLibFilePath,
      fileExists: ts.sys.fileExists,
      readFile: ts.sys.readFile,
      readDirectory: ts.sys.readDirectory,
      directoryExists: ts.sys.directoryExists,
      getDirectories: ts.sys.getDirectories,
    };
    const service = ts.createLanguageService(host, ts.createDocumentRegistry());
    const hover = (key: string) => {
      const at = new RegExp(`\\b${key}:`).exec(text);
      assert.ok(at, `${app} sets ${key}`);
      const info = service.getQuickInfoAtPosition(file, at.index + 1);
      return ts.displayPartsToString(info?.documentation ?? []);
    };
    const fields = schema.shape;
    const processSchema = (fields.processes as any)._zod.def.valueType;
    const routeSchema = (fields.routes as any)._zod.def.innerType._zod.def.valueType;
    const described = (s: z.ZodType) => s.description ?? (s as any)._zod.def.innerType?.description;
    assert.equal(hover('release'), described(fields.release));
    assert.equal(hover('replicas'), described(processSchema.shape.replicas));
    assert.equal(hover('host'), described(routeSchema.shape.host));
  });
});
