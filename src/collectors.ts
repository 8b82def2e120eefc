// Manifest fact collectors: each reads facts (versions, ...) from one resource of the set.
// Rule families register theirs here; the engine runs every collector on every resource,
// --context resources included.

import { collectNamespace, type FactCollector } from './facts.js';

export const COLLECTORS: FactCollector[] = [collectNamespace];
