// Rule registry: one module per rule id under rules/, discovered from the compiled directory and
// imported on first use, all together, through rules/_index.ts. Options are validated once per run
// with ajv against the rule's schema.

import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { UsageError } from './errors.js';
import type { Rule } from './types.js';
import { loadVendored } from './vendor.js';

const RULES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'rules');
const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

let ids: string[] | undefined;

/** Every rule id, sorted. Files under rules/ starting with '_' are helpers, not rules. */
export function ruleIds(): string[] {
  if (!ids) {
    ids = readdirSync(RULES_DIR)
      .filter((f) => f.endsWith('.js') && !f.startsWith('_'))
      .map((f) => f.slice(0, -3))
      .filter((id) => ID.test(id))
      .sort();
  }
  return ids;
}

let index: Promise<Readonly<Record<string, Rule>>> | undefined;

export async function loadRule(id: string): Promise<Rule> {
  if (!ruleIds().includes(id)) throw new UsageError(`unknown rule "${id}"`);
  // A static path: a bundler follows it, and the rules load as one module (see rules/_index.ts).
  index ??= import('../rules/_index.js').then((m: { RULES: Readonly<Record<string, Rule>> }) => m.RULES);
  const rule = (await index)[id];
  if (!rule) throw new Error(`rules/${id}.js is not listed in rules/_index.ts`);
  if (!rule.meta || rule.meta.id !== id) throw new Error(`rules/${id}.js does not export a rule with id "${id}"`);
  return rule;
}

export function loadRules(which: readonly string[] = ruleIds()): Promise<Rule[]> {
  return Promise.all(which.map(loadRule));
}

/** Merge user options over defaults and validate them against the rule's options schema. */
export async function resolveOptions(rule: Rule, user: Record<string, unknown> | undefined): Promise<Record<string, unknown>> {
  const merged = { ...(rule.meta.defaultOptions ?? {}), ...(user ?? {}) };
  if (!rule.meta.options) {
    if (user && Object.keys(user).length > 0) throw new UsageError(`rule ${rule.meta.id} takes no options`);
    return merged;
  }
  if (user === undefined) return merged;
  const { Ajv } = loadVendored('ajv') as typeof import('ajv');
  const validate = new Ajv({ strict: false, allErrors: false }).compile(rule.meta.options);
  if (!validate(merged)) {
    const e = validate.errors![0]!;
    const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'options';
    throw new UsageError(`invalid options for rule ${rule.meta.id}: ${where} ${e.message ?? 'is invalid'}`);
  }
  return merged;
}
