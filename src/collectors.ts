// Manifest fact collectors: each reads facts (versions, ...) from one resource of the set.
// Rule families register theirs here; the engine runs every collector on every resource,
// --context resources included.

import { collectNamespace, type FactCollector } from './facts.js';
import { collectLinkerdConfig, collectLinkerdCreatedBy, collectSpegel, collectTelepresence } from './tool-versions.js';

export const COLLECTORS: FactCollector[] = [
  collectNamespace,
  // versions (issue #5): Linkerd control plane, Telepresence traffic-manager, Spegel
  collectLinkerdConfig,
  collectLinkerdCreatedBy,
  collectTelepresence,
  collectSpegel,
];
