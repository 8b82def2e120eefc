// Every rule, by id: one module per rule id beside this file. The registry imports this index on
// first use, so that a bundled CLI (scripts/bundle.mjs) carries the rules with it and loads them as
// one module. A rule file missing here is an error the completeness test names.

import type { Rule } from '../src/types.js';
import hostportConflict from './hostport-conflict.js';
import hostportNodeportRange from './hostport-nodeport-range.js';
import hostportReplicas from './hostport-replicas.js';
import hostportReserved from './hostport-reserved.js';
import invalidPortName from './invalid-port-name.js';
import knownIssue from './known-issue.js';
import linkerdAnnotationPlacement from './linkerd-annotation-placement.js';
import linkerdAnnotationValue from './linkerd-annotation-value.js';
import linkerdAnnotationVersion from './linkerd-annotation-version.js';
import linkerdNativeSidecarKubeVersion from './linkerd-native-sidecar-kube-version.js';
import linkerdUnknownAnnotation from './linkerd-unknown-annotation.js';
import linkerdVersionMismatch from './linkerd-version-mismatch.js';
import nodeportConflict from './nodeport-conflict.js';
import parseError from './parse-error.js';
import schema from './schema.js';
import servicePortNoMatch from './service-port-no-match.js';
import serviceSelectorNoMatch from './service-selector-no-match.js';
import telepresenceNumericTargetPort from './telepresence-numeric-target-port.js';
import unnamedContainerPort from './unnamed-container-port.js';
import unusedSuppression from './unused-suppression.js';

export const RULES: Readonly<Record<string, Rule>> = {
  'hostport-conflict': hostportConflict,
  'hostport-nodeport-range': hostportNodeportRange,
  'hostport-replicas': hostportReplicas,
  'hostport-reserved': hostportReserved,
  'invalid-port-name': invalidPortName,
  'known-issue': knownIssue,
  'linkerd-annotation-placement': linkerdAnnotationPlacement,
  'linkerd-annotation-value': linkerdAnnotationValue,
  'linkerd-annotation-version': linkerdAnnotationVersion,
  'linkerd-native-sidecar-kube-version': linkerdNativeSidecarKubeVersion,
  'linkerd-unknown-annotation': linkerdUnknownAnnotation,
  'linkerd-version-mismatch': linkerdVersionMismatch,
  'nodeport-conflict': nodeportConflict,
  'parse-error': parseError,
  'schema': schema,
  'service-port-no-match': servicePortNoMatch,
  'service-selector-no-match': serviceSelectorNoMatch,
  'telepresence-numeric-target-port': telepresenceNumericTargetPort,
  'unnamed-container-port': unnamedContainerPort,
  'unused-suppression': unusedSuppression,
};
